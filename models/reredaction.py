"""Redacting stored words again, after redaction has learned to find more.

A comment is redacted once, when it arrives, and its words are copied: into plan evidence
and “You said, we did” quotes, and into the clusters and results that discovery keeps.
When redaction improves (a new pattern, more names it knows), or an organisation adds
staff or settings, everything stored before keeps what the old redaction missed.
`redact_again` runs the current redaction over every stored copy in one organisation.

Redaction leaves its own placeholders alone, so a second run changes nothing. Models does
no text analysis: the caller passes the redaction to apply, already holding the
organisation's staff names and settings; the respondent's own name is added per comment
while the response still holds it. Machine coding and sentiment are not redone. The
caller commits.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.coding import Comment
from models.jobs import Job
from models.plan_evidence import EvidenceLink
from models.responses import Response
from models.review import DiscoveredCluster
from models.yswd import YswdQuote

#: The redaction to apply: the stored words and any more names to remove, to new words.
Redact = Callable[[str, Sequence[str]], str]
#: Rows read per statement, so a large organisation is never held in memory at once.
BATCH = 1000


def redact_again(
    *, session: Session, organisation_id: int, redact: Redact, dry_run: bool = False
) -> Counter[str]:
    """Redact every stored copy of respondents' words again; count what changed, by kind.

    With ``dry_run`` nothing is written. The kinds are comments, plan evidence quotes,
    yswd quotes, discovery clusters and discovery results.
    """
    counts: Counter[str] = Counter()
    own_names = _respondent_names(session, organisation_id)
    last = 0
    while rows := session.exec(
        select(Comment.id, Comment.text_redacted, Comment.response_id)
        .where(Comment.organisation_id == organisation_id, col(Comment.id) > last)
        .order_by(col(Comment.id))
        .limit(BATCH)
    ).all():
        for comment_id, text, response_id in rows:
            new = redact(text, own_names.get(response_id, ()))
            if new != text:
                counts["comments"] += 1
                if not dry_run:
                    _update(session, Comment, comment_id, text_redacted=new)
        last = rows[-1][0] or 0
    for model, column, kind in (
        (EvidenceLink, "quote", "plan evidence quotes"),
        (YswdQuote, "text", "yswd quotes"),
    ):
        quotes = session.exec(
            select(model.id, getattr(model, column))
            .join(Comment, col(Comment.id) == model.comment_id)
            .where(Comment.organisation_id == organisation_id)
        ).all()
        for row_id, text in quotes:
            new = redact(text, ())
            if new != text:
                counts[kind] += 1
                if not dry_run:
                    _update(session, model, row_id, **{column: new})
    _redact_discovery(session, organisation_id, redact, dry_run, counts)
    return counts


def _update(session: Session, model: Any, row_id: int | None, **values: str) -> None:
    session.execute(update(model).where(model.id == row_id).values(**values))


def _respondent_names(session: Session, organisation_id: int) -> dict[int | None, tuple[str]]:
    """Each response's respondent name, while it is still held (retention strips it)."""
    rows = session.exec(
        select(Response.id, Response.respondent_name).where(
            Response.organisation_id == organisation_id,
            col(Response.respondent_name).is_not(None),
            col(Response.respondent_name) != "",
        )
    )
    return {response_id: (name,) for response_id, name in rows if name}


def _redact_discovery(
    session: Session, organisation_id: int, redact: Redact, dry_run: bool, counts: Counter[str]
) -> None:
    """Clusters keep a name, keywords and quotes, and their job's result lists them too."""
    clusters = session.exec(
        select(DiscoveredCluster).where(DiscoveredCluster.organisation_id == organisation_id)
    ).all()
    for cluster in clusters:
        found = _redacted_theme(
            {"name": cluster.name, "keywords": cluster.keywords, "representatives": cluster.quotes},
            redact,
        )
        if found is None:
            continue
        counts["discovery clusters"] += 1
        if not dry_run:
            cluster.name = found["name"]
            cluster.keywords = found["keywords"]
            cluster.quotes = found["representatives"]
            session.add(cluster)
    jobs = session.exec(select(Job).where(Job.organisation_id == organisation_id)).all()
    for job in jobs:
        themes = job.result.get("themes") if isinstance(job.result, dict) else None
        if not isinstance(themes, list):
            continue
        redacted = [
            _redacted_theme(theme, redact) if isinstance(theme, dict) else None for theme in themes
        ]
        if not any(redacted):
            continue
        counts["discovery results"] += 1
        if not dry_run:
            themes = [new or old for new, old in zip(redacted, themes, strict=True)]
            job.result = {**job.result, "themes": themes}
            session.add(job)


def _redacted_theme(theme: dict[str, Any], redact: Redact) -> dict[str, Any] | None:
    """A discovered theme with its words redacted again, or None if nothing changed.

    A keyword that redaction would change is dropped: a placeholder is not a keyword.
    """
    name = str(theme.get("name", ""))
    keywords = [str(word) for word in theme.get("keywords", [])]
    quotes = [str(quote) for quote in theme.get("representatives", [])]
    new_name = redact(name, ())
    new_keywords = [word for word in keywords if redact(word, ()) == word]
    new_quotes = [redact(quote, ()) for quote in quotes]
    if (new_name, new_keywords, new_quotes) == (name, keywords, quotes):
        return None
    return {**theme, "name": new_name, "keywords": new_keywords, "representatives": new_quotes}
