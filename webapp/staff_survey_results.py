"""A round's results and exports, for staff. Small numbers are hidden in every one."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlmodel import select

from forms.schema import FormDefinition
from models import FormVersion, Role, list_districts, list_settings
from models.coding import Comment
from models.surveys import Anonymity, Invitation, SurveyRound, list_rounds, submitted_responses
from webapp import db, journey
from webapp.access import roles_required
from webapp.invitation_pack import attachment
from webapp.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from webapp.staff_surveys import MANAGERS, READERS, audit, load_round, staff_organisation
from webapp.survey_exports import ExportInput, dictionary, responses_table, summary_table
from webapp.survey_results import (
    RoundAnswers,
    breakdown,
    question_tables,
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


def _names() -> dict[str, dict[str, str]]:
    session, organisation = db.session(), staff_organisation()
    return {
        "districts": {
            str(d.id): d.name for d in list_districts(session=session, organisation=organisation)
        },
        "settings": {
            str(s.id): s.name for s in list_settings(session=session, organisation=organisation)
        },
    }


def definition_of_round(survey_round: SurveyRound) -> FormDefinition:
    version = db.session().get(FormVersion, survey_round.form_version_id)
    assert version is not None
    return journey.definition_of(version)


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
            definition_of_round(r),
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
    definition = definition_of_round(survey_round)
    answers = [
        r.answers for r in submitted_responses(session=db.session(), survey_round=survey_round)
    ]
    names = _names()
    by = request.args.get("by", "district")
    if by not in BREAKDOWNS:
        by = "district"
    headline = [(i, score(i, answers)) for i in definition.indicators]
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
        table_chart=table_chart,
        trend_chart=trend_chart,
    )


def _export_input(survey_round: SurveyRound) -> ExportInput:
    session = db.session()
    responses = submitted_responses(session=session, survey_round=survey_round)
    ids = [r.id for r in responses]
    comments = {
        (c.response_id or 0, c.question_id): c.text_redacted
        for c in session.exec(select(Comment).where(Comment.response_id.in_(ids)))  # type: ignore[union-attr]
    }
    with_identity = may_see_identity(current_user.role, survey_round.anonymity)
    invitations = {}
    if with_identity:
        query = select(Invitation).where(Invitation.round_id == survey_round.id)
        invitations = {i.id: i for i in session.exec(query)}
    return ExportInput(
        definition=definition_of_round(survey_round),
        responses=responses,
        comments=comments,
        names=_names(),
        invitations=invitations,  # type: ignore[arg-type]
        with_identity=with_identity,
    )


def may_see_identity(role: Role, anonymity: Anonymity) -> bool:
    """Who may see who answered: administrators unless the round is anonymous, and the
    officers running it too when it is named."""
    if anonymity == Anonymity.ANONYMOUS:
        return False
    return role == Role.ADMIN or (role == Role.OFFICER and anonymity == Anonymity.NAMED)


def _file_name(survey_round: SurveyRound, what: str, kind: str) -> str:
    term = survey_round.name.replace("/", "-").replace(" ", "-").lower()
    return f"{survey_round.form_slug}-{term}-{what}.{kind}"


@bp.get("/<int:round_id>/export.<kind>")
@roles_required(*MANAGERS)
def export(round_id: int, kind: str):  # type: ignore[no-untyped-def]
    """Every response in a round as CSV or XLSX; each download is written to the audit log."""
    if kind not in {"csv", "xlsx"}:
        abort(404)
    survey_round = load_round(round_id)
    data = _export_input(survey_round)
    table = responses_table(data)
    audit(
        "survey_round.exported",
        survey_round,
        format=kind,
        rows=len(table),
        identity=data.with_identity,
    )
    db.session().commit()
    name = _file_name(survey_round, "responses", kind)
    if kind == "csv":
        return attachment(csv_bytes(table), CSV_TYPE, name)
    sheets = {
        "Responses": table,
        "Data dictionary": dictionary(data),
        "Summary": summary_table(data),
    }
    return attachment(xlsx_bytes(sheets), XLSX_TYPE, name)


@bp.get("/<int:round_id>/data-dictionary.csv")
@roles_required(*MANAGERS)
def dictionary_csv(round_id: int):  # type: ignore[no-untyped-def]
    """What each column of the CSV export means."""
    survey_round = load_round(round_id)
    data = _export_input(survey_round)
    name = _file_name(survey_round, "data-dictionary", "csv")
    return attachment(csv_bytes(dictionary(data)), CSV_TYPE, name)
