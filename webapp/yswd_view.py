"""Entries made ready to show: in one language, with suppressed figures and safe quotes.

The public page, the feed, the survey start page and every export read entries through
`prepare`, so a figure or a quote that one of them may not show, none of them shows.
"""

from dataclasses import dataclass, field

from flask_babel import format_number, gettext, lazy_gettext
from sqlmodel import Session, col, select

from analysis.yswd import Shown, ThemeFigure, easy_read_lines, shown_as
from models.coding import Comment, quotable_comments
from models.plans import Plan, PlanAction
from models.yswd import Audience, Delivery, YswdEntry, entry_quotes, entry_themes, list_entries
from webapp.i18n import language_of

AUDIENCE_NAMES = {
    Audience.CYP: lazy_gettext("Children and young people"),
    Audience.PARENTS: lazy_gettext("Parents and carers"),
    Audience.SCHOOLS: lazy_gettext("Schools"),
}
DELIVERY_NAMES = {
    Delivery.PLANNED: lazy_gettext("Planned"),
    Delivery.IN_PROGRESS: lazy_gettext("In progress"),
    Delivery.DONE: lazy_gettext("Done"),
}
TERM_NAMES = {
    "autumn": lazy_gettext("Autumn"),
    "spring": lazy_gettext("Spring"),
    "summer": lazy_gettext("Summer"),
}


def term_label(academic_year: str, term: str) -> str:
    return f"{academic_year} {TERM_NAMES.get(term, term)}"


def count_text(figure: ThemeFigure) -> str:
    """How many raised a theme, as every output shows it, in the reader's language."""
    shown = shown_as(figure)
    if shown is Shown.NOBODY_SHOWN:
        return gettext("Fewer than 5 people answered")
    if shown is Shown.FEWER_THAN_5:
        return gettext("Fewer than 5 people")
    if shown is Shown.ALMOST_ALL:
        return gettext("Almost everyone who answered")
    return gettext(
        "%(count)s of %(total)s people (%(percent)s%%)",
        count=format_number(figure.raised),
        total=format_number(figure.respondents),
        percent=format_number(figure.percent),
    )


@dataclass
class Text:
    """Words in the language they are written in, so a page can mark English with lang."""

    value: str
    lang: str


@dataclass
class ShownEntry:
    entry: YswdEntry
    title: Text
    you_said: Text
    we_did: Text
    easy_said: list[tuple[str, str]]
    easy_did: list[tuple[str, str]]
    easy_lang: str
    figures: list[ThemeFigure]
    quotes: list[Text] = field(default_factory=list)  # in the language each was written in
    action: str = ""  # "8E1 (Kent Accelerated Progress Plan)"

    @property
    def audience(self) -> str:
        return str(AUDIENCE_NAMES[Audience(self.entry.audience)])

    @property
    def delivery(self) -> str:
        return str(DELIVERY_NAMES[Delivery(self.entry.delivery)])

    @property
    def term(self) -> str:
        return term_label(self.entry.academic_year, self.entry.term)


def _actions(session: Session, entries: list[YswdEntry]) -> dict[int, str]:
    ids = [e.action_id for e in entries if e.action_id]
    if not ids:
        return {}
    rows = session.exec(
        select(PlanAction, Plan)
        .join(Plan, col(Plan.id) == PlanAction.plan_id)
        .where(col(PlanAction.id).in_(ids))
    ).all()
    return {action.id: f"{action.code} ({plan.title})" for action, plan in rows}  # type: ignore[misc]


def _usable_comments(session: Session, comment_ids: list[int]) -> dict[int, str]:
    """Comments still quotable now (consent not withdrawn, and no safeguarding flag since),
    each with the language choice it was written in."""
    if not comment_ids:
        return {}
    rows = session.exec(
        select(Comment.id, Comment.language).where(
            col(Comment.id).in_(comment_ids), quotable_comments()
        )
    ).all()
    return {int(i): language for i, language in rows if i is not None}


def prepare(session: Session, entries: list[YswdEntry], language: str) -> list[ShownEntry]:
    """Each entry in `language` where a person translated it, English where not."""
    ids = [e.id for e in entries if e.id is not None]
    themes = entry_themes(session=session, entry_ids=ids)
    quotes = entry_quotes(session=session, entry_ids=ids)
    usable = _usable_comments(session, [q.comment_id for found in quotes.values() for q in found])
    actions = _actions(session, entries)
    shown = []
    for entry in entries:
        figures = [
            ThemeFigure(t.theme_id, t.name, t.raised, entry.respondents)
            for t in themes[entry.id]  # type: ignore[index]
        ]
        quotable = {f.theme_id for f in figures if f.quotable}
        said, said_lang = entry.text("easy_said", language)
        did, did_lang = entry.text("easy_did", language)
        shown.append(
            ShownEntry(
                entry=entry,
                title=Text(*entry.text("title", language)),
                you_said=Text(*entry.text("you_said", language)),
                we_did=Text(*entry.text("we_did", language)),
                easy_said=easy_read_lines(said, "you-said"),
                easy_did=easy_read_lines(did, "we-did"),
                easy_lang=said_lang if said_lang == did_lang else "en",
                figures=figures,
                # A quote needs its theme to be big enough that it cannot point to a child.
                quotes=[
                    Text(q.text, language_of(usable[q.comment_id]))
                    for q in quotes[entry.id]  # type: ignore[index]
                    if q.comment_id in usable and q.theme_id in quotable
                ],
                action=actions.get(entry.action_id or 0, ""),
            )
        )
    return shown


#: How many of the newest published entries a survey's start page shows.
START_PAGE_ENTRIES = 3


def changes_for(audience: str) -> list[ShownEntry]:
    """The newest published entries for an audience, for "What changed since last time"."""
    from webapp import db, journey
    from webapp.branding import current_organisation

    organisation = current_organisation()
    if organisation is None or audience not in {a.value for a in Audience}:
        return []
    session = db.session()
    entries = list_entries(
        session=session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        published_only=True,
        audience=Audience(audience),
    )
    return prepare(session, entries[:START_PAGE_ENTRIES], journey.locale_code())


def public_url() -> str:
    """The address of this organisation's public "You said, we did" page."""
    from flask import url_for

    from webapp.branding import current_organisation

    organisation = current_organisation()
    if organisation is None:
        return url_for("yswd_public.default")
    return url_for("yswd_public.entries", org=organisation.slug)
