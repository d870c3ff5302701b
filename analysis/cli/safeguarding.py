"""`heard safeguarding screen`: screen a file of comments for possible disclosures."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from analysis.cli.tables import read_table, text_column, write_table
from analysis.safeguarding import screen_all


@click.group("safeguarding")
def safeguarding() -> None:
    """Screen comments for possible safeguarding concerns."""


@safeguarding.command("screen")
@click.option("--input", "input_path", required=True, type=click.Path(path_type=Path))
@click.option("--text", "column", required=True, help="The column that holds the comments.")
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path))
def screen_command(input_path: Path, column: str, out_path: Path) -> None:
    """Write flag (1 or 0), severity and reason for each row, in the input's order."""
    texts = text_column(read_table(input_path), column)
    results = screen_all(texts)
    write_table(
        pd.DataFrame(
            {
                "flag": [int(r.flag) for r in results],
                "severity": [r.severity for r in results],
                "reason": [r.reason for r in results],
            }
        ),
        out_path,
    )
    flagged = sum(r.flag for r in results)
    click.echo(f"Screened {len(results)} comments: {flagged} flagged. Written to {out_path}.")
