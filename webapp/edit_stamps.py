"""Catching a save over someone else's newer save on the staff edit pages.

An edit page puts a digest of what it showed into a hidden ``stamp`` field. When the form
comes back and what is saved now has a different digest, someone else saved in between:
nothing is saved, the person's words stay in the form with an error on its first field,
and the page shows what the other person saved. Saving again (the form now carries the
new digest) keeps this person's words. A form with no stamp at all, opened before the
check existed, is saved as before.
"""

import hashlib
import json
from collections.abc import Iterable

from wtforms import Field

CONFLICT = (
    "Someone else saved this while you were editing it. Your changes are below and are not "
    "saved yet: check what they saved, then save again to keep your words"
)


def stamp(values: Iterable[object]) -> str:
    """A short digest of the values an edit page shows and changes."""
    text = json.dumps([None if v is None else str(v) for v in values], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def overtaken(sent: str | None, saved: str) -> bool:
    """Whether a form opened at ``sent`` would overwrite a newer save."""
    return bool(sent) and sent != saved


def flag(stamp_field: Field, first_field: Field, saved: str) -> None:
    """Mark the form as overtaken: the error on its first field, and the new digest, so
    that saving again keeps this person's words."""
    stamp_field.data = saved
    first_field.errors = [*first_field.errors, CONFLICT]
