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
"""

from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import update
from sqlmodel import col, select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, Optional

from analysis.codebook_files import (
    MAX_DESCRIPTION,
    MAX_EXAMPLE,
    MAX_EXAMPLES,
    MAX_NAME,
    clean,
    example_lines,
    example_problem,
    key_from_name,
    new_examples,
    one_line,
    same_name,
    unique_key,
)
from forms.base import HeardForm
from forms.widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from models import list_users, record_event
from models.coding import (
    Codebook,
    Comment,
    Theme,
    add_themes,
    in_tree_order,
    list_themes,
)
from models.jobs import JobStatus, get_job, list_jobs
from models.review import (
    ChangeKind,
    ClusterStatus,
    DiscoveredCluster,
    decide_cluster,
    get_cluster,
    list_clusters,
    new_version,
    suggest_from_cluster,
)
from webapp import db
from webapp.access import roles_required
from webapp.codebook_imports import uses_words_to_avoid
from webapp.discovery_jobs import found_cluster, quote_languages, quoted_forms
from webapp.staff_analysis import ANALYSTS, DiscoverForm
from webapp.staff_codebooks import load_codebook, org_id
from webapp.wording import counted

bp = Blueprint("discovery", __name__, url_prefix="/staff/codebooks")

#: A cluster needs this many comments before it can be split in two.
MIN_SPLIT_COMMENTS = 6
#: Comment ids read in one query: PostgreSQL takes at most 65,535 values in a statement.
IDS_AT_ONCE = 5000
#: What each status is called on the page.
STATUS_TEXT = {
    ClusterStatus.OPEN: "To review",
    ClusterStatus.CREATED: "New theme",
    ClusterStatus.MERGED: "Added to a theme",
    ClusterStatus.SPLIT: "Split",
    ClusterStatus.DISMISSED: "Dismissed",
}


def quotes_to_add(examples: list[str], quotes: list[str]) -> list[str]:
    """The cluster's quotes that can join a theme's examples.

    A quote the theme has already is left out, and so is one longer than a codebook file
    takes; none is added once the theme has as many examples as a file takes. So a theme
    made or added to from discovery can always be exported and imported again.
    """
    fitting = [quote for quote in new_examples(examples, quotes) if len(quote) <= MAX_EXAMPLE]
    return fitting[: max(0, MAX_EXAMPLES - len(examples))]


class ActionForm(HeardForm):
    """A button that decides a cluster: only its CSRF token is sent."""


class ThemeForm(HeardForm):
    """A new theme, started from a cluster's name, keywords and example comments."""

    name = StringField(
        "Theme name",
        description="A few plain words people will recognise, for example “Waiting for "
        "speech and language therapy”.",
        filters=[one_line],
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the theme name"),
            Length(max=MAX_NAME, message=f"The theme name must be {MAX_NAME} characters or fewer"),
        ],
    )
    description = TextAreaField(
        "What it covers",
        description="Started from the group’s keywords. Say what comments with this theme "
        "are about.",
        filters=[clean],
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(
                max=MAX_DESCRIPTION,
                message=f"What it covers must be {MAX_DESCRIPTION:,} characters or fewer",
            ),
        ],
    )
    parent = SelectField(
        "Parent theme (optional)",
        description="Choose a parent to make this a more detailed part of an existing theme.",
        coerce=int,
        default=0,
        validate_choice=False,
        widget=GovSelect(),
    )
    examples = TextAreaField(
        "Example comments",
        description=f"One a line, up to {MAX_EXAMPLES}. They show people, and the coder, what "
        "the theme looks like. Names and other details were taken out when the comments arrived.",
        widget=GovTextArea(),
    )

    def __init__(self, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parent.choices = [SelectChoice(0, "None: a theme of its own"), *theme_choices(themes)]
        self.taken = {same_name(theme.name) for theme in themes}

    def validate_parent(self, field: Field) -> None:
        _one_of(field, "Select a parent theme from the list, or none")

    def validate_examples(self, field: Field) -> None:
        """No more examples, and none longer, than a codebook file takes."""
        problem = example_problem(example_lines(field.data or ""))
        if problem:
            raise ValidationError(problem)

    def validate(self, extra_validators: Any = None) -> bool:
        """The name is not already a theme, and neither field uses words to avoid."""
        valid = super().validate(extra_validators)
        if not self.name.errors:
            problems = uses_words_to_avoid("The theme name", self.name.data or "")
            if same_name(self.name.data or "") in self.taken:
                problems.append("The codebook already has a theme with this name. Choose another")
            self.name.errors = [*self.name.errors, *problems]
            valid = valid and not problems
        if not self.description.errors:
            problems = uses_words_to_avoid("What it covers", self.description.data or "")
            self.description.errors = [*self.description.errors, *problems]
            valid = valid and not problems
        return valid


class MergeForm(HeardForm):
    """The existing theme a cluster's comments belong to."""

    theme = RadioField(
        "Which theme do these comments belong to?",
        coerce=int,
        validate_choice=False,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the theme to add these comments to")],
    )

    def __init__(self, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.theme.choices = theme_choices(themes)

    def validate_theme(self, field: Field) -> None:
        _one_of(field, "Select the theme to add these comments to")


def _one_of(field: Field, message: str) -> None:
    """Refuse a value that is not one of the field's choices, with one plain message."""
    if field.data not in {choice.value for choice in field.choices}:
        field.errors.clear()  # not also "could not coerce"
        raise ValidationError(message)


def theme_choices(themes: list[Theme]) -> list[SelectChoice]:
    """The codebook's themes in tree order, each child saying which theme it is under."""
    names = {theme.id: theme.name for theme in themes}
    return [
        SelectChoice(
            theme.id,
            f"{theme.name} (under {names[theme.parent_id]})"
            if theme.parent_id in names
            else theme.name,
        )
        for theme, _depth in in_tree_order(themes)
    ]


# -- loading and guarding ------------------------------------------------------------------


def load_cluster(codebook_id: int, cluster_id: int) -> tuple[Codebook, DiscoveredCluster]:
    """The codebook and one of its clusters, within the signed-in person's organisation."""
    codebook = load_codebook(codebook_id)
    cluster = get_cluster(session=db.session(), organisation_id=org_id(), cluster_id=cluster_id)
    if cluster is None or cluster.codebook_id != codebook.id:
        abort(404)
    return codebook, cluster


def _index_url(cluster: DiscoveredCluster) -> str:
    """The discovery page, at the run the cluster came from and at the cluster itself."""
    newest = _runs(cluster.codebook_id)[:1]
    job = None if newest == [cluster.job_id] else cluster.job_id
    return url_for(".index", codebook_id=cluster.codebook_id, job=job) + f"#cluster-{cluster.id}"


def _back(cluster: DiscoveredCluster) -> WerkzeugResponse:
    return redirect(_index_url(cluster))


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


# -- the discovery page --------------------------------------------------------------------


def _runs(codebook_id: int) -> list[int]:
    """The discovery jobs that found clusters for this codebook, newest first."""
    query = (
        select(DiscoveredCluster.job_id)
        .where(DiscoveredCluster.organisation_id == org_id())
        .where(DiscoveredCluster.codebook_id == codebook_id)
        .distinct()
        .order_by(col(DiscoveredCluster.job_id).desc())
    )
    return list(db.session().exec(query))


@bp.get("/<int:codebook_id>/discovery")
@roles_required(*ANALYSTS)
def index(codebook_id: int) -> str:
    """The clusters the newest discovery run found (or an older run's), open ones first."""
    codebook = load_codebook(codebook_id)
    runs = _runs(codebook.id)  # type: ignore[arg-type]
    job_id = request.args.get("job", type=int)
    if job_id is not None and job_id not in runs:
        # A run that kept no groups (it finished before groups were kept) shows the newest.
        found = get_job(session=db.session(), organisation_id=org_id(), job_id=job_id)
        if found is None or found.params.get("codebook_id") != codebook.id:
            abort(404)
        job_id = None
    return _index_page(codebook, runs, job_id)


def _index_page(
    codebook: Codebook,
    runs: list[int],
    job_id: int | None,
    problem: tuple[int, str] | None = None,
) -> str:
    session = db.session()
    shown = job_id if job_id is not None else (runs[0] if runs else None)
    clusters = (
        list_clusters(
            session=session,
            organisation_id=org_id(),
            codebook_id=codebook.id,  # type: ignore[arg-type]
            job_id=shown,
        )
        if shown is not None
        else []
    )
    jobs = {run: get_job(session=session, organisation_id=org_id(), job_id=run) for run in runs}
    running = [
        job
        for job in list_jobs(session=session, organisation_id=org_id(), kind="discover")
        if job.params.get("codebook_id") == codebook.id
        and job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    ]
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
        running=running[0] if running else None,
        status_text=STATUS_TEXT,
        discover_form=DiscoverForm(formdata=None),
        problem=problem,
        page_has_errors=problem is not None,
    )


# -- creating a theme ----------------------------------------------------------------------


def _describe(keywords: list[str]) -> str:
    words = [word for word in keywords if word][:6]
    if not words:
        return ""
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"Comments about {listed}."


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
    quotes = shown_quotes([cluster])[cluster.id]  # type: ignore[index]
    prefill = {
        "name": cluster.name,
        "description": _describe(cluster.keywords),
        "examples": "\n".join(quotes_to_add([], [quote.text for quote in quotes])),
    }
    form = ThemeForm(active, data=prefill if request.method == "GET" else None)
    if form.validate_on_submit():
        if not _claim(cluster, ClusterStatus.CREATED):
            session.rollback()
            return _decided_already(cluster)
        name = form.name.data or ""
        parent = next((t for t in active if t.id == form.parent.data), None)
        [theme] = add_themes(
            session=session,
            codebook=codebook,
            themes=[
                {
                    # No theme of the codebook has the key, not even a retired one.
                    "key": unique_key(key_from_name(name), {t.key for t in every}),
                    "name": name,
                    "description": form.description.data or "",
                    "examples": example_lines(form.examples.data or ""),
                    "parent": parent.key if parent else "",
                }
            ],
        )
        suggested = _give_theme(
            codebook,
            cluster,
            theme,
            ChangeKind.CREATED,
            f"Created “{name}” from a discovered cluster",
            ClusterStatus.CREATED,
        )
        _audit("created", cluster, {"theme_id": theme.id, "suggested": suggested})
        session.commit()
        flash(
            f"Theme “{name}” created. It is suggested on {counted(suggested, 'comment')}, "
            "for people to accept or reject when they review them.",
            "success",
        )
        return _back(cluster)
    return render_template(
        "staff/discovery/create.html",
        form=form,
        codebook=codebook,
        cluster=cluster,
        back_url=_index_url(cluster),
    )


# -- adding a cluster to a theme -----------------------------------------------------------


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
        if not _claim(cluster, ClusterStatus.MERGED):
            session.rollback()
            return _decided_already(cluster)
        theme = next(t for t in active if t.id == form.theme.data)
        # The theme's own examples stay as they are; the new quotes follow, while they fit.
        texts = [quote.text for quote in quotes]
        added = quotes_to_add(theme.examples, texts)
        left_out = len(new_examples(theme.examples, texts)) - len(added)
        theme.examples = [*theme.examples, *added]
        session.add(theme)
        session.flush()
        suggested = _give_theme(
            codebook,
            cluster,
            theme,
            ChangeKind.EDITED,
            f"Added discovered cluster “{cluster.name}” to “{theme.name}”",
            ClusterStatus.MERGED,
        )
        _audit(
            "merged",
            cluster,
            {
                "theme_id": theme.id,
                "suggested": suggested,
                "examples_added": len(added),
                "examples_left_out": left_out,
            },
        )
        session.commit()
        flash(
            f"“{cluster.name}” added to “{theme.name}”. The theme is suggested on "
            f"{counted(suggested, 'comment')}, for people to accept or reject when they review "
            "them." + _left_out_text(left_out),
            "success",
        )
        return _back(cluster)
    return render_template(
        "staff/discovery/merge.html",
        form=form,
        codebook=codebook,
        cluster=cluster,
        quotes=quotes,
        has_themes=bool(active),
        back_url=_index_url(cluster),
        max_examples=MAX_EXAMPLES,
    )


def _give_theme(
    codebook: Codebook,
    cluster: DiscoveredCluster,
    theme: Theme,
    kind: ChangeKind,
    summary: str,
    status: ClusterStatus,
) -> int:
    """Record the codebook's new version, suggest the theme on the cluster's comments and
    mark the cluster decided; return how many comments got the suggestion."""
    session = db.session()
    new_version(
        session=session,
        codebook=codebook,
        kind=kind,
        summary=summary,
        user_id=current_user.id,
        theme=theme,
        details={"cluster_id": cluster.id, "job_id": cluster.job_id},
    )
    suggested = suggest_from_cluster(
        session=session, cluster=cluster, theme=theme, chunk=IDS_AT_ONCE
    )
    decide_cluster(
        session=session, cluster=cluster, status=status, user_id=current_user.id, theme=theme
    )
    return suggested


def _left_out_text(count: int) -> str:
    if not count:
        return ""
    return (
        f" {count} of the group’s example comments {'was' if count == 1 else 'were'} not "
        f"added: a theme keeps up to {MAX_EXAMPLES} examples, each up to {MAX_EXAMPLE:,} "
        "characters."
    )


# -- splitting, dismissing and reopening ---------------------------------------------------


class SplitProblem(Exception):
    """A cluster cannot be split, for a reason the person can read."""


def split_in_two(texts: list[str]) -> list[tuple[Any, list[int]]]:
    """Two smaller clusters from a cluster's comments: each theme with its comments' places.

    Every comment with words in it goes into one of the two; none is left as "other".
    """
    from analysis.discovery import ThemeDiscovery

    if len(texts) < MIN_SPLIT_COMMENTS:
        raise SplitProblem(
            f"This group has {counted(len(texts), 'comment')}. A group needs at least "
            f"{MIN_SPLIT_COMMENTS} comments to be split in two."
        )
    try:
        found = ThemeDiscovery(n_themes=2, random_state=0, other_quantile=0).fit(texts)
    except ValueError:
        found = None
    if found is None or len(found.themes_) < 2:
        raise SplitProblem(
            "This group could not be split: its comments are too alike to make two groups."
        )
    labels = [int(label) for label in found.labels_]
    return [
        (theme, [place for place, label in enumerate(labels) if label == theme.id])
        for theme in found.themes_
    ]


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
    comments = _cluster_comments(cluster)
    try:
        halves = split_in_two([comment.text_redacted for comment in comments])
    except SplitProblem as problem:
        runs = _runs(codebook.id)  # type: ignore[arg-type]
        job = None if runs[:1] == [cluster.job_id] else cluster.job_id
        return _index_page(codebook, runs, job, problem=(cluster.id, str(problem)))  # type: ignore[arg-type]
    if not _claim(cluster, ClusterStatus.SPLIT):
        session.rollback()
        return _decided_already(cluster)
    children = [
        found_cluster(
            theme,
            [comments[place] for place in places],
            organisation_id=cluster.organisation_id,
            codebook_id=cluster.codebook_id,
            job_id=cluster.job_id,
            parent_id=cluster.id,
        )
        for theme, places in halves
    ]
    session.add_all(children)
    session.flush()
    decide_cluster(
        session=session, cluster=cluster, status=ClusterStatus.SPLIT, user_id=current_user.id
    )
    _audit("split", cluster, {"into": [child.id for child in children]})
    session.commit()
    flash(
        f"“{cluster.name}” split into “{children[0].name}” and “{children[1].name}”.",
        "success",
    )
    return _back(children[0])


def _cluster_comments(cluster: DiscoveredCluster) -> list[Comment]:
    """The cluster's comments that still exist, in the order discovery kept them.

    A comment flagged since discovery ran is left out: its words are for the safeguarding
    lead alone, so they are neither split again nor quoted. One query per `IDS_AT_ONCE` ids.
    """
    ids = list(dict.fromkeys(cluster.comment_ids))
    found: dict[int, Comment] = {}
    for start in range(0, len(ids), IDS_AT_ONCE):
        query = (
            select(Comment)
            .where(col(Comment.id).in_(ids[start : start + IDS_AT_ONCE]))
            .where(Comment.organisation_id == cluster.organisation_id)
            .where(col(Comment.flagged).is_(False))
        )
        found.update((comment.id, comment) for comment in db.session().exec(query))  # type: ignore[misc]
    return [found[i] for i in ids if i in found]


@bp.post("/<int:codebook_id>/discovery/<int:cluster_id>/dismiss")
@roles_required(*ANALYSTS)
def dismiss(codebook_id: int, cluster_id: int) -> WerkzeugResponse:
    """Set aside a cluster that is not a theme."""
    session = db.session()
    _codebook, cluster = load_cluster(codebook_id, cluster_id)
    _check_action()
    if not _claim(cluster, ClusterStatus.DISMISSED):
        session.rollback()
        return _decided_already(cluster)
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
