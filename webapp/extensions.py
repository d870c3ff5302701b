"""Flask extensions, created once and bound to each app in the factory."""

from flask import Flask, current_app, request
from flask.wrappers import Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask) -> None:
    """Bind the extensions to `app`."""
    csrf.init_app(app)
    # One Limiter serves every app a process makes (the tests make many). Flask-Limiter
    # keeps the first app's "enabled" flag and key prefix unless told again, so each app
    # states its own rather than inheriting a previous app's.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter._key_prefix = ""
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"


def start_limits() -> str:
    """How often one address may start a new response (HEARD_START_LIMITS)."""
    return str(current_app.config["HEARD_START_LIMITS"])


def submit_limits() -> str:
    """How often one address may save a page or send answers (HEARD_SUBMIT_LIMITS)."""
    return str(current_app.config["HEARD_SUBMIT_LIMITS"])


def export_limits() -> str:
    """How many exports and downloads one person may make (HEARD_EXPORT_LIMITS)."""
    return str(current_app.config["HEARD_EXPORT_LIMITS"])


def signed_in_person() -> str:
    """Count by account, so colleagues behind one office address are counted apart."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return get_remote_address()


def _made_a_file(response: Response) -> bool:
    """A file sent, or an export job started; a refused or missing download costs nothing."""
    sent = response.headers.get("Content-Disposition", "").startswith("attachment")
    return sent or response.status_code in {302, 303}


#: Every export or download of answers, comments or people counts against one shared limit
#: for each person. Decorate such a view with `@export_limit`.
export_limit = limiter.shared_limit(
    export_limits, scope="exports", key_func=signed_in_person, deduct_when=_made_a_file
)
#: The same limit for a page that is a download only when asked (`?format=csv`).
export_limit_for_csv = limiter.shared_limit(
    export_limits,
    scope="exports",
    key_func=signed_in_person,
    deduct_when=_made_a_file,
    exempt_when=lambda: request.args.get("format") != "csv",
)
