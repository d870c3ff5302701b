"""The `heard` command."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from models import Organisation, User, authenticate, migrate, new_session
from tests.conftest import own_database
from webapp.cli import cli


def runner(database_url: str) -> Callable[..., Result]:
    """`heard ...` on the database, with no demo password or organisation in the environment."""
    # The runner sets these while the command runs (None removes one) and then puts back
    # what was there.
    quiet = {"DATABASE_URL": database_url, "HEARD_DEMO_PASSWORD": None, "HEARD_ORGANISATION": None}

    def invoke(*args, input=None, env=None):
        return CliRunner().invoke(
            cli, list(args), input=input, env={**quiet, **(env or {})}, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def run(database_url):
    return runner(database_url)


@dataclass
class DemoRuns:
    """`heard demo` run twice on an empty database, as someone trying Heard would."""

    first: Result
    second: Result
    users: int  # counted straight after the second run
    organisations: int
    run: Callable[..., Result]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_runs(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[DemoRuns]:
    """The whole demo takes seconds to load, so it is loaded once per database for the module.

    What the runs printed and what they left are kept before any test sees the database; the
    tests that go on to use it (loading forms) change nothing those record.
    """
    with own_database(request, tmp_path_factory.mktemp("cli")) as database_url:
        run = runner(database_url)
        first = run("demo")
        second = run("demo")
        yield DemoRuns(
            first,
            second,
            users=count(database_url, User),
            organisations=count(database_url, Organisation),
            run=run,
        )


def count(database_url, table):
    from models import make_engine

    engine = make_engine(database_url)
    with new_session(engine) as session:
        value = session.scalar(select(func.count()).select_from(table))
    engine.dispose()
    return value


def test_db_upgrade_and_current(run, database_url):
    assert run("db", "upgrade").exit_code == 0
    assert run("db", "current").output.strip() == migrate.head_revision(database_url)


def test_demo_prints_logins_and_a_random_password_once(demo_runs):
    first = demo_runs.first
    assert first.exit_code == 0
    assert "admin@demo.heard" in first.output and "safeguarding@demo.heard" in first.output
    assert "shown once" in first.output
    assert "http://127.0.0.1:5000/sign-in" in first.output
    assert "Demo “You said, we did”: one published entry" in first.output
    second = demo_runs.second
    assert "shown once" not in second.output
    assert demo_runs.users == 5 and demo_runs.organisations == 1


# The password comes from the environment whatever the database, and the whole demo takes
# 15-20 s to load on PostgreSQL, so this runs on SQLite only; `demo_runs` loads it on both.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_demo_uses_heard_demo_password(run, database_url):
    run("demo", env={"HEARD_DEMO_PASSWORD": "from-the-environment"})
    from models import make_engine

    engine = make_engine(database_url)
    with new_session(engine) as session:
        assert authenticate(
            session=session, email="admin@demo.heard", password="from-the-environment"
        )
    engine.dispose()


def test_demo_if_empty_leaves_existing_data_alone(run, demo):
    # Any organisation counts as data: the demo fixture's is enough, without the whole demo.
    result = run("demo", "--if-empty")
    assert "already has data" in result.output
    assert "http://127.0.0.1:5000/" in result.output


def test_users_create(run, database_url, demo):
    result = run(
        "users",
        "create",
        "--email",
        "New.Person@Kent.example",
        "--name",
        "New Person",
        "--role",
        "officer",
        input="a-good-long-password\na-good-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "new.person@kent.example" in result.output
    assert count(database_url, User) == 6


def test_users_create_explains_bad_input(run, database_url, demo):
    short = run(
        "users",
        "create",
        "--email",
        "x@kent.example",
        "--name",
        "X",
        "--role",
        "officer",
        "--password",
        "short",
    )
    assert short.exit_code == 2 and "at least 12" in short.output
    taken = run(
        "users",
        "create",
        "--email",
        "admin@demo.heard",
        "--name",
        "X",
        "--role",
        "admin",
        "--password",
        "long-enough-password",
    )
    assert taken.exit_code == 2 and "already exists" in taken.output
    wrong_org = run(
        "users",
        "create",
        "--email",
        "y@kent.example",
        "--name",
        "Y",
        "--role",
        "admin",
        "--organisation",
        "nowhere",
        "--password",
        "long-enough-password",
    )
    assert wrong_org.exit_code == 2 and "no organisation called" in wrong_org.output
    assert count(database_url, User) == 5


def test_forms_load_checks_and_versions_definitions(demo_runs, tmp_path):
    from forms.schema import DEFINITIONS

    run = demo_runs.run  # on the database `heard demo` loaded
    unchanged = run("forms", "load", str(DEFINITIONS))
    assert "all-about-me-pathway-1 version 1 (published): unchanged" in unchanged.output
    changed = tmp_path / "all-about-me.yaml"
    text = (DEFINITIONS / "all-about-me-pathway-1.yaml").read_text()
    changed.write_text(text.replace("title: All about Me", "title: All about me"))
    result = run("forms", "load", "--publish", str(changed))
    assert "all-about-me-pathway-1 version 2 (published): loaded" in result.output


def test_forms_load_names_the_file_and_question_of_a_bad_definition(run, database_url, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "slug: bad\ntitle: Bad\npages:\n  - id: one\n    title: One\n    questions:\n"
        "      - {id: colour, kind: dropdown, label: Colour}\n"
    )
    result = run("forms", "load", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: page 'one', question 'colour': unknown kind 'dropdown'" in result.output
    assert "Traceback" not in result.output
