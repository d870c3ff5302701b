"""Double coding: two people, or a person and the machine, code the same sample of comments.

Each coder sees only the comment and the codebook's themes, never the other coder's
choices (or the machine's), until both have finished. Then Cohen's kappa per theme, and
the pooled kappa over the themes (De Vries and others, 2008), say how far they agree;
the disagreements are listed for the team to discuss; and a round whose sample agrees
well enough (the administrator sets how well) can be marked "coding agreed". Once both
have finished the coding is fixed, because each coder has now seen the other's.
"""

from collections.abc import Collection, Hashable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import col, select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import Field, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, StopValidation, ValidationError

from analysis.agreement import Agreement, agreement
from forms.base import HeardForm
from forms.widgets import GovCheckboxesInput, GovSelect, GovTextInput
from models import Response, Role, User, list_users, record_event
from models.agreement import (
    AgreementSample,
    SecondCoder,
    codings,
    create_sample,
    get_sample,
    is_complete,
    list_samples,
    mark_round_agreed,
    progress,
    sample_comments,
    save_coding,
    slot_for,
    summary,
)
from models.coding import (
    CodingSource,
    Comment,
    Theme,
    codings_for,
    current_theme_ids,
    get_active_codebook,
    in_tree_order,
    list_themes,
)
from models.review import get_settings, save_settings
from models.surveys import SurveyRound, get_round, list_rounds
from webapp import db
from webapp.access import roles_required

bp = Blueprint("agreement", __name__, url_prefix="/staff/agreement")
CODERS = (Role.PARTICIPATION, Role.OFFICER, Role.ADMIN)
MIN_SIZE, MAX_SIZE, DEFAULT_SIZE = 5, 200, 30
MACHINE = "machine"
NONE_OF_THESE = "none"
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


# -- numbers typed into forms -----------------------------------------------------------------


def parse_number(text: str | None, *, whole: bool) -> float | int | None:
    """The number someone typed, or None if it is not one. Whole numbers may have commas."""
    text = (text or "").strip()
    try:
        if whole:
            return int(text.replace(",", "").replace(" ", ""))
        value = Decimal(text)
    except (ValueError, InvalidOperation):
        return None
    return float(value) + 0.0 if value.is_finite() else None  # + 0.0: no "-0"


class Between:
    """A text field must hold a number from `low` to `high`, with GOV.UK style messages."""

    def __init__(self, *, missing: str, wrong: str, low: float, high: float, whole: bool):
        self.missing, self.wrong = missing, wrong
        self.low, self.high, self.whole = low, high, whole

    def __call__(self, _form: Any, field: Field) -> None:
        if not (field.data or "").strip():
            raise StopValidation(self.missing)
        value = parse_number(field.data, whole=self.whole)
        if value is None or not self.low <= value <= self.high:
            raise StopValidation(self.wrong)


def _number_field(label: str, hint: str, *, whole: bool, **rule: Any) -> StringField:
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        validators=[Between(whole=whole, **rule)],
    )


def _number_params(*, whole: bool) -> dict[str, Any]:
    """Template params for a short number input that brings up the right phone keyboard."""
    return {
        "label": {"classes": "govuk-label--s"},
        "classes": "govuk-input--width-5",
        "inputmode": "numeric" if whole else "decimal",
        "spellcheck": False,
    }


# -- forms --------------------------------------------------------------------------------------


class StartForm(HeardForm):
    survey_round = SelectField(
        "Comments from",
        description="A sample from one survey round can mark that round’s coding as agreed.",
        widget=GovSelect(),
    )
    size = _number_field(
        "Sample size",
        f"How many comments, from {MIN_SIZE} to {MAX_SIZE}. "
        f"{DEFAULT_SIZE} is usually enough to see where coders differ.",
        whole=True,
        missing="Enter the sample size",
        wrong=f"The sample size must be a whole number from {MIN_SIZE} to {MAX_SIZE}",
        low=MIN_SIZE,
        high=MAX_SIZE,
    )
    first = SelectField(
        "First coder",
        widget=GovSelect(),
        validators=[InputRequired(message="Select the first coder")],
    )
    second = SelectField(
        "Second coder",
        description="Another person, or the machine. The machine’s suggestions for these "
        "comments are copied now, so retraining it later does not change the sample.",
        widget=GovSelect(),
        validators=[InputRequired(message="Select the second coder")],
    )

    def validate_second(self, field: Field) -> None:
        if field.data and field.data == self.first.data:
            raise ValidationError("Select a different person from the first coder")


class ThemeCheckboxes(GovCheckboxesInput):
    """Theme checkboxes whose last box, "None of these themes", clears the others."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        items = params["items"]
        if items:
            items[-1]["behaviour"] = "exclusive"
            items.insert(len(items) - 1, {"divider": "or"})
        return params


def _some_choice(_form: Any, field: Field) -> None:
    chosen = list(field.data or [])
    if not chosen:
        raise ValidationError("Select the themes this comment raises, or “None of these themes”")
    if NONE_OF_THESE in chosen and len(chosen) > 1:
        raise ValidationError("Select themes or “None of these themes”, not both")


class CodingForm(HeardForm):
    comment = HiddenField()
    themes = SelectMultipleField(
        "Which themes does this comment raise?",
        description="Select all that apply.",
        widget=ThemeCheckboxes(),
        validators=[_some_choice],
    )


class SettingsForm(HeardForm):
    min_kappa = _number_field(
        "Kappa needed to mark a round’s coding agreed",
        "From 0 to 1. 0.6 is substantial agreement, after Landis and Koch (1977).",
        whole=False,
        missing="Enter the kappa needed to mark a round’s coding agreed",
        wrong="The kappa needed must be a number from 0 to 1, like 0.6",
        low=0,
        high=1,
    )
    retrain_after = _number_field(
        "Retrain the coder after this many new decisions",
        "From 1 to 10,000 decisions by people reviewing the machine’s themes.",
        whole=True,
        missing="Enter how many new decisions there are before the coder retrains",
        wrong="The number of decisions must be a whole number from 1 to 10,000",
        low=1,
        high=10_000,
    )
    min_theme_f1 = _number_field(
        "Lowest F1 score before a theme needs more examples",
        "From 0 to 1. A theme the coder scores below this is marked “needs more examples”.",
        whole=False,
        missing="Enter the lowest F1 score before a theme needs more examples",
        wrong="The lowest F1 score must be a number from 0 to 1, like 0.5",
        low=0,
        high=1,
    )


# -- what pages show ----------------------------------------------------------------------------


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
    if survey_round.coding_agreed_at is None:
        return "Coding not agreed yet"
    return f"Coding agreed {agreed_when(survey_round)}"


def round_label(survey_round: SurveyRound) -> str:
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


def _org_id() -> int:
    return int(current_user.organisation_id)


def load_sample(sample_id: int) -> AgreementSample:
    sample = get_sample(session=db.session(), organisation_id=_org_id(), sample_id=sample_id)
    if sample is None:
        abort(404)
    return sample


def _round_of(sample: AgreementSample) -> SurveyRound | None:
    if sample.round_id is None:
        return None
    return get_round(session=db.session(), organisation_id=_org_id(), round_id=sample.round_id)


def _coding_themes(sample: AgreementSample) -> list[tuple[Theme, str]]:
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
    themes = _coding_themes(sample)

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
    result, themes = measure(sample)
    names = {str(theme.id): theme.name for theme, _hint in themes}
    rows = [
        ThemeRow(
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
        for (theme, hint), found in zip(themes, result.themes, strict=True)
    ]
    decisions = sum(found.items for found in result.themes)
    agreed = sum(found.both + found.neither for found in result.themes)
    ids = list(dict.fromkeys(int(d.item) for d in result.disagreements))  # type: ignore[call-overload]
    query = select(Comment.id, Comment.text_redacted, Comment.language).where(
        col(Comment.id).in_(ids)
    )
    written = {found_id: (text, language) for found_id, text, language in db.session().exec(query)}
    grouped: dict[int, list[Difference]] = {comment_id: [] for comment_id in ids}
    for found in result.disagreements:
        grouped[int(found.item)].append(Difference(names[found.theme], found.first, found.second))  # type: ignore[call-overload]
    place = {comment_id: number for number, comment_id in enumerate(sample.comment_ids, 1)}
    return Results(
        overall=result.overall,
        decisions=decisions,
        observed=f"{agreed / decisions:.0%}" if decisions else NOT_ENOUGH,
        themes=rows,
        disagreements=[
            DisagreedComment(
                place[comment_id], *written.get(comment_id, ("", "en")), grouped[comment_id]
            )
            for comment_id in ids
        ],
    )


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
    needed = get_settings(session=db.session(), organisation_id=_org_id()).min_kappa
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


def _names() -> dict[int | None, str]:
    return {u.id: u.full_name for u in list_users(session=db.session(), organisation_id=_org_id())}


def _coders() -> list[User]:
    """The organisation's people who may code a sample."""
    people = list_users(session=db.session(), organisation_id=_org_id())
    return [person for person in people if person.is_active and person.role in CODERS]


def second_name(sample: AgreementSample, names: dict[int | None, str]) -> str:
    if sample.second == SecondCoder.MACHINE:
        return "The machine"
    return names.get(sample.second_user_id, "Someone no longer here")


def _next_uncoded(sample: AgreementSample, slot: int) -> int | None:
    mine = codings(session=db.session(), sample_id=sample.id, slot=slot)  # type: ignore[arg-type]
    return next((c for c in sample.comment_ids if c not in mine), None)


def _record(action: str, object_type: str, object_id: int | None, **details: Any) -> None:
    record_event(
        session=db.session(),
        action=action,
        actor_user_id=current_user.id,
        organisation_id=_org_id(),
        object_type=object_type,
        object_id=object_id,
        details=details,
    )


# -- pages --------------------------------------------------------------------------------------


@bp.get("")
@roles_required(*CODERS)
def index() -> str:
    """Every sample, how far its coders have got, its result, and its round's status."""
    session = db.session()
    names = _names()
    rounds = {r.id: r for r in list_rounds(session=session, organisation_id=_org_id())}
    rows = []
    for sample in list_samples(session=session, organisation_id=_org_id()):
        done = progress(session=session, sample=sample)
        complete = all(count >= len(sample.comment_ids) for count in done.values())
        overall = measure(sample)[0].overall if complete else None
        rows.append(
            {
                "sample": sample,
                "round": rounds.get(sample.round_id),
                "second": second_name(sample, names),
                "done": done,
                "complete": complete,
                "kappa": kappa_text(overall) if complete else None,
                "band": band(overall) if complete else None,
                "slot": slot_for(sample, current_user.id),
            }
        )
    return render_template(
        "staff/agreement/index.html",
        rows=rows,
        names=names,
        round_status=round_status,
        round_label=round_label,
        min_kappa=kappa_text(get_settings(session=session, organisation_id=_org_id()).min_kappa),
    )


def _round_choices() -> list[SelectChoice]:
    """The organisation's rounds, newest first, each with how many comments it has."""
    session = db.session()
    counts = dict(
        session.exec(
            select(Response.round_id, func.count(col(Comment.id)))
            .join(Response, col(Response.id) == Comment.response_id)
            .where(Comment.organisation_id == _org_id())
            .group_by(col(Response.round_id))
        ).all()
    )
    rounds = sorted(
        list_rounds(session=session, organisation_id=_org_id()),
        key=lambda r: (r.sort_key, r.id),
        reverse=True,
    )
    choices = [SelectChoice("", "All comments, from every round")]
    for survey_round in rounds:
        count = counts.get(survey_round.id, 0)
        noun = "comment" if count == 1 else "comments"
        label = f"{round_label(survey_round)} ({count} {noun})"
        choices.append(SelectChoice(str(survey_round.id), label))
    return choices


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CODERS)
def new() -> str | WerkzeugResponse:
    """Draw a random sample for two coders, from one round or from every comment."""
    session = db.session()
    codebook = get_active_codebook(session=session, organisation_id=_org_id())
    problem = None
    if codebook is None:
        problem = "There is no active codebook, so there are no themes to code against."
    elif not list_themes(session=session, codebook_id=codebook.id):  # type: ignore[arg-type]
        problem = f"The active codebook, {codebook.name}, has no themes in use to code against."
    form = StartForm()
    people = [SelectChoice(str(p.id), f"{p.full_name} ({p.role.label})") for p in _coders()]
    form.survey_round.choices = _round_choices()
    form.first.choices = people
    form.second.choices = [
        SelectChoice("", "Choose the second coder"),
        SelectChoice(MACHINE, "The machine (its suggestions now)"),
        *people,
    ]
    if request.method == "GET":
        form.size.data = str(DEFAULT_SIZE)
        form.first.data = str(current_user.id)
        form.survey_round.data = request.args.get("round", "")
    if codebook is not None and problem is None and form.validate_on_submit():
        size = int(parse_number(form.size.data, whole=True) or DEFAULT_SIZE)
        round_id = int(form.survey_round.data) if form.survey_round.data else None
        ids = sample_comments(
            session=session, organisation_id=_org_id(), size=size, round_id=round_id
        )
        where = " in this round" if round_id else ""
        if not ids:
            form.survey_round.errors = [f"There are no comments to sample{where}"]
        elif len(ids) < MIN_SIZE:
            form.survey_round.errors = [
                f"There are only {len(ids)} comments{where}, and a sample needs {MIN_SIZE} or more"
            ]
        elif form.second.data == MACHINE and not _machine_coded(ids, codebook.id):  # type: ignore[arg-type]
            form.second.errors = [
                "The machine has not suggested themes for any of these comments yet. "
                "Retrain the coder first, or choose a person"
            ]
        else:
            machine = form.second.data == MACHINE
            sample = create_sample(
                session=session,
                organisation_id=_org_id(),
                codebook_id=codebook.id,  # type: ignore[arg-type]
                comment_ids=ids,
                second=SecondCoder.MACHINE if machine else SecondCoder.PERSON,
                first_user_id=int(form.first.data),
                second_user_id=None if machine else int(form.second.data),
                created_by_id=current_user.id,
                round_id=round_id,
            )
            _record(
                "agreement.started",
                "agreement_sample",
                sample.id,
                **summary(sample),
                codebook=codebook.id,
                first_coder=sample.first_user_id,
                second_coder=sample.second_user_id,
            )
            session.commit()
            message = f"Sample started with {len(ids)} comments."
            if len(ids) < size:
                message = f"There were only {len(ids)} comments, so the sample has all of them."
            flash(message, "success")
            return redirect(url_for(".sample_page", sample_id=sample.id))
    return render_template(
        "staff/agreement/new.html",
        form=form,
        codebook=codebook,
        problem=problem,
        number_params=_number_params,
    )


def _machine_coded(comment_ids: list[int], codebook_id: int) -> bool:
    """The machine has suggested a theme of this codebook for at least one of the comments."""
    session = db.session()
    ours = {t.id for t in list_themes(session=session, codebook_id=codebook_id)}
    found = codings_for(session=session, comment_ids=comment_ids, source=CodingSource.MACHINE)
    return any(c.theme_id in ours for coded in found.values() for c in coded)


@bp.get("/<int:sample_id>")
@roles_required(*CODERS)
def sample_page(sample_id: int) -> str:
    """A sample's progress; once both coders have finished, how far they agree, and where not."""
    session = db.session()
    sample = load_sample(sample_id)
    names = _names()
    done = progress(session=session, sample=sample)
    complete = is_complete(session=session, sample=sample)
    found = results(sample) if complete else None
    survey_round = _round_of(sample)
    slot = slot_for(sample, current_user.id)
    return render_template(
        "staff/agreement/sample.html",
        sample=sample,
        names=names,
        second=second_name(sample, names),
        done=done,
        complete=complete,
        results=found,
        survey_round=survey_round,
        round_label=round_label,
        round_status=round_status,
        blocked=(
            why_not_agreed(sample, survey_round, found.overall if found else None)
            if survey_round
            else None
        ),
        slot=slot,
        my_turn=slot is not None and done[slot] < len(sample.comment_ids),
        kappa_text=kappa_text,
        band=band,
        min_kappa=kappa_text(get_settings(session=session, organisation_id=_org_id()).min_kappa),
    )


@bp.route("/<int:sample_id>/code", methods=["GET", "POST"])
@roles_required(*CODERS)
def code(sample_id: int) -> str | WerkzeugResponse:
    """One comment at a time for one of the sample's coders, with nothing of the other's."""
    session = db.session()
    sample = load_sample(sample_id)
    slot = slot_for(sample, current_user.id)
    if slot is None:
        abort(403)
    if is_complete(session=session, sample=sample):
        flash("Both coders have finished, so the coding is fixed: each can now see the other’s.")
        return redirect(url_for(".sample_page", sample_id=sample.id))
    themes = _coding_themes(sample)
    form = CodingForm()
    form.themes.choices = [SelectChoice(str(theme.id), theme.name) for theme, _hint in themes]
    form.themes.choices.append(SelectChoice(NONE_OF_THESE, "None of these themes"))
    mine = codings(session=session, sample_id=sample.id, slot=slot)  # type: ignore[arg-type]
    if request.method == "POST":
        comment_id = parse_number(form.comment.data, whole=True)
        if comment_id not in sample.comment_ids:
            abort(400)
    else:
        asked = request.args.get("comment", type=int)
        comment_id = asked if asked in sample.comment_ids else _next_uncoded(sample, slot)
        if comment_id is None:
            flash("You have coded every comment in this sample.", "success")
            return redirect(url_for(".sample_page", sample_id=sample.id))
        form.comment.data = str(comment_id)
        if comment_id in mine:
            shown = {str(theme.id) for theme, _hint in themes}
            form.themes.data = [str(i) for i in mine[comment_id] if str(i) in shown] or [
                NONE_OF_THESE
            ]
    assert isinstance(comment_id, int)
    if form.validate_on_submit():
        chosen = [int(value) for value in form.themes.data or [] if value != NONE_OF_THESE]
        save_coding(
            session=session,
            sample=sample,
            comment_id=comment_id,
            slot=slot,
            user_id=current_user.id,
            theme_ids=chosen,
        )
        following = _next_uncoded(sample, slot)
        if following is None:
            _record("agreement.coder_finished", "agreement_sample", sample.id, slot=slot)
        session.commit()
        if following is not None:
            return redirect(url_for(".code", sample_id=sample.id))
        if is_complete(session=session, sample=sample):
            flash("You have coded every comment, and so has the other coder.", "success")
        else:
            flash(
                "You have coded every comment. The results appear here when the other "
                "coder has finished too.",
                "success",
            )
        return redirect(url_for(".sample_page", sample_id=sample.id))
    place = sample.comment_ids.index(comment_id)
    return render_template(
        "staff/agreement/code.html",
        form=form,
        sample=sample,
        comment=session.get(Comment, comment_id),
        number=place + 1,
        coded=len(mine),
        size=len(sample.comment_ids),
        previous=sample.comment_ids[place - 1] if place > 0 else None,
        item_params=[{"hint": {"text": hint}} if hint else {} for _theme, hint in themes],
        machine=sample.second == SecondCoder.MACHINE,
    )


@bp.post("/<int:sample_id>/agree")
@roles_required(*CODERS)
def agree(sample_id: int) -> WerkzeugResponse:
    """Mark the sample's round "coding agreed", if the sample's kappa is high enough."""
    session = db.session()
    sample = load_sample(sample_id)
    survey_round = _round_of(sample)
    if survey_round is None:
        abort(404)
    overall = measure(sample)[0].overall
    reason = why_not_agreed(sample, survey_round, overall)
    if reason or overall is None:
        flash(reason or "The round’s coding cannot be agreed.")
        return redirect(url_for(".sample_page", sample_id=sample.id))
    needed = get_settings(session=session, organisation_id=_org_id()).min_kappa
    mark_round_agreed(
        session=session, survey_round=survey_round, user_id=current_user.id, kappa=overall
    )
    _record(
        "agreement.round_agreed",
        "survey_round",
        survey_round.id,
        round=survey_round.name,
        sample=sample.id,
        kappa=overall,
        min_kappa=needed,
    )
    session.commit()
    flash(
        f"The coding of {round_label(survey_round)} is agreed, kappa {kappa_text(overall)}.",
        "success",
    )
    return redirect(url_for(".sample_page", sample_id=sample.id))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings() -> str | WerkzeugResponse:
    """The administrator's rules for agreement and for the machine coder's learning."""
    session = db.session()
    current = get_settings(session=session, organisation_id=_org_id())
    shown = {
        "min_kappa": f"{current.min_kappa:g}",
        "retrain_after": str(current.retrain_after),
        "min_theme_f1": f"{current.min_theme_f1:g}",
    }
    form = SettingsForm(data=shown if request.method == "GET" else None)
    if form.validate_on_submit():
        before = {
            "min_kappa": current.min_kappa,
            "retrain_after": current.retrain_after,
            "min_theme_f1": current.min_theme_f1,
        }
        after = {
            "min_kappa": parse_number(form.min_kappa.data, whole=False),
            "retrain_after": parse_number(form.retrain_after.data, whole=True),
            "min_theme_f1": parse_number(form.min_theme_f1.data, whole=False),
        }
        saved = save_settings(
            session=session, organisation_id=_org_id(), user_id=current_user.id, **after
        )
        _record(
            "agreement.settings_changed",
            "analysis_settings",
            saved.id,
            before=before,
            after=after,
        )
        session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for(".settings"))
    return render_template(
        "staff/agreement/settings.html",
        form=form,
        current=current,
        changed_by=_names().get(current.updated_by_id) if current.id else None,
        number_params=_number_params,
    )
