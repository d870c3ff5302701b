"""Demo "You said, we did": the demo survey comments coded by theme, and one published entry.

The demo rounds' comments are invented, and so is this coding: a participation worker would
code them by reading each one. Here, comments that mention waiting or getting information
are coded to the demo codebook's matching themes, so the demo has themes to draft from.
"""

import re

from sqlmodel import Session, col, select

from analysis.yswd import draft_easy_said, draft_you_said
from models import Organisation, Response, Role, list_users
from models.coding import (
    CodingSource,
    Comment,
    CommentTheme,
    code_comment,
    get_active_codebook,
    theme_ids_by_key,
)
from models.yswd import Audience, Delivery, StepKind, create_entry, list_entries, take_step
from webapp.yswd_figures import term_rounds, theme_figures

DEMO_CODING = {
    "shorter-waits": re.compile(r"\b(wait|waiting|waited|late|chase)\b", re.IGNORECASE),
    "consistent-information": re.compile(
        r"\b(information|emails?|phone|repl(y|ies)|contact|told)\b", re.IGNORECASE
    ),
}


def code_survey_comments(*, session: Session, organisation: Organisation) -> int:
    """Code the demo rounds' uncoded comments by keyword, as a person would; return how many."""
    codebook = get_active_codebook(session=session, organisation_id=organisation.id)  # type: ignore[arg-type]
    if codebook is None:
        return 0
    themes = theme_ids_by_key(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    coded = set(session.exec(select(CommentTheme.comment_id)).all())
    comments = session.exec(
        select(Comment)
        .join(Response, col(Response.id) == Comment.response_id)
        .where(Comment.organisation_id == organisation.id, col(Response.round_id).is_not(None))
    ).all()
    count = 0
    for comment in comments:
        if comment.id in coded:
            continue
        found = {
            themes[key]: None
            for key, pattern in DEMO_CODING.items()
            if key in themes and pattern.search(comment.text_redacted)
        }
        if found:
            code_comment(
                session=session, comment=comment, theme_ids=found, source=CodingSource.HUMAN
            )
            count += 1
    return count


def load_entry(*, session: Session, organisation: Organisation) -> bool:
    """Publish one demo entry for the last summer term's parent survey, if there is none yet."""
    if list_entries(session=session, organisation_id=organisation.id):  # type: ignore[arg-type]
        return False
    rounds = term_rounds(session, organisation.id, "parents", "2025/26", "summer")  # type: ignore[arg-type]
    figures = [f for f in theme_figures(session, organisation.id, rounds) if f.raised]  # type: ignore[arg-type]
    waits = [f for f in figures if f.name.lower().startswith("shorter")] or figures[:1]
    staff = {u.role: u for u in list_users(session=session, organisation_id=organisation.id)}  # type: ignore[arg-type]
    officer, reviewer = staff.get(Role.OFFICER), staff.get(Role.PARTICIPATION)
    if not waits or officer is None or reviewer is None:
        return False
    entry = create_entry(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        user_id=officer.id,  # type: ignore[arg-type]
        audience=Audience.PARENTS,
        academic_year="2025/26",
        term="summer",
        title="Waiting for assessments and plans",
        you_said=draft_you_said(waits, "parents", "2025/26 Summer"),
        easy_said=draft_easy_said(waits, "parents"),
        respondents=waits[0].respondents,
        themes=[(f.theme_id, f.name, f.raised) for f in waits],
    )
    entry.we_did = (
        "We recruited two more educational psychologists and now send every family a "
        "monthly update while they wait, so nobody has to chase."
    )
    entry.easy_did = (
        "We have more people to do assessments.\nWe tell you what is happening every month."
    )
    entry.delivery = Delivery.IN_PROGRESS
    session.add(entry)
    take_step(session=session, entry=entry, kind=StepKind.REVIEWED, user_id=reviewer.id)  # type: ignore[arg-type]
    take_step(session=session, entry=entry, kind=StepKind.APPROVED, user_id=officer.id)  # type: ignore[arg-type]
    take_step(session=session, entry=entry, kind=StepKind.PUBLISHED, user_id=officer.id)  # type: ignore[arg-type]
    return True
