"""`heard discover`: propose candidate themes for a file of uncoded comments."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from analysis.cli.tables import read_table, text_column, write_table
from analysis.discovery import OTHER, ThemeDiscovery


@click.command("discover")
@click.option("--input", "input_path", required=True, type=click.Path(path_type=Path))
@click.option("--text", "column", required=True, help="The column that holds the comments.")
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path))
@click.option(
    "--themes",
    "n_themes",
    type=click.IntRange(min=2),
    default=None,
    help="How many themes to find (default: chosen from the number of comments).",
)
def discover(input_path: Path, column: str, out_path: Path, n_themes: int | None) -> None:
    """Write theme (an id, or empty for "other") and theme_name for each row, in order."""
    texts = text_column(read_table(input_path), column)
    try:
        found = ThemeDiscovery(n_themes=n_themes, random_state=0).fit(texts)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    names = {theme.id: theme.name for theme in found.themes_}
    labels = found.labels_
    write_table(
        pd.DataFrame(
            {
                "theme": pd.array([None if t == OTHER else int(t) for t in labels], dtype="Int64"),
                "theme_name": [names.get(int(t), "") for t in labels],
            }
        ),
        out_path,
    )
    other = int((labels == OTHER).sum())
    click.echo(
        f"Found {len(found.themes_)} themes in {len(texts)} comments ({other} in other). "
        f"Written to {out_path}."
    )
    for theme in found.themes_:
        click.echo(f"  {theme.id:>3}  {theme.size:>6}  {theme.name}")
