"""Administrators upload form definitions and publish versions. Staff pages are in English."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import BooleanField
from wtforms.validators import InputRequired

from forms.base import HeardForm
from forms.schema import DefinitionError, load_definition_text
from forms.widgets import GovFileInput
from models import FormVersion, Role, list_form_versions, publish_form_version, record_event
from webapp import db
from webapp.access import roles_required
from webapp.form_loading import store_definition

bp = Blueprint("staff_forms", __name__, url_prefix="/staff/forms")
MAX_DEFINITION_BYTES = 512 * 1024


class UploadForm(HeardForm):
    definition = FileField(
        "Form definition (YAML)",
        description="A .yaml file. It is checked before anything is saved.",
        widget=GovFileInput(),
        validators=[InputRequired(message="Select a form definition file")],
    )
    publish = BooleanField("Publish it now")


def _audit(action: str, version: FormVersion) -> None:
    record_event(
        session=db.session(),
        action=action,
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
        object_type="form_version",
        object_id=version.id,
    )


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index() -> str | WerkzeugResponse:
    """Every form version, and a way to upload a new definition."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.definition.data
        raw = upload.stream.read(MAX_DEFINITION_BYTES + 1)
        try:
            if len(raw) > MAX_DEFINITION_BYTES:
                raise DefinitionError(f"{upload.filename}: the file must be smaller than 512 KB")
            definition = load_definition_text(raw.decode("utf-8"), upload.filename or "upload")
        except (DefinitionError, UnicodeDecodeError) as error:
            form.definition.errors.append(
                str(error)
                if isinstance(error, DefinitionError)
                else "The file must be a text file in UTF-8"
            )
        else:
            session = db.session()
            version, changed = store_definition(
                session=session,
                definition=definition,
                source=f"upload:{upload.filename}",
                publish=bool(form.publish.data),
            )
            _audit("form-uploaded", version)
            session.commit()
            flash(
                f"{version.slug} version {version.version}: {'saved' if changed else 'unchanged'}",
                "success",
            )
            return redirect(url_for(".index"))
    versions = list_form_versions(session=db.session())
    return render_template("staff/forms.html", form=form, versions=versions)


@bp.post("/<int:version_id>/publish")
@roles_required(Role.ADMIN)
def publish(version_id: int) -> WerkzeugResponse:
    """Publish a draft version; the one published before it is retired."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    session = db.session()
    version = session.get(FormVersion, version_id)
    if version is None:
        abort(404)
    publish_form_version(session=session, form_version=version)
    _audit("form-published", version)
    session.commit()
    flash(f"{version.slug} version {version.version} is published", "success")
    return redirect(url_for(".index"))
