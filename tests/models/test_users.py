"""Staff accounts and passwords."""

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from models import (
    OrganisationCreate,
    Role,
    UserCreate,
    authenticate,
    create_organisation,
    create_user,
    set_password,
)


@pytest.fixture
def organisation(session):
    org = create_organisation(session=session, data=OrganisationCreate(slug="hull", name="Hull"))
    session.commit()
    return org


def new_user(session, organisation, email="Lead@Example.org", role=Role.SAFEGUARDING):
    data = UserCreate(email=email, full_name="Lee Lead", role=role, password="a-long-passphrase")
    user = create_user(session=session, organisation_id=organisation.id, data=data)
    session.commit()
    return user


def test_password_is_hashed_with_argon2_and_email_lowercased(session, organisation):
    user = new_user(session, organisation)
    assert user.email == "lead@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert "a-long-passphrase" not in user.password_hash
    assert session.get(type(user), user.id).role is Role.SAFEGUARDING


def test_authenticate_checks_the_password_and_records_the_time(session, organisation):
    new_user(session, organisation)
    assert authenticate(session=session, email="lead@example.org", password="wrong") is None
    assert authenticate(session=session, email="nobody@example.org", password="x") is None
    user = authenticate(session=session, email=" LEAD@example.org ", password="a-long-passphrase")
    assert user is not None
    assert user.last_login_at is not None and user.last_login_at.tzinfo is not None


def test_short_password_and_bad_email_are_refused(session, organisation):
    with pytest.raises(ValidationError):
        UserCreate(email="lead@example.org", full_name="L", role=Role.ADMIN, password="short")
    with pytest.raises(ValidationError):
        UserCreate(email="not-an-email", full_name="L", role=Role.ADMIN, password="long-enough-pw")
    user = new_user(session, organisation)
    with pytest.raises(ValueError, match="at least 12"):
        set_password(session=session, user=user, password="short")


def test_email_addresses_are_unique(session, organisation):
    new_user(session, organisation)
    with pytest.raises(IntegrityError):
        new_user(session, organisation, email="lead@example.org", role=Role.ADMIN)


def test_unknown_role_is_refused():
    with pytest.raises(ValidationError):
        UserCreate(
            email="a@example.org", full_name="A", role="superuser", password="long-enough-pw"
        )


def test_the_app_hashes_passwords_at_full_strength():
    """The suite signs in with a cheap hasher (tests/conftest.py); the app does not."""
    from tests.conftest import FULL_STRENGTH_HASHER

    assert FULL_STRENGTH_HASHER.time_cost >= 3
    assert FULL_STRENGTH_HASHER.memory_cost >= 64 * 1024
