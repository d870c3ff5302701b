"""A codebook's history and past versions, and the codebook in and out of files.

An upload is checked and shown as what it would change, but nothing is saved until that
check page is confirmed: the page carries the file, packed and signed, to the
confirmation, which checks it again. The steps are the ones `heard codebook` takes
(webapp/codebook_imports.py).
"""

import base64
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.codebook_files import CodebookFile, CodebookFileError
from models import list_users
from models.coding import Codebook
from models.review import history
from webapp import codebook_imports as files
from webapp import db
from webapp.access import roles_required
from webapp.codebook_forms import ImportForm, NewImportForm
from webapp.extensions import export_limit
from webapp.staff_analysis import ANALYSTS
from webapp.staff_codebooks import (
    active_themes,
    bp,
    codebook_page,
    comments_with,
    load_codebook,
    org_id,
    record,
)
from webapp.wording import counted

#: How long a checked file may wait for its confirmation.
CHECK_LIFETIME = 60 * 60


# History and versions


@bp.get("/<int:codebook_id>/history")
@roles_required(*ANALYSTS)
def history_page(codebook_id: int) -> str:
    """Every change to the codebook's themes, newest first, and its past versions."""
    session = db.session()
    codebook = load_codebook(codebook_id)
    snapshots = [s for s in files.list_snapshots(session, codebook) if s.version < codebook.version]
    return render_template(
        "staff/codebooks/history.html",
        codebook=codebook,
        changes=history(session=session, codebook_id=codebook.id),  # type: ignore[arg-type]
        names={u.id: u.full_name for u in list_users(session=session, organisation_id=org_id())},
        snapshots=snapshots,
        in_use=[sum(1 for t in files.snapshot_themes(s) if t.active) for s in snapshots],
        themes_now=len(active_themes(codebook)),
    )


def _download(codebook: Codebook, book: CodebookFile, kind: str) -> WerkzeugResponse:
    try:
        data = files.file_bytes(book, kind)
    except CodebookFileError as error:
        flash(" ".join(error.problems) + ".")
        return codebook_page(codebook)
    record(codebook, "codebook.exported", format=kind, exported_version=book.version)
    response = current_app.response_class(data, mimetype=files.FORMATS[kind][0])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{files.file_name(book, kind)}"'
    )
    return response


@bp.get("/<int:codebook_id>/export/<kind>")
@roles_required(*ANALYSTS)
@export_limit
def export(codebook_id: int, kind: str) -> WerkzeugResponse:
    """The codebook as it is now, as CSV or as a REFI-QDA codebook."""
    codebook = load_codebook(codebook_id)
    if kind not in files.FORMATS:
        abort(404)
    return _download(codebook, files.current_file(db.session(), codebook), kind)


@bp.get("/<int:codebook_id>/versions/<int:version>/export/<kind>")
@roles_required(*ANALYSTS)
@export_limit
def export_version(codebook_id: int, version: int, kind: str) -> WerkzeugResponse:
    """A past version of the codebook, as it was."""
    session = db.session()
    codebook = load_codebook(codebook_id)
    if kind not in files.FORMATS:
        abort(404)
    if version == codebook.version:
        return _download(codebook, files.current_file(session, codebook), kind)
    found = next((s for s in files.list_snapshots(session, codebook) if s.version == version), None)
    if found is None:
        abort(404)
    return _download(codebook, files.snapshot_file(codebook, found), kind)


# Importing: checking the file


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="heard.codebook-import")  # type: ignore[arg-type]


def _name_taken(name: str) -> str | None:
    if files.find_codebook(db.session(), org_id(), name) is None:
        return None
    return (
        f"There is already a codebook called “{name}”. Enter a different name, or import the "
        "file from that codebook’s page to make it the next version"
    )


@bp.route("/import", methods=["GET", "POST"], defaults={"codebook_id": None})
@bp.route("/<int:codebook_id>/import", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def import_file(codebook_id: int | None) -> str | WerkzeugResponse:
    """Upload a file: a new draft codebook, or this codebook's next version. Nothing is
    saved until the check page is confirmed."""
    codebook = load_codebook(codebook_id) if codebook_id is not None else None
    form: ImportForm = ImportForm() if codebook else NewImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        filename = files.short_filename(upload.filename or "codebook")
        data = upload.stream.read(files.MAX_UPLOAD + 1)
        typed = getattr(form, "name", None)
        name = codebook.name if codebook else (typed.data if typed else "") or ""
        try:
            book = files.read_file(data, filename, name=name, check_name=codebook is None)
            plan = files.plan_import(session=db.session(), book=book, codebook=codebook)
        except CodebookFileError as error:
            problems = error.problems
        else:
            taken = None if codebook else _name_taken(book.name)
            if taken and typed is not None and typed.data:
                typed.errors = [taken]
            elif taken:
                problems = [taken]
            else:
                return _check_page(codebook, plan, filename, data)
    return _upload_page(form, codebook, problems)


def _upload_page(form: ImportForm, codebook: Codebook | None, problems: list[str]) -> str:
    """The upload page, with the form's errors and then every problem in the file."""
    if problems:
        form.file.errors = [
            problems[0]
            if len(problems) == 1
            else f"The file has {len(problems)} problems. Fix them all, then upload it again"
        ]
    errors = [
        {"text": field.errors[0], "href": f"#{field.id}"}
        for field in form
        if field.errors and not (problems and field.name == "file")
    ] + [{"text": problem, "href": "#file"} for problem in problems]
    return render_template(
        "staff/codebooks/import.html",
        upload_form=form,
        codebook=codebook,
        errors=errors,
        page_has_errors=bool(errors),
    )


def _check_page(
    codebook: Codebook | None, plan: files.ImportPlan, filename: str, data: bytes
) -> str:
    """What the file would change, with the file itself, signed, for the confirmation."""
    token = _signer().dumps(
        {
            "organisation": org_id(),
            "user": current_user.id,
            "codebook": codebook.id if codebook else None,
            "version": codebook.version if codebook else None,
            "filename": filename,
            "name": plan.book.name,
            "data": base64.urlsafe_b64encode(files.pack(data)).decode("ascii"),
        }
    )
    return render_template(
        "staff/codebooks/import_check.html",
        codebook=codebook,
        plan=plan,
        filename=filename,
        token=token,
        depths=_depths(plan),
        changes=[files.what_changes(plan, update) for update in plan.changed],
        retired_coded=[len(comments_with(t.id)) for t in plan.retired],  # type: ignore[arg-type]
    )


def _depths(plan: files.ImportPlan) -> dict[str, int]:
    """How deep each theme of the file is in its tree, by key."""
    depth: dict[str, int] = {}
    for row in plan.book.themes:  # parents come first
        depth[row.key] = depth.get(row.parent_key, -1) + 1 if row.parent_key else 0
    return depth


# Importing: saving the checked file


@bp.post("/import/confirm", defaults={"codebook_id": None})
@bp.post("/<int:codebook_id>/import/confirm")
@roles_required(*ANALYSTS)
def confirm_import(codebook_id: int | None) -> str | WerkzeugResponse:
    """Save the checked file, checked again, if the codebook has not changed since."""
    session = db.session()
    codebook = load_codebook(codebook_id) if codebook_id is not None else None
    again = url_for(".import_file", codebook_id=codebook_id)
    payload = _checked(codebook_id, codebook)
    if payload is None:
        return redirect(again)
    filename = str(payload.get("filename", "codebook"))
    plan = _plan_again(payload, filename, codebook)
    if plan is None:
        return redirect(again)
    if codebook is not None and not plan.has_changes:
        flash("Nothing was changed: the file matches the codebook.")
        return codebook_page(codebook)
    saved = files.save_import(
        session=session,
        plan=plan,
        organisation_id=org_id(),
        user_id=current_user.id,
        filename=filename,
        via="web",
    )
    session.commit()
    if saved.created:
        flash(
            f"Created “{saved.codebook.name}”, a draft codebook with "
            f"{counted(len(plan.book.themes), 'theme')}.",
            "success",
        )
    else:
        flash(f"{saved.summary}. The codebook is now version {saved.codebook.version}.", "success")
    return codebook_page(saved.codebook)


def _checked(codebook_id: int | None, codebook: Codebook | None) -> dict[str, Any] | None:
    """What the check page signed, if it is this person's check of this codebook as it is
    now; None, saying why, if the check has run out or the codebook has changed since."""
    if not FlaskForm().validate_on_submit() or not request.form.get("token"):
        abort(400)
    try:
        payload = _signer().loads(request.form["token"], max_age=CHECK_LIFETIME)
    except BadSignature:
        flash("The check has run out of time, or the file was changed. Upload the file again.")
        return None
    if (
        payload.get("organisation") != org_id()
        or payload.get("user") != current_user.id
        or payload.get("codebook") != codebook_id
    ):
        abort(400)
    if codebook is not None and payload.get("version") != codebook.version:
        flash(
            f"The codebook has changed since the file was checked: it is now version "
            f"{codebook.version}. Upload the file again to see what it would change."
        )
        return None
    return payload


def _plan_again(
    payload: dict[str, Any], filename: str, codebook: Codebook | None
) -> files.ImportPlan | None:
    """The checked file, read and compared with the codebook again; None, saying why, if it
    cannot be read, or a new codebook's name has been taken since."""
    try:
        data = files.unpack(base64.urlsafe_b64decode(str(payload.get("data", ""))))
        book = files.read_file(
            data, filename, name=str(payload.get("name", "")), check_name=codebook is None
        )
        plan = files.plan_import(session=db.session(), book=book, codebook=codebook)
    except (CodebookFileError, ValueError):
        flash("The file could not be read again. Upload it again.")
        return None
    taken = _name_taken(book.name) if codebook is None else None
    if taken:
        flash(taken + ".")
        return None
    return plan
