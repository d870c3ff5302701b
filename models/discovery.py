"""Discovery's clusters: the groups of comments a discovery job found, and what became of them.

A person turns a cluster into a new theme, folds it into an existing one, splits it or
dismisses it. A theme made from a cluster is suggested on its comments for reviewers to
accept or reject.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.coding import CodingSource, Comment, CommentTheme, Theme
from models.types import UTCDateTime, utcnow, value_enum


class ClusterStatus(StrEnum):
    OPEN = "open"
    CREATED = "created"  # became a new theme
    MERGED = "merged"  # folded into an existing theme
    SPLIT = "split"  # replaced by smaller clusters
    DISMISSED = "dismissed"


class DiscoveredCluster(SQLModel, table=True):
    __tablename__ = "discovered_cluster"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="discovered_cluster.id")
    name: str = Field(max_length=200)
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    size: int
    quotes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    comment_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: ClusterStatus = Field(default=ClusterStatus.OPEN, sa_type=value_enum(ClusterStatus))
    theme_id: int | None = Field(default=None, foreign_key="theme.id")
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


def list_clusters(
    *, session: Session, organisation_id: int, codebook_id: int, job_id: int | None = None
) -> list[DiscoveredCluster]:
    """Clusters found for a codebook (by one discovery job, or the newest one), largest first."""
    if job_id is None:
        job_id = session.exec(
            select(func.max(DiscoveredCluster.job_id))
            .where(DiscoveredCluster.organisation_id == organisation_id)
            .where(DiscoveredCluster.codebook_id == codebook_id)
        ).one()
        if job_id is None:
            return []
    query = (
        select(DiscoveredCluster)
        .where(DiscoveredCluster.organisation_id == organisation_id)
        .where(DiscoveredCluster.codebook_id == codebook_id)
        .where(DiscoveredCluster.job_id == job_id)
        .order_by(col(DiscoveredCluster.size).desc(), col(DiscoveredCluster.id))
    )
    return list(session.exec(query))


def get_cluster(
    *, session: Session, organisation_id: int, cluster_id: int
) -> DiscoveredCluster | None:
    """The organisation's cluster with this id, or None."""
    cluster = session.get(DiscoveredCluster, cluster_id)
    if cluster is None or cluster.organisation_id != organisation_id:
        return None
    return cluster


def suggest_from_cluster(
    *, session: Session, cluster: DiscoveredCluster, theme: Theme, chunk: int = 5000
) -> int:
    """Suggest the theme on the cluster's comments, for reviewers to accept or reject.

    Only the comments that still exist in the cluster's organisation get it, and not one
    that raised a safeguarding concern (it may have been flagged after discovery ran: it is
    for the safeguarding lead alone), nor one that has it from discovery already. The ids
    are read `chunk` at a time, one query each, as PostgreSQL takes at most 65,535 values
    in a statement. Returns how many comments were given the suggestion.
    """
    suggested_already = (
        select(CommentTheme.id)
        .where(CommentTheme.comment_id == Comment.id)
        .where(CommentTheme.theme_id == theme.id)
        .where(CommentTheme.source == CodingSource.DISCOVERY)
    )
    ids = list(dict.fromkeys(cluster.comment_ids))
    added = 0
    for start in range(0, len(ids), chunk):
        found = session.exec(
            select(Comment.id)
            .where(col(Comment.id).in_(ids[start : start + chunk]))
            .where(Comment.organisation_id == cluster.organisation_id)
            .where(col(Comment.flagged).is_(False))
            .where(~suggested_already.exists())
            .order_by(col(Comment.id))
        ).all()
        for comment_id in found:
            session.add(
                CommentTheme(
                    comment_id=comment_id,  # type: ignore[arg-type]
                    theme_id=theme.id,  # type: ignore[arg-type]
                    source=CodingSource.DISCOVERY,
                    confidence=None,
                )
            )
        added += len(found)
    session.flush()
    return added


def decide_cluster(
    *,
    session: Session,
    cluster: DiscoveredCluster,
    status: ClusterStatus,
    user_id: int | None,
    theme: Theme | None = None,
) -> None:
    """Record what became of the cluster, who decided and when."""
    cluster.status = status
    cluster.theme_id = theme.id if theme else None
    cluster.decided_by_id = user_id
    cluster.decided_at = utcnow()
    session.add(cluster)
    session.flush()
