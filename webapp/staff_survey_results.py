"""A round's results and exports, for staff. Small numbers are hidden in every one."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.schema import FormDefinition
from models import Role
from models.jobs import purge_job_files
from models.surveys import Anonymity, SurveyRound, list_rounds, submitted_responses
from webapp import db, journey
from webapp.access import roles_required
from webapp.export_jobs import FORMATS
from webapp.export_jobs import KIND as EXPORT_KIND
from webapp.extensions import export_limit
from webapp.invitation_pack import attachment
from webapp.queue import own_job_file, start_job
from webapp.spreadsheets import CSV_TYPE, csv_bytes
from webapp.staff_surveys import MANAGERS, READERS, audit, load_round, staff_organisation
from webapp.survey_exports import ExportInput, dictionary, file_name
from webapp.survey_results import (
    RoundAnswers,
    breakdown,
    question_tables,
    result_names,
    score,
    table_chart,
    trend,
    trend_chart,
)

bp = Blueprint("survey_results", __name__, url_prefix="/staff/surveys")
BREAKDOWNS = {
    "district": "District",
    "setting-type": "Setting type",
    "sen-status": "SEN support or EHCP",
}


def _labels(definition: FormDefinition, option_ids: tuple[str, ...]) -> list[str]:
    """The wording of some answers, as the form shows them."""
    words = {o.id: o.label for q in definition.questions() for o in q.options}
    return [words[i] for i in option_ids if i in words]


def _trends(survey_round: SurveyRound, definition: FormDefinition) -> list:
    session = db.session()
    rounds = list_rounds(
        session=session,
        organisation_id=survey_round.organisation_id,
        form_slug=survey_round.form_slug,
    )
    rounds = [r for r in rounds if r.sort_key <= survey_round.sort_key]
    series = [
        RoundAnswers(
            r.name,
            journey.definition_by_id(db.session(), r.form_version_id),
            [x.answers for x in submitted_responses(session=session, survey_round=r)],
        )
        for r in rounds
    ]
    found = [trend(i.id, series) for i in definition.indicators]
    return [t for t in found if t is not None]


@bp.get("/<int:round_id>/results")
@roles_required(*READERS)
def results(round_id: int) -> str:
    """Charts and tables for every question, the headline figures and their trend."""
    survey_round = load_round(round_id)
    definition = journey.definition_by_id(db.session(), survey_round.form_version_id)
    answers = [
        r.answers for r in submitted_responses(session=db.session(), survey_round=survey_round)
    ]
    names = result_names(journey.context_for(db.session(), staff_organisation()))
    by = request.args.get("by", "district")
    if by not in BREAKDOWNS:
        by = "district"
    headline = [(i, score(i, answers)) for i in definition.indicators]
    excluded_labels = {i.id: _labels(definition, i.excluded) for i in definition.indicators}
    breakdowns = [breakdown(definition, i, answers, by, names) for i in definition.indicators]
    return render_template(
        "staff/surveys/results.html",
        survey_round=survey_round,
        definition=definition,
        total=len(answers),
        tables=question_tables(definition, answers, names),
        headline=headline,
        breakdowns=[b for b in breakdowns if b is not None],
        by=by,
        breakdown_names=BREAKDOWNS,
        trends=_trends(survey_round, definition),
        excluded_labels=excluded_labels,
        table_chart=table_chart,
        trend_chart=trend_chart,
    )


def may_see_identity(role: Role, anonymity: Anonymity) -> bool:
    """Who may see who answered: administrators unless the round is anonymous, and the
    officers running it too when it is named."""
    if anonymity == Anonymity.ANONYMOUS:
        return False
    return role == Role.ADMIN or (role == Role.OFFICER and anonymity == Anonymity.NAMED)


@bp.post("/<int:round_id>/export.<kind>")
@roles_required(*MANAGERS)
@export_limit
def export(round_id: int, kind: str) -> WerkzeugResponse:
    """Ask for every response in a round as CSV or XLSX; the worker makes the file."""
    if kind not in FORMATS:
        abort(404)
    survey_round = load_round(round_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    purge_job_files(session=db.session())  # yesterday's exports hold personal data: drop them
    identity = may_see_identity(current_user.role, survey_round.anonymity)
    params = {"round_id": survey_round.id, "format": kind, "identity": identity}
    return start_job(EXPORT_KIND, params)


@bp.get("/downloads/<int:job_id>")
@roles_required(*MANAGERS)
@export_limit
def download(job_id: int) -> WerkzeugResponse:
    """An export, for the person who asked for it only; each download is audited."""
    job, found = own_job_file(EXPORT_KIND, job_id)
    session = db.session()
    survey_round = load_round(job.params["round_id"])
    audit(
        "survey_round.exported",
        survey_round,
        format=job.result.get("format"),
        rows=job.result.get("rows"),
        identity=job.result.get("identity"),
        job=job.id,
    )
    session.commit()
    return attachment(found.data, found.mimetype, found.filename)


@bp.get("/<int:round_id>/data-dictionary.csv")
@roles_required(*MANAGERS)
def dictionary_csv(round_id: int) -> WerkzeugResponse:
    """What each column of the CSV export means (no answers in it)."""
    survey_round = load_round(round_id)
    data = ExportInput(
        definition=journey.definition_by_id(db.session(), survey_round.form_version_id),
        responses=[],
        comments={},
        names={},
        invitations={},
        with_identity=may_see_identity(current_user.role, survey_round.anonymity),
    )
    name = file_name(survey_round, "data-dictionary", "csv")
    return attachment(csv_bytes(dictionary(data)), CSV_TYPE, name)
