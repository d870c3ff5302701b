"""Stripping who answered from a sent response, for the identities retention rule.

A form's questions are sorted by what they can hold about the person: personal answers go,
free text as written gives way to its redacted copy, and an "other" setting loses its name.
The answers to fixed questions stay, so results do not change.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from models.coding import Comment
from models.responses import Response

FREE_TEXT_KINDS = frozenset({"short_text", "long_text"})


@dataclass(frozen=True)
class Questions:
    """A form's questions that can say who answered, by what they hold."""

    personal: frozenset[str]
    free_text: frozenset[str]
    settings: frozenset[str]

    @classmethod
    def of(cls, definition: dict[str, Any]) -> "Questions":
        found: dict[str, set[str]] = {"personal": set(), "free_text": set(), "settings": set()}
        for page in definition.get("pages", []):
            for question in page.get("questions", []):
                kind, question_id = question.get("kind"), str(question.get("id"))
                if question.get("personal"):
                    found["personal"].add(question_id)
                elif kind in FREE_TEXT_KINDS:
                    found["free_text"].add(question_id)
                elif kind == "setting":
                    found["settings"].add(question_id)
        return cls(**{name: frozenset(ids) for name, ids in found.items()})


def strip_identity(session: Session, response: Response, questions: Questions) -> bool:
    """Take what says who answered out of a sent response; True if anything changed."""
    answers = dict(response.answers)
    for question_id in questions.personal:
        answers.pop(question_id, None)
    redacted = {}
    if questions.free_text & set(answers):
        redacted = dict(
            session.exec(
                select(Comment.question_id, Comment.text_redacted).where(
                    Comment.response_id == response.id
                )
            ).all()
        )
    for question_id in questions.free_text & set(answers):
        if question_id in redacted:
            answers[question_id] = redacted[question_id]
        else:
            answers.pop(question_id)
    for question_id in questions.settings & set(answers):
        value = answers[question_id]
        if isinstance(value, dict) and value.get("other"):
            answers[question_id] = {**value, "other": ""}
    if answers == response.answers and response.respondent_name is None:
        return False
    response.answers, response.respondent_name = answers, None
    session.add(response)
    return True
