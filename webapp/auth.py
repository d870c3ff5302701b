"""Staff sign-in and sign-out."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from forms import messages
from forms.base import HeardForm
from forms.widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from models import User, authenticate, get_user, record_event
from webapp import db
from webapp.access import ALL_STAFF, public, roles_required
from webapp.extensions import limiter, login_manager

bp = Blueprint("auth", __name__)


class SignInForm(HeardForm):
    """Email address and password."""

    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            DataRequired(message=messages.enter(_l("your email address"))),
            Email(message=messages.email_format()),
            Length(max=254, message=messages.too_long(_l("Email address"), 254)),
        ],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message=messages.enter(_l("your password"))),
            Length(max=200, message=messages.too_long(_l("Password"), 200)),
        ],
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Reload the signed-in user from the session cookie."""
    if not user_id.isdigit():
        return None
    user = get_user(session=db.session(), user_id=int(user_id))
    return user if user is not None and user.is_active else None


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site, never to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("staff.dashboard")


def _login_limit() -> str:
    return current_app.config["HEARD_LOGIN_LIMITS"]


def _email_key() -> str:
    return "sign-in:" + request.form.get("email", "").strip().lower()[:254]


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
def sign_in() -> str | Response:
    """Ask for an email address and password, then go where the user was heading."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        session = db.session()
        user = authenticate(session=session, email=form.email.data, password=form.password.data)
        if user is not None:
            record_event(
                session=session,
                action="sign-in",
                actor_user_id=user.id,
                organisation_id=user.organisation_id,
            )
            session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        record_event(session=session, action="sign-in-failed")
        session.commit()
        form.email.errors.append(_l("Enter a correct email address and password"))
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@roles_required(*ALL_STAFF)
def sign_out() -> Response:
    """End the session."""
    session = db.session()
    record_event(
        session=session,
        action="sign-out",
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
    )
    session.commit()
    logout_user()
    flash(_l("You have signed out."), "success")
    return redirect(url_for("public.home"))
