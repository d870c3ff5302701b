"""Double coding: a sample of comments coded twice, independently, to measure agreement.

The second coder is another person, or the machine (its suggestions at the moment the
sample was drawn). Neither person sees the other's coding, or the machine's, until both
have finished.
"""

import random
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, or_
from sqlmodel import Field, Session, SQLModel, col, select

from models.coding import CodingSource, Comment, CommentTheme, Theme
from models.responses import Response
from models.surveys import SurveyRound
from models.types import UTCDateTime, utcnow, value_enum


class SecondCoder(StrEnum):
    PERSON = "person"
    MACHINE = "machine"


class AgreementSample(SQLModel, table=True):
    __tablename__ = "agreement_sample"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    codebook_id: int = Field(foreign_key="codebook.id", index=True)
    round_id: int | None = Field(default=None, foreign_key="survey_round.id", index=True)
    second: SecondCoder = Field(sa_type=value_enum(SecondCoder))
    first_user_id: int = Field(foreign_key="staff_user.id")
    second_user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    comment_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class AgreementCoding(SQLModel, table=True):
    """One coder's themes for one comment of a sample (slot 1 or 2)."""

    __tablename__ = "agreement_coding"
    __table_args__ = (UniqueConstraint("sample_id", "comment_id", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    sample_id: int = Field(foreign_key="agreement_sample.id", index=True)
    comment_id: int = Field(foreign_key="comment.id")
    slot: int
    user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    theme_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    coded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


def sample_comments(
    *,
    session: Session,
    organisation_id: int,
    size: int,
    round_id: int | None = None,
    seed: int | None = None,
) -> list[int]:
    """A random sample of the organisation's comments (of one round, if given).

    Comments that raised a safeguarding concern are left out: they are for the lead alone.
    """
    query = (
        select(Comment.id)
        .where(Comment.organisation_id == organisation_id)
        .where(col(Comment.flagged).is_(False))
    )
    if round_id is not None:
        query = query.join(Response, col(Response.id) == Comment.response_id).where(
            Response.round_id == round_id
        )
    ids = sorted(i for i in session.exec(query) if i is not None)
    chosen = random.Random(seed).sample(ids, min(size, len(ids)))  # noqa: S311 - not security
    return sorted(chosen)


def create_sample(
    *,
    session: Session,
    organisation_id: int,
    codebook_id: int,
    comment_ids: list[int],
    second: SecondCoder,
    first_user_id: int,
    second_user_id: int | None,
    created_by_id: int | None,
    round_id: int | None = None,
) -> AgreementSample:
    """Start a double-coding sample; with the machine as second coder its coding is copied now."""
    if second == SecondCoder.PERSON and (second_user_id is None or second_user_id == first_user_id):
        raise ValueError("Two different people must code the sample.")
    sample = AgreementSample(
        organisation_id=organisation_id,
        codebook_id=codebook_id,
        round_id=round_id,
        second=second,
        first_user_id=first_user_id,
        second_user_id=second_user_id if second == SecondCoder.PERSON else None,
        comment_ids=comment_ids,
        created_by_id=created_by_id,
    )
    session.add(sample)
    session.flush()
    if second == SecondCoder.MACHINE:
        machine: dict[int, list[int]] = {comment_id: [] for comment_id in comment_ids}
        # Only the sample's codebook: the machine may also have coded against an older one.
        for comment_id, theme_id in session.exec(
            select(CommentTheme.comment_id, CommentTheme.theme_id)
            .join(Theme, col(Theme.id) == CommentTheme.theme_id)
            .where(col(CommentTheme.comment_id).in_(comment_ids))
            .where(CommentTheme.source == CodingSource.MACHINE)
            .where(Theme.codebook_id == codebook_id)
        ):
            machine[comment_id].append(theme_id)
        for comment_id, theme_ids in machine.items():
            session.add(
                AgreementCoding(
                    sample_id=sample.id,  # type: ignore[arg-type]
                    comment_id=comment_id,
                    slot=2,
                    theme_ids=sorted(theme_ids),
                )
            )
        session.flush()
    return sample


def list_samples(*, session: Session, organisation_id: int) -> list[AgreementSample]:
    query = (
        select(AgreementSample)
        .where(AgreementSample.organisation_id == organisation_id)
        .order_by(col(AgreementSample.id).desc())
    )
    return list(session.exec(query))


def get_sample(*, session: Session, organisation_id: int, sample_id: int) -> AgreementSample | None:
    sample = session.get(AgreementSample, sample_id)
    if sample is None or sample.organisation_id != organisation_id:
        return None
    return sample


def slot_for(sample: AgreementSample, user_id: int) -> int | None:
    """Which coder this person is in the sample, or None if they are not one."""
    if user_id == sample.first_user_id:
        return 1
    if sample.second == SecondCoder.PERSON and user_id == sample.second_user_id:
        return 2
    return None


def codings(*, session: Session, sample_id: int, slot: int) -> dict[int, list[int]]:
    """One coder's themes per comment, for the comments they have coded so far."""
    query = (
        select(AgreementCoding)
        .where(AgreementCoding.sample_id == sample_id)
        .where(AgreementCoding.slot == slot)
    )
    return {coding.comment_id: list(coding.theme_ids) for coding in session.exec(query)}


def save_coding(
    *,
    session: Session,
    sample: AgreementSample,
    comment_id: int,
    slot: int,
    user_id: int,
    theme_ids: list[int],
) -> AgreementCoding:
    """Record (or change) one coder's themes for one comment of the sample."""
    if comment_id not in sample.comment_ids:
        raise ValueError("That comment is not in the sample.")
    found = session.exec(
        select(AgreementCoding)
        .where(AgreementCoding.sample_id == sample.id)
        .where(AgreementCoding.comment_id == comment_id)
        .where(AgreementCoding.slot == slot)
    ).first()
    coding = found or AgreementCoding(
        sample_id=sample.id,  # type: ignore[arg-type]
        comment_id=comment_id,
        slot=slot,
    )
    coding.user_id = user_id
    coding.theme_ids = sorted(set(theme_ids))
    coding.coded_at = utcnow()
    session.add(coding)
    session.flush()
    return coding


def progress(*, session: Session, sample: AgreementSample) -> dict[int, int]:
    """How many comments each coder (slot) has coded."""
    return {
        slot: len(codings(session=session, sample_id=sample.id, slot=slot))  # type: ignore[arg-type]
        for slot in (1, 2)
    }


def is_complete(*, session: Session, sample: AgreementSample) -> bool:
    """Both coders have coded every comment of the sample."""
    done = progress(session=session, sample=sample)
    return all(count >= len(sample.comment_ids) for count in done.values())


def hidden_from(
    *, session: Session, organisation_id: int, user_id: int, comment_ids: Collection[int]
) -> set[int]:
    """Of these comments, those this person must not see coded yet: they are in a
    double-coding sample of theirs that they have not finished coding.

    Until then, pages outside the sample must not show this person the machine's
    suggestions or other people's themes for these comments, or the coding would not be
    blind. A comment they have coded in their place in the sample is no longer hidden,
    and a sample both coders have finished hides nothing.
    """
    wanted = set(comment_ids)
    if not wanted:
        return set()
    query = (
        select(AgreementSample)
        .where(AgreementSample.organisation_id == organisation_id)
        .where(
            or_(
                col(AgreementSample.first_user_id) == user_id,
                col(AgreementSample.second_user_id) == user_id,
            )
        )
    )
    # Each sample of theirs with any of these comments: its id, their slot, its comments.
    mine = [
        (sample.id, slot, set(sample.comment_ids))
        for sample in session.exec(query)
        if sample.id is not None
        and (slot := slot_for(sample, user_id)) is not None
        and wanted.intersection(sample.comment_ids)
    ]
    if not mine:
        return set()
    coded: dict[tuple[int, int], set[int]] = {}
    for sample_id, slot, comment_id in session.exec(
        select(AgreementCoding.sample_id, AgreementCoding.slot, AgreementCoding.comment_id).where(
            col(AgreementCoding.sample_id).in_([sample_id for sample_id, _, _ in mine])
        )
    ):
        coded.setdefault((sample_id, slot), set()).add(comment_id)
    hidden: set[int] = set()
    for sample_id, slot, in_sample in mine:
        done = {n: in_sample & coded.get((sample_id, n), set()) for n in (1, 2)}
        if done[1] == in_sample and done[2] == in_sample:
            continue  # both have finished: the coding is no longer blind
        hidden |= (wanted & in_sample) - done[slot]
    return hidden


def mark_round_agreed(
    *, session: Session, survey_round: SurveyRound, user_id: int | None, kappa: float
) -> SurveyRound:
    """Record that the round's coding was checked and agreed, with the kappa it reached."""
    survey_round.coding_agreed_at = utcnow()
    survey_round.coding_agreed_by_id = user_id
    survey_round.coding_kappa = kappa
    session.add(survey_round)
    session.flush()
    return survey_round


def summary(sample: AgreementSample) -> dict[str, Any]:
    """What the audit log keeps about a sample."""
    return {
        "size": len(sample.comment_ids),
        "second": sample.second.value,
        "round": sample.round_id,
    }
