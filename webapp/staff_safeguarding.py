"""The safeguarding lead's pages: possible disclosures, as written, and what was done.

Only the safeguarding lead may open them: not administrators, who manage accounts, not
disclosures. Every view of an alert is audited, because it shows a child's own words.
"""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import Field, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from forms.base import HeardForm
from forms.widgets import GovCharacterCount, GovRadioInput, GovSelect, GovSubmitInput
from models import FormVersion, Response, Role, record_event
from models.safeguarding import (
    ESCALATION_TARGETS,
    NEEDS_NOTE,
    NOTE_LIMIT,
    AlertAction,
    SafeguardingAlert,
    act_on_alert,
    alert_summary,
    available_actions,
    get_alert,
    list_alerts,
)
from webapp import db, edit_stamps, journey
from webapp.access import roles_required

bp = Blueprint("safeguarding", __name__, url_prefix="/staff/safeguarding")
LEADS = (Role.SAFEGUARDING,)

# Each action's radio label and hint.
ACTIONS = {
    AlertAction.ACKNOWLEDGE: (
        "Acknowledge it",
        "You have read it and are dealing with it.",
    ),
    AlertAction.RECORD: (
        "Record an action taken",
        "For example, you referred it to the designated safeguarding lead at the school. "
        "Say what you did in the note.",
    ),
    AlertAction.ESCALATE: (
        "Escalate it",
        "You passed it on outside the setting, for example to children's social care or "
        "the police. Say who to, and what you told them in the note.",
    ),
    AlertAction.CLOSE: (
        "Close it",
        "Nothing more needs to be done. Once it is closed, nothing more can be recorded.",
    ),
}
FLASHES = {
    AlertAction.ACKNOWLEDGE: "acknowledged",
    AlertAction.RECORD: "action recorded",
    AlertAction.ESCALATE: "escalated",
    AlertAction.CLOSE: "closed",
}


class ActionForm(HeardForm):
    action = RadioField(
        "What have you done?",
        validate_choice=False,
        validators=[InputRequired("Select what you have done")],
        widget=GovRadioInput(),
    )
    escalated_to = SelectField(
        "Who did you escalate it to?",
        choices=[
            SelectChoice("", "Choose who"),
            *(SelectChoice(key, name) for key, name in ESCALATION_TARGETS.items()),
        ],
        description="If you choose other, say who in the note.",
        validate_choice=False,
        widget=GovSelect(),
    )
    note = TextAreaField(
        "Note for the record",
        description="You must write a note if you record an action, escalate or close it. "
        "Say what you did, who you spoke to and when; when closing, why nothing more is "
        "needed. Do not copy the child's words here.",
        validators=[
            Length(max=NOTE_LIMIT, message=f"The note must be {NOTE_LIMIT:,} characters or fewer")
        ],
        widget=GovCharacterCount(),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def __init__(self, actions: list[AlertAction], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.action.choices = [SelectChoice(action.value, ACTIONS[action][0]) for action in actions]
        self.hints = [ACTIONS[action][1] for action in actions]

    def validate_action(self, field: Field) -> None:
        if field.data not in {choice.value for choice in self.action.choices}:
            raise ValidationError("Select what you have done")

    def validate(self, extra_validators: Any = None) -> bool:
        """Escalating says who to; recording an action, escalating or closing needs a note."""
        valid = super().validate(extra_validators)
        if self.action.errors:
            return False
        action = AlertAction(self.action.data)
        if action == AlertAction.ESCALATE and self.escalated_to.data not in ESCALATION_TARGETS:
            self.escalated_to.errors = [
                *self.escalated_to.errors,
                "Select who you escalated it to",
            ]
            valid = False
        if action in NEEDS_NOTE and not (self.note.data or "").strip() and not self.note.errors:
            what = "why the alert can be closed" if action == AlertAction.CLOSE else "what you did"
            self.note.errors = [*self.note.errors, f"Enter a note saying {what}"]
            valid = False
        return valid


@bp.get("/")
@roles_required(*LEADS)
def index() -> str:
    """Every alert, in the order to deal with them: open and most severe first."""
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
    # Two leads recording at once take turns, so neither's line of the note is lost and
    # each sees where the other left the alert.
    edit_stamps.hold(found)
    actions = available_actions(found)
    form = ActionForm(actions) if actions else None
    unsaved = ""
    if request.method == "POST" and form is None:
        # Closed meanwhile (by another lead, say): nothing more can be recorded, so the
        # page shows the note this lead wrote, for them to keep elsewhere.
        unsaved = (request.form.get("note") or "").strip() or " "
    if form is not None and form.validate_on_submit():
        action = AlertAction(form.action.data)
        escalated_to = form.escalated_to.data if action == AlertAction.ESCALATE else None
        act_on_alert(
            session=session,
            alert=found,
            action=action,
            by=current_user,
            note=form.note.data or "",
            escalated_to=escalated_to,
        )
        details: dict[str, Any] = {"status": found.status.value}
        if escalated_to:
            details["escalated_to"] = escalated_to
        _audit(f"safeguarding.alert.{action.value}", found, details)
        session.commit()
        flash(f"Alert {found.id}: {FLASHES[action]}", "success")
        return redirect(url_for(".index"))
    # The page shows what the child wrote, so every showing of it is audited.
    _audit("safeguarding.alert.viewed", found)
    session.commit()
    response = session.get(Response, found.response_id)
    version = session.get(FormVersion, response.form_version_id) if response else None
    asked = journey.definition_of(version).question(found.question_id) if version else None
    return render_template(
        "staff/safeguarding/alert.html",
        alert=found,
        form=form,
        response=response,
        version=version,
        # The question as the child read it (in English), not its id.
        question=asked.label if asked else found.question_id,
        unsaved=unsaved,
    )


def _audit(action: str, alert: SafeguardingAlert, extra: dict[str, Any] | None = None) -> None:
    """Record who did what to which alert: never the child's words, nor the lead's note."""
    record_event(
        session=db.session(),
        action=action,
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
        object_type="safeguarding_alert",
        object_id=alert.id,
        details={**alert_summary(alert), **(extra or {})},
    )
