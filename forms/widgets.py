"""GOV.UK widgets for WTForms, with three upstream faults mended.

govuk-frontend-wtf is close to right, but:
1. checkboxes and radios always pass a hint, so an empty hint `div` is
   rendered and named in `aria-describedby`, and screen readers announce nothing;
2. the date input unpacks `raw_data` into three parts, so a POST that leaves
   the field out (or sends one part) raises instead of showing an error;
3. the character count ignores the field's `Length` validator, so the counter
   shows no limit.
The character count's messages are also passed in the reader's language: GOV.UK
Frontend's own are English, and so is the hidden "Error:" before each error message.
Import widgets from here, never from govuk_frontend_wtf directly.
"""

from typing import Any

from flask import current_app
from flask_babel import gettext
from govuk_frontend_wtf import wtforms_widgets as upstream
from markupsafe import Markup
from wtforms import Field
from wtforms.validators import Length

from forms.dates import PARTS


def _without_empty_hint(params: dict[str, Any]) -> dict[str, Any]:
    hint = params.get("hint")
    if not hint or not (hint.get("text") or hint.get("html")):
        params.pop("hint", None)
    return params


def error_prefix() -> str:
    """The word a screen reader hears before an error message, in the reader's language.

    GOV.UK Frontend adds the colon itself, so the catalogue's "Error:" loses its own.
    """
    return gettext("Error:").rstrip(" :\uff1a")


def _with_error_prefix(params: dict[str, Any]) -> dict[str, Any]:
    if params.get("errorMessage"):
        params["errorMessage"].setdefault("visuallyHiddenText", error_prefix())
    return params


class _NoEmptyHint:
    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        return _with_error_prefix(_without_empty_hint(params))

    def render(self, params: dict[str, Any]) -> Markup:
        # Upstream calls Flask's render_template for every field, which runs every
        # context processor and signal each time; a field's template needs only `params`.
        # On a page of statements that was a third of the time to build the page.
        template = current_app.jinja_env.get_template(self.template)  # type: ignore[attr-defined]
        return Markup(template.render(params=params))  # noqa: S704 (autoescaped template output)


class GovTextInput(_NoEmptyHint, upstream.GovTextInput):
    """A single-line text input."""


class GovEmailInput(GovTextInput):
    """An email address input: the right keyboard on a phone, and no spelling check."""

    input_type = "email"

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("autocomplete", "email")
        params.setdefault("spellcheck", False)
        return params


class GovPasswordInput(_NoEmptyHint, upstream.GovPasswordInput):
    """A password input with the show/hide button."""


class GovTextArea(_NoEmptyHint, upstream.GovTextArea):
    """A multi-line text area."""


class GovCheckboxesInput(_NoEmptyHint, upstream.GovCheckboxesInput):
    """A group of checkboxes for a SelectMultipleField."""


class GovRadioInput(_NoEmptyHint, upstream.GovRadioInput):
    """A group of radios for a RadioField."""


class GovSelect(_NoEmptyHint, upstream.GovSelect):
    """A select list."""


class GovFileInput(_NoEmptyHint, upstream.GovFileInput):
    """A file upload."""


class GovSubmitInput(_NoEmptyHint, upstream.GovSubmitInput):
    """A submit button labelled with the field's label."""


class GovDateInput(_NoEmptyHint, upstream.GovDateInput):
    """Day, month and year inputs that survive a POST missing some or all parts, labelled
    in the reader's language (upstream's labels are English words), with only the boxes
    in error marked (upstream marks all three)."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        raw = field.raw_data
        if raw is not None:
            field.raw_data = [*raw, "", "", ""][:3]
        try:
            params = super().map_gov_params(field, **kwargs)
        finally:
            field.raw_data = raw
        marked = _parts_in_error(field)
        # The first box in error (or the day) takes the field's own id, so an error summary
        # link lands on it; the wrapper, which would otherwise share that id, takes another.
        first = next((part for part in PARTS if part in marked), "day")
        labels = (gettext("Day"), gettext("Month"), gettext("Year"))
        for item, part, label in zip(params["items"], PARTS, labels, strict=True):
            width = "govuk-input--width-4" if part == "year" else "govuk-input--width-2"
            error = " govuk-input--error" if part in marked else ""
            item |= {"label": label, "classes": width + error}
            item["id"] = field.id if part == first else f"{field.id}-{part}"
        params["id"] = f"{field.id}-date"
        return params


def _parts_in_error(field: Field) -> tuple[str, ...]:
    """The date boxes an error is about: those the field names, or all three."""
    if not field.errors:
        return ()
    return getattr(field, "parts_in_error", ()) or PARTS


class GovCharacterCount(_NoEmptyHint, upstream.GovCharacterCount):
    """A text area whose counter shows the limit set by the field's `Length` validator."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        if "maxlength" not in params and "maxwords" not in params:
            limits = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
            if limits:
                params["maxlength"] = min(limits)
        return {**counter_messages(), **params}


#: The plural categories GOV.UK Frontend's script may ask for (Intl.PluralRules).
_MANY = ("zero", "two", "few", "many", "other")


def counter_messages() -> dict[str, Any]:
    """The character count's words in the reader's language. `%{count}` is filled in by
    GOV.UK Frontend's script, which picks the plural form for the page's language."""

    def plural(one: str, other: str) -> dict[str, str]:
        return {"one": one, **dict.fromkeys(_MANY, other)}

    return {
        "textareaDescriptionText": gettext("You can enter up to %{count} characters"),
        "charactersUnderLimitText": plural(
            gettext("You have %{count} character remaining"),
            gettext("You have %{count} characters remaining"),
        ),
        "charactersAtLimitText": gettext("You have 0 characters remaining"),
        "charactersOverLimitText": plural(
            gettext("You have %{count} character too many"),
            gettext("You have %{count} characters too many"),
        ),
    }


class SymbolTiles(_NoEmptyHint, upstream.GovCheckboxesInput):
    """Checkboxes shown as large tiles, each with a symbol beside its label.

    Each tile is a real checkbox, so keyboards, screen readers and switches work
    as they do with any checkbox. Pass `params={"symbols": {option_id: url}}`.
    """

    template = "heard_forms/symbol-tiles.html"
