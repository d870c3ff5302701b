"""Deleting whole responses, for retention and erasure, with “You said, we did” kept in step.

This is the remover the web app passes to models.privacy and models.retention.
"""

from collections import Counter

from sqlmodel import Session, col, select

from analysis.codebook_files import same_name
from models import privacy as held
from models.responses import Response, ResponseStatus
from models.surveys import SurveyRound
from models.yswd import YswdEntry, YswdTheme
from webapp.discovery_jobs import quoted_forms
from webapp.yswd_figures import respondents, term_rounds, theme_figures

Term = tuple[int, str, str, str]  # organisation, audience, academic year, term


def _quoted(quote: str, text: str) -> bool:
    """Discovery quotes a comment's words on one line, redacted again."""
    return same_name(quote) in quoted_forms(text)


def remove_keeping_figures(session: Session, response_ids: list[int]) -> Counter[str]:
    """Delete responses (see models.privacy), and take them out of “You said, we did” figures.

    Entries keep the figures they were drafted with, so each entry for a term the responses
    were part of loses exactly what they added: the respondent, and each theme they raised.
    """
    entries = _entries_for(session, response_ids)
    before = {term: _figures(session, term) for term in entries}
    counts = held.delete_responses(
        session=session, response_ids=response_ids, delete_invitations=True, quote_match=_quoted
    )
    for term, found in entries.items():
        people, raised = before[term]
        people_now, raised_now = _figures(session, term)
        for entry in found:
            if _lower_figures(session, entry, people - people_now, raised, raised_now):
                counts["yswd entries adjusted"] += 1
    session.flush()
    return counts


def _entries_for(session: Session, response_ids: list[int]) -> dict[Term, list[YswdEntry]]:
    terms: set[Term] = set()
    for chunk in held.chunks(response_ids):
        rows = session.exec(
            select(
                SurveyRound.organisation_id,
                SurveyRound.audience,
                SurveyRound.academic_year,
                SurveyRound.term,
            )
            .join(Response, col(Response.round_id) == SurveyRound.id)
            .where(col(Response.id).in_(chunk), Response.status == ResponseStatus.SUBMITTED)
            .distinct()
        )
        terms.update((int(o), str(a), str(y), str(t)) for o, a, y, t in rows)
    found: dict[Term, list[YswdEntry]] = {}
    for term in terms:
        organisation_id, audience, year, name = term
        entries = session.exec(
            select(YswdEntry).where(
                YswdEntry.organisation_id == organisation_id,
                YswdEntry.audience == audience,
                YswdEntry.academic_year == year,
                YswdEntry.term == name,
            )
        ).all()
        if entries:
            found[term] = list(entries)
    return found


def _figures(session: Session, term: Term) -> tuple[int, dict[int, int]]:
    organisation_id, audience, year, name = term
    rounds = term_rounds(session, organisation_id, audience, year, name)
    raised = {f.theme_id: f.raised for f in theme_figures(session, organisation_id, rounds)}
    return respondents(session, rounds), raised


def _lower_figures(
    session: Session, entry: YswdEntry, fewer: int, before: dict[int, int], after: dict[int, int]
) -> bool:
    changed = fewer > 0
    entry.respondents = max(0, entry.respondents - fewer)
    session.add(entry)
    for theme in session.exec(select(YswdTheme).where(YswdTheme.entry_id == entry.id)):
        drop = before.get(theme.theme_id, 0) - after.get(theme.theme_id, 0)
        if drop > 0:
            theme.raised = max(0, theme.raised - drop)
            session.add(theme)
            changed = True
    return changed
