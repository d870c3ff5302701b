"""Helpers for "You said, we did" tests: a term of parent survey answers with coded themes."""

from dataclasses import dataclass

from sqlmodel import Session

from models.coding import (
    CodebookStatus,
    CodingSource,
    Comment,
    Theme,
    code_comment,
    create_codebook,
    list_themes,
    save_comment,
)
from models.surveys import SurveyRound
from tests.surveys import add_responses, make_round, parent_answers


@dataclass
class Term:
    survey_round: SurveyRound
    waiting: Theme  # raised by many
    transport: Theme  # raised by too few to show
    consenting: list[Comment]  # waiting comments whose writers agreed to be quoted
    refusing: list[Comment]  # waiting comments whose writers did not
    flagged: Comment  # a waiting comment that raised a safeguarding flag
    few: list[Comment]  # transport comments, all with consent


def coded_term(
    session: Session, organisation_id: int, *, respondents: int = 20, waiting: int = 9
) -> Term:
    """A parent round of `respondents`; `waiting` raised waiting times, 3 raised transport."""
    codebook = create_codebook(
        session=session,
        organisation_id=organisation_id,
        name="Parent themes",
        status=CodebookStatus.ACTIVE,
        themes=[
            {"key": "waiting", "name": "Waiting times"},
            {"key": "transport", "name": "School transport"},
        ],
    )
    themes = {t.key: t for t in list_themes(session=session, codebook_id=codebook.id)}
    survey_round = make_round(session, organisation_id)
    responses = add_responses(session, survey_round, [parent_answers("agree")] * respondents)
    made: dict[str, list[Comment]] = {"consent": [], "refuse": [], "flag": [], "few": []}
    for number, response in enumerate(responses):
        if number < waiting:
            kind = "flag" if number == 0 else ("consent" if number % 2 else "refuse")
            text = f"We waited {number + 10} weeks for the assessment and nobody called back."
            theme = themes["waiting"]
        elif number < waiting + 3:
            kind, text, theme = (
                "few",
                f"The taxi to school was late {number} times.",
                themes["transport"],
            )
        else:
            continue
        comment = save_comment(
            session=session,
            organisation_id=organisation_id,
            response_id=response.id,
            question_id="could-be-better",
            text_redacted=text,
            sentiment="negative",
            flagged=kind == "flag",
            quote_consent=kind != "refuse",
        )
        # The machine is sure, and a person agreed: both kinds of coding are exercised.
        source = CodingSource.HUMAN if number % 3 == 0 else CodingSource.MACHINE
        code_comment(
            session=session,
            comment=comment,
            theme_ids={theme.id: None if source is CodingSource.HUMAN else 0.9},
            source=source,
        )
        made[kind].append(comment)
    session.commit()
    return Term(
        survey_round=survey_round,
        waiting=themes["waiting"],
        transport=themes["transport"],
        consenting=made["consent"],
        refusing=made["refuse"],
        flagged=made["flag"][0],
        few=made["few"],
    )
