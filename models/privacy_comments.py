"""Removing comments with every trace of them, for erasure and retention.

A comment's codings, review decisions, double codings and chosen quotes are deleted with
it; double-coding samples and discovered clusters, which list comments by id and quote
their words, are edited to leave them out. The caller commits.
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from models.agreement import AgreementCoding, AgreementSample
from models.coding import Comment, CommentTheme
from models.jobs import Job
from models.plan_evidence import EvidenceLink
from models.review import CodingDecision, DiscoveredCluster
from models.yswd import YswdQuote

#: Whether a quote (as discovery stored it) was taken from a comment's redacted text.
QuoteMatch = Callable[[str, str], bool]


def same_words(quote: str, text: str) -> bool:
    """A quote is its comment's text on one line; compare with spaces tidied, case ignored."""
    return " ".join(quote.split()).casefold() == " ".join(text.split()).casefold()


def delete_where(session: Session, model: Any, condition: Any) -> int:
    """Delete the rows of `model` that meet `condition`; returns how many went."""
    result = session.execute(delete(model).where(condition))
    return int(result.rowcount)  # type: ignore[attr-defined]


def delete_comments(
    session: Session, comments: list[Comment], quote_match: QuoteMatch, counts: Counter[str]
) -> None:
    """Delete comments and what hangs off them, adding how many of each went to `counts`."""
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
        counts[name] += delete_where(session, model, col(column).in_(ids))
    organisations = {c.organisation_id for c in comments}
    _forget_in_samples(session, organisations, set(ids))
    texts = [c.text_redacted for c in comments]
    counts["discovery quotes"] += _forget_in_clusters(
        session, organisations, set(ids), texts, quote_match
    )
    counts["comments"] += delete_where(session, Comment, col(Comment.id).in_(ids))


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
