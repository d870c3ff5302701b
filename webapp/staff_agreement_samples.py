"""Starting a double coding sample: which comments, how many, and who codes them.

The sample is drawn at random from one survey round or from every comment. Its second
coder is another person or the machine; the machine's suggestions are copied when the
sample starts, so retraining it later does not change the sample.
"""

from flask import flash, render_template, request
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import col, select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from models import Response, User, list_users
from models.agreement import AgreementSample, SecondCoder, create_sample, sample_comments, summary
from models.coding import (
    Codebook,
    CodingSource,
    Comment,
    codings_for,
    get_active_codebook,
    list_themes,
)
from models.surveys import list_rounds
from webapp import db
from webapp.access import roles_required
from webapp.agreement_forms import (
    DEFAULT_SIZE,
    MACHINE,
    MIN_SIZE,
    StartForm,
    number_params,
    parse_number,
)
from webapp.agreement_results import round_label
from webapp.staff_agreement import CODERS, bp, record, to_sample
from webapp.staff_codebooks import org_id


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CODERS)
def new() -> str | WerkzeugResponse:
    """Draw a random sample for two coders, from one round or from every comment."""
    session = db.session()
    codebook = get_active_codebook(session=session, organisation_id=org_id())
    problem = _no_themes(codebook)
    form = _start_form()
    if codebook is not None and problem is None and form.validate_on_submit():
        size = int(parse_number(form.size.data, whole=True) or DEFAULT_SIZE)
        round_id = int(form.survey_round.data) if form.survey_round.data else None
        ids = sample_comments(
            session=session, organisation_id=org_id(), size=size, round_id=round_id
        )
        if not _cannot_sample(form, ids, codebook.id, round_id):  # type: ignore[arg-type]
            sample = _start_sample(form, codebook, ids, round_id)
            session.commit()
            message = f"Sample started with {len(ids)} comments."
            if len(ids) < size:
                message = f"There were only {len(ids)} comments, so the sample has all of them."
            flash(message, "success")
            return to_sample(sample)
    return render_template(
        "staff/agreement/new.html",
        form=form,
        codebook=codebook,
        problem=problem,
        number_params=number_params,
    )


def _no_themes(codebook: Codebook | None) -> str | None:
    """Why there is nothing to code against, or None if the active codebook has themes."""
    if codebook is None:
        return "There is no active codebook, so there are no themes to code against."
    if not list_themes(session=db.session(), codebook_id=codebook.id):  # type: ignore[arg-type]
        return f"The active codebook, {codebook.name}, has no themes in use to code against."
    return None


def _start_form() -> StartForm:
    """The form with the organisation's rounds and coders; on GET, the usual choices made."""
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
    return form


def _coders() -> list[User]:
    """The organisation's people who may code a sample."""
    people = list_users(session=db.session(), organisation_id=org_id())
    return [person for person in people if person.is_active and person.role in CODERS]


def _round_choices() -> list[SelectChoice]:
    """The organisation's rounds, newest first, each with how many comments it has."""
    session = db.session()
    counts = dict(
        session.exec(
            select(Response.round_id, func.count(col(Comment.id)))
            .join(Response, col(Response.id) == Comment.response_id)
            .where(Comment.organisation_id == org_id())
            .group_by(col(Response.round_id))
        ).all()
    )
    rounds = sorted(
        list_rounds(session=session, organisation_id=org_id()),
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


def _cannot_sample(form: StartForm, ids: list[int], codebook_id: int, round_id: int | None) -> bool:
    """Put on the form why these comments cannot make a sample; False if they can."""
    where = " in this round" if round_id else ""
    if not ids:
        form.survey_round.errors = [f"There are no comments to sample{where}"]
    elif len(ids) < MIN_SIZE:
        form.survey_round.errors = [
            f"There are only {len(ids)} comments{where}, and a sample needs {MIN_SIZE} or more"
        ]
    elif form.second.data == MACHINE and not _machine_coded(ids, codebook_id):
        form.second.errors = [
            "The machine has not suggested themes for any of these comments yet. "
            "Retrain the coder first, or choose a person"
        ]
    else:
        return False
    return True


def _machine_coded(comment_ids: list[int], codebook_id: int) -> bool:
    """The machine has suggested a theme of this codebook for at least one of the comments."""
    session = db.session()
    ours = {t.id for t in list_themes(session=session, codebook_id=codebook_id)}
    found = codings_for(session=session, comment_ids=comment_ids, source=CodingSource.MACHINE)
    return any(c.theme_id in ours for coded in found.values() for c in coded)


def _start_sample(
    form: StartForm, codebook: Codebook, ids: list[int], round_id: int | None
) -> AgreementSample:
    """Save the sample of these comments for the coders chosen, and audit it."""
    machine = form.second.data == MACHINE
    sample = create_sample(
        session=db.session(),
        organisation_id=org_id(),
        codebook_id=codebook.id,  # type: ignore[arg-type]
        comment_ids=ids,
        second=SecondCoder.MACHINE if machine else SecondCoder.PERSON,
        first_user_id=int(form.first.data),
        second_user_id=None if machine else int(form.second.data),
        created_by_id=current_user.id,
        round_id=round_id,
    )
    record(
        "agreement.started",
        "agreement_sample",
        sample.id,
        **summary(sample),
        codebook=codebook.id,
        first_coder=sample.first_user_id,
        second_coder=sample.second_user_id,
    )
    return sample
