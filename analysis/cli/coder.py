"""`heard coder train` and `heard coder predict`: learn a codebook from a coded file, then
code new comments with it."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from analysis.cli.tables import read_table, text_column, write_table
from analysis.coder import ThemeCoder


@click.group("coder")
def coder() -> None:
    """Train a theme coder on human-coded comments, and code new comments with it."""


def _theme_columns(
    table: pd.DataFrame, text: str, labels: str | None, labels_after: str | None
) -> list[str]:
    if bool(labels) == bool(labels_after):
        raise click.UsageError("Give either --labels A,B,C or --labels-after COLUMN.")
    if labels:
        names = [name.strip() for name in labels.split(",") if name.strip()]
        missing = [name for name in names if name not in table.columns]
        if missing:
            raise click.BadParameter(
                f"there is no column called {', '.join(map(repr, missing))}",
                param_hint="--labels",
            )
        return names
    columns = list(table.columns)
    if labels_after not in columns:
        raise click.BadParameter(
            f"there is no column called {labels_after!r}", param_hint="--labels-after"
        )
    return [c for c in columns[columns.index(labels_after) + 1 :] if c != text]


def _label_frame(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = table[columns].fillna("0").apply(lambda col: col.str.strip().replace("", "0"))
    numbers = frame.apply(pd.to_numeric, errors="coerce")
    bad = [c for c in columns if numbers[c].isna().any()]
    if bad:
        raise click.ClickException(
            f"Theme column {bad[0]!r} must hold 1 (coded) or 0 or blank (not coded)."
        )
    return numbers.gt(0).astype(int)


@coder.command("train")
@click.option("--input", "input_path", required=True, type=click.Path(path_type=Path))
@click.option("--text", "column", required=True, help="The column that holds the comments.")
@click.option("--labels", help="Theme columns, separated by commas.")
@click.option("--labels-after", help="Use every column after this one as a theme column.")
@click.option(
    "--min-count",
    type=click.IntRange(min=3),
    default=None,
    help="Leave out themes with fewer coded comments than this (default: stop with an error).",
)
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path))
def train_command(
    input_path: Path,
    column: str,
    labels: str | None,
    labels_after: str | None,
    min_count: int | None,
    out_path: Path,
) -> None:
    """Learn the themes in a coded CSV or XLSX file and save the model to --out."""
    table = read_table(input_path)
    texts = text_column(table, column)
    frame = _label_frame(table, _theme_columns(table, column, labels, labels_after))
    if min_count is not None:
        counts = frame.sum()
        dropped = [str(c) for c in frame.columns if counts[c] < min_count]
        frame = frame.loc[:, counts >= min_count]
        if dropped:
            click.echo(f"Left out {len(dropped)} themes with fewer than {min_count} comments.")
    try:
        model = ThemeCoder(random_state=0, n_jobs=-1).fit(texts, frame)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    out_path.parent.mkdir(parents=True, exist_ok=True)
    model.save(out_path)
    click.echo(
        f"Trained on {len(texts)} comments and {len(model.themes_)} themes "
        f"in {model.metadata_['seconds']} s. Saved to {out_path}."
    )


@coder.command("predict")
@click.option("--model", "model_path", required=True, type=click.Path(path_type=Path))
@click.option("--input", "input_path", required=True, type=click.Path(path_type=Path))
@click.option("--text", "column", required=True, help="The column that holds the comments.")
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path))
@click.option("--proba", is_flag=True, help="Write each theme's confidence instead of 1 or 0.")
def predict_command(
    model_path: Path, input_path: Path, column: str, out_path: Path, proba: bool
) -> None:
    """Code each comment: one column per theme, in the input's order."""
    if not model_path.is_file():
        raise click.BadParameter(f"{model_path} does not exist", param_hint="--model")
    try:
        model = ThemeCoder.load(model_path)
    except (ValueError, EOFError, OSError) as error:
        raise click.ClickException(f"Could not load {model_path.name}: {error}") from None
    texts = text_column(read_table(input_path), column)
    values = model.predict_proba(texts).round(4) if proba else model.predict(texts)
    write_table(pd.DataFrame(values, columns=model.themes_), out_path)
    click.echo(
        f"Coded {len(texts)} comments against {len(model.themes_)} themes. Written to {out_path}."
    )
