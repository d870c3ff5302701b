"""The figures and quotes behind “You said”: one term's surveys for one audience.

A person is counted once for a theme however many of their comments raised it. Where a
person has coded a comment, their themes stand and the machine's are set aside; otherwise
a machine coding counts when the coder was at least fairly sure. Quotes are offered only
from comments whose writer agreed to be quoted, that raised no safeguarding flag, and from
themes big enough that a quote cannot point to a child in a small group.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from analysis.yswd import ThemeFigure
from models.coding import (
    CodingSource,
    Comment,
    CommentTheme,
    Theme,
    counted_coding,
    get_active_codebook,
)
from models.responses import Response, ResponseStatus
from models.surveys import SurveyRound, count_submitted
from models.yswd import TERM_ORDER, YswdEntry, entry_themes
from webapp.action_evidence import MACHINE_CONFIDENCE

MIN_QUOTES, MAX_QUOTES = 2, 3
#: Long comments make poor quotes; the editor offers only those up to this length.
QUOTE_MAX_CHARS = 400
CANDIDATES_PER_THEME = 6


class QuoteProblem(ValueError):
    """A chosen quote that may not be used; the message is for the page."""


@dataclass(frozen=True)
class Candidate:
    comment_id: int
    text: str
    theme_id: int
    theme_name: str
    confidence: float | None  # None: a person coded it
    language: str = "en"  # the choice its writer wrote in, as Comment.language


def term_rounds(
    session: Session, organisation_id: int, audience: str, academic_year: str, term: str
) -> list[SurveyRound]:
    query = select(SurveyRound).where(
        SurveyRound.organisation_id == organisation_id,
        SurveyRound.audience == audience,
        SurveyRound.academic_year == academic_year,
        SurveyRound.term == term,
    )
    return list(session.exec(query.order_by(col(SurveyRound.id))))


def terms_with_rounds(session: Session, organisation_id: int) -> list[tuple[str, str, str]]:
    """(audience, academic year, term) for every term that had a survey, newest first."""
    rows = session.exec(
        select(SurveyRound.audience, SurveyRound.academic_year, SurveyRound.term)
        .where(SurveyRound.organisation_id == organisation_id)
        .distinct()
    ).all()
    return sorted(
        {(str(a), str(y), str(t)) for a, y, t in rows},
        key=lambda row: (row[1], TERM_ORDER.get(row[2], 0), row[0]),
        reverse=True,
    )


def respondents(session: Session, rounds: list[SurveyRound]) -> int:
    """Everyone who sent answers in these rounds."""
    round_ids = [r.id for r in rounds if r.id is not None]
    return sum(count_submitted(session=session, round_ids=round_ids).values())


def _codings(
    session: Session, rounds: list[SurveyRound]
) -> list[tuple[Comment, int, int, float | None]]:
    """(comment, its response, theme, confidence or None for a person) for counted codings:
    a person's, or the machine's surer suggestions on a comment nobody has reviewed
    (`counted_coding`)."""
    if not rounds:
        return []
    rows = session.exec(
        select(Comment, Response.id, CommentTheme)
        .join(Response, col(Response.id) == Comment.response_id)
        .join(CommentTheme, col(CommentTheme.comment_id) == Comment.id)
        .where(
            col(Response.round_id).in_([r.id for r in rounds]),
            Response.status == ResponseStatus.SUBMITTED,
            counted_coding(MACHINE_CONFIDENCE),
        )
    ).all()
    # A joined response always has its id.
    return [
        (  # type: ignore[misc]
            comment,
            response_id,
            coding.theme_id,
            None if coding.source == CodingSource.HUMAN else coding.confidence,
        )
        for comment, response_id, coding in rows
    ]


def theme_figures(
    session: Session, organisation_id: int, rounds: list[SurveyRound]
) -> list[ThemeFigure]:
    """Every theme of the active codebook that anyone raised, most raised first."""
    codebook = get_active_codebook(session=session, organisation_id=organisation_id)
    if codebook is None:
        return []
    themes = {t.id: t for t in session.exec(select(Theme).where(Theme.codebook_id == codebook.id))}
    people: dict[int, set[int]] = defaultdict(set)
    for _comment, response_id, theme_id, _confidence in _codings(session, rounds):
        if theme_id in themes:
            people[theme_id].add(response_id)
    total = respondents(session, rounds)
    figures = [
        ThemeFigure(theme_id=t, name=themes[t].name, raised=len(who), respondents=total)
        for t, who in people.items()
    ]
    return sorted(figures, key=lambda f: (-f.raised, f.name))


def candidates(
    session: Session, rounds: list[SurveyRound], figures: list[ThemeFigure]
) -> list[Candidate]:
    """Comments a person may choose quotes from, the coder's surest first, per theme."""
    quotable = {f.theme_id: f for f in figures if f.quotable}
    by_theme: dict[int, list[Candidate]] = defaultdict(list)
    for comment, _response_id, theme_id, confidence in _codings(session, rounds):
        if theme_id not in quotable or not comment.quotable:
            continue
        text = comment.text_redacted.strip()
        if not text or len(text) > QUOTE_MAX_CHARS:
            continue
        by_theme[theme_id].append(
            Candidate(
                comment.id,  # type: ignore[arg-type]
                text,
                theme_id,
                quotable[theme_id].name,
                confidence,
                comment.language,
            )
        )
    found: list[Candidate] = []
    seen: set[int] = set()  # a comment with two themes is offered once, for the bigger one
    for figure in figures:
        ranked = sorted(
            (c for c in by_theme.get(figure.theme_id, []) if c.comment_id not in seen),
            key=lambda c: (c.confidence is not None, -(c.confidence or 0), c.comment_id),
        )[:CANDIDATES_PER_THEME]
        seen.update(c.comment_id for c in ranked)
        found.extend(ranked)
    return found


def entry_figures(session: Session, entry: YswdEntry) -> list[ThemeFigure]:
    """The figures stored on an entry when it was drafted."""
    themes = entry_themes(session=session, entry_ids=[entry.id])[entry.id]  # type: ignore[index, list-item]
    return [ThemeFigure(t.theme_id, t.name, t.raised, entry.respondents) for t in themes]


def entry_candidates(session: Session, entry: YswdEntry) -> list[Candidate]:
    rounds = term_rounds(
        session, entry.organisation_id, entry.audience.value, entry.academic_year, entry.term
    )
    return candidates(session, rounds, entry_figures(session, entry))


def chosen_quotes(
    candidates: list[Candidate], comment_ids: list[int]
) -> list[tuple[int, int, str]]:
    """Check a person's choice of quotes; return (comment id, theme id, text) in their order.

    Every quote must be one of the entry's candidates (`entry_candidates`, worked out afresh
    for the request), so a quote whose writer has since withdrawn consent, or that was
    flagged, can no longer be chosen. Choose 2 or 3 (or none); where only one comment can be
    quoted, that one alone is fine.
    """
    offered = {c.comment_id: c for c in candidates}
    wanted = list(dict.fromkeys(comment_ids))
    if len(wanted) > MAX_QUOTES:
        raise QuoteProblem(
            f"Choose {MIN_QUOTES} or {MAX_QUOTES} quotes, or none. You chose {len(wanted)}"
        )
    if 0 < len(wanted) < MIN_QUOTES <= len(offered):
        raise QuoteProblem(f"Choose {MIN_QUOTES} or {MAX_QUOTES} quotes, or none")
    chosen = []
    for comment_id in wanted:
        candidate = offered.get(comment_id)
        if candidate is None:
            raise QuoteProblem(
                "You can only quote comments listed here: their writers agreed to be quoted"
            )
        chosen.append((comment_id, candidate.theme_id, candidate.text))
    return chosen
