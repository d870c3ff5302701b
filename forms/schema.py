"""The shape of a form definition, checked whenever one is loaded."""

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from forms.base import NOT_TEXT

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CHOICE_KINDS = frozenset({"single_choice", "symbol_tiles", "likert"})
# What a question tells us about the respondent, so results can be broken down by it.
CONTEXT_PATTERN = r"^(district|setting-type|phase|sen-status|primary-need|equality)$"
CONTAINERS = frozenset({"pages", "questions", "options", "rows"})


class DefinitionError(ValueError):
    """A form definition is not valid; the message names the file, the question and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*")
    @classmethod
    def _only_text(cls, value: Any) -> Any:
        """Words only: a control character cannot be shown on a page or stored everywhere."""
        texts = value if isinstance(value, tuple) else (value,)
        if any(isinstance(text, str) and NOT_TEXT.search(text) for text in texts):
            raise ValueError(
                "must not contain control characters or other characters that are not text"
            )
        return value


class Option(_Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=60)
    label: str = Field(min_length=1, max_length=300)


class GridRow(_Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=60)
    label: str = Field(min_length=1, max_length=300)


class RequiredIf(_Strict):
    """A question that must be answered when another on its page has a given answer."""

    question: str = Field(pattern=ID_PATTERN, max_length=60)
    answer: str = Field(pattern=ID_PATTERN, max_length=60)


class Question(_Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=60)
    kind: str
    label: str = Field(min_length=1, max_length=500)
    hint: str | None = Field(default=None, max_length=1000)
    error: str | None = Field(default=None, max_length=200)
    required: bool = False
    max_length: int | None = Field(default=None, gt=0, le=20000)
    personal: str | None = Field(default=None, pattern=r"^(respondent_name|contact_email)$")
    context: str | None = Field(default=None, pattern=CONTEXT_PATTERN)
    required_if: RequiredIf | None = None
    #: A date that says when something happened, such as when the form was filled in:
    #: one after today is refused.
    not_future: bool = False
    options: tuple[Option, ...] = ()
    rows: tuple[GridRow, ...] = ()

    def fingerprint(self) -> str:
        """A short digest of the wording and answers: a reworded question is a new version,
        so trends only ever compare answers to the same question."""
        content = [self.kind, self.label, [(o.id, o.label) for o in self.options]]
        content.append([(r.id, r.label) for r in self.rows])
        canonical = json.dumps(content, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:10]

    @model_validator(mode="after")
    def _fits_its_kind(self) -> "Question":
        from forms.kinds import KINDS

        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; use one of {', '.join(sorted(KINDS))}")
        if self.kind in CHOICE_KINDS and not self.options:
            raise ValueError(f"a {self.kind} question needs options")
        if self.kind == "yes_no_unsure_grid" and not self.rows:
            raise ValueError("a yes_no_unsure_grid question needs rows")
        if self.not_future and self.kind != "date":
            raise ValueError("not_future is only for date questions")
        for name, items in (("option", self.options), ("row", self.rows)):
            ids = [item.id for item in items]
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{name} ids repeat: {', '.join(repeated)}")
        return self


class Page(_Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=60)
    title: str = Field(min_length=1, max_length=300)
    caption: str | None = None
    area: str | None = None
    questions: tuple[Question, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _conditions_point_at_this_page(self) -> "Page":
        """`required_if` names a choice question on the same page, and one of its options."""
        by_id = {q.id: q for q in self.questions}
        for question in self.questions:
            rule = question.required_if
            if rule is None:
                continue
            other = by_id.get(rule.question)
            if other is None or other.id == question.id:
                raise ValueError(
                    f"question {question.id!r}: required_if names {rule.question!r}, "
                    "which is not another question on this page"
                )
            if rule.answer not in {o.id for o in other.options}:
                raise ValueError(
                    f"question {question.id!r}: {rule.answer!r} is not an option of "
                    f"{rule.question!r}"
                )
        return self


class Indicator(_Strict):
    """A headline figure: the share of answers to some statements that are positive.

    Answers in `excluded` (such as "Don't know") are left out of the count entirely.
    """

    id: str = Field(pattern=ID_PATTERN, max_length=60)
    label: str = Field(min_length=1, max_length=300)
    questions: tuple[str, ...] = Field(min_length=1)
    positive: tuple[str, ...] = Field(min_length=1)
    excluded: tuple[str, ...] = ()


class FormDefinition(_Strict):
    slug: str = Field(pattern=ID_PATTERN, max_length=80)
    title: str = Field(min_length=1, max_length=200)
    subtitle: str | None = None
    audience: str = Field(default="cyp", pattern=r"^(cyp|parents|schools)$")
    intro: tuple[str, ...] = ()
    pages: tuple[Page, ...] = Field(min_length=1)
    indicators: tuple[Indicator, ...] = ()

    @model_validator(mode="after")
    def _ids_are_unique(self) -> "FormDefinition":
        pages = [p.id for p in self.pages]
        questions = [q.id for p in self.pages for q in p.questions]
        for name, ids in (("page", pages), ("question", questions)):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{name} ids repeat: {', '.join(repeated)}")
        for indicator in self.indicators:
            _check_indicator(indicator, {q.id: q for q in self.questions()})
        return self

    def question(self, question_id: str) -> Question | None:
        """Return the question with this id, or None."""
        return next((q for q in self.questions() if q.id == question_id), None)

    def context_question(self, context: str) -> Question | None:
        """The question that says the respondent's district, setting type and so on."""
        return next((q for q in self.questions() if q.context == context), None)

    def page(self, page_id: str) -> Page | None:
        """Return the page with this id, or None."""
        return next((p for p in self.pages if p.id == page_id), None)

    def questions(self) -> list[Question]:
        """Every question, in order."""
        return [q for p in self.pages for q in p.questions]

    def checksum(self) -> str:
        """A fingerprint of the content, so an unchanged file makes no new version."""
        content = self.model_dump(mode="json")
        for page in content["pages"]:
            for question in page["questions"]:
                for name, default in LATER_DEFAULTS.items():
                    if question.get(name) == default:
                        del question[name]
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


#: Question settings added after forms were first stored, left out of the checksum while they
#: are at their default: adding one to Heard must not make every unchanged form a new version.
LATER_DEFAULTS: dict[str, Any] = {"not_future": False}


def _check_indicator(indicator: Indicator, questions: dict[str, Question]) -> None:
    for question_id in indicator.questions:
        question = questions.get(question_id)
        if question is None:
            raise ValueError(f"indicator '{indicator.id}' names no such question '{question_id}'")
        if question.kind not in {"likert", "single_choice"}:
            raise ValueError(
                f"indicator '{indicator.id}': question '{question_id}' must be likert or "
                "single_choice"
            )
        options = {o.id for o in question.options}
        unknown = sorted(set(indicator.positive + indicator.excluded) - options)
        if unknown:
            raise ValueError(
                f"indicator '{indicator.id}': question '{question_id}' has no answer "
                f"{', '.join(unknown)}"
            )


def _where(raw: Any, location: tuple[Any, ...]) -> str:
    """Describe where a validation error is, by page and question id when they are known."""
    parts: list[str] = []
    node = raw
    for step in location:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "id" in node:
            kind = "page" if "questions" in node else "question" if "kind" in node else "item"
            parts.append(f"{kind} '{node['id']}'")
    return ", ".join(parts)


def parse_definition(raw: Any, source: str) -> FormDefinition:
    """Check a definition already read into Python data, naming `source` in any error."""
    if not isinstance(raw, dict):
        raise DefinitionError(f"{source}: a form definition must be a mapping with slug and pages")
    try:
        return FormDefinition.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = _where(raw, tuple(first["loc"]))
        last = first["loc"][-1] if first["loc"] else ""
        field = f"{last}: " if isinstance(last, str) and last not in CONTAINERS else ""
        message = first["msg"].removeprefix("Value error, ")
        place = f"{where}: " if where else ""
        raise DefinitionError(f"{source}: {place}{field}{message}") from None


#: libyaml's safe loader when PyYAML was built with it (several times quicker; a staff member's
#: upload and every shipped form are read with it), the pure-Python one otherwise. Both build
#: only plain data.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_definition_text(text: str, source: str) -> FormDefinition:
    """Parse YAML text and check it."""
    try:
        raw = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        raise DefinitionError(f"{source}: not valid YAML: {error}") from None
    return parse_definition(raw, source)


def load_definition(path: Path) -> FormDefinition:
    """Read and check a definition file."""
    return load_definition_text(path.read_text(encoding="utf-8"), str(path))


DEFINITIONS = Path(__file__).parent / "definitions"


def shipped_definitions() -> list[Path]:
    """The definition files Heard ships with."""
    return sorted(p for p in DEFINITIONS.glob("*.yaml") if not p.name.endswith(".symbols.yaml"))
