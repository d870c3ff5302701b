"""Security headers, cookies, CSRF and rate limits."""

import re

import pytest

from tests.conftest import REDIS_URL, csrf_token, make_app, sign_in, unavailable
from webapp import create_app
from webapp.settings import ConfigurationError


def session_cookie(response, name):
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def test_csp_uses_a_fresh_nonce_and_forbids_framing(client):
    first = client.get("/")
    second = client.get("/")
    policy = first.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"' in first.get_data(as_text=True)
    assert nonce not in second.headers["Content-Security-Policy"]
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["X-Frame-Options"] == "DENY"


def test_pages_are_never_cached_but_static_files_may_be(client):
    assert client.get("/sign-in").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"
    with client.get("/static/favicon.svg") as static:
        assert static.status_code == 200
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_no_hsts_and_plain_cookie_over_http(client, demo):
    response = sign_in(client, "admin@demo.heard")
    assert "Strict-Transport-Security" not in response.headers
    cookie = session_cookie(response, "heard-session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_hsts_and_secure_host_only_cookie_over_https(database_url, demo):
    app = make_app(database_url, HEARD_HTTPS=True)
    client = app.test_client()
    token = csrf_token(client, "https://localhost/sign-in")
    response = client.post(
        "https://localhost/sign-in",
        data={
            "csrf_token": token,
            "email": "admin@demo.heard",
            "password": "correct-horse-battery",
        },
        headers={"Referer": "https://localhost/sign-in"},
    )
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = session_cookie(response, "__Host-heard-session")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    app.extensions["heard.engine"].dispose()


def test_post_without_csrf_token_is_refused_with_a_clear_page(client, demo):
    response = client.post(
        "/sign-in", data={"email": "admin@demo.heard", "password": "correct-horse-battery"}
    )
    assert response.status_code == 400
    assert "Your session has timed out" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302  # not signed in


def test_post_with_a_forged_token_is_refused(client, demo):
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": "forged",
            "email": "admin@demo.heard",
            "password": "correct-horse-battery",
        },
    )
    assert response.status_code == 400


def test_sign_in_is_rate_limited_per_address(client, demo):
    for _ in range(5):
        assert sign_in(client, "admin@demo.heard", "wrong-password").status_code == 200
    response = sign_in(client, "admin@demo.heard", "correct-horse-battery")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert client.get("/sign-in").status_code == 200  # reading the page is not limited


def test_sign_in_is_rate_limited_per_account_across_addresses(client, demo):
    for n in range(5):
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        assert sign_in(client, "admin@demo.heard", "wrong-password").status_code == 200
    client.environ_base["REMOTE_ADDR"] = "10.0.0.99"
    assert sign_in(client, "admin@demo.heard", "correct-horse-battery").status_code == 429
    assert sign_in(client, "officer@demo.heard", "correct-horse-battery").status_code == 302


def test_rate_limits_can_be_kept_in_redis(database_url, demo):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        unavailable("Redis", "REQUIRE_REDIS", str(error))
    server = redis.Redis.from_url(REDIS_URL)  # a database kept for tests, so it may be emptied
    server.flushdb()
    app = make_app(database_url, RATELIMIT_STORAGE_URI=REDIS_URL)
    client = app.test_client()
    for _ in range(5):
        sign_in(client, "admin@demo.heard", "wrong-password")
    assert sign_in(client, "admin@demo.heard", "correct-horse-battery").status_code == 429
    assert server.keys("*sign-in*"), "the limiter should have kept its counters in Redis"
    server.flushdb()
    server.close()
    app.extensions["heard.engine"].dispose()


@pytest.mark.parametrize("secret", [None, "", "dev-only-not-secret", "short"])
def test_production_refuses_a_default_or_weak_secret_key(secret, tmp_path):
    config = {
        "HEARD_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": secret,
    }
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(config)


def test_production_starts_with_a_strong_secret(tmp_path):
    app = create_app(
        {
            "HEARD_ENV": "production",
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "SECRET_KEY": "x" * 40,
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is False  # HEARD_HTTPS was not given here
    app.extensions["heard.engine"].dispose()


def test_behind_a_trusted_proxy_limits_count_the_real_client(database_url, demo):
    app = make_app(database_url, HEARD_TRUSTED_PROXIES=1)
    client = app.test_client()
    for n in range(5):
        headers = {"X-Forwarded-For": f"203.0.113.{n}"}
        token = csrf_token(client, "/sign-in")
        data = {"csrf_token": token, "email": f"user{n}@demo.heard", "password": "wrong"}
        assert client.post("/sign-in", data=data, headers=headers).status_code == 200
    # Five different people behind one proxy: the sixth is not blocked by the others.
    assert sign_in(client, "admin@demo.heard").status_code == 302
    app.extensions["heard.engine"].dispose()
