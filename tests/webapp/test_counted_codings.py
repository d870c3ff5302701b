"""Once a person has reviewed a comment, their themes are its themes everywhere figures are
counted: a suggestion they turned down is not counted, even a sure one."""

from datetime import date

from sqlmodel import select

from models.coding import CodingSource, CommentTheme
from models.plan_evidence import EvidenceKind, EvidenceLink
from models.review import review_comment
from tests.webapp.yswd import coded_term
from webapp.action_evidence import theme_evidence
from webapp.review_queue import Filters, _query
from webapp.yswd_figures import theme_figures


def machine_coded(session, term):
    """The waiting comments only the machine coded (at 0.9)."""
    ids = {c.id for c in term.consenting + term.refusing}
    rows = session.exec(
        select(CommentTheme).where(
            CommentTheme.theme_id == term.waiting.id,
            CommentTheme.source == CodingSource.MACHINE,
        )
    ).all()
    return [row.comment_id for row in rows if row.comment_id in ids]


def raised(session, organisation_id, term) -> int:
    figures = theme_figures(session, organisation_id, [term.survey_round])
    return next(f.raised for f in figures if f.theme_id == term.waiting.id)


def test_a_turned_down_suggestion_is_not_counted(session, demo, published):
    organisation_id = demo.organisation.id
    term = coded_term(session, organisation_id)
    before = raised(session, organisation_id, term)
    link = EvidenceLink(action_id=0, kind=EvidenceKind.THEME, theme_id=term.waiting.id)
    evidence_before = theme_evidence(session, organisation_id, link, date.today())
    queue = _query(organisation_id, Filters(theme=str(term.waiting.id), reviewed=""))
    listed_before = set(session.exec(queue).all())

    [comment_id, *_] = machine_coded(session, term)
    comment = next(c for c in term.consenting + term.refusing if c.id == comment_id)
    # A person reads it and decides it is about none of the themes.
    review_comment(session=session, comment=comment, theme_ids=set(), sentiment=None, user_id=None)
    session.commit()

    assert raised(session, organisation_id, term) == before - 1
    evidence = theme_evidence(session, organisation_id, link, date.today())
    assert sum(evidence.mentions) == sum(evidence_before.mentions) - 1
    assert set(session.exec(queue).all()) == listed_before - {comment_id}
    # The machine's suggestion is still kept, to show what it had said.
    assert session.exec(
        select(CommentTheme).where(
            CommentTheme.comment_id == comment_id, CommentTheme.source == CodingSource.MACHINE
        )
    ).first()


def test_a_quote_is_not_offered_for_a_theme_a_person_turned_down(app, session, demo, published):
    from flask_login import login_user

    from models import list_users
    from models.plan_evidence import add_evidence
    from models.plans import get_action
    from tests.webapp.plans import small_plan
    from webapp.staff_plan_evidence import _quote_form

    term = coded_term(session, demo.organisation.id)
    action = get_action(session=session, plan=small_plan(session, demo.organisation.id), code="1E1")
    add_evidence(
        session=session,
        action=action,
        kind=EvidenceKind.THEME,
        user_id=None,
        theme_id=term.waiting.id,
    )
    [comment_id, *_] = [
        c for c in machine_coded(session, term) if c in {x.id for x in term.consenting}
    ]
    comment = next(c for c in term.consenting if c.id == comment_id)
    session.commit()

    def offered() -> set[int]:
        officer = next(
            u
            for u in list_users(session=session, organisation_id=demo.organisation.id)
            if u.email == "officer@demo.heard"
        )
        with app.test_request_context():
            login_user(officer)
            return {int(c.value) for c in _quote_form(action).comment.choices}

    assert comment_id in offered()
    review_comment(session=session, comment=comment, theme_ids=set(), sentiment=None, user_id=None)
    session.commit()
    assert comment_id not in offered()
