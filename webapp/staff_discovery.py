"""Reviewing the themes discovery found: make one a theme, add it to one, split or dismiss it.

A discovery job keeps each cluster it found (webapp/discovery_jobs.py). Here a participation
worker or officer reads each cluster's name, keywords and example comments and decides:

* create a theme from it: the theme is added to the codebook as a new version, and
  suggested on the cluster's comments for reviewers to accept or reject;
* add it to an existing theme: that theme is suggested on the comments, and the cluster's
  example comments join the theme's examples;
* split it in two, when it mixes two things: discovery runs again on its comments alone;
* dismiss it, when it is not a theme (a dismissed cluster can be reopened).

Each decision is made once: a cluster that is no longer open cannot be decided again, even
by two people pressing the button at the same moment.

This module holds the blueprint, the routes and the guards that make each decision once.
The page listing a run's clusters is built in webapp/discovery_page.py, the forms are in
webapp/discovery_forms.py, and the decisions' work in webapp/discovery_themes.py and
webapp/discovery_split.py.
"""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import update
from sqlmodel import col
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.codebook_files import MAX_EXAMPLES
from models import record_event
from models.coding import Codebook, list_themes
from models.jobs import get_job
from models.review import (
    ChangeKind,
    ClusterStatus,
    DiscoveredCluster,
    decide_cluster,
    get_cluster,
)
from webapp import db
from webapp.access import roles_required
from webapp.discovery_forms import ActionForm, MergeForm, ThemeForm
from webapp.discovery_page import cluster_run, index_page, index_url, runs_of, shown_quotes
from webapp.discovery_split import SplitProblem, cluster_comments, save_split, split_in_two
from webapp.discovery_themes import (
    add_examples,
    add_theme,
    created_text,
    give_theme,
    merged_text,
    theme_prefill,
)
from webapp.staff_analysis import ANALYSTS
from webapp.staff_codebooks import load_codebook, org_id

bp = Blueprint("discovery", __name__, url_prefix="/staff/codebooks")

#: Comment ids read in one query: PostgreSQL takes at most 65,535 values in a statement.
IDS_AT_ONCE = 5000


# -- loading and guarding ------------------------------------------------------------------


def load_cluster(codebook_id: int, cluster_id: int) -> tuple[Codebook, DiscoveredCluster]:
    """The codebook and one of its clusters, within the signed-in person's organisation."""
    codebook = load_codebook(codebook_id)
    cluster = get_cluster(session=db.session(), organisation_id=org_id(), cluster_id=cluster_id)
    if cluster is None or cluster.codebook_id != codebook.id:
        abort(404)
    return codebook, cluster


def _back(cluster: DiscoveredCluster) -> WerkzeugResponse:
    return redirect(index_url(cluster))


def _decided_already(cluster: DiscoveredCluster) -> WerkzeugResponse:
    said = {
        ClusterStatus.CREATED: "has already been made into a theme",
        ClusterStatus.MERGED: "has already been added to a theme",
        ClusterStatus.SPLIT: "has already been split",
        ClusterStatus.DISMISSED: "has been dismissed. Reopen it first",
    }[ClusterStatus(cluster.status)]
    flash(f"“{cluster.name}” {said}, so nothing was changed.")
    return _back(cluster)


def _not_open(cluster: DiscoveredCluster) -> WerkzeugResponse | None:
    return None if cluster.status == ClusterStatus.OPEN else _decided_already(cluster)


def _claim(cluster: DiscoveredCluster, status: ClusterStatus) -> bool:
    """Decide an open cluster, in one conditional UPDATE.

    False means someone else decided it first (or it is not open); the caller changes
    nothing. On PostgreSQL the UPDATE holds the row until the request commits, so a second
    request waits and then finds the cluster decided.
    """
    session = db.session()
    result = session.execute(
        update(DiscoveredCluster)
        .where(
            col(DiscoveredCluster.id) == cluster.id,
            col(DiscoveredCluster.status) == ClusterStatus.OPEN,
        )
        .values(status=status)
    )
    session.refresh(cluster)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _decided_first(cluster: DiscoveredCluster, status: ClusterStatus) -> WerkzeugResponse | None:
    """Claim the cluster; if someone decided it first, undo this request and say so."""
    if _claim(cluster, status):
        return None
    db.session().rollback()
    return _decided_already(cluster)


def _audit(action: str, cluster: DiscoveredCluster, details: dict[str, Any] | None = None) -> None:
    """Who decided which cluster; ids and counts only, never the comments' words."""
    record_event(
        session=db.session(),
        action=f"discovery.cluster.{action}",
        actor_user_id=current_user.id,
        organisation_id=org_id(),
        object_type="discovered_cluster",
        object_id=cluster.id,
        details={
            "codebook_id": cluster.codebook_id,
            "job_id": cluster.job_id,
            "size": cluster.size,
            **(details or {}),
        },
    )


def _check_action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


# -- the discovery page --------------------------------------------------------------------


@bp.get("/<int:codebook_id>/discovery")
@roles_required(*ANALYSTS)
def index(codebook_id: int) -> str:
    """The clusters the newest discovery run found (or an older run's), open ones first."""
    codebook = load_codebook(codebook_id)
    runs = runs_of(codebook.id)  # type: ignore[arg-type]
    job_id = request.args.get("job", type=int)
    if job_id is not None and job_id not in runs:
        # A run that kept no groups (it finished before groups were kept) shows the newest.
        found = get_job(session=db.session(), organisation_id=org_id(), job_id=job_id)
        if found is None or found.params.get("codebook_id") != codebook.id:
            abort(404)
        job_id = None
    return index_page(codebook, runs, job_id)


# -- creating a theme, or adding a cluster to one ------------------------------------------


@bp.route("/<int:codebook_id>/discovery/<int:cluster_id>/theme", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def create_theme(codebook_id: int, cluster_id: int) -> str | WerkzeugResponse:
    """Make a cluster a new theme, and suggest the theme on the cluster's comments."""
    session = db.session()
    codebook, cluster = load_cluster(codebook_id, cluster_id)
    notice = _not_open(cluster)
    if notice:
        return notice
    every = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    active = [theme for theme in every if theme.active]
    form = ThemeForm(active, data=theme_prefill(cluster) if request.method == "GET" else None)
    if form.validate_on_submit():
        refused = _decided_first(cluster, ClusterStatus.CREATED)
        if refused:
            return refused
        name = form.name.data or ""
        theme = add_theme(codebook, form, every)
        summary = f"Created “{name}” from a discovered cluster"
        suggested = give_theme(
            codebook,
            cluster,
            theme,
            ChangeKind.CREATED,
            summary,
            ClusterStatus.CREATED,
            chunk=IDS_AT_ONCE,
        )
        _audit("created", cluster, {"theme_id": theme.id, "suggested": suggested})
        session.commit()
        flash(created_text(name, suggested), "success")
        return _back(cluster)
    return render_template(
        "staff/discovery/create.html",
        form=form,
        codebook=codebook,
        cluster=cluster,
        back_url=index_url(cluster),
    )


@bp.route("/<int:codebook_id>/discovery/<int:cluster_id>/merge", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def merge(codebook_id: int, cluster_id: int) -> str | WerkzeugResponse:
    """Add a cluster to an existing theme: suggest it on the comments, keep the examples."""
    session = db.session()
    codebook, cluster = load_cluster(codebook_id, cluster_id)
    notice = _not_open(cluster)
    if notice:
        return notice
    active = list_themes(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    form = MergeForm(active)
    quotes = shown_quotes([cluster])[cluster.id]  # type: ignore[index]
    if active and form.validate_on_submit():
        refused = _decided_first(cluster, ClusterStatus.MERGED)
        if refused:
            return refused
        theme = next(t for t in active if t.id == form.theme.data)
        added, left_out = add_examples(theme, [quote.text for quote in quotes])
        summary = f"Added discovered cluster “{cluster.name}” to “{theme.name}”"
        suggested = give_theme(
            codebook,
            cluster,
            theme,
            ChangeKind.EDITED,
            summary,
            ClusterStatus.MERGED,
            chunk=IDS_AT_ONCE,
        )
        counts = {"examples_added": added, "examples_left_out": left_out}
        _audit("merged", cluster, {"theme_id": theme.id, "suggested": suggested, **counts})
        session.commit()
        flash(merged_text(cluster, theme, suggested, left_out), "success")
        return _back(cluster)
    return render_template(
        "staff/discovery/merge.html",
        form=form,
        codebook=codebook,
        cluster=cluster,
        quotes=quotes,
        has_themes=bool(active),
        back_url=index_url(cluster),
        max_examples=MAX_EXAMPLES,
    )


# -- splitting, dismissing and reopening ---------------------------------------------------


@bp.post("/<int:codebook_id>/discovery/<int:cluster_id>/split")
@roles_required(*ANALYSTS)
def split(codebook_id: int, cluster_id: int) -> str | WerkzeugResponse:
    """Split a cluster that mixes two things into two smaller clusters to review."""
    session = db.session()
    codebook, cluster = load_cluster(codebook_id, cluster_id)
    _check_action()
    notice = _not_open(cluster)
    if notice:
        return notice
    comments = cluster_comments(cluster, chunk=IDS_AT_ONCE)
    try:
        halves = split_in_two([comment.text_redacted for comment in comments])
    except SplitProblem as problem:
        runs = runs_of(codebook.id)  # type: ignore[arg-type]
        job = cluster_run(cluster, runs)
        return index_page(codebook, runs, job, problem=(cluster.id, str(problem)))  # type: ignore[arg-type]
    refused = _decided_first(cluster, ClusterStatus.SPLIT)
    if refused:
        return refused
    children = save_split(cluster, comments, halves)
    _audit("split", cluster, {"into": [child.id for child in children]})
    session.commit()
    flash(
        f"“{cluster.name}” split into “{children[0].name}” and “{children[1].name}”.",
        "success",
    )
    return _back(children[0])


@bp.post("/<int:codebook_id>/discovery/<int:cluster_id>/dismiss")
@roles_required(*ANALYSTS)
def dismiss(codebook_id: int, cluster_id: int) -> WerkzeugResponse:
    """Set aside a cluster that is not a theme."""
    session = db.session()
    _codebook, cluster = load_cluster(codebook_id, cluster_id)
    _check_action()
    refused = _decided_first(cluster, ClusterStatus.DISMISSED)
    if refused:
        return refused
    decide_cluster(
        session=session, cluster=cluster, status=ClusterStatus.DISMISSED, user_id=current_user.id
    )
    _audit("dismissed", cluster)
    session.commit()
    flash(f"“{cluster.name}” dismissed. You can reopen it from the decided groups.", "success")
    return _back(cluster)


@bp.post("/<int:codebook_id>/discovery/<int:cluster_id>/reopen")
@roles_required(*ANALYSTS)
def reopen(codebook_id: int, cluster_id: int) -> WerkzeugResponse:
    """Put a dismissed cluster back among those to review."""
    session = db.session()
    _codebook, cluster = load_cluster(codebook_id, cluster_id)
    _check_action()
    if cluster.status != ClusterStatus.DISMISSED:
        flash(f"Only a dismissed group can be reopened, so “{cluster.name}” was not changed.")
        return _back(cluster)
    cluster.status = ClusterStatus.OPEN
    cluster.decided_by_id = None
    cluster.decided_at = None
    session.add(cluster)
    _audit("reopened", cluster)
    session.commit()
    flash(f"“{cluster.name}” reopened.", "success")
    return _back(cluster)
