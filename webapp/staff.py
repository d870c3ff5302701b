"""Pages for staff. Every route names the roles that may open it."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from models import Role, list_users
from models.audit import list_actions, list_events
from models.safeguarding import count_open_alerts
from webapp import db
from webapp.access import ALL_STAFF, roles_required
from webapp.i18n import catalogue_status

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@roles_required(*ALL_STAFF)
def dashboard() -> str:
    """The signed-in member of staff's start page, with what is waiting for them."""
    # Only the safeguarding lead learns that alerts exist, or how many are open.
    open_alerts = None
    if current_user.role == Role.SAFEGUARDING:
        open_alerts = count_open_alerts(
            session=db.session(), organisation_id=current_user.organisation_id
        )
    return render_template("staff/dashboard.html", open_alerts=open_alerts)


@bp.get("/users")
@roles_required(Role.ADMIN)
def users() -> str:
    """Staff accounts in the administrator's own organisation."""
    people = list_users(session=db.session(), organisation_id=current_user.organisation_id)
    return render_template("staff/users.html", people=people)


@bp.get("/audit-log")
@roles_required(Role.ADMIN)
def audit_log() -> str:
    """The latest audit events for the administrator's organisation, by action or person."""
    session, organisation_id = db.session(), current_user.organisation_id
    actions = list_actions(session=session, organisation_id=organisation_id)
    people = {u.id: u for u in list_users(session=session, organisation_id=organisation_id)}
    # Only the organisation's own actions and people can be chosen; anything else shows all.
    action = request.args.get("action", "")
    action = action if action in actions else ""
    person = request.args.get("person", "")
    person = person if person.isdigit() and int(person) in people else ""
    events = list_events(
        session=session,
        organisation_id=organisation_id,
        action=action or None,
        actor_user_id=int(person) if person else None,
    )
    return render_template(
        "staff/audit_log.html",
        events=events,
        actions=actions,
        people=people,
        chosen={"action": action, "person": person},
    )


@bp.get("/languages")
@roles_required(Role.ADMIN)
def languages() -> str:
    """Each shipped translation and whether a native speaker has checked it yet."""
    return render_template("staff/languages.html", catalogues=catalogue_status())
