"""Finding one person for a subject access or erasure request, and everything linked to them.

A person is found by the email address or name they were invited with, the name they gave
on a form, or a response's id. From there the search follows the links between
invitations, responses and follow-up addresses, within one organisation only.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from models.responses import Response, ResponseStatus
from models.surveys import Invitation, SurveyRound
from models.yswd import FollowUp


@dataclass
class Subject:
    """Everything found for one person in one organisation."""

    organisation_id: int
    responses: list[Response] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.responses or self.invitations or self.follow_ups)

    @property
    def response_ids(self) -> list[int]:
        return sorted(r.id for r in self.responses if r.id is not None)


def find_subject(
    *,
    session: Session,
    organisation_id: int,
    email: str | None = None,
    name: str | None = None,
    response_id: int | None = None,
) -> Subject:
    """Everything held in one organisation about the person the selector points at.

    Email and name match exactly, ignoring case and surrounding spaces. A name may belong
    to more than one person: the caller should show what was found before acting on it.
    """
    search = _Search(session, organisation_id)
    if email is not None:
        search.by_email(email.strip().lower())
    if name is not None:
        search.by_name(name.strip().lower())
    if response_id is not None:
        search.add_own(response_id)
    return search.follow_links()


def _lower(column: Any) -> Any:
    return func.lower(func.trim(col(column)))


@dataclass
class _Search:
    """What a search has found so far: invitations matched directly, and rows by id."""

    session: Session
    organisation_id: int
    invitations: list[Invitation] = field(default_factory=list)
    responses: dict[int, Response] = field(default_factory=dict)
    follow_ups: dict[int, FollowUp] = field(default_factory=dict)

    def by_email(self, wanted: str) -> None:
        """Invitations, follow-up addresses and unsent drafts that hold the address."""
        self.invitations += self.session.exec(
            self._own_invitations().where(_lower(Invitation.email) == wanted)
        )
        self.add_follow_ups(
            self.session.exec(
                select(FollowUp).where(
                    FollowUp.organisation_id == self.organisation_id,
                    _lower(FollowUp.email) == wanted,
                )
            )
        )
        self.add_responses(_drafts_holding(self.session, self.organisation_id, wanted))

    def by_name(self, wanted: str) -> None:
        """Invitations made out to the name, and responses that gave it."""
        self.invitations += self.session.exec(
            self._own_invitations().where(_lower(Invitation.name) == wanted)
        )
        self.add_responses(
            self.session.exec(
                select(Response).where(
                    Response.organisation_id == self.organisation_id,
                    _lower(Response.respondent_name) == wanted,
                )
            )
        )

    def follow_links(self) -> Subject:
        """Add what the rows found lead to, and return them all, each kind in id order."""
        self.add_responses(_responses_of(self.session, self.organisation_id, self.invitations))
        for follow_up in self.follow_ups.values():
            if follow_up.response_id is not None and follow_up.response_id not in self.responses:
                self.add_own(follow_up.response_id)
        by_id = {i.id: i for i in self.invitations}
        by_id.update({i.id: i for i in invitations_of(self.session, list(self.responses))})
        if self.responses:
            self.add_follow_ups(
                self.session.exec(
                    select(FollowUp).where(col(FollowUp.response_id).in_(list(self.responses)))
                )
            )
        return Subject(
            organisation_id=self.organisation_id,
            responses=[self.responses[i] for i in sorted(self.responses)],
            invitations=[by_id[i] for i in sorted(by_id)],  # type: ignore[type-var]
            follow_ups=[self.follow_ups[i] for i in sorted(self.follow_ups)],
        )

    def add_own(self, response_id: int) -> None:
        """Add the response with this id, if it belongs to this organisation."""
        response = self.session.get(Response, response_id)
        if response is not None and response.organisation_id == self.organisation_id:
            self.responses[response_id] = response

    def add_responses(self, responses: Iterable[Response]) -> None:
        for response in responses:
            self.responses[response.id] = response  # type: ignore[index]

    def add_follow_ups(self, follow_ups: Iterable[FollowUp]) -> None:
        for follow_up in follow_ups:
            self.follow_ups[follow_up.id] = follow_up  # type: ignore[index]

    def _own_invitations(self) -> Any:
        own_rounds = select(SurveyRound.id).where(
            SurveyRound.organisation_id == self.organisation_id
        )
        return select(Invitation).where(col(Invitation.round_id).in_(own_rounds))


def _drafts_holding(session: Session, organisation_id: int, email: str) -> list[Response]:
    """Unfinished responses whose answers hold this address (it leaves them when sent)."""
    drafts = session.exec(
        select(Response).where(
            Response.organisation_id == organisation_id,
            Response.status == ResponseStatus.IN_PROGRESS,
        )
    )
    return [
        draft
        for draft in drafts
        if any(isinstance(v, str) and v.strip().lower() == email for v in draft.answers.values())
    ]


def _responses_of(
    session: Session, organisation_id: int, invitations: list[Invitation]
) -> list[Response]:
    """The responses an invitation leads to: the one it is writing, or the one it sent."""
    ids = [i.id for i in invitations if i.id is not None]
    drafts = [i.draft_response_id for i in invitations if i.draft_response_id is not None]
    if not ids and not drafts:
        return []
    query = select(Response).where(
        Response.organisation_id == organisation_id,
        or_(col(Response.invitation_id).in_(ids), col(Response.id).in_(drafts)),
    )
    return list(session.exec(query))


def invitations_of(session: Session, response_ids: list[int]) -> list[Invitation]:
    """The invitations behind these responses."""
    if not response_ids:
        return []
    linked = select(Response.invitation_id).where(col(Response.id).in_(response_ids))
    query = select(Invitation).where(
        or_(col(Invitation.id).in_(linked), col(Invitation.draft_response_id).in_(response_ids))
    )
    return list(session.exec(query))
