"""Turn a page of a form definition into a WTForms class, and answers into form data and back."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from forms import messages
from forms.base import HeardForm
from forms.kinds import KINDS, BuildContext
from forms.schema import Page, Question
from forms.uploads import CheckedImage


def page_form_class(page: Page, context: BuildContext) -> type[FlaskForm]:
    """Build the form class for one page."""
    fields: dict[str, Any] = {}
    for question in page.questions:
        fields.update(KINDS[question.kind].build(question, context))
    conditional = [q for q in page.questions if q.required_if is not None]
    if conditional:
        fields["validate"] = _with_conditions(conditional)
    return type(f"PageForm_{page.id.replace('-', '_')}", (HeardForm,), fields)


def _with_conditions(questions: list[Question]) -> Any:
    """A `validate` that also asks for each question whose condition the page meets."""

    def validate(form: FlaskForm, extra_validators: Any = None) -> bool:
        valid = FlaskForm.validate(form, extra_validators)
        for question in questions:
            rule = question.required_if
            field = form[question.id]
            answered = str(field.data or "").strip()
            if rule and form[rule.question].data == rule.answer and not answered:
                if not field.errors:
                    message = _l(question.error) if question.error else messages.answer_needed()
                    field.errors = [message]
                valid = False
        return valid

    return validate


def initial_data(page: Page, answers: dict[str, Any]) -> dict[str, Any]:
    """Form data for a page from the answers saved so far."""
    data: dict[str, Any] = {}
    for question in page.questions:
        if question.id in answers:
            data.update(KINDS[question.kind].fill(question, answers[question.id]))
    return data


def read_answers(page: Page, form: FlaskForm) -> dict[str, Any]:
    """The answers on a validated page, keyed by question id (pictures are read apart)."""
    return {q.id: KINDS[q.kind].read(q, form) for q in page.questions if q.kind != "picture"}


def read_pictures(page: Page, form: FlaskForm) -> dict[str, CheckedImage]:
    """The pictures uploaded on a validated page, keyed by question id."""
    found = {q.id: KINDS[q.kind].read(q, form) for q in page.questions if q.kind == "picture"}
    return {question_id: image for question_id, image in found.items() if image is not None}


def field_names(question: Question, form: FlaskForm) -> list[str]:
    """The form fields that belong to a question, in order."""
    prefix = question.id + "--"
    return [name for name in form._fields if name == question.id or name.startswith(prefix)]
