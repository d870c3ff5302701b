"""Flask extensions, created once and bound to each app in the factory."""

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask) -> None:
    """Bind the extensions to `app`."""
    csrf.init_app(app)
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
