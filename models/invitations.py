"""Invitations to a survey round: personal links, each with a random token.

The token is shown once, for the mail merge, and stored only as its hash. Marking an
invitation used when its response is sent depends on the round's anonymity, so that is
`mark_invitation_responded` in models/surveys.py.
"""

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, func, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.responses import Response
from models.tokens import digest
from models.types import UTCDateTime, utcnow

if TYPE_CHECKING:  # models.surveys imports this module, to export these names too
    from models.surveys import SurveyRound

INVITATION_BYTES = 24  # 192 bits, well over the 128 asked for


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="survey_round.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    # Who was invited: personal data, in its own columns so it can be erased.
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)
    reference: str = Field(default="", max_length=100)
    district_id: int | None = Field(default=None, foreign_key="district.id")
    setting_id: int | None = Field(default=None, foreign_key="setting.id")
    # While a response is being written the invitation points at it, so the link resumes.
    # When it is sent, anonymous rounds clear this and keep only `responded`.
    # No foreign key here: response already points at invitation, and a cycle would make the
    # tables impossible to create or drop in order.
    draft_response_id: int | None = Field(default=None, index=True)
    responded: bool = Field(default=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def create_invitations(
    *, session: Session, survey_round: "SurveyRound", people: list[dict[str, Any]]
) -> list[tuple[Invitation, str]]:
    """Invite people (name, email, reference); returns each invitation with its secret token.

    The token is shown once, for the mail merge, and only its hash is kept.
    """
    made = []
    for person in people:
        token = secrets.token_urlsafe(INVITATION_BYTES)
        invitation = Invitation(
            round_id=survey_round.id,  # type: ignore[arg-type]
            token_hash=digest(token),
            name=str(person.get("name") or "")[:200],
            email=str(person.get("email") or "")[:320],
            reference=str(person.get("reference") or "")[:100],
            district_id=person.get("district_id"),
            setting_id=person.get("setting_id"),
        )
        session.add(invitation)
        made.append((invitation, token))
    session.flush()
    return made


def reissue_token(*, session: Session, invitation: Invitation) -> str:
    """A new link for an invitation (the old one stops working), for a fresh mail merge."""
    token = secrets.token_urlsafe(INVITATION_BYTES)
    invitation.token_hash = digest(token)
    session.add(invitation)
    session.flush()
    return token


def find_invitation(*, session: Session, token: str) -> Invitation | None:
    """The invitation a link's token belongs to."""
    if not token or len(token) > 100:
        return None
    return session.exec(select(Invitation).where(Invitation.token_hash == digest(token))).first()


def list_invitations(
    *, session: Session, survey_round: "SurveyRound", responded: bool | None = None
) -> list[Invitation]:
    """A round's invitations, optionally only those that have (or have not) responded."""
    query = select(Invitation).where(Invitation.round_id == survey_round.id)
    if responded is not None:
        query = query.where(Invitation.responded == responded)
    return list(session.exec(query.order_by(Invitation.id)))  # type: ignore[arg-type]


def claim_invitation(*, session: Session, invitation: Invitation, response: Response) -> bool:
    """Point an unused invitation at a new draft response, atomically.

    Returns False when another tab got there first (the caller then uses that draft).
    """
    result = session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation.id,
            col(Invitation.draft_response_id).is_(None),
            col(Invitation.responded).is_(False),
        )
        .values(draft_response_id=response.id)
    )
    session.refresh(invitation)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def invitation_counts(*, session: Session, survey_round: "SurveyRound") -> tuple[int, int]:
    """How many were invited, and how many of them responded."""
    base = (
        select(func.count()).select_from(Invitation).where(Invitation.round_id == survey_round.id)
    )
    invited = int(session.exec(base).one())
    responded = int(session.exec(base.where(Invitation.responded == True)).one())  # noqa: E712
    return invited, responded
