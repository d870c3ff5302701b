"""Finding themes, run by the queue's worker: the clusters it finds are kept for review.

Each cluster keeps its name, keywords, a few redacted quotes and the comments in it, so a
participation worker can turn it into a theme, fold it into one, split it or dismiss it.
"""

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from analysis.codebook_files import MAX_NAME, same_name
from analysis.redaction import redact
from models.coding import Comment, get_codebook, list_comments
from models.jobs import Job
from models.review import DiscoveredCluster
from webapp.analysis_jobs import MIN_DISCOVERY_COMMENTS, JobProblem, Report


def run_discovery(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Propose themes from the organisation's comments."""
    from analysis.discovery import ThemeDiscovery

    codebook = get_codebook(
        session=session,
        organisation_id=job.organisation_id,
        codebook_id=job.params.get("codebook_id") or 0,
    )
    if codebook is None:
        raise JobProblem("The codebook no longer exists.")
    report(5, "Reading comments")
    comments = list_comments(session=session, organisation_id=job.organisation_id)
    # A comment that raised a safeguarding concern is for the safeguarding lead alone, so it
    # is never quoted in a cluster or suggested a theme from one.
    comments = [comment for comment in comments if not comment.flagged]
    texts = [comment.text_redacted for comment in comments]
    if len(texts) < MIN_DISCOVERY_COMMENTS:
        raise JobProblem(
            f"Finding themes needs at least {MIN_DISCOVERY_COMMENTS} comments; "
            f"there are {len(texts)}."
        )
    report(15, f"Grouping {len(texts)} comments")
    try:
        model = ThemeDiscovery(n_themes=job.params.get("n_themes"), random_state=0).fit(texts)
    except ValueError as error:
        raise JobProblem(str(error)) from None
    report(90, "Describing each theme")
    labels = [int(label) for label in model.labels_]
    for theme in model.themes_:
        session.add(
            found_cluster(
                theme,
                [c for c, label in zip(comments, labels, strict=True) if label == theme.id],
                organisation_id=job.organisation_id,
                codebook_id=codebook.id,  # type: ignore[arg-type]
                job_id=job.id,  # type: ignore[arg-type]
            )
        )
    session.flush()
    return {
        "n_comments": len(texts),
        "other": sum(1 for label in labels if label < 0),
        "themes": [_describe(theme) for theme in model.themes_],
    }


def found_cluster(
    theme: Any,
    comments: list[Comment],
    *,
    organisation_id: int,
    codebook_id: int,
    job_id: int,
    parent_id: int | None = None,
) -> DiscoveredCluster:
    """A cluster to review, from a theme discovery found and the comments it put in it.

    Both a discovery run and splitting a cluster in two keep what they found this way.
    """
    return DiscoveredCluster(
        organisation_id=organisation_id,
        codebook_id=codebook_id,
        job_id=job_id,
        parent_id=parent_id,
        name=str(theme.name)[:MAX_NAME],
        keywords=[str(word) for word in theme.keywords],
        size=len(comments),
        quotes=[str(text) for text in theme.representatives],
        comment_ids=[comment.id for comment in comments],  # type: ignore[misc]
    )


def _describe(theme: Any) -> dict[str, Any]:
    return {
        "id": int(theme.id),
        "name": str(theme.name),
        "keywords": [str(word) for word in theme.keywords],
        "size": int(theme.size),
        "representatives": [str(text) for text in theme.representatives],
    }


def quote_languages(
    session: Session, organisation_id: int, comment_ids: Iterable[int], quotes: Iterable[str]
) -> dict[str, str]:
    """Each quote with the language choice it was written in, from the comments quoted.

    A quote is a comment's text on one line, redacted again, so it is matched to a comment
    by either form. Only comments not in English are read: a quote that matches none of them
    (or whose comment is gone) is English.
    """
    quotes = list(quotes)
    wanted = {same_name(quote) for quote in quotes}
    ids = set(comment_ids)
    found: dict[str, str] = {}
    if wanted and ids:
        others = session.exec(
            select(Comment.id, Comment.text_redacted, Comment.language)
            .where(Comment.organisation_id == organisation_id)
            .where(col(Comment.language) != "en")
        )
        for comment_id, text, language in others:
            if comment_id in ids:
                found.update(dict.fromkeys(quoted_forms(text) & wanted, language))
    return {quote: found.get(same_name(quote), "en") for quote in quotes}


def quoted_forms(text: str) -> set[str]:
    """The forms a comment's quote can take, compared as `same_name` does: a quote is the
    comment's text on one line, redacted again, which may or may not change it."""
    return {same_name(text), same_name(redact(" ".join(text.split())))}
