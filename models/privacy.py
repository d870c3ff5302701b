"""Subject access and erasure: finding everything held about one person, and removing it.

A person is found by the email address or name they were invited with, the name they gave
on a form, or a response's id. Nothing else in Heard names them: comments are redacted and
audit events hold no free text. Anonymous rounds keep no link from an invitation to its
answers, so finding someone by their invitation can never reach those answers.

Removing responses takes everything that hangs off them in the same transaction: comments
and their codings and review decisions, double-coding entries, quotes chosen for “You
said, we did” or plan evidence, pictures, safeguarding alerts, follow-up addresses, and
the comment ids and quotes that discovery keeps. The caller commits.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from models.agreement import AgreementCoding, AgreementSample
from models.coding import Comment, CommentTheme, Theme
from models.jobs import Job
from models.plan_evidence import EvidenceLink
from models.responses import Response, ResponseStatus, ResponseUpload
from models.review import CodingDecision, DiscoveredCluster
from models.safeguarding import SafeguardingAlert
from models.surveys import Invitation, SurveyRound
from models.yswd import FollowUp, YswdQuote

#: Ids per statement: PostgreSQL takes at most 65,535 values in one.
CHUNK = 1000
#: Whether a quote (as discovery stored it) was taken from a comment's redacted text.
QuoteMatch = Callable[[str, str], bool]


def same_words(quote: str, text: str) -> bool:
    """A quote is its comment's text on one line; compare with spaces tidied, case ignored."""
    return " ".join(quote.split()).casefold() == " ".join(text.split()).casefold()


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """Ids in lists short enough for one statement."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


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


def _lower(column: Any) -> Any:
    return func.lower(func.trim(col(column)))


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
    subject = Subject(organisation_id=organisation_id)
    own_rounds = select(SurveyRound.id).where(SurveyRound.organisation_id == organisation_id)
    invitations = select(Invitation).where(col(Invitation.round_id).in_(own_rounds))
    responses: dict[int, Response] = {}
    follow_ups: dict[int, FollowUp] = {}
    found: list[Invitation] = []
    if email is not None:
        wanted = email.strip().lower()
        found += session.exec(invitations.where(_lower(Invitation.email) == wanted))
        for follow_up in session.exec(
            select(FollowUp).where(
                FollowUp.organisation_id == organisation_id, _lower(FollowUp.email) == wanted
            )
        ):
            follow_ups[follow_up.id] = follow_up  # type: ignore[index]
        for draft in _drafts_holding(session, organisation_id, wanted):
            responses[draft.id] = draft  # type: ignore[index]
    if name is not None:
        wanted = name.strip().lower()
        found += session.exec(invitations.where(_lower(Invitation.name) == wanted))
        for response in session.exec(
            select(Response).where(
                Response.organisation_id == organisation_id,
                _lower(Response.respondent_name) == wanted,
            )
        ):
            responses[response.id] = response  # type: ignore[index]
    if response_id is not None:
        picked = session.get(Response, response_id)
        if picked is not None and picked.organisation_id == organisation_id:
            responses[response_id] = picked
    for response in _responses_of(session, organisation_id, found):
        responses[response.id] = response  # type: ignore[index]
    for follow_up in follow_ups.values():
        if follow_up.response_id is not None and follow_up.response_id not in responses:
            linked = session.get(Response, follow_up.response_id)
            if linked is not None and linked.organisation_id == organisation_id:
                responses[linked.id] = linked  # type: ignore[index]
    by_id = {i.id: i for i in found}
    by_id.update({i.id: i for i in _invitations_of(session, list(responses))})
    if responses:
        for follow_up in session.exec(
            select(FollowUp).where(col(FollowUp.response_id).in_(list(responses)))
        ):
            follow_ups[follow_up.id] = follow_up  # type: ignore[index]
    subject.responses = [responses[i] for i in sorted(responses)]
    subject.invitations = [by_id[i] for i in sorted(by_id)]  # type: ignore[type-var]
    subject.follow_ups = [follow_ups[i] for i in sorted(follow_ups)]
    return subject


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


def _invitations_of(session: Session, response_ids: list[int]) -> list[Invitation]:
    """The invitations behind these responses."""
    if not response_ids:
        return []
    linked = select(Response.invitation_id).where(col(Response.id).in_(response_ids))
    query = select(Invitation).where(
        or_(col(Invitation.id).in_(linked), col(Invitation.draft_response_id).in_(response_ids))
    )
    return list(session.exec(query))


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
        _delete_comments(session, comments, quote_match, counts)
        invitations = _invitations_of(session, chunk)
        for model, column, name in (
            (ResponseUpload, ResponseUpload.response_id, "pictures"),
            (SafeguardingAlert, SafeguardingAlert.response_id, "safeguarding alerts"),
            (FollowUp, FollowUp.response_id, "follow-up addresses"),
        ):
            counts[name] += _delete_where(session, model, col(column).in_(chunk))
        for invitation in invitations:
            invitation.draft_response_id = None
            session.add(invitation)
        session.flush()
        counts["responses"] += _delete_where(session, Response, col(Response.id).in_(chunk))
        if delete_invitations and invitations:
            ids = [i.id for i in invitations]
            counts["invitations"] += _delete_where(session, Invitation, col(Invitation.id).in_(ids))
    session.flush()
    return counts


def _delete_where(session: Session, model: Any, condition: Any) -> int:
    result = session.execute(delete(model).where(condition))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _delete_comments(
    session: Session, comments: list[Comment], quote_match: QuoteMatch, counts: Counter[str]
) -> None:
    if not comments:
        return
    ids = [c.id for c in comments if c.id is not None]
    for model, column, name in (
        (CommentTheme, CommentTheme.comment_id, "codings"),
        (CodingDecision, CodingDecision.comment_id, "review decisions"),
        (AgreementCoding, AgreementCoding.comment_id, "double codings"),
        (YswdQuote, YswdQuote.comment_id, "yswd quotes"),
        (EvidenceLink, EvidenceLink.comment_id, "plan evidence quotes"),
    ):
        counts[name] += _delete_where(session, model, col(column).in_(ids))
    organisations = {c.organisation_id for c in comments}
    _forget_in_samples(session, organisations, set(ids))
    texts = [c.text_redacted for c in comments]
    counts["discovery quotes"] += _forget_in_clusters(
        session, organisations, set(ids), texts, quote_match
    )
    counts["comments"] += _delete_where(session, Comment, col(Comment.id).in_(ids))


def _forget_in_samples(session: Session, organisations: set[int], ids: set[int]) -> None:
    """Take the comments out of double-coding samples, which list them by id."""
    samples = session.exec(
        select(AgreementSample).where(col(AgreementSample.organisation_id).in_(organisations))
    )
    for sample in samples:
        if ids & set(sample.comment_ids):
            sample.comment_ids = [i for i in sample.comment_ids if i not in ids]
            session.add(sample)


def _forget_in_clusters(
    session: Session,
    organisations: set[int],
    ids: set[int],
    texts: list[str],
    quote_match: QuoteMatch,
) -> int:
    """Take the comments out of discovered clusters: their ids, size and quoted words.

    The discovery job's own result lists the same quotes, so they go from there too.
    Returns how many quotes were removed from clusters.
    """
    removed = 0
    jobs: set[int] = set()
    clusters = session.exec(
        select(DiscoveredCluster).where(col(DiscoveredCluster.organisation_id).in_(organisations))
    )
    for cluster in clusters:
        if not ids & set(cluster.comment_ids):
            continue
        kept = [i for i in cluster.comment_ids if i not in ids]
        cluster.size = max(0, cluster.size - (len(cluster.comment_ids) - len(kept)))
        cluster.comment_ids = kept
        quotes = [q for q in cluster.quotes if not any(quote_match(q, t) for t in texts)]
        removed += len(cluster.quotes) - len(quotes)
        cluster.quotes = quotes
        session.add(cluster)
        jobs.add(cluster.job_id)
    for job_id in jobs:
        job = session.get(Job, job_id)
        if job is not None and job.result.get("themes"):
            job.result = _without_quotes(job.result, texts, quote_match)
            session.add(job)
    return removed


def _without_quotes(result: dict[str, Any], texts: list[str], match: QuoteMatch) -> dict[str, Any]:
    themes = []
    for theme in result.get("themes", []):
        quotes = theme.get("representatives", [])
        kept = [q for q in quotes if not any(match(str(q), t) for t in texts)]
        themes.append({**theme, "representatives": kept})
    return {**result, "themes": themes}


def forget_invitation(invitation: Invitation) -> bool:
    """Blank who an invitation was for, keeping the row so round counts stay right."""
    if not (invitation.name or invitation.email or invitation.reference):
        return False
    invitation.name = invitation.email = invitation.reference = ""
    return True


#: Deletes responses with everything hanging off them; the web app passes one that also
#: keeps "You said, we did" figures in step (see webapp/privacy_cli.py).
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
        counts["follow-up addresses"] += _delete_where(session, FollowUp, condition)
    session.flush()
    return counts


def selector_digest(value: str, key: str) -> str:
    """A keyed digest of what a request selected someone by, for the audit log.

    The same person asked about twice gives the same digest, but without the key the
    digest cannot be matched to an address or name by guessing.
    """
    normalised = value.strip().lower().encode()
    return hashlib.blake2b(normalised, key=key.encode()[:64], digest_size=16).hexdigest()
