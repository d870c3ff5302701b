"""A real server and a real headless Chromium, for browser and accessibility tests."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from models import get_default_organisation, make_engine, migrate, new_session
from models.demo import load_demo
from tests.conftest import DEMO_PASSWORD, unavailable
from webapp import create_app, demo_data, demo_plans, demo_yswd
from webapp.form_loading import load_shipped

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    configured = os.environ.get("HEARD_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory) -> str:
    """The live server's database: the demo, with its survey rounds, loaded as `heard demo` does."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'heard.db'}"
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with new_session(engine) as session:
        load_demo(session=session, password=DEMO_PASSWORD, reset_passwords=False)
        load_shipped(session=session, publish=True)
        session.commit()
    engine.dispose()
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "browser-test-secret"})
    with app.test_request_context(), new_session(app.extensions["heard.engine"]) as session:
        organisation = get_default_organisation(session=session)
        demo_data.load_surveys(session=session, organisation=organisation)
        demo_plans.load_plans(session=session, organisation=organisation)
        demo_yswd.code_survey_comments(session=session, organisation=organisation)
        demo_yswd.load_entry(session=session, organisation=organisation)
        session.commit()
    app.extensions["heard.engine"].dispose()
    return database_url


@pytest.fixture(scope="session")
def live_server(live_database_url) -> Iterator[str]:
    """Heard under gunicorn on loopback, with the demo data loaded."""
    database_url = live_database_url

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "browser-test-secret"}
    # The browser tests sign in as several people in quick succession from one address;
    # the sign-in limits themselves are tested in tests/webapp/test_security.py.
    env["HEARD_LOGIN_LIMITS"] = "60 per minute;600 per hour"
    # Exports run inline, as in a one-person demo, so a test can download what it asked for.
    env["HEARD_JOBS_IMMEDIATE"] = "1"
    env["HEARD_QUEUE_PATH"] = str(
        Path(database_url.removeprefix("sqlite:///")).with_name("queue.db")
    )
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("the server did not start")
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the operating system, driven by Playwright."""
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium", "REQUIRE_BROWSER", "no chromium executable found")
    if not AXE.exists():
        unavailable("axe-core", "REQUIRE_BROWSER", "run `npm ci` to install it")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
    except Exception as error:
        playwright.stop()
        unavailable("Chromium", "REQUIRE_BROWSER", f"it would not start: {error}")
    yield chromium
    chromium.close()
    playwright.stop()


class PageWatch:
    """Collects console errors, CSP violations and script errors while a page is open."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # A failed load is reported through `response` below, where the page itself is known.
        if message.text.startswith("Failed to load resource"):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url}")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    context.close()


def sign_in(page, base: str, email: str) -> None:
    """Sign in as a demo member of staff through the real form."""
    page.goto(f"{base}/sign-in")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")


@pytest.fixture(scope="session")
def picture(tmp_path_factory) -> Path:
    """A small picture to upload, as a child's photo of themselves."""
    from PIL import Image

    path = tmp_path_factory.mktemp("upload") / "me.png"
    Image.new("RGB", (120, 90), (30, 120, 200)).save(path, "PNG")
    return path


def focused(page) -> dict:
    """What has the keyboard focus: its id, tag, type and text."""
    return page.evaluate(
        """() => { const e = document.activeElement;
            return {id: e.id, tag: e.tagName, type: e.type || '',
                    text: (e.textContent || '').trim()}; }"""
    )


def answer_page_with_keyboard(page, picture: Path) -> None:
    """Tab through a form page, answering each field, then press Enter on its submit button.

    Checkboxes and the first radio of each group are ticked with Space, a select moves
    down one option with the arrow key, and text is typed into whatever has the focus.
    """
    if not getattr(page, "chooses_picture", False):
        # Listening from the start, not just around the key press, so Chromium is already
        # handing its file chooser to Playwright when the key opens it.
        page.on("filechooser", lambda chooser: chooser.set_files(str(picture)))
        page.chooses_picture = True
    done = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        element = focused(page)
        key = element["id"]
        if element["tag"] == "BUTTON" and element["type"] == "submit":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        if not key or key in done:
            continue
        done.add(key)
        if element["type"] == "file":
            page.keyboard.press("Space")
            page.wait_for_function("() => document.activeElement.files.length === 1")
        elif element["type"] in {"checkbox", "radio"}:
            page.keyboard.press("Space")
        elif element["tag"] == "SELECT":
            page.keyboard.press("ArrowDown")
        elif key.startswith("date-completed"):
            page.keyboard.type({"": "27", "-month": "3", "-year": "2026"}[key[14:]])
        elif element["type"] == "email":
            page.keyboard.type("parent@example.org")
        elif element["tag"] in {"INPUT", "TEXTAREA"} and element["type"] in {"text", "textarea"}:
            page.keyboard.type("Sam" if key == "name" else "I like music")
    pytest.fail(f"never reached the submit button on {page.url}")


def words(text: str) -> str:
    """Text as a reader hears it: a label and its swatch may sit on separate lines."""
    return " ".join(text.split())


def run_axe(page) -> list[dict]:
    """Run axe-core's WCAG 2.2 A and AA rules on the page and return the violations.

    A context that runs it on many pages can add axe to each with `add_init_script(path=AXE)`.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag',
                      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


ARTEFACTS = Path(os.environ.get("HEARD_SCREENSHOTS") or ROOT / "test-artefacts")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artefacts/ (or HEARD_SCREENSHOTS), to look at."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
