"""What one process compiles once for all the apps it makes: templates (for every process)
and route URL builders (in tests, see tests/conftest.py).

Compiled templates are never used stale, and shared builders build each app's own URLs.
"""

import re
from unittest import mock

import flask
import pytest
from jinja2 import DictLoader, Environment

from tests.conftest import make_app
from webapp.template_cache import TEMPLATES, SharedBytecodeCache

SOURCE = "{% if true %}\n  kind {{ who }}\n{% endif %}\n"


def environment(cache: SharedBytecodeCache, source: str = SOURCE, **settings) -> Environment:
    loader = DictLoader({"page.html": source})
    return Environment(loader=loader, bytecode_cache=cache, autoescape=True, **settings)


@pytest.fixture
def compiles():
    """How many times Jinja compiles a template from its source."""
    original = Environment.compile
    with mock.patch.object(Environment, "compile", autospec=True, side_effect=original) as spy:
        yield spy


def test_a_second_environment_uses_the_code_the_first_compiled(compiles):
    cache = SharedBytecodeCache()
    first = environment(cache).get_template("page.html").render(who="nurse")
    second = environment(cache).get_template("page.html").render(who="staff")
    assert compiles.call_count == 1
    assert len(cache) == 1
    assert first == "\n  kind nurse\n" and second == "\n  kind staff\n"


def test_an_edited_template_is_compiled_again(compiles):
    cache = SharedBytecodeCache()
    environment(cache).get_template("page.html").render(who="nurse")
    edited = environment(cache, SOURCE.replace("kind", "caring"))
    assert edited.get_template("page.html").render(who="nurse") == "\n  caring nurse\n"
    assert compiles.call_count == 2


def test_code_compiled_under_other_settings_is_kept_apart(compiles):
    cache = SharedBytecodeCache()
    plain = environment(cache).get_template("page.html").render(who="nurse")
    trimmed = environment(cache, trim_blocks=True, lstrip_blocks=True)
    assert trimmed.get_template("page.html").render(who="nurse") == "  kind nurse\n"
    assert plain == "\n  kind nurse\n"
    assert compiles.call_count == 2 and len(cache) == 2


def test_every_app_shares_the_process_cache_and_renders_the_same(database_url, compiles):
    TEMPLATES.clear()
    first = make_app(database_url).test_client().get("/accessibility")
    compiled = compiles.call_count
    assert compiled > 0 and len(TEMPLATES) >= compiled
    second = make_app(database_url).test_client().get("/accessibility")
    assert compiles.call_count == compiled  # nothing compiled again
    assert second.status_code == first.status_code == 200
    # The same page, but for the nonce each response gets for its scripts and styles.
    assert unnonced(second) == unnonced(first)


def unnonced(response) -> str:
    return re.sub(r'nonce="[^"]+"', 'nonce=""', response.get_data(as_text=True))


def test_apps_share_each_routes_url_builder_and_build_the_same_urls(database_url):
    first, second = make_app(database_url), make_app(database_url)

    def rule(app, path):
        return next(r for r in app.url_map.iter_rules() if r.rule == path)

    for path in ["/accessibility", "/r/<code>"]:
        assert rule(first, path)._build.__func__ is rule(second, path)._build.__func__
        assert rule(first, path)._build.__self__ is rule(first, path)  # bound to its own route
    for app in (first, second):
        with app.test_request_context():
            assert flask.url_for(rule(app, "/r/<code>").endpoint, code="a b") == "/r/a%20b"
            accessibility = rule(app, "/accessibility").endpoint
            assert flask.url_for(accessibility, x="1") == "/accessibility?x=1"
