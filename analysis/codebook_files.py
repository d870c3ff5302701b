"""Codebooks as files: CSV for spreadsheets, and REFI-QDA codebooks (.qdc) for NVivo,
ATLAS.ti, MAXQDA and QualCoder.

Both readers check everything before they give anything back, and list every problem at
once, each naming its row (CSV) or line (XML), so that a person can fix the file in one go.

This module is the one place to import from; the work is done in:

- `analysis.codebook_themes`: the data types, the limits, and tidying names and examples;
- `analysis.codebook_checks`: checking the themes read from a file, and building the codebook;
- `analysis.codebook_csv`: CSV files;
- `analysis.codebook_descriptions`: what a theme's REFI-QDA Description carries;
- `analysis.codebook_qdc_schema`: reading REFI-QDA XML safely, and checking its schema;
- `analysis.codebook_qdc`: REFI-QDA codebook files;
- `analysis.codebook_wording`: phrases to avoid in theme names.
"""

import inspect

from analysis.codebook_checks import NO_THEMES, TOO_MANY
from analysis.codebook_csv import (
    CSV_COLUMNS,
    EXAMPLE_SEPARATOR,
    FORMULA_STARTS,
    HEADINGS,
    NOT_TEXT,
    from_csv,
    join_examples,
    split_examples,
    to_csv,
)
from analysis.codebook_descriptions import describe, read_description
from analysis.codebook_qdc import IMPORTED_NAME, ORIGIN, from_qdc, to_qdc
from analysis.codebook_qdc_schema import (
    MAX_PROBLEMS,
    NO_DECLARATIONS,
    QDC_NAMESPACE,
    check_qdc,
)
from analysis.codebook_themes import CONTROL as _CONTROL
from analysis.codebook_themes import (
    GUID_NAMESPACE,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_DESCRIPTION,
    MAX_EXAMPLE,
    MAX_EXAMPLES,
    MAX_KEY,
    MAX_NAME,
    MAX_NOTE,
    MAX_THEMES,
    OUTCOME_AREAS,
    TOO_BIG,
    CodebookFile,
    CodebookFileError,
    ThemeRow,
    clean,
    example_lines,
    example_problem,
    key_from_name,
    known_outcome_area,
    new_examples,
    one_line,
    same_name,
    theme_guid,
    unique_key,
)
from analysis.codebook_wording import words_to_avoid

__all__ = [
    "CSV_COLUMNS",
    "EXAMPLE_SEPARATOR",
    "FORMULA_STARTS",
    "GUID_NAMESPACE",
    "HEADINGS",
    "IMPORTED_NAME",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_DESCRIPTION",
    "MAX_EXAMPLE",
    "MAX_EXAMPLES",
    "MAX_KEY",
    "MAX_NAME",
    "MAX_NOTE",
    "MAX_PROBLEMS",
    "MAX_THEMES",
    "NOT_TEXT",
    "NO_DECLARATIONS",
    "NO_THEMES",
    "ORIGIN",
    "OUTCOME_AREAS",
    "QDC_NAMESPACE",
    "TOO_BIG",
    "TOO_MANY",
    "_CONTROL",
    "CodebookFile",
    "CodebookFileError",
    "ThemeRow",
    "check_qdc",
    "clean",
    "describe",
    "example_lines",
    "example_problem",
    "from_csv",
    "from_qdc",
    "join_examples",
    "key_from_name",
    "known_outcome_area",
    "new_examples",
    "one_line",
    "read_description",
    "same_name",
    "split_examples",
    "theme_guid",
    "to_csv",
    "to_qdc",
    "unique_key",
    "words_to_avoid",
]

# doctest.testmod(codebook_files) finds only what is defined here; this hands it the
# examples of every function imported above, run with this module's names.
__test__ = {name: value for name, value in globals().items() if inspect.isfunction(value)}
