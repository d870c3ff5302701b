"""The safeguarding lead's pages: possible disclosures, as written, and what was done.

Only the safeguarding lead and administrators may open them. Every view of an alert is
audited, because it shows a child's own words.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from forms.widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from models import FormVersion, Response, Role, record_event
from models.safeguarding import (
    AlertStatus,
    SafeguardingAlert,
    alert_summary,
    get_alert,
    handle_alert,
    list_alerts,
)
from webapp import db
from webapp.access import roles_required

bp = Blueprint("safeguarding", __name__, url_prefix="/staff/safeguarding")
LEADS = (Role.SAFEGUARDING, Role.ADMIN)


class HandleForm(FlaskForm):
    status = RadioField(
        "What have you done?",
        choices=[
            SelectChoice(AlertStatus.ACKNOWLEDGED.value, "I have seen it and am acting on it"),
            SelectChoice(AlertStatus.CLOSED.value, "It is dealt with: close the alert"),
        ],
        validators=[InputRequired("Select what you have done")],
        widget=GovRadioInput(),
    )
    note = TextAreaField(
        "Note for the record",
        description="For example, who you referred it to. Do not copy the child's words here.",
        validators=[Length(max=2000, message="The note must be 2,000 characters or fewer")],
        widget=GovCharacterCount(),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


@bp.get("/")
@roles_required(*LEADS)
def index() -> str:
    """Every alert, open ones first and the most severe at the top."""
    alerts = list_alerts(session=db.session(), organisation_id=current_user.organisation_id)
    return render_template("staff/safeguarding/index.html", alerts=alerts)


@bp.route("/<int:alert_id>", methods=["GET", "POST"])
@roles_required(*LEADS)
def alert(alert_id: int) -> str | WerkzeugResponse:
    """One alert: the answer as written, why it was flagged, and a way to record action."""
    session = db.session()
    found = get_alert(
        session=session, organisation_id=current_user.organisation_id, alert_id=alert_id
    )
    if found is None:
        abort(404)
    form = HandleForm()
    if form.validate_on_submit():
        handle_alert(
            session=session,
            alert=found,
            status=AlertStatus(form.status.data),
            user_id=current_user.id,
            note=form.note.data or "",
        )
        _audit(f"safeguarding.alert.{form.status.data}", found)
        session.commit()
        flash(f"Alert {found.id} is {found.status}", "success")
        return redirect(url_for(".index"))
    _audit("safeguarding.alert.viewed", found)
    session.commit()
    response = session.get(Response, found.response_id)
    version = session.get(FormVersion, response.form_version_id) if response else None
    return render_template(
        "staff/safeguarding/alert.html", alert=found, form=form, response=response, version=version
    )


def _audit(action: str, alert: SafeguardingAlert) -> None:
    record_event(
        session=db.session(),
        action=action,
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
        object_type="safeguarding_alert",
        object_id=alert.id,
        details=alert_summary(alert),
    )
