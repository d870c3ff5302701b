"""The discovery page: the clusters one run found, open ones first, with their quotes.

Also the runs a codebook has had, and the link back to a cluster on its run's page.
"""

from typing import NamedTuple

from flask import render_template, url_for
from sqlmodel import col, select

from analysis.codebook_files import same_name
from models import list_users
from models.coding import Codebook, Comment, list_themes
from models.jobs import Job, JobStatus, get_job, list_jobs
from models.review import ClusterStatus, DiscoveredCluster, list_clusters
from webapp import db
from webapp.discovery_jobs import quote_languages, quoted_forms
from webapp.staff_analysis import DiscoverForm
from webapp.staff_codebooks import org_id

#: What each status is called on the page.
STATUS_TEXT = {
    ClusterStatus.OPEN: "To review",
    ClusterStatus.CREATED: "New theme",
    ClusterStatus.MERGED: "Added to a theme",
    ClusterStatus.SPLIT: "Split",
    ClusterStatus.DISMISSED: "Dismissed",
}


class Quote(NamedTuple):
    """A cluster's example comment, and the language choice its writer wrote it in."""

    text: str
    language: str


def shown_quotes(clusters: list[DiscoveredCluster]) -> dict[int, list[Quote]]:
    """Each cluster's quotes, less any from a comment that has raised a safeguarding concern.

    A comment may be flagged after discovery quoted it; its words are then for the
    safeguarding lead alone. A quote is the comment's text on one line, redacted again, so
    a flagged comment's quote is known by either form.
    """
    ids = {comment_id for cluster in clusters for comment_id in cluster.comment_ids}
    written = quote_languages(
        db.session(), org_id(), ids, [quote for cluster in clusters for quote in cluster.quotes]
    )
    flagged = db.session().exec(
        select(Comment.id, Comment.text_redacted)
        .where(Comment.organisation_id == org_id())
        .where(col(Comment.flagged).is_(True))
    )
    hidden = {
        form for comment_id, text in flagged if comment_id in ids for form in quoted_forms(text)
    }
    return {
        cluster.id: [  # type: ignore[misc]
            Quote(quote, written[quote])
            for quote in cluster.quotes
            if same_name(quote) not in hidden
        ]
        for cluster in clusters
    }


def runs_of(codebook_id: int) -> list[int]:
    """The discovery jobs that found clusters for this codebook, newest first."""
    query = (
        select(DiscoveredCluster.job_id)
        .where(DiscoveredCluster.organisation_id == org_id())
        .where(DiscoveredCluster.codebook_id == codebook_id)
        .distinct()
        .order_by(col(DiscoveredCluster.job_id).desc())
    )
    return list(db.session().exec(query))


def cluster_run(cluster: DiscoveredCluster, runs: list[int]) -> int | None:
    """The run to show the cluster at: None for the newest, which the page shows anyway."""
    return None if runs[:1] == [cluster.job_id] else cluster.job_id


def index_url(cluster: DiscoveredCluster) -> str:
    """The discovery page, at the run the cluster came from and at the cluster itself."""
    job = cluster_run(cluster, runs_of(cluster.codebook_id))
    return url_for(".index", codebook_id=cluster.codebook_id, job=job) + f"#cluster-{cluster.id}"


def index_page(
    codebook: Codebook,
    runs: list[int],
    job_id: int | None,
    problem: tuple[int, str] | None = None,
) -> str:
    """The page for one run (the newest when `job_id` is None), with any problem splitting."""
    session = db.session()
    shown = job_id if job_id is not None else (runs[0] if runs else None)
    clusters = _clusters(codebook, shown)
    jobs = {run: get_job(session=session, organisation_id=org_id(), job_id=run) for run in runs}
    themes = {
        theme.id: theme
        for theme in list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    }
    open_clusters = [c for c in clusters if c.status == ClusterStatus.OPEN]
    return render_template(
        "staff/discovery/index.html",
        codebook=codebook,
        job=jobs.get(shown) if shown is not None else None,
        newest=shown is None or shown == runs[0],
        open_clusters=open_clusters,
        quotes=shown_quotes(open_clusters),
        decided=[c for c in clusters if c.status != ClusterStatus.OPEN],
        by_id={c.id: c for c in clusters},
        themes=themes,
        names={u.id: u.full_name for u in list_users(session=session, organisation_id=org_id())},
        older=[jobs[run] for run in runs if run != shown and jobs[run] is not None],
        running=_running(codebook),
        status_text=STATUS_TEXT,
        discover_form=DiscoverForm(formdata=None),
        problem=problem,
        page_has_errors=problem is not None,
    )


def _clusters(codebook: Codebook, job_id: int | None) -> list[DiscoveredCluster]:
    if job_id is None:
        return []
    return list_clusters(
        session=db.session(),
        organisation_id=org_id(),
        codebook_id=codebook.id,  # type: ignore[arg-type]
        job_id=job_id,
    )


def _running(codebook: Codebook) -> Job | None:
    """The codebook's discovery job waiting or running, if there is one."""
    running = [
        job
        for job in list_jobs(session=db.session(), organisation_id=org_id(), kind="discover")
        if job.params.get("codebook_id") == codebook.id
        and job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    ]
    return running[0] if running else None
