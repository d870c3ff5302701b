"""Answers described in words, for the check-answers page and the printed summary."""

from collections.abc import Callable
from typing import Any

from forms.kinds import GRID_CHOICES, NO_DISTRICT
from forms.schema import Question

Translate = Callable[[str], str]


def describe(
    question: Question,
    answer: Any,
    *,
    translate: Translate,
    settings: dict[str, str],
    format_date: Translate = str,
    districts: dict[str, str] | None = None,
) -> list[str]:
    """The answer as lines of text, translated; an empty list when there is no answer."""
    if answer in (None, "", [], {}):
        return []
    if question.kind == "date":
        return [format_date(answer)]
    if question.kind == "picture":
        return [str(answer.get("filename") or translate("Picture added"))]
    labels = {o.id: o.label for o in question.options}
    if question.kind == "symbol_tiles":
        return [translate(labels[a]) for a in answer if a in labels]
    if question.kind in {"single_choice", "likert"}:
        return [translate(labels[answer])] if answer in labels else []
    if question.kind == "yes_no_unsure_grid":
        words = dict(GRID_CHOICES)
        return [
            f"{translate(row.label)} {translate(words[answer[row.id]])}"
            for row in question.rows
            if row.id in answer
        ]
    if question.kind == "district":
        if answer == NO_DISTRICT:
            return [translate("I would rather not say")]
        return [(districts or {}).get(str(answer), "")]
    if question.kind == "setting":
        if "setting_id" in answer:
            return [settings.get(str(answer["setting_id"]), "")]
        return [str(answer.get("other", ""))]
    return [str(answer)]
