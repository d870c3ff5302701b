"""“You said, we did”: what people told us, what changed, and who was told.

An entry pairs “you said” (themes from one term's surveys for one audience, with how many
raised them and two or three quotes a person chose) with “we did” (what changed, linked to
a plan action). The figures and quotes are copied onto the entry when it is drafted, so
a published entry never changes because comments were recoded later.

Its steps (draft → reviewed → approved → published) are in models/yswd_steps.py, and
follow-ups (who asked to hear back) in models/follow_ups.py; both are importable from here.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.follow_ups import FollowUp, list_follow_ups, mark_told, save_follow_up
from models.types import UTCDateTime, utcnow, value_enum
from models.yswd_steps import (
    NEXT_STEPS,
    EntryState,
    StepError,
    StepKind,
    YswdStep,
    entry_steps,
    take_step,
)

__all__ = [
    "NEXT_STEPS",
    "TERM_ORDER",
    "Audience",
    "Delivery",
    "EntryState",
    "FollowUp",
    "StepError",
    "StepKind",
    "YswdEntry",
    "YswdQuote",
    "YswdStep",
    "YswdTheme",
    "create_entry",
    "entry_quotes",
    "entry_steps",
    "entry_themes",
    "get_entry",
    "list_entries",
    "list_follow_ups",
    "mark_told",
    "save_follow_up",
    "set_quotes",
    "set_translation",
    "take_step",
    "translation_fields",
]


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


class Delivery(StrEnum):
    """How far the change in “we did” has got."""

    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"planned": "Planned", "in-progress": "In progress", "done": "Done"}[self.value]


#: Terms in the order they come in a school year.
TERM_ORDER = {"autumn": 0, "spring": 1, "summer": 2}


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
    session.add_all(_theme_rows(entry, themes))
    session.add(YswdStep(entry_id=entry.id, kind=StepKind.DRAFTED, user_id=user_id))  # type: ignore[arg-type]
    session.flush()
    return entry


def _theme_rows(entry: YswdEntry, themes: list[tuple[int, str, int]]) -> list[YswdTheme]:
    """A new entry's themes, from (theme id, name, how many raised it), in order."""
    return [
        YswdTheme(
            entry_id=entry.id,  # type: ignore[arg-type]
            theme_id=theme_id,
            name=name[:200],
            raised=raised,
            position=position,
        )
        for position, (theme_id, name, raised) in enumerate(themes)
    ]


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
    """Each entry's “you said” themes, in order."""
    return _in_order(session, YswdTheme, entry_ids)


def entry_quotes(*, session: Session, entry_ids: list[int]) -> dict[int, list[YswdQuote]]:
    """Each entry's chosen quotes, in order."""
    return _in_order(session, YswdQuote, entry_ids)


_Part = TypeVar("_Part", YswdTheme, YswdQuote)


def _in_order(session: Session, part: type[_Part], entry_ids: list[int]) -> dict[int, list[_Part]]:
    found: dict[int, list[_Part]] = {entry_id: [] for entry_id in entry_ids}
    if entry_ids:
        query = select(part).where(col(part.entry_id).in_(entry_ids))
        for row in session.exec(query.order_by(col(part.position))):
            found[row.entry_id].append(row)
    return found


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


def translation_fields() -> tuple[str, ...]:
    """The words of an entry a person may translate."""
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
