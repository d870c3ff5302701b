"""What a finished sample shows, and whether it can mark its round's coding agreed.

Kappa in plain words (after Landis and Koch, 1977), each theme's agreement, and the
comments the two coders disagreed on, with each difference.
"""

from collections.abc import Collection, Hashable
from dataclasses import dataclass

from flask_babel import format_date
from sqlmodel import col, select

from analysis.agreement import Agreement, ThemeAgreement, agreement
from models.agreement import AgreementSample, codings, is_complete
from models.coding import Comment, Theme, current_theme_ids, in_tree_order, list_themes
from models.review import get_settings
from models.surveys import SurveyRound
from webapp import db
from webapp.staff_codebooks import org_id

AUDIENCES = {
    "parents": "Parents and carers",
    "cyp": "Children and young people",
    "schools": "Schools and settings",
}
# Landis and Koch (1977), with their lowest three bands (poor, slight, fair) read as weak.
BANDS = (
    (0.8, "Almost perfect agreement"),
    (0.6, "Substantial agreement"),
    (0.4, "Moderate agreement"),
    (0.0, "Weak agreement"),
)
NOT_ENOUGH = "Not enough to compare"


def kappa_text(kappa: float | None) -> str:
    """Kappa to 2 decimal places, with a true minus sign; or why there is none."""
    if kappa is None:
        return NOT_ENOUGH
    value = round(kappa, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{value:.2f}".replace("-", "\u2212")


def band(kappa: float | None) -> str:
    """Kappa in plain words."""
    if kappa is None:
        return NOT_ENOUGH
    for low, words in BANDS:
        if kappa >= low:
            return words
    return "Less agreement than chance"


def agreed_when(survey_round: SurveyRound) -> str:
    """For example "on 3 December 2026, kappa 0.72"."""
    when = format_date(survey_round.coding_agreed_at, "d MMMM yyyy")
    return f"on {when}, kappa {kappa_text(survey_round.coding_kappa)}"


def round_status(survey_round: SurveyRound) -> str:
    """Whether the round's coding is agreed, and if so when and at what kappa."""
    if survey_round.coding_agreed_at is None:
        return "Coding not agreed yet"
    return f"Coding agreed {agreed_when(survey_round)}"


def round_label(survey_round: SurveyRound) -> str:
    """The round's name and who it asked, as the pages show a round."""
    audience = AUDIENCES.get(survey_round.audience, survey_round.audience)
    return f"{survey_round.name}: {audience}"


@dataclass
class ThemeRow:
    name: str
    hint: str
    kappa: str
    band: str
    both: int
    first_only: int
    second_only: int
    neither: int
    observed: str
    unused: bool  # neither coder gave it to any comment


@dataclass
class Difference:
    theme: str
    first: bool
    second: bool


@dataclass
class DisagreedComment:
    number: int  # its place in the sample, from 1
    text: str
    language: str  # the choice it was written in, as Comment.language
    differences: list[Difference]


@dataclass
class Results:
    overall: float | None
    decisions: int
    observed: str
    themes: list[ThemeRow]
    disagreements: list[DisagreedComment]


def coding_themes(sample: AgreementSample) -> list[tuple[Theme, str]]:
    """The codebook's themes in use, parents first, each with where it sits as a hint."""
    themes = list_themes(session=db.session(), codebook_id=sample.codebook_id)
    by_id = {theme.id: theme for theme in themes}
    shown = []
    for theme, depth in in_tree_order(themes):
        # Nearest first: "Part of Waiting, in Services".
        path: list[str] = []
        parent = by_id.get(theme.parent_id)
        while parent is not None and len(path) < depth:
            path.append(parent.name)
            parent = by_id.get(parent.parent_id)
        shown.append((theme, f"Part of {', in '.join(path)}" if path else ""))
    return shown


def measure(sample: AgreementSample) -> tuple[Agreement, list[tuple[Theme, str]]]:
    """Compare the two coders on the codebook's themes in use.

    A theme merged since it was chosen counts as the theme it was merged into, and one
    retired since is left out.
    """
    session = db.session()
    every = list_themes(session=session, codebook_id=sample.codebook_id, include_inactive=True)
    current = current_theme_ids(every)
    themes = coding_themes(sample)

    def coded(slot: int) -> dict[Hashable, Collection[str]]:
        found = codings(session=session, sample_id=sample.id, slot=slot)  # type: ignore[arg-type]
        return {
            comment_id: {str(current[i]) for i in found[comment_id] if i in current}
            for comment_id in sample.comment_ids
            if comment_id in found
        }

    result = agreement(coded(1), coded(2), [str(theme.id) for theme, _hint in themes])
    return result, themes


def results(sample: AgreementSample) -> Results:
    """How far the sample's two coders agree, theme by theme, and where they differ."""
    result, themes = measure(sample)
    decisions = sum(found.items for found in result.themes)
    agreed = sum(found.both + found.neither for found in result.themes)
    return Results(
        overall=result.overall,
        decisions=decisions,
        observed=f"{agreed / decisions:.0%}" if decisions else NOT_ENOUGH,
        themes=[
            _theme_row(theme, hint, found)
            for (theme, hint), found in zip(themes, result.themes, strict=True)
        ],
        disagreements=_disagreements(sample, result, themes),
    )


def _theme_row(theme: Theme, hint: str, found: ThemeAgreement) -> ThemeRow:
    return ThemeRow(
        name=theme.name,
        hint=hint,
        kappa=kappa_text(found.kappa),
        band=band(found.kappa),
        both=found.both,
        first_only=found.first_only,
        second_only=found.second_only,
        neither=found.neither,
        observed=f"{found.observed:.0%}" if found.items else NOT_ENOUGH,
        unused=found.items > 0 and found.neither == found.items,
    )


def _disagreements(
    sample: AgreementSample, result: Agreement, themes: list[tuple[Theme, str]]
) -> list[DisagreedComment]:
    """Each comment the coders disagreed on, in the order of the disagreements found."""
    names = {str(theme.id): theme.name for theme, _hint in themes}
    ids = list(dict.fromkeys(int(d.item) for d in result.disagreements))  # type: ignore[call-overload]
    query = select(Comment.id, Comment.text_redacted, Comment.language).where(
        col(Comment.id).in_(ids)
    )
    written = {found_id: (text, language) for found_id, text, language in db.session().exec(query)}
    grouped: dict[int, list[Difference]] = {comment_id: [] for comment_id in ids}
    for found in result.disagreements:
        grouped[int(found.item)].append(Difference(names[found.theme], found.first, found.second))  # type: ignore[call-overload]
    place = {comment_id: number for number, comment_id in enumerate(sample.comment_ids, 1)}
    return [
        DisagreedComment(
            place[comment_id], *written.get(comment_id, ("", "en")), grouped[comment_id]
        )
        for comment_id in ids
    ]


def why_not_agreed(
    sample: AgreementSample, survey_round: SurveyRound, overall: float | None
) -> str | None:
    """Why this sample cannot mark its round's coding agreed, or None if it can."""
    if survey_round.coding_agreed_at is not None:
        return f"This round’s coding was already agreed {agreed_when(survey_round)}."
    if not is_complete(session=db.session(), sample=sample):
        return "Both coders must finish the sample before the round’s coding can be agreed."
    if overall is None:
        return "There is not enough coding to compare, so the round’s coding cannot be agreed."
    needed = get_settings(session=db.session(), organisation_id=org_id()).min_kappa
    if overall < needed:
        shown, wanted = kappa_text(overall), kappa_text(needed)
        if shown == wanted:  # for example 0.597 against 0.6: both read 0.60
            shown, wanted = f"{overall:.3f}", f"{needed:.3f}"
        return (
            f"Kappa is {shown}, below the {wanted} your organisation needs to mark a round’s "
            "coding agreed. Discuss the disagreements, agree how to use the themes, then "
            "code a new sample."
        )
    return None
