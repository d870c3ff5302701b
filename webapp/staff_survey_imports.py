"""Importing a round's answers from a spreadsheet: upload, match columns, check, import."""

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice, SelectField

from forms.base import HeardForm
from forms.widgets import GovSelect
from models import FormVersion
from models.surveys import SurveyImport, SurveyRound, get_import, save_import
from webapp import db, journey
from webapp.access import roles_required
from webapp.import_jobs import KIND
from webapp.queue import start_job
from webapp.staff_surveys import MANAGERS, audit, load_round, staff_organisation
from webapp.survey_forms import ImportUploadForm
from webapp.survey_imports import (
    MAX_BYTES,
    SpreadsheetError,
    Table,
    convert,
    missing_required,
    read_table,
    suggest_mapping,
    targets,
)

bp = Blueprint("survey_imports", __name__, url_prefix="/staff/surveys")
MAX_SHOWN_ERRORS = 200


def _open_round(round_id: int) -> SurveyRound:
    survey_round = load_round(round_id)
    if not survey_round.is_open():
        abort(409)
    return survey_round


@bp.route("/<int:round_id>/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def upload(round_id: int) -> str | WerkzeugResponse:
    """Upload a CSV or XLSX file of answers."""
    survey_round = _open_round(round_id)
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload_file = form.spreadsheet.data
        data = upload_file.stream.read(MAX_BYTES + 1)
        try:
            read_table(data, upload_file.filename or "")
        except SpreadsheetError as error:
            form.spreadsheet.errors.append(str(error))
        else:
            saved = save_import(
                session=db.session(),
                survey_round=survey_round,
                user_id=current_user.id,
                filename=upload_file.filename or "upload",
                data=data,
            )
            db.session().commit()
            return redirect(url_for(".columns", round_id=round_id, import_id=saved.id))
    return render_template("staff/surveys/import_upload.html", survey_round=survey_round, form=form)


def _load(round_id: int, import_id: int) -> tuple[SurveyRound, SurveyImport, Any, Table]:
    survey_round = _open_round(round_id)
    found = get_import(session=db.session(), survey_round=survey_round, import_id=import_id)
    if found is None or found.imported_at is not None:
        abort(404)
    version = db.session().get(FormVersion, survey_round.form_version_id)
    assert version is not None
    return (
        survey_round,
        found,
        journey.definition_of(version),
        read_table(found.data, found.filename),
    )


class MappingForm(HeardForm):
    """One select per question; fields are added for each survey."""


def _mapping_form(definition: Any, table: Table, saved: dict[str, str]) -> Any:
    columns = list(table.frame.columns)
    suggested = saved or suggest_mapping(targets(definition), columns)
    fields = {}
    for target in targets(definition):
        fields[f"map--{target.key}"] = SelectField(
            target.label,
            choices=[SelectChoice("", "Not in the file"), *[SelectChoice(c, c) for c in columns]],
            default=suggested.get(target.key, ""),
            widget=GovSelect(),
        )
    return type("SurveyMappingForm", (MappingForm,), fields)()


def _mapping(form: Any, definition: Any) -> dict[str, str]:
    return {t.key: form[f"map--{t.key}"].data or "" for t in targets(definition)}


@bp.route("/<int:round_id>/import/<int:import_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def columns(round_id: int, import_id: int) -> str | tuple[str, int] | WerkzeugResponse:
    """Match the file's columns to the questions, then check every row."""
    survey_round, upload_row, definition, table = _load(round_id, import_id)
    form = _mapping_form(definition, table, upload_row.mapping)
    checked = None
    if form.validate_on_submit():
        mapping = _mapping(form, definition)
        for target in missing_required(definition, mapping):
            form[f"map--{target.key}"].errors.append(
                f"Select the column that answers ‘{target.label}’: every response must answer it"
            )
        if not form.errors:
            upload_row.mapping = mapping
            db.session().add(upload_row)
            context = journey.context_for(db.session(), staff_organisation())
            checked = convert(definition, table, mapping, context)
            # The check shows the file's answers as written, before screening and redaction.
            audit(
                "survey_round.import_checked",
                survey_round,
                upload=upload_row.id,
                rows=len(checked[0]),
                problems=len(checked[1]),
            )
            db.session().commit()
    status = 400 if form.errors or (checked and checked[1]) else 200
    page = render_template(
        "staff/surveys/import_columns.html",
        survey_round=survey_round,
        upload=upload_row,
        form=form,
        rows=len(table.frame),
        checked=checked,
        errors=checked[1][:MAX_SHOWN_ERRORS] if checked else [],
        preview=_preview(definition, checked[0][:5]) if checked and not checked[1] else [],
    )
    return page, status


def _preview(definition: Any, answers: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    labels = {q.id: q.label for q in definition.questions()}
    return [[(labels.get(k, k), _short(v)) for k, v in a.items()] for a in answers]


def _short(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


@bp.post("/<int:round_id>/import/<int:import_id>/confirm")
@roles_required(*MANAGERS)
def confirm(round_id: int, import_id: int) -> WerkzeugResponse:
    """Import every row, checked again first, as a background job: all or nothing."""
    survey_round, upload_row, _definition, _table = _load(round_id, import_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return start_job(KIND, {"round_id": survey_round.id, "import_id": upload_row.id})
