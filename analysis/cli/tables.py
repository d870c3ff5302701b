"""Reading and writing the CSV and Excel files the analysis commands work on."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

READERS = {".csv": "csv", ".xlsx": "excel", ".xlsm": "excel"}


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or XLSX file as text, or stop with a message that names the problem.

    Args:
        path: The file; its extension chooses the reader.

    Returns:
        The table, every cell as a string or missing.

    Examples:
        >>> read_table(Path("missing.csv"))  # doctest: +SKIP
    """
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise click.BadParameter(f"{path.name} must be a .csv or .xlsx file", param_hint="--input")
    if not path.is_file():
        raise click.BadParameter(f"{path} does not exist", param_hint="--input")
    try:
        if kind == "csv":
            return pd.read_csv(
                path, dtype=str, keep_default_na=False, na_values=[""], skip_blank_lines=False
            )
        return pd.read_excel(path, dtype=str)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise click.ClickException(f"Could not read {path.name}: {error}") from None


def text_column(table: pd.DataFrame, name: str) -> list[object]:
    """Return a column's values, or stop with a message naming the missing column."""
    if name not in table.columns:
        known = ", ".join(map(str, table.columns[:20]))
        raise click.BadParameter(
            f"there is no column called {name!r}; the columns are: {known}", param_hint="--text"
        )
    return table[name].tolist()


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Write a CSV, creating its folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
