"""Splitting a discovered cluster that mixes two things into two smaller clusters.

Discovery runs again on the cluster's comments alone, asking for two themes; each becomes
a cluster to review, kept as the split cluster's children.
"""

from typing import Any

from flask_login import current_user
from sqlmodel import col, select

from models.coding import Comment
from models.review import ClusterStatus, DiscoveredCluster, decide_cluster
from webapp import db
from webapp.discovery_jobs import found_cluster
from webapp.wording import counted

#: A cluster needs this many comments before it can be split in two.
MIN_SPLIT_COMMENTS = 6


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


def cluster_comments(cluster: DiscoveredCluster, *, chunk: int) -> list[Comment]:
    """The cluster's comments that still exist, in the order discovery kept them.

    A comment flagged since discovery ran is left out: its words are for the safeguarding
    lead alone, so they are neither split again nor quoted. One query per `chunk` ids.
    """
    ids = list(dict.fromkeys(cluster.comment_ids))
    found: dict[int, Comment] = {}
    for start in range(0, len(ids), chunk):
        query = (
            select(Comment)
            .where(col(Comment.id).in_(ids[start : start + chunk]))
            .where(Comment.organisation_id == cluster.organisation_id)
            .where(col(Comment.flagged).is_(False))
        )
        found.update((comment.id, comment) for comment in db.session().exec(query))  # type: ignore[misc]
    return [found[i] for i in ids if i in found]


def save_split(
    cluster: DiscoveredCluster,
    comments: list[Comment],
    halves: list[tuple[Any, list[int]]],
) -> list[DiscoveredCluster]:
    """Keep the two halves as the cluster's children, and mark the cluster split."""
    session = db.session()
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
    return children
