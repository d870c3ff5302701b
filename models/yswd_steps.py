"""The steps a “You said, we did” entry goes through, and the record of each one.

An entry moves draft → reviewed → approved → published. It can be returned to draft with
a reason, or withdrawn from the public page. Who may take which step is the web app's
business; this module checks only the order.
"""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, Text
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow, value_enum

if TYPE_CHECKING:  # models.yswd imports this module, to export these names too
    from models.yswd import YswdEntry


class EntryState(StrEnum):
    DRAFT = "draft"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class StepKind(StrEnum):
    DRAFTED = "drafted"
    EDITED = "edited"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETURNED = "returned"  # sent back to draft, with a reason
    WITHDRAWN = "withdrawn"  # taken off the public page


#: Which state each step leaves an entry in.
STEP_STATE = {
    StepKind.DRAFTED: EntryState.DRAFT,
    StepKind.EDITED: EntryState.DRAFT,
    StepKind.REVIEWED: EntryState.REVIEWED,
    StepKind.APPROVED: EntryState.APPROVED,
    StepKind.PUBLISHED: EntryState.PUBLISHED,
    StepKind.RETURNED: EntryState.DRAFT,
    StepKind.WITHDRAWN: EntryState.APPROVED,
}
#: The steps that may follow each state (editing is allowed before publication only).
NEXT_STEPS = {
    EntryState.DRAFT: (StepKind.REVIEWED,),
    EntryState.REVIEWED: (StepKind.APPROVED, StepKind.RETURNED),
    EntryState.APPROVED: (StepKind.PUBLISHED, StepKind.RETURNED),
    EntryState.PUBLISHED: (StepKind.WITHDRAWN,),
}


class StepError(ValueError):
    """A step that does not follow from the entry's state."""


class YswdStep(SQLModel, table=True):
    __tablename__ = "yswd_step"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="yswd_entry.id", index=True)
    kind: StepKind = Field(sa_type=value_enum(StepKind))
    user_id: int = Field(foreign_key="staff_user.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def entry_steps(*, session: Session, entry: "YswdEntry") -> list[YswdStep]:
    """Every step taken on an entry, oldest first."""
    query = select(YswdStep).where(YswdStep.entry_id == entry.id).order_by(col(YswdStep.id))
    return list(session.exec(query))


def take_step(
    *, session: Session, entry: "YswdEntry", kind: StepKind, user_id: int, note: str = ""
) -> YswdStep:
    """Move the entry on by one step, or raise StepError if that step cannot follow.

    Who may take which step is the web app's business; this checks only the order.
    """
    if kind is StepKind.EDITED:
        if entry.state is EntryState.PUBLISHED:
            raise StepError("A published entry cannot be edited. Withdraw it first.")
    elif kind not in NEXT_STEPS[EntryState(entry.state)]:
        raise StepError(f"An entry that is {entry.state.value} cannot be {kind.value}.")
    entry.state = STEP_STATE[kind]
    entry.updated_at = utcnow()
    if kind is StepKind.PUBLISHED:
        entry.published_at = utcnow()
    session.add(entry)
    step = YswdStep(entry_id=entry.id, kind=kind, user_id=user_id, note=note)  # type: ignore[arg-type]
    session.add(step)
    session.flush()
    return step
