"""The peer baseline for bench_survey_load: the least a Flask app can do to take a survey answer.

GET / shows a one-field form with a token kept in the signed session cookie; POST /submit
checks the token, inserts one row into a SQLite file with the same pragmas as Heard's, and
redirects. Serve it with `gunicorn peer_insert_app:app` and PEER_DATABASE set.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import sys
from pathlib import Path

from flask import Flask, abort, redirect, request, session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.database import _sqlite_pragmas

FORM = """<!doctype html>
<html lang="en"><head><title>Survey</title></head><body>
<h1>Survey</h1>
<form method="post" action="/submit">
<input type="hidden" name="csrf_token" value="{token}">
<label for="answer">How did we do?</label> <input id="answer" name="answer">
<button>Send</button>
</form></body></html>
"""

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "peer-only-not-secret")


def connect(path: str) -> sqlite3.Connection:
    """Open the database the way Heard does: a new connection with Heard's pragmas."""
    connection = sqlite3.connect(path, timeout=5)
    _sqlite_pragmas(connection, None)
    return connection


def init_db(path: str) -> None:
    """Create the one table; run once before the server starts."""
    with connect(path) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS answer (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"
        )
    connection.close()


@app.get("/")
def form() -> str:
    """A small form with a token, like a CSRF-protected page."""
    session["token"] = token = secrets.token_urlsafe(24)
    return FORM.format(token=token)


@app.post("/submit")
def submit():
    """Store one answer, then post/redirect/get."""
    if not secrets.compare_digest(request.form.get("csrf_token", ""), session.get("token", "")):
        abort(400)
    connection = connect(os.environ["PEER_DATABASE"])
    try:
        with connection:
            connection.execute("INSERT INTO answer (text) VALUES (?)", (request.form["answer"],))
    finally:
        connection.close()
    return redirect("/thanks")
