"""The forms for deciding a discovered cluster: make it a theme, or add it to one.

Both offer the codebook's themes in tree order, and refuse a theme that is not offered.
"""

from typing import Any

from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, Optional

from analysis.codebook_files import (
    MAX_DESCRIPTION,
    MAX_EXAMPLES,
    MAX_NAME,
    clean,
    example_lines,
    example_problem,
    one_line,
    same_name,
)
from forms.base import HeardForm
from forms.widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from models.coding import Theme, in_tree_order
from webapp.codebook_imports import uses_words_to_avoid


class ActionForm(HeardForm):
    """A button that decides a cluster: only its CSRF token is sent."""


class ThemeForm(HeardForm):
    """A new theme, started from a cluster's name, keywords and example comments."""

    name = StringField(
        "Theme name",
        description="A few plain words people will recognise, for example “Waiting for "
        "speech and language therapy”.",
        filters=[one_line],
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the theme name"),
            Length(max=MAX_NAME, message=f"The theme name must be {MAX_NAME} characters or fewer"),
        ],
    )
    description = TextAreaField(
        "What it covers",
        description="Started from the group’s keywords. Say what comments with this theme "
        "are about.",
        filters=[clean],
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(
                max=MAX_DESCRIPTION,
                message=f"What it covers must be {MAX_DESCRIPTION:,} characters or fewer",
            ),
        ],
    )
    parent = SelectField(
        "Parent theme (optional)",
        description="Choose a parent to make this a more detailed part of an existing theme.",
        coerce=int,
        default=0,
        validate_choice=False,
        widget=GovSelect(),
    )
    examples = TextAreaField(
        "Example comments",
        description=f"One a line, up to {MAX_EXAMPLES}. They show people, and the coder, what "
        "the theme looks like. Names and other details were taken out when the comments arrived.",
        widget=GovTextArea(),
    )

    def __init__(self, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parent.choices = [SelectChoice(0, "None: a theme of its own"), *theme_choices(themes)]
        self.taken = {same_name(theme.name) for theme in themes}

    def validate_parent(self, field: Field) -> None:
        _one_of(field, "Select a parent theme from the list, or none")

    def validate_examples(self, field: Field) -> None:
        """No more examples, and none longer, than a codebook file takes."""
        problem = example_problem(example_lines(field.data or ""))
        if problem:
            raise ValidationError(problem)

    def validate(self, extra_validators: Any = None) -> bool:
        """The name is not already a theme, and neither field uses words to avoid."""
        valid = super().validate(extra_validators)
        if not self.name.errors:
            problems = uses_words_to_avoid("The theme name", self.name.data or "")
            if same_name(self.name.data or "") in self.taken:
                problems.append("The codebook already has a theme with this name. Choose another")
            self.name.errors = [*self.name.errors, *problems]
            valid = valid and not problems
        if not self.description.errors:
            problems = uses_words_to_avoid("What it covers", self.description.data or "")
            self.description.errors = [*self.description.errors, *problems]
            valid = valid and not problems
        return valid


class MergeForm(HeardForm):
    """The existing theme a cluster's comments belong to."""

    theme = RadioField(
        "Which theme do these comments belong to?",
        coerce=int,
        validate_choice=False,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the theme to add these comments to")],
    )

    def __init__(self, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.theme.choices = theme_choices(themes)

    def validate_theme(self, field: Field) -> None:
        _one_of(field, "Select the theme to add these comments to")


def _one_of(field: Field, message: str) -> None:
    """Refuse a value that is not one of the field's choices, with one plain message."""
    if field.data not in {choice.value for choice in field.choices}:
        field.errors.clear()  # not also "could not coerce"
        raise ValidationError(message)


def theme_choices(themes: list[Theme]) -> list[SelectChoice]:
    """The codebook's themes in tree order, each child saying which theme it is under."""
    names = {theme.id: theme.name for theme in themes}
    return [
        SelectChoice(
            theme.id,
            f"{theme.name} (under {names[theme.parent_id]})"
            if theme.parent_id in names
            else theme.name,
        )
        for theme, _depth in in_tree_order(themes)
    ]
