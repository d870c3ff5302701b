"""Who may open which page.

Every endpoint must say who it is for: `@public`, or `@roles_required(...)`.
A guard runs before every request and refuses anything that says neither, so
a new route that forgets is closed rather than open.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user

from models import Role

View = TypeVar("View", bound=Callable[..., Any])
ALL_STAFF = tuple(Role)


def public(view: View) -> View:
    """Mark a view as open to everyone, signed in or not."""
    view._heard_public = True  # type: ignore[attr-defined]
    return view


def roles_required(*roles: Role) -> Callable[[View], View]:
    """Mark a view as open only to signed-in staff holding one of `roles`."""
    if not roles:
        raise ValueError("name at least one role")

    def mark(view: View) -> View:
        view._heard_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def allowed_roles(endpoint: str) -> frozenset[Role] | None:
    """Return the roles an endpoint needs, or None if it is public."""
    view = current_app.view_functions.get(endpoint)
    if endpoint == "static" or getattr(view, "_heard_public", False):
        return None
    return getattr(view, "_heard_roles", frozenset())


def _guard() -> Any:
    if request.endpoint is None:
        return None  # 404 and 405 are handled by the error pages
    roles = allowed_roles(request.endpoint)
    if roles is None:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.role not in roles:
        abort(403)
    return None


def init_app(app: Flask) -> None:
    """Install the access guard."""
    app.before_request(_guard)
