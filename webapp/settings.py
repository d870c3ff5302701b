"""Configuration from the environment. Secrets never live in the code."""

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105  (refused in production)


class ConfigurationError(RuntimeError):
    """The app was asked to start with settings that are unsafe or incomplete."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _days(name: str) -> int | None:
    """A retention period in days; None (unset) keeps the default in models/retention.py."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ConfigurationError(f"{name} must be a whole number of days, 1 or more")
    return int(value)


#: The retention period of each kind of data, in days (`heard retention show`;
#: models/retention.py). Unset, each keeps the default there.
RETENTION_SETTINGS = (
    "HEARD_RETAIN_DRAFTS_DAYS",
    "HEARD_RETAIN_PICTURES_DAYS",
    "HEARD_RETAIN_IDENTITIES_DAYS",
    "HEARD_RETAIN_INVITATIONS_DAYS",
    "HEARD_RETAIN_FOLLOW_UPS_DAYS",
    "HEARD_RETAIN_SAFEGUARDING_DAYS",
    "HEARD_RETAIN_RESPONSES_DAYS",
    "HEARD_RETAIN_IMPORTS_DAYS",
    "HEARD_RETAIN_JOB_FILES_DAYS",
    "HEARD_RETAIN_JOBS_DAYS",
    "HEARD_RETAIN_SIGN_INS_DAYS",
    "HEARD_RETAIN_AUDIT_DAYS",
)


def from_environment() -> dict[str, Any]:
    """Read Heard's settings from environment variables."""
    env = os.environ.get("HEARD_ENV", "development")
    instance = Path(os.environ.get("HEARD_INSTANCE_PATH", ROOT / "instance"))
    redis_url = os.environ.get("REDIS_URL")
    # Read in this order, so that of several bad values the same one is reported first.
    return {
        **_web(env, instance, redis_url),
        **_rate_limits(redis_url),
        **_languages_and_symbols(),
        **_queue(instance),
        **_mail(instance),
        **{name: _days(name) for name in RETENTION_SETTINGS},
    }


def _web(env: str, instance: Path, redis_url: str | None) -> dict[str, Any]:
    """The secret, the database, HTTPS and proxies, and the limits on sessions and requests."""
    production = env == "production"
    return {
        "HEARD_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'heard.db'}",
        "REDIS_URL": redis_url,
        "HEARD_HTTPS": _flag("HEARD_HTTPS", default=production),
        "HEARD_ORGANISATION": os.environ.get("HEARD_ORGANISATION"),
        "HEARD_TRUSTED_PROXIES": int(os.environ.get("HEARD_TRUSTED_PROXIES", "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 60 * 60,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        # The largest form field that is not a file. The codebook import check page carries
        # the checked file in a signed field: a 1MB file that does not compress is about
        # 1.05MB zlib'd, 1.4MB in base64, and at most 1.87MB once the signed token is
        # base64'd again. Flask's default of 500KB would refuse it.
        "MAX_FORM_MEMORY_SIZE": 3 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 60 * 60,
    }


def _rate_limits(redis_url: str | None) -> dict[str, Any]:
    """Where rate limits are counted, and how many of each kind of request are allowed."""
    return {
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "heard"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "HEARD_LOGIN_LIMITS": os.environ.get("HEARD_LOGIN_LIMITS", "5 per minute;20 per hour"),
        # Starting a response, per address: generous, because a school or a family centre
        # may put a whole group behind one address.
        "HEARD_START_LIMITS": os.environ.get("HEARD_START_LIMITS", "120 per hour"),
        # Saving a page, and sending answers (each counted on its own), per address: as
        # generous, for the same reason; a class of 30 on the 15-page All about Me form, going
        # back to change answers, saves about 1,000 pages in an hour. Signed-in staff typing
        # in paper copies are not counted.
        "HEARD_SUBMIT_LIMITS": os.environ.get("HEARD_SUBMIT_LIMITS", "2000 per hour"),
        # Exports and downloads of answers, comments or the people invited, per signed-in
        # person across all of them: enough for a day's work, not for scraping.
        "HEARD_EXPORT_LIMITS": os.environ.get("HEARD_EXPORT_LIMITS", "60 per hour"),
    }


def _languages_and_symbols() -> dict[str, Any]:
    """The default language and time zone, the translations, and the picture folders."""
    return {
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "HEARD_OPENMOJI_DIR": os.environ.get(
            "HEARD_OPENMOJI_DIR", str(ROOT / "node_modules" / "openmoji" / "color" / "svg")
        ),
        "HEARD_SYMBOLS_DIR": os.environ.get("HEARD_SYMBOLS_DIR"),
    }


def _queue(instance: Path) -> dict[str, Any]:
    """Where the background jobs are queued, and whether they run at once instead."""
    return {
        "HEARD_QUEUE_PATH": os.environ.get("HEARD_QUEUE_PATH", str(instance / "queue.db")),
        "HEARD_QUEUE_REDIS_URL": os.environ.get("HEARD_QUEUE_REDIS_URL"),
        # Keys in Redis are named after it, so two Heards (say live and training) can share one.
        "HEARD_QUEUE_NAME": os.environ.get("HEARD_QUEUE_NAME", "heard"),
        "HEARD_JOBS_IMMEDIATE": _flag("HEARD_JOBS_IMMEDIATE"),
    }


def _mail(instance: Path) -> dict[str, Any]:
    """How email is sent, or where it waits, and the public address it links to."""
    return {
        # Email to people who asked to hear what changed. With no SMTP host, each message
        # is written to the outbox folder instead, for an administrator to download.
        "HEARD_SMTP_HOST": os.environ.get("HEARD_SMTP_HOST"),
        "HEARD_SMTP_PORT": int(os.environ.get("HEARD_SMTP_PORT", "587")),
        "HEARD_SMTP_USERNAME": os.environ.get("HEARD_SMTP_USERNAME"),
        "HEARD_SMTP_PASSWORD": os.environ.get("HEARD_SMTP_PASSWORD"),
        "HEARD_SMTP_STARTTLS": _flag("HEARD_SMTP_STARTTLS", default=True),
        "HEARD_MAIL_FROM": os.environ.get("HEARD_MAIL_FROM", "heard@localhost"),
        "HEARD_OUTBOX_DIR": os.environ.get("HEARD_OUTBOX_DIR", str(instance / "outbox")),
        # The address the public pages and emails link to, e.g. https://heard.kent.gov.uk
        "HEARD_PUBLIC_URL": os.environ.get("HEARD_PUBLIC_URL", ""),
    }


def finalise(config: dict[str, Any]) -> None:
    """Derive the cookie and URL settings that follow from whether HTTPS is on."""
    https = bool(config["HEARD_HTTPS"])
    config["SESSION_COOKIE_SECURE"] = https
    config["REMEMBER_COOKIE_SECURE"] = https
    # The __Host- prefix makes the browser refuse the cookie unless it is secure and host-only.
    config["SESSION_COOKIE_NAME"] = "__Host-heard-session" if https else "heard-session"
    config["PREFERRED_URL_SCHEME"] = "https" if https else "http"


def check(config: dict[str, Any]) -> None:
    """Refuse settings that would be unsafe in production."""
    if config.get("HEARD_ENV") != "production":
        return
    if config.get("SECRET_KEY") in {None, "", DEFAULT_SECRET_KEY} or len(config["SECRET_KEY"]) < 32:
        raise ConfigurationError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production"
        )
    if config.get("RATELIMIT_STORAGE_URI", "").startswith("memory://"):
        raise ConfigurationError(
            "REDIS_URL must be set in production: the web servers share their rate limits "
            "through it, and the job workers their queue"
        )
