"""One database session per request; the request boundary owns the commit."""

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import make_engine, new_session


def init_app(app: Flask) -> None:
    """Create the engine once per app and close each request's session."""
    app.extensions["heard.engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    """Return the current app's engine."""
    return current_app.extensions["heard.engine"]


def session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = new_session(engine())
    return g.db_session


def _close_session(exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is None:
        return
    if exc is not None:
        db_session.rollback()
    db_session.close()
