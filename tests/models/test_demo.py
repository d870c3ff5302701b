"""The demo data loads completely and can be loaded again safely."""

from sqlalchemy import func, select

from models import District, Setting, User, authenticate, list_districts
from models.demo import KENT_DISTRICTS, load_demo


def counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(t)) for t in (District, Setting, User)
    )


def test_demo_has_kents_twelve_districts_settings_and_one_user_per_role(session):
    result = load_demo(session=session, password="first-password", reset_passwords=False)
    session.commit()
    names = [d.name for d in list_districts(session=session, organisation=result.organisation)]
    assert sorted(names) == sorted(KENT_DISTRICTS) and len(names) == 12
    assert "Folkestone and Hythe" in names and "Tonbridge and Malling" in names
    users = session.scalars(select(User)).all()
    assert {u.role.value for u in users} == {
        "admin",
        "officer",
        "participation-worker",
        "safeguarding-lead",
        "reviewer",
    }
    assert {u.email for u in users} == {
        "admin@demo.heard",
        "officer@demo.heard",
        "participation@demo.heard",
        "safeguarding@demo.heard",
        "reviewer@demo.heard",
    }
    types = {s.setting_type for s in session.scalars(select(Setting))}
    assert len(types) >= 4


def test_loading_twice_changes_nothing_and_keeps_passwords(session):
    load_demo(session=session, password="first-password", reset_passwords=False)
    session.commit()
    before = counts(session)
    again = load_demo(session=session, password="second-password", reset_passwords=False)
    session.commit()
    assert counts(session) == before
    assert again.created == []
    assert authenticate(session=session, email="admin@demo.heard", password="first-password")


def test_reset_passwords_sets_the_given_password(session):
    load_demo(session=session, password="first-password", reset_passwords=False)
    result = load_demo(session=session, password="second-password", reset_passwords=True)
    session.commit()
    assert len(result.passwords_reset) == 5
    assert authenticate(session=session, email="officer@demo.heard", password="second-password")


def test_the_demo_comments_are_coded_with_the_demo_themes_and_safe_to_show():
    from collections import Counter

    from analysis.safeguarding import screen
    from models.demo import DEMO_THEMES, demo_comments

    comments = demo_comments()
    keys = {key for key, _, _ in DEMO_THEMES}
    counts = Counter(theme for c in comments for theme in c["themes"])
    assert set(counts) == keys and min(counts.values()) >= 12
    assert sum(1 for c in comments if not c["themes"]) >= 5  # people leave some uncoded
    assert {c["sentiment"] for c in comments} <= {"positive", "neutral", "negative", "mixed"}
    assert not [c["text"] for c in comments if screen(c["text"]).flag]
