"""Subject access and erasure: finding everything held about one person, and removing it.

A person is found by the email address or name they were invited with, the name they gave
on a form, or a response's id. Nothing else in Heard names them: comments are redacted and
audit events hold no free text. Anonymous rounds keep no link from an invitation to its
answers, so finding someone by their invitation can never reach those answers.

Removing responses takes everything that hangs off them in the same transaction: comments
and their codings and review decisions, double-coding entries, quotes chosen for “You
said, we did” or plan evidence, pictures, safeguarding alerts, follow-up addresses, and
the comment ids and quotes that discovery keeps. The caller commits.

This module is the one to import from. Finding the person is in models/privacy_subjects.py,
and removing comments with every trace of them in models/privacy_comments.py.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from sqlmodel import Session, col, select

from models.coding import Comment, CommentTheme, Theme
from models.privacy_comments import QuoteMatch, delete_comments, delete_where, same_words
from models.privacy_subjects import Subject, find_subject, invitations_of
from models.responses import Response, ResponseUpload
from models.safeguarding import SafeguardingAlert
from models.surveys import Invitation
from models.yswd import FollowUp

__all__ = [
    "CHUNK",
    "QuoteMatch",
    "Remover",
    "Subject",
    "alerts_for",
    "chunks",
    "comment_themes",
    "comments_for",
    "delete_responses",
    "erase_subject",
    "find_subject",
    "forget_invitation",
    "remove_with_invitations",
    "same_words",
    "selector_digest",
    "uploads_for",
]

#: Ids per statement: PostgreSQL takes at most 65,535 values in one.
CHUNK = 1000


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """Ids in lists short enough for one statement."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def alerts_for(*, session: Session, response_ids: list[int]) -> list[SafeguardingAlert]:
    """The safeguarding alerts raised about these responses, oldest first."""
    found: list[SafeguardingAlert] = []
    for chunk in chunks(response_ids):
        query = select(SafeguardingAlert).where(col(SafeguardingAlert.response_id).in_(chunk))
        found.extend(session.exec(query))
    return sorted(found, key=lambda a: a.id or 0)


def comments_for(*, session: Session, response_ids: list[int]) -> list[Comment]:
    """The redacted comments made from these responses' free text."""
    found: list[Comment] = []
    for chunk in chunks(response_ids):
        found.extend(session.exec(select(Comment).where(col(Comment.response_id).in_(chunk))))
    return sorted(found, key=lambda c: c.id or 0)


def uploads_for(*, session: Session, response_ids: list[int]) -> list[ResponseUpload]:
    """The pictures added to these responses."""
    found: list[ResponseUpload] = []
    for chunk in chunks(response_ids):
        query = select(ResponseUpload).where(col(ResponseUpload.response_id).in_(chunk))
        found.extend(session.exec(query))
    return sorted(found, key=lambda u: u.id or 0)


def comment_themes(*, session: Session, comment_ids: list[int]) -> dict[int, list[str]]:
    """The names of the themes each comment was coded with (by a person or the machine)."""
    found: dict[int, list[str]] = {comment_id: [] for comment_id in comment_ids}
    for chunk in chunks(comment_ids):
        rows = session.exec(
            select(CommentTheme.comment_id, Theme.name)
            .join(Theme, col(Theme.id) == CommentTheme.theme_id)
            .where(col(CommentTheme.comment_id).in_(chunk))
        )
        for comment_id, name in rows:
            if name not in found[comment_id]:
                found[comment_id].append(name)
    return found


def delete_responses(
    *,
    session: Session,
    response_ids: list[int],
    delete_invitations: bool,
    quote_match: QuoteMatch = same_words,
) -> Counter[str]:
    """Delete responses and everything that hangs off them; returns how many of each went.

    With `delete_invitations`, the invitations behind them go too, so a round's invited
    and responded counts both drop by one; otherwise an invitation only stops pointing at
    its draft, and its link can start a new one.
    """
    counts: Counter[str] = Counter()
    for chunk in chunks(response_ids):
        comments = list(session.exec(select(Comment).where(col(Comment.response_id).in_(chunk))))
        delete_comments(session, comments, quote_match, counts)
        invitations = invitations_of(session, chunk)
        for model, column, name in (
            (ResponseUpload, ResponseUpload.response_id, "pictures"),
            (SafeguardingAlert, SafeguardingAlert.response_id, "safeguarding alerts"),
            (FollowUp, FollowUp.response_id, "follow-up addresses"),
        ):
            counts[name] += delete_where(session, model, col(column).in_(chunk))
        for invitation in invitations:
            invitation.draft_response_id = None
            session.add(invitation)
        session.flush()
        counts["responses"] += delete_where(session, Response, col(Response.id).in_(chunk))
        if delete_invitations and invitations:
            ids = [i.id for i in invitations]
            counts["invitations"] += delete_where(session, Invitation, col(Invitation.id).in_(ids))
    session.flush()
    return counts


def forget_invitation(invitation: Invitation) -> bool:
    """Blank who an invitation was for, keeping the row so round counts stay right."""
    if not (invitation.name or invitation.email or invitation.reference):
        return False
    invitation.name = invitation.email = invitation.reference = ""
    return True


#: Deletes responses with everything hanging off them; the web app passes one that also
#: keeps "You said, we did" figures in step (see webapp/response_removal.py).
Remover = Callable[[Session, list[int]], Counter[str]]


def remove_with_invitations(session: Session, response_ids: list[int]) -> Counter[str]:
    """The plain remover: responses, what hangs off them, and their invitations."""
    return delete_responses(session=session, response_ids=response_ids, delete_invitations=True)


def erase_subject(
    *, session: Session, subject: Subject, remove: Remover = remove_with_invitations
) -> Counter[str]:
    """Erase a person: their responses and invitations, and the addresses they left.

    An invitation answered in an anonymous round leads to no response, so it keeps its row
    with no name, address or reference: the round still counts the answer it led to. One
    not answered yet is deleted, so no reminder goes out. The caller checks for
    safeguarding alerts first, records the audit event and commits.
    """
    counts = remove(session, subject.response_ids) if subject.response_ids else Counter()
    invitation_ids = [i.id for i in subject.invitations if i.id is not None]
    if invitation_ids:
        left = session.exec(select(Invitation).where(col(Invitation.id).in_(invitation_ids)))
        for invitation in left:
            if not invitation.responded:
                session.delete(invitation)
                counts["invitations"] += 1
            elif forget_invitation(invitation):
                session.add(invitation)
                counts["invitations blanked"] += 1
    follow_up_ids = [f.id for f in subject.follow_ups if f.id is not None]
    if follow_up_ids:
        condition = col(FollowUp.id).in_(follow_up_ids)
        counts["follow-up addresses"] += delete_where(session, FollowUp, condition)
    session.flush()
    return counts


def selector_digest(value: str, key: str) -> str:
    """A keyed digest of what a request selected someone by, for the audit log.

    The same person asked about twice gives the same digest, but without the key the
    digest cannot be matched to an address or name by guessing.
    """
    normalised = value.strip().lower().encode()
    return hashlib.blake2b(normalised, key=key.encode()[:64], digest_size=16).hexdigest()
