"""Staff accounts, their roles and their passwords (argon2)."""

from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import EmailStr, field_validator
from sqlalchemy import Column
from sqlmodel import Field, Session, SQLModel, select

from models.types import UTCDateTime, utcnow, value_enum

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


class Role(StrEnum):
    """What a member of staff may do. Each account has exactly one role."""

    ADMIN = "admin"
    OFFICER = "officer"
    PARTICIPATION = "participation-worker"
    SAFEGUARDING = "safeguarding-lead"
    # A parent carer forum member (or similar) who reviews "You said, we did" drafts only.
    REVIEWER = "reviewer"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.OFFICER: "Officer",
    Role.PARTICIPATION: "Participation worker",
    Role.SAFEGUARDING: "Safeguarding lead",
    Role.REVIEWER: "Reviewer",
}


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=254, unique=True, index=True)
    full_name: str = Field(max_length=200)
    role: Role = Field(sa_type=value_enum(Role))

    @field_validator("email")
    @classmethod
    def _lowercase_email(cls, value: str) -> str:
        return value.strip().lower()


class UserCreate(UserBase):
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)


class User(UserBase, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    password_hash: str = Field(max_length=200)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_login_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )

    # The session-user protocol that Flask-Login expects, written here so that
    # models need not import Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class UserPublic(UserBase):
    id: int
    organisation_id: int
    is_active: bool


def create_user(*, session: Session, organisation_id: int, data: UserCreate) -> User:
    """Add a staff account with a hashed password."""
    data = UserCreate.model_validate(data)
    user = User.model_validate(
        data,
        update={
            "organisation_id": organisation_id,
            "password_hash": _hasher.hash(data.password),
        },
    )
    session.add(user)
    session.flush()
    return user


def set_password(*, session: Session, user: User, password: str) -> None:
    """Replace a user's password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = _hasher.hash(password)
    session.add(user)
    session.flush()


def get_user(*, session: Session, user_id: int) -> User | None:
    """Find a user by id."""
    return session.get(User, user_id)


def get_user_by_email(*, session: Session, email: str) -> User | None:
    """Find a user by email address, ignoring case."""
    query = select(User).where(User.email == email.strip().lower())
    return session.exec(query).first()


def list_users(*, session: Session, organisation_id: int) -> list[User]:
    """Return an organisation's staff accounts, by name."""
    query = select(User).where(User.organisation_id == organisation_id)
    return list(session.exec(query.order_by(User.full_name)))


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """Return the active user whose email and password match, or None."""
    user = get_user_by_email(session=session, email=email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    return user
