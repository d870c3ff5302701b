"""Pages anyone can open: the home page, the accessibility statement and the health check."""

import logging

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp import db
from webapp.access import public
from webapp.accessibility import CHECKS, LAST_REVIEWED
from webapp.extensions import limiter

bp = Blueprint("public", __name__)
log = logging.getLogger("heard.health")


@bp.get("/")
@public
def home() -> str:
    """The front page for children, young people, families and staff."""
    return render_template("public/home.html")


@bp.get("/accessibility")
@public
def accessibility() -> str:
    """The accessibility statement, listing what the suite checks and when it was reviewed."""
    return render_template("public/accessibility.html", checks=CHECKS, last_reviewed=LAST_REVIEWED)


@bp.get("/healthz")
@public
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """Answer 200 when the app can reach its database, 503 when it cannot."""
    try:
        with db.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("health check failed: database unreachable")
        return jsonify(status="unavailable", checks={"database": "unreachable"}), 503
    return jsonify(status="ok", checks={"database": "ok"}), 200
