"""Holding a row while an edit is checked and saved, so two saves of it take turns."""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session


def hold(*, session: Session, row: Any) -> None:
    """Wait until no one else is saving `row`, keep it until the caller commits, and re-read.

    A no-op UPDATE of the row takes its row lock on PostgreSQL and the database's write
    lock on SQLite. A second request holding the same row waits here until the first has
    committed or rolled back, and then reads what the first saved: everything loaded in
    the session is read again, so a check made after this sees the newest save.
    """
    model = type(row)
    session.execute(
        update(model)
        .where(model.id == row.id)
        .values(id=row.id)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
