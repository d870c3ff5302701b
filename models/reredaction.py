"""Redacting stored words again, after redaction has learned to find more.

A comment is redacted once, when it arrives, and its words are copied: into plan evidence
and “You said, we did” quotes, into the clusters and results that discovery keeps, and
from there into themes' examples and the codebook's history. When redaction improves (a
new pattern, more names it knows), or an organisation adds staff or settings, everything
stored before keeps what the old redaction missed. `redact_again` runs the current
redaction over every stored copy in one organisation.

A copy that is still its comment's words becomes the comment's new words, so a quote and
its comment stay the same text and erasure still finds one from the other. Discovery's
quotes are a comment on one line, redacted again, and are rebuilt the same way. Any other
copy is redacted where it stands. The respondent's own name is removed from their comment
and from every copy of it, while the response still holds the name.

Redaction leaves its own placeholders alone, so a second run changes nothing. Models does
no text analysis: the caller passes the redaction to apply, already holding the
organisation's staff names and settings. Machine coding, sentiment and trained coder
models are not redone. The caller commits.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.coding import Codebook, Comment, Theme
from models.jobs import Job
from models.plan_evidence import EvidenceLink
from models.privacy import same_words
from models.responses import Response
from models.review import CodebookSnapshot, DiscoveredCluster
from models.yswd import YswdQuote

#: The redaction to apply: the stored words and any more names to remove, to new words.
Redact = Callable[[str, Sequence[str]], str]
#: Comments read per statement, so an organisation's comments are never all in memory.
BATCH = 1000
#: What `redact_again` counts.
KINDS = (
    "comments",
    "plan evidence quotes",
    "yswd quotes",
    "discovery clusters",
    "discovery results",
    "theme examples",
    "codebook versions",
)


@dataclass
class _Run:
    """What one run has learned so far: the respondents' own names, and each changed
    comment's old and new words (only changed ones are kept)."""

    session: Session
    organisation_id: int
    redact: Redact
    dry_run: bool
    own_names: dict[int, tuple[str, ...]]
    names_of_comment: dict[int, tuple[str, ...]] = field(default_factory=dict)
    changed: dict[int, tuple[str, str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def names_for(self, comment_ids: Iterable[int]) -> tuple[str, ...]:
        found: dict[str, None] = {}
        for comment_id in comment_ids:
            found.update(dict.fromkeys(self.names_of_comment.get(comment_id, ())))
        return tuple(found)

    def copy_of(self, text: str, comment_ids: Iterable[int], one_line: bool = False) -> str:
        """A copy of one of these comments' words, redacted again (see the module's note)."""
        ids = list(comment_ids)
        for comment_id in ids:
            if comment_id in self.changed:
                old, new = self.changed[comment_id]
                source = " ".join(old.split()) if one_line else old
                if same_words(text, source):
                    if one_line:
                        names = self.names_of_comment.get(comment_id, ())
                        return self.redact(" ".join(new.split()), names)
                    return new
        return self.redact(text, self.names_for(ids))


def redact_again(
    *, session: Session, organisation_id: int, redact: Redact, dry_run: bool = False
) -> Counter[str]:
    """Redact every stored copy of respondents' words again; count what changed, by kind
    (see :data:`KINDS`). With ``dry_run`` nothing is written."""
    run = _Run(
        session, organisation_id, redact, dry_run, _respondent_names(session, organisation_id)
    )
    _redact_comments(run)
    _redact_quotes(run)
    _redact_discovery(run)
    _redact_codebooks(run)
    return Counter({kind: run.counts[kind] for kind in KINDS})


def _respondent_names(session: Session, organisation_id: int) -> dict[int, tuple[str, ...]]:
    """Each response's respondent name, while it is still held (retention strips it)."""
    rows = session.exec(
        select(Response.id, Response.respondent_name).where(
            Response.organisation_id == organisation_id,
            col(Response.respondent_name).is_not(None),
            col(Response.respondent_name) != "",
        )
    )
    return {response_id: (name,) for response_id, name in rows if response_id and name}


def _redact_comments(run: _Run) -> None:
    last = 0
    while rows := run.session.exec(
        select(Comment.id, Comment.text_redacted, Comment.response_id)
        .where(Comment.organisation_id == run.organisation_id, col(Comment.id) > last)
        .order_by(col(Comment.id))
        .limit(BATCH)
    ).all():
        for comment_id, text, response_id in rows:
            names = run.own_names.get(response_id or 0, ())
            if names:
                run.names_of_comment[comment_id] = names  # type: ignore[index]
            new = run.redact(text, names)
            if new != text:
                run.changed[comment_id] = (text, new)  # type: ignore[index]
                run.counts["comments"] += 1
                if not run.dry_run:
                    _update(run.session, Comment, comment_id, text_redacted=new)
        last = rows[-1][0] or 0


def _redact_quotes(run: _Run) -> None:
    """Quotes chosen for plan evidence and “You said, we did”, each from one comment."""
    for model, column, kind in (
        (EvidenceLink, "quote", "plan evidence quotes"),
        (YswdQuote, "text", "yswd quotes"),
    ):
        quotes = run.session.exec(
            select(model.id, getattr(model, column), model.comment_id)
            .join(Comment, col(Comment.id) == model.comment_id)
            .where(Comment.organisation_id == run.organisation_id)
        ).all()
        for row_id, text, comment_id in quotes:
            new = run.copy_of(text, [comment_id or 0])
            if new != text:
                run.counts[kind] += 1
                if not run.dry_run:
                    _update(run.session, model, row_id, **{column: new})


def _redact_discovery(run: _Run) -> None:
    """Clusters keep a name, keywords and quotes; their discovery job's result lists them
    too. A quote is one of the cluster's comments, so it is matched among those."""
    clusters = run.session.exec(
        select(DiscoveredCluster).where(DiscoveredCluster.organisation_id == run.organisation_id)
    ).all()
    comments_of_job: dict[int, set[int]] = {}
    for cluster in clusters:
        comments_of_job.setdefault(cluster.job_id, set()).update(cluster.comment_ids)
        theme = {
            "name": cluster.name,
            "keywords": cluster.keywords,
            "representatives": cluster.quotes,
        }
        found = _redacted_theme(run, theme, cluster.comment_ids)
        if found is None:
            continue
        run.counts["discovery clusters"] += 1
        if not run.dry_run:
            cluster.name = found["name"]
            cluster.keywords = found["keywords"]
            cluster.quotes = found["representatives"]
            run.session.add(cluster)
    jobs = run.session.exec(
        select(Job).where(
            Job.organisation_id == run.organisation_id,
            col(Job.kind) == "discover",
        )
    ).all()
    for job in jobs:
        themes = job.result.get("themes") if isinstance(job.result, dict) else None
        if not isinstance(themes, list):
            continue
        ids = comments_of_job.get(job.id or 0, set())
        redacted = [
            _redacted_theme(run, theme, ids) if isinstance(theme, dict) else None
            for theme in themes
        ]
        if not any(redacted):
            continue
        run.counts["discovery results"] += 1
        if not run.dry_run:
            themes = [new or old for new, old in zip(redacted, themes, strict=True)]
            job.result = {**job.result, "themes": themes}
            run.session.add(job)


def _redacted_theme(
    run: _Run, theme: dict[str, Any], comment_ids: Iterable[int]
) -> dict[str, Any] | None:
    """A discovered theme with its words redacted again, or None if nothing changed.

    A keyword that redaction would change is dropped: a placeholder is not a keyword.
    """
    ids = list(comment_ids)
    names = run.names_for(ids)
    name = str(theme.get("name", ""))
    keywords = [str(word) for word in theme.get("keywords", [])]
    quotes = [str(quote) for quote in theme.get("representatives", [])]
    new_name = run.redact(name, names)
    new_keywords = [word for word in keywords if run.redact(word, names) == word]
    new_quotes = [run.copy_of(quote, ids, one_line=True) for quote in quotes]
    if (new_name, new_keywords, new_quotes) == (name, keywords, quotes):
        return None
    return {**theme, "name": new_name, "keywords": new_keywords, "representatives": new_quotes}


def _redact_codebooks(run: _Run) -> None:
    """Themes' examples, which may have come from discovery's quotes, now and in the
    snapshots of the codebook's earlier versions."""
    codebook_ids = list(
        run.session.exec(select(Codebook.id).where(Codebook.organisation_id == run.organisation_id))
    )
    if not codebook_ids:
        return
    every_name = run.names_for(run.names_of_comment)
    themes = run.session.exec(select(Theme).where(col(Theme.codebook_id).in_(codebook_ids))).all()
    for theme in themes:
        examples = _redacted_examples(run, theme.examples, every_name)
        if examples is not None:
            run.counts["theme examples"] += 1
            if not run.dry_run:
                theme.examples = examples
                run.session.add(theme)
    snapshots = run.session.exec(
        select(CodebookSnapshot).where(col(CodebookSnapshot.codebook_id).in_(codebook_ids))
    ).all()
    for snapshot in snapshots:
        changed = False
        redone = []
        for saved in snapshot.themes:
            examples = _redacted_examples(run, saved.get("examples", []), every_name)
            changed = changed or examples is not None
            redone.append(saved if examples is None else {**saved, "examples": examples})
        if changed:
            run.counts["codebook versions"] += 1
            if not run.dry_run:
                snapshot.themes = redone
                run.session.add(snapshot)


def _redacted_examples(run: _Run, examples: list[str], names: Sequence[str]) -> list[str] | None:
    """The examples redacted again; None if none of them changed."""
    redone = [run.redact(str(example), names) for example in examples]
    return redone if redone != list(examples) else None


def _update(session: Session, model: Any, row_id: int | None, **values: str) -> None:
    session.execute(update(model).where(model.id == row_id).values(**values))
