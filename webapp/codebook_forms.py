"""The forms of the codebook pages: a theme, merging one, importing a file, activating.

The theme form's checks are the ones a file's themes meet on import (analysis/codebook_files.py
and webapp/codebook_imports.py); where a theme may go in the tree is checked by the page
(webapp/codebook_trees.py), which can say why.
"""

from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from analysis.codebook_files import (
    MAX_DESCRIPTION,
    MAX_EXAMPLES,
    MAX_NAME,
    MAX_NOTE,
    OUTCOME_AREAS,
    clean,
    example_lines,
    example_problem,
    one_line,
)
from forms.base import HeardForm
from forms.widgets import GovFileInput, GovSelect, GovTextArea, GovTextInput
from webapp.codebook_imports import uses_words_to_avoid


def _words(subject: str) -> Any:
    def check(_form: Any, field: Any) -> None:
        found = uses_words_to_avoid(subject, field.data or "")
        if found:
            raise ValidationError(found[0])

    return check


def examples_text(examples: list[str]) -> str:
    """The theme's example comments as the form shows them: one a line."""
    return "\n".join(" ".join(example.split()) for example in examples)


def _check_examples(_form: Any, field: Any) -> None:
    problem = example_problem(example_lines(field.data))
    if problem:
        raise ValidationError(problem)


def _known_area(_form: Any, field: Any) -> None:
    if field.data not in OUTCOME_AREAS:
        raise ValidationError("Select an outcome area from the list, or none")


def _notes(label: str, hint: str, limit: int, subject: str) -> TextAreaField:
    return TextAreaField(
        f"{label} (optional)",
        description=hint,
        widget=GovTextArea(),
        filters=[clean],
        validators=[
            Length(max=limit, message=f"{label} must be {limit} characters or fewer"),
            _words(subject),
        ],
    )


class ThemeForm(HeardForm):
    stamp = HiddenField()  # what the edit page showed (webapp/edit_stamps.py)
    name = StringField(
        "Theme name",
        description="A few words, in the terms children, young people and families use.",
        widget=GovTextInput(),
        filters=[one_line],
        validators=[
            DataRequired(message="Enter a theme name"),
            Length(max=MAX_NAME, message=f"Theme name must be {MAX_NAME} characters or fewer"),
            _words("Theme name"),
        ],
    )
    parent = SelectField(
        "Part of (optional)",
        description="Put this theme under a broader one, or leave it at the top level.",
        widget=GovSelect(),
        # Checked by the page, which says why a theme cannot go under another.
        validate_choice=False,
        validators=[Optional()],
    )
    description = _notes(
        "Description", "What the theme is about.", MAX_DESCRIPTION, "The description"
    )
    inclusion = _notes(
        "Use when",
        "What a comment says when this theme fits it.",
        MAX_NOTE,
        "The “use when” note",
    )
    exclusion = _notes(
        "Do not use when",
        "Comments that look like this theme but belong to another.",
        MAX_NOTE,
        "The “do not use when” note",
    )
    examples = TextAreaField(
        "Example comments (optional)",
        description=f"One comment a line, in the writer’s own words. Up to {MAX_EXAMPLES}.",
        widget=GovTextArea(),
        filters=[clean],
        validators=[_check_examples],
    )
    outcome_area = SelectField(
        "Outcome area (optional)",
        choices=[SelectChoice("", "None"), *[SelectChoice(a, a) for a in OUTCOME_AREAS]],
        widget=GovSelect(),
        validate_choice=False,
        validators=[Optional(), _known_area],
    )


class MergeForm(HeardForm):
    into = SelectField(
        "Merge into",
        description="Its comments will be coded with this theme instead.",
        widget=GovSelect(),
        validate_choice=False,
        validators=[DataRequired(message="Select the theme to merge it into")],
    )


class ImportForm(HeardForm):
    file = FileField(
        "Codebook file",
        description=(
            "A CSV file saved as UTF-8, or a REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, "
            "MAXQDA or QualCoder. It must be smaller than 1MB."
        ),
        widget=GovFileInput(),
        validators=[DataRequired(message="Select a CSV or .qdc file")],
    )


class NewImportForm(ImportForm):
    name = StringField(
        "Codebook name (optional)",
        description="Leave this empty to use the name in the file, or the file’s own name.",
        widget=GovTextInput(),
        filters=[one_line],
        validators=[
            Length(max=MAX_NAME, message=f"Codebook name must be {MAX_NAME} characters or fewer"),
            _words("Codebook name"),
        ],
    )


class ActivateForm(HeardForm):
    """Only the CSRF token."""
