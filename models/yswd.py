"""“You said, we did”: what people told us, what changed, and who was told.

An entry pairs “you said” (themes from one term's surveys for one audience, with how many
raised them and two or three quotes a person chose) with “we did” (what changed, linked to
a plan action). It moves draft → reviewed → approved → published, and each step is kept.
The figures and quotes are copied onto the entry when it is drafted, so a published entry
never changes because comments were recoded later.

A follow-up is a respondent who left an email address and asked to hear what changed.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow, value_enum


class Audience(StrEnum):
    CYP = "cyp"
    PARENTS = "parents"
    SCHOOLS = "schools"

    @property
    def label(self) -> str:
        return _AUDIENCE_LABELS[self]


_AUDIENCE_LABELS = {
    Audience.CYP: "Children and young people",
    Audience.PARENTS: "Parents and carers",
    Audience.SCHOOLS: "Schools",
}


class EntryState(StrEnum):
    DRAFT = "draft"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Delivery(StrEnum):
    """How far the change in “we did” has got."""

    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"planned": "Planned", "in-progress": "In progress", "done": "Done"}[self.value]


class StepKind(StrEnum):
    DRAFTED = "drafted"
    EDITED = "edited"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETURNED = "returned"  # sent back to draft, with a reason
    WITHDRAWN = "withdrawn"  # taken off the public page


#: Which state each step leaves an entry in.
STEP_STATE = {
    StepKind.DRAFTED: EntryState.DRAFT,
    StepKind.EDITED: EntryState.DRAFT,
    StepKind.REVIEWED: EntryState.REVIEWED,
    StepKind.APPROVED: EntryState.APPROVED,
    StepKind.PUBLISHED: EntryState.PUBLISHED,
    StepKind.RETURNED: EntryState.DRAFT,
    StepKind.WITHDRAWN: EntryState.APPROVED,
}
#: The steps that may follow each state (editing is allowed before publication only).
NEXT_STEPS = {
    EntryState.DRAFT: (StepKind.REVIEWED,),
    EntryState.REVIEWED: (StepKind.APPROVED, StepKind.RETURNED),
    EntryState.APPROVED: (StepKind.PUBLISHED, StepKind.RETURNED),
    EntryState.PUBLISHED: (StepKind.WITHDRAWN,),
}


#: Terms in the order they come in a school year.
TERM_ORDER = {"autumn": 0, "spring": 1, "summer": 2}


class StepError(ValueError):
    """A step that does not follow from the entry's state."""


class YswdEntry(SQLModel, table=True):
    __tablename__ = "yswd_entry"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    audience: Audience = Field(sa_type=value_enum(Audience))
    academic_year: str = Field(max_length=7)
    term: str = Field(max_length=10)
    title: str = Field(max_length=200)
    you_said: str = Field(default="", sa_column=Column(Text, nullable=False))
    we_did: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Easy read: one short sentence per line, each shown beside a symbol.
    easy_said: str = Field(default="", sa_column=Column(Text, nullable=False))
    easy_did: str = Field(default="", sa_column=Column(Text, nullable=False))
    action_id: int | None = Field(default=None, foreign_key="plan_action.id")
    delivery: Delivery = Field(default=Delivery.PLANNED, sa_type=value_enum(Delivery))
    delivery_on: date | None = None
    state: EntryState = Field(default=EntryState.DRAFT, sa_type=value_enum(EntryState))
    # How many people answered the term's surveys for this audience, when drafted.
    respondents: int = Field(default=0)
    # {language: {title, you_said, we_did, easy_said, easy_did}}, written by a person.
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_by_id: int = Field(foreign_key="staff_user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )

    @property
    def term_name(self) -> str:
        """For example "2026/27 Autumn", as survey rounds are named."""
        return f"{self.academic_year} {self.term.capitalize()}"

    def text(self, field: str, language: str) -> tuple[str, str]:
        """A field in `language` where a person translated it, else in English: (text, lang)."""
        translated = (self.translations.get(language) or {}).get(field, "").strip()
        if language != "en" and translated:
            return translated, language
        return str(getattr(self, field)), "en"


class YswdTheme(SQLModel, table=True):
    __tablename__ = "yswd_theme"
    __table_args__ = (UniqueConstraint("entry_id", "theme_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="yswd_entry.id", index=True)
    theme_id: int = Field(foreign_key="theme.id")
    name: str = Field(max_length=200)
    raised: int = Field(default=0)
    position: int = Field(default=0)


class YswdQuote(SQLModel, table=True):
    __tablename__ = "yswd_quote"
    __table_args__ = (UniqueConstraint("entry_id", "comment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="yswd_entry.id", index=True)
    comment_id: int = Field(foreign_key="comment.id")
    # The theme it was chosen for: shown only while that theme is big enough to quote from.
    theme_id: int = Field(foreign_key="theme.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    position: int = Field(default=0)


class YswdStep(SQLModel, table=True):
    __tablename__ = "yswd_step"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="yswd_entry.id", index=True)
    kind: StepKind = Field(sa_type=value_enum(StepKind))
    user_id: int = Field(foreign_key="staff_user.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class FollowUp(SQLModel, table=True):
    """Someone who answered a survey, left an email address and asked to hear back."""

    __tablename__ = "follow_up"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    # Left empty in anonymous rounds, so nothing ties the address to the answers.
    response_id: int | None = Field(default=None, foreign_key="response.id", unique=True)
    round_id: int | None = Field(default=None, foreign_key="survey_round.id", index=True)
    audience: str = Field(max_length=20)
    # Personal data, in its own column, erased once they have been told.
    email: str = Field(max_length=320)
    language: str = Field(default="en", max_length=10)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    told_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    told_entry_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def create_entry(
    *,
    session: Session,
    organisation_id: int,
    user_id: int,
    audience: Audience,
    academic_year: str,
    term: str,
    title: str,
    you_said: str,
    easy_said: str,
    respondents: int,
    themes: list[tuple[int, str, int]],
) -> YswdEntry:
    """A new draft, with its themes as (theme id, name, how many raised it)."""
    entry = YswdEntry(
        organisation_id=organisation_id,
        audience=audience,
        academic_year=academic_year,
        term=term,
        title=title[:200],
        you_said=you_said,
        easy_said=easy_said,
        respondents=respondents,
        created_by_id=user_id,
    )
    session.add(entry)
    session.flush()
    for position, (theme_id, name, raised) in enumerate(themes):
        session.add(
            YswdTheme(
                entry_id=entry.id,  # type: ignore[arg-type]
                theme_id=theme_id,
                name=name[:200],
                raised=raised,
                position=position,
            )
        )
    session.add(YswdStep(entry_id=entry.id, kind=StepKind.DRAFTED, user_id=user_id))  # type: ignore[arg-type]
    session.flush()
    return entry


def get_entry(*, session: Session, organisation_id: int, entry_id: int) -> YswdEntry | None:
    """One entry, only within the given organisation."""
    entry = session.get(YswdEntry, entry_id)
    if entry is None or entry.organisation_id != organisation_id:
        return None
    return entry


def list_entries(
    *,
    session: Session,
    organisation_id: int,
    published_only: bool = False,
    audience: Audience | None = None,
    academic_year: str | None = None,
    term: str | None = None,
) -> list[YswdEntry]:
    """Entries, newest term first, then newest first within a term."""
    query = select(YswdEntry).where(YswdEntry.organisation_id == organisation_id)
    if published_only:
        query = query.where(YswdEntry.state == EntryState.PUBLISHED)
    if audience is not None:
        query = query.where(YswdEntry.audience == audience)
    if academic_year is not None:
        query = query.where(YswdEntry.academic_year == academic_year)
    if term is not None:
        query = query.where(YswdEntry.term == term)
    entries = list(session.exec(query.order_by(col(YswdEntry.id).desc())))
    entries.sort(key=lambda e: (e.academic_year, TERM_ORDER.get(e.term, 0)), reverse=True)
    return entries


def entry_themes(*, session: Session, entry_ids: list[int]) -> dict[int, list[YswdTheme]]:
    found: dict[int, list[YswdTheme]] = {entry_id: [] for entry_id in entry_ids}
    if entry_ids:
        query = select(YswdTheme).where(col(YswdTheme.entry_id).in_(entry_ids))
        for theme in session.exec(query.order_by(col(YswdTheme.position))):
            found[theme.entry_id].append(theme)
    return found


def entry_quotes(*, session: Session, entry_ids: list[int]) -> dict[int, list[YswdQuote]]:
    found: dict[int, list[YswdQuote]] = {entry_id: [] for entry_id in entry_ids}
    if entry_ids:
        query = select(YswdQuote).where(col(YswdQuote.entry_id).in_(entry_ids))
        for quote in session.exec(query.order_by(col(YswdQuote.position))):
            found[quote.entry_id].append(quote)
    return found


def entry_steps(*, session: Session, entry: YswdEntry) -> list[YswdStep]:
    query = select(YswdStep).where(YswdStep.entry_id == entry.id).order_by(col(YswdStep.id))
    return list(session.exec(query))


def set_quotes(*, session: Session, entry: YswdEntry, quotes: list[tuple[int, int, str]]) -> None:
    """Replace the entry's quotes with (comment id, theme id, redacted text), in order.

    The caller checks consent and group size: see webapp/yswd_figures.py.
    """
    for old in session.exec(select(YswdQuote).where(YswdQuote.entry_id == entry.id)):
        session.delete(old)
    session.flush()
    for position, (comment_id, theme_id, text) in enumerate(quotes):
        session.add(
            YswdQuote(
                entry_id=entry.id,  # type: ignore[arg-type]
                comment_id=comment_id,
                theme_id=theme_id,
                text=text,
                position=position,
            )
        )
    session.flush()


def take_step(
    *, session: Session, entry: YswdEntry, kind: StepKind, user_id: int, note: str = ""
) -> YswdStep:
    """Move the entry on by one step, or raise StepError if that step cannot follow.

    Who may take which step is the web app's business; this checks only the order.
    """
    if kind is StepKind.EDITED:
        if entry.state is EntryState.PUBLISHED:
            raise StepError("A published entry cannot be edited. Withdraw it first.")
    elif kind not in NEXT_STEPS[EntryState(entry.state)]:
        raise StepError(f"An entry that is {entry.state.value} cannot be {kind.value}.")
    entry.state = STEP_STATE[kind]
    entry.updated_at = utcnow()
    if kind is StepKind.PUBLISHED:
        entry.published_at = utcnow()
    session.add(entry)
    step = YswdStep(entry_id=entry.id, kind=kind, user_id=user_id, note=note)  # type: ignore[arg-type]
    session.add(step)
    session.flush()
    return step


def save_follow_up(
    *,
    session: Session,
    organisation_id: int,
    response_id: int | None,
    round_id: int | None,
    audience: str,
    email: str,
    language: str,
) -> FollowUp:
    """Record that someone asked to hear what changed (once per response, where known)."""
    found = (
        session.exec(select(FollowUp).where(FollowUp.response_id == response_id)).first()
        if response_id is not None
        else None
    )
    follow_up = found or FollowUp(
        organisation_id=organisation_id, response_id=response_id, audience=audience, email=""
    )
    follow_up.round_id, follow_up.email, follow_up.language = round_id, email[:320], language
    session.add(follow_up)
    session.flush()
    return follow_up


def list_follow_ups(
    *, session: Session, organisation_id: int, round_ids: list[int]
) -> list[FollowUp]:
    if not round_ids:
        return []
    query = (
        select(FollowUp)
        .where(FollowUp.organisation_id == organisation_id)
        .where(col(FollowUp.round_id).in_(round_ids))
        .order_by(col(FollowUp.id))
    )
    return list(session.exec(query))


def mark_told(*, session: Session, follow_up: FollowUp, entry_ids: list[int]) -> None:
    """Record that they were told, and erase the address: it was asked for this alone."""
    follow_up.told_at = utcnow()
    follow_up.email = ""
    follow_up.told_entry_ids = sorted(set(follow_up.told_entry_ids) | set(entry_ids))
    session.add(follow_up)
    session.flush()


def translation_fields() -> tuple[str, ...]:
    return ("title", "you_said", "we_did", "easy_said", "easy_did")


def set_translation(
    *, session: Session, entry: YswdEntry, language: str, values: dict[str, Any]
) -> None:
    """Keep a person's translation of the entry's words into `language`."""
    translations = dict(entry.translations)
    kept = {k: str(values.get(k) or "").strip() for k in translation_fields()}
    if any(kept.values()):
        translations[language] = kept
    else:
        translations.pop(language, None)
    entry.translations = translations
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
