"""The figures behind an action's evidence links, as of a reporting period, and the suggestion.

Links point at live data, so the figures are read when they are needed: the survey
round that had closed by the end of the period, and the comments made in the months
before it. Documents and quotes are shown for people to weigh; they are not counted.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from analysis.impact import (
    Direction,
    Evidence,
    IndicatorEvidence,
    KpiEvidence,
    Suggestion,
    ThemeEvidence,
    suggest,
)
from models.coding import Comment, CommentTheme, Theme, counted_coding
from models.plan_evidence import EvidenceKind, EvidenceLink, list_evidence
from models.plans import PlanAction, Scheme, SchemeKind
from models.responses import Response
from models.surveys import SurveyRound, list_rounds, submitted_responses
from webapp.journey import definition_by_id
from webapp.survey_results import score

#: Comments are compared over this many months before the period's end, and the same before.
THEME_WINDOW_DAYS = 183
#: A machine coding counts as a mention only when the coder was at least this sure.
MACHINE_CONFIDENCE = 0.5


def period_end(period: str) -> date:
    """The last day of a reporting period such as 2023-10."""
    year, month = int(period[:4]), int(period[5:])
    return date(year, month, calendar.monthrange(year, month)[1])


def _closed_rounds(
    session: Session, organisation_id: int, slug: str, end: date
) -> list[SurveyRound]:
    rounds = list_rounds(session=session, organisation_id=organisation_id, form_slug=slug)
    return sorted((r for r in rounds if r.closes_on <= end), key=lambda r: r.closes_on)


def indicator_evidence(
    session: Session, organisation_id: int, link: EvidenceLink, end: date
) -> IndicatorEvidence | None:
    """The indicator in the last round closed by `end`, and the share in the round before."""
    rounds = _closed_rounds(session, organisation_id, link.form_slug, end)
    found = []
    for survey_round in rounds[-2:]:
        definition = definition_by_id(session, survey_round.form_version_id)
        indicator = next((i for i in definition.indicators if i.id == link.indicator_id), None)
        if indicator is None:
            continue
        answers = [
            r.answers for r in submitted_responses(session=session, survey_round=survey_round)
        ]
        found.append((survey_round, indicator, score(indicator, answers)))
    if not found:
        return None
    survey_round, indicator, latest = found[-1]
    before = found[-2][2] if len(found) > 1 else None
    return IndicatorEvidence(
        label=link.label or indicator.label,
        positive=latest.positive,
        counted=latest.counted,
        people=latest.people,
        measured_on=survey_round.closes_on,
        baseline=link.baseline,
        target=link.target,
        previous_percent=100 * before.positive / before.counted
        if before and before.counted
        else None,
    )


def theme_evidence(
    session: Session, organisation_id: int, link: EvidenceLink, end: date
) -> ThemeEvidence | None:
    """How often the theme came up, and how negatively, in the two windows before `end`."""
    theme = session.get(Theme, link.theme_id)
    if theme is None:
        return None
    finish = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
    middle = finish - timedelta(days=THEME_WINDOW_DAYS)
    start = middle - timedelta(days=THEME_WINDOW_DAYS)
    said = func.coalesce(Response.submitted_at, Comment.created_at)
    rows = session.exec(
        select(Comment.id, Comment.sentiment, said)
        .join(Response, col(Response.id) == Comment.response_id, isouter=True)
        .where(Comment.organisation_id == organisation_id, said >= start, said < finish)
    ).all()
    coded = set(
        session.exec(
            select(CommentTheme.comment_id)
            .join(Comment, col(Comment.id) == CommentTheme.comment_id)
            .where(
                CommentTheme.theme_id == theme.id,
                counted_coding(MACHINE_CONFIDENCE),
            )
        ).all()
    )
    comments, mentions, negative = [0, 0], [0, 0], [0, 0]
    for comment_id, sentiment, when in rows:
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        if not start <= when < finish:
            continue
        half = 0 if when < middle else 1
        comments[half] += 1
        if comment_id in coded:
            mentions[half] += 1
            negative[half] += sentiment == "negative"
    return ThemeEvidence(
        name=theme.name,
        direction=Direction(link.direction or Direction.LESS_NEGATIVE),
        measured_on=end,
        comments=(comments[0], comments[1]),
        mentions=(mentions[0], mentions[1]),
        negative=(negative[0], negative[1]),
    )


def kpi_evidence(link: EvidenceLink) -> KpiEvidence | None:
    if link.value is None or link.measured_on is None:
        return None
    return KpiEvidence(
        label=link.label,
        value=link.value,
        measured_on=link.measured_on,
        baseline=link.baseline,
        target=link.target,
        higher_is_better=link.higher_is_better,
    )


def gather(
    session: Session,
    organisation_id: int,
    action: PlanAction,
    period: str,
    links: list[EvidenceLink] | None = None,
) -> list[Evidence]:
    """The figures for every counted link (the action's own, unless given), as of the period."""
    end = period_end(period)
    found: list[Evidence | None] = []
    for link in links if links is not None else list_evidence(session=session, action=action):
        if link.kind is EvidenceKind.INDICATOR:
            found.append(indicator_evidence(session, organisation_id, link, end))
        elif link.kind is EvidenceKind.THEME:
            found.append(theme_evidence(session, organisation_id, link, end))
        elif link.kind is EvidenceKind.KPI:
            found.append(kpi_evidence(link))
    return [f for f in found if f is not None]


@dataclass(frozen=True)
class Suggested:
    """The suggestion, and the impact scheme's value it stands for."""

    suggestion: Suggestion
    scheme: Scheme | None
    value_key: str

    @property
    def value_label(self) -> str:
        found = self.scheme.value(self.value_key) if self.scheme else None
        return found.label if found else ""


def suggestion_for(
    session: Session,
    organisation_id: int,
    action: PlanAction,
    period: str,
    schemes: list[Scheme],
    links: list[EvidenceLink] | None = None,
) -> Suggested:
    """Suggest an impact rating for the action and period from its linked evidence."""
    if links is None:
        links = list_evidence(session=session, action=action)
    found = suggest(
        gather(session, organisation_id, action, period, links),
        on=period_end(period),
        has_measure=action.has_measure,
        due=action.due_by,
    )
    others = [
        link.kind.label.lower()
        for link in links
        if link.kind in (EvidenceKind.DOCUMENT, EvidenceKind.QUOTE)
    ]
    if others:
        found.reasons.append(
            f"Also linked, for people to weigh but not counted: {len(others)} "
            f"{'item' if len(others) == 1 else 'items'} ({', '.join(sorted(set(others)))})"
        )
    impact = next((s for s in schemes if s.scheme.kind is SchemeKind.IMPACT), None)
    value = impact.suggesting(found.level) if impact else None
    return Suggested(found, impact, value.key if value else "")
