"""Catching a save over someone else's newer save on the staff edit pages.

An edit page lists what it edits as (label, saved value, value as shown) and puts a digest
of the saved values into a hidden ``stamp`` field. When the form comes back and the saved
values have a different digest, someone else saved in between: nothing is saved, every
other check still runs, the person's words stay in the form, and the error summary links
to "What they saved" (``templates/staff/_overtaken.html``), which shows every value the
digest covers. The form then carries the new digest, so saving again keeps this person's
words. A form with no stamp at all, opened before the check existed, is saved as before.

Two saves sent in the same instant take turns: a save first holds the row it edits
(``hold``, models/locks.py) until its request commits, so the second waits, then reads
and checks against what the first saved. A save that is refused lets go (``release``)
before its page is drawn again.
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from flask import request
from wtforms import Field

from models import locks
from webapp import db

CONFLICT = (
    "Someone else saved this while you were editing it. Your changes are below and are not "
    "saved yet: check what they saved, then save again to keep your words"
)
#: What an edit page edits: its label, the value saved, and that value as people read it.
Edited = Sequence[tuple[str, object, str]]


def hold(row: Any) -> None:
    """On a save, wait for any other save of `row` to commit, then read everything afresh.

    Call it before building what the page edits, so the check sees the newest save.
    """
    if request.method == "POST":
        locks.hold(session=db.session(), row=row)


def release() -> None:
    """On a save that saves nothing, let go of what `hold` took before the page is drawn
    again, so other saves need not wait for it (on SQLite, every other save). Everything
    loaded is read afresh if the page uses it."""
    if request.method == "POST":
        db.session().rollback()


def stamp(edited: Edited) -> str:
    """A short digest of the saved values an edit page shows and changes."""
    text = json.dumps([saved for _label, saved, _shown in edited], default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def check(stamp_field: Field, edited: Edited) -> tuple[str, bool]:
    """The digest of what is saved now, and whether the form posted would overwrite a newer
    save. Opening the page (GET) puts the digest into the form."""
    saved = stamp(edited)
    if request.method != "POST":
        stamp_field.data = saved
        return saved, False
    sent = stamp_field.data
    return saved, bool(sent) and sent != saved


def flag(stamp_field: Field, saved: str, edited: Edited) -> list[tuple[str, str]]:
    """Mark the form as overtaken, and return what the other person saved, to show.

    The error is the stamp field's, so the error summary links to "What they saved" (which
    has the field's id) and no field the person filled in is marked wrong. The field takes
    the new digest, so saving again keeps this person's words.
    """
    stamp_field.data = saved
    stamp_field.errors = [CONFLICT]
    return [(label, shown) for label, _saved, shown in edited]
