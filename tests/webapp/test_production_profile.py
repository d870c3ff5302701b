"""The production profile, as real processes: gunicorn with three workers, PostgreSQL, Redis
for the job queue and the rate limits, and `heard worker` on its own, as it would run on
another machine.

Everything the test asks of Heard goes over HTTP, as a browser behind a TLS-terminating
proxy would send it (the proxy's X-Forwarded-For and X-Forwarded-Proto headers, with
HEARD_TRUSTED_PROXIES=1). The database is only read directly to seed the demo data and
check what the worker stored.
"""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from sqlmodel import select

from analysis.coder import ThemeCoder
from models import get_organisation_by_slug, make_engine, new_session
from models.coding import CoderModel, get_active_codebook
from models.demo import demo_comments, load_demo
from models.jobs import Job, JobStatus
from tests.conftest import DEMO_PASSWORD, REDIS_URL, unavailable

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKERS = 3
#: What the proxy says the browser's address is (a documentation range).
CLIENT = "203.0.113.7"
PARTICIPATION = "participation@demo.heard"
CSRF = r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"'
STARTUP_SECONDS = 60
JOB_SECONDS = 60


@dataclass
class Browser:
    """One browser behind the proxy: its cookies, and the headers the proxy adds."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None):
        """Send one request, without following redirects; return (status, headers, body)."""
        origin = f"https://127.0.0.1:{self.port}"
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-For": CLIENT}
        headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Over HTTPS, CSRF protection also wants the page the form came from.
            headers["Referer"] = origin + path
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.partition(";")[0]
        return response.status, response.headers, text

    def get(self, path: str) -> str:
        status, _, text = self.request("GET", path)
        assert status == 200, f"GET {path}: {status}"
        return text

    def submit(self, path: str, data: dict | None = None, page: str | None = None) -> str:
        """Post the form on `page` (by default `path`) with its CSRF token; return Location."""
        found = re.search(CSRF, self.get(page or path))
        assert found, f"no CSRF token on {page or path}"
        status, headers, text = self.request("POST", path, {"csrf_token": found[1], **(data or {})})
        assert status == 302, f"POST {path}: {status}\n{text[:2000]}"
        return urlsplit(headers["Location"]).path


@dataclass
class Profile:
    """The running processes and what they were given."""

    port: int
    server: subprocess.Popen
    worker: subprocess.Popen
    access_log: Path
    server_log: Path
    worker_log: Path
    database_url: str
    limit_prefix: str
    queue_name: str
    codebook_id: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """The live child processes of `pid`, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue  # a process that ended while we looked
        if parent == str(pid) and state != "Z":
            found.append(int(stat.parent.name))
    return found


def served_by(access_log: Path) -> set[int]:
    """The gunicorn worker pids that answered requests (the access log's first field)."""
    return {
        int(line.split()[0].strip("<>"))
        for line in access_log.read_text().splitlines()
        if line.strip()
    }


def stop(*processes: subprocess.Popen) -> None:
    """Stop the processes together: gunicorn's quick shutdown (SIGINT), the worker's SIGTERM."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT if "gunicorn" in process.args[0] else signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def production_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """The test run's environment without Heard's settings, plus production ones."""
    env = {
        k: v
        for k, v in os.environ.items()
        # Coverage's subprocess hooks would slow the servers and leave data files behind.
        if not k.startswith(("HEARD_", "RATELIMIT_", "COV_CORE_"))
        and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    return env | {
        "HEARD_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "HEARD_INSTANCE_PATH": str(tmp_path / "instance"),
        "HEARD_OUTBOX_DIR": str(tmp_path / "outbox"),
        **values,
    }


@pytest.fixture
def redis_server() -> Iterator:
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as error:
        unavailable("Redis", "REQUIRE_REDIS", str(error))
    yield server
    server.close()


def seed(url: str) -> int:
    """The demo organisation and its 188 human-coded comments; return the codebook id."""
    from webapp.demo_data import load_comments

    engine = make_engine(url)
    try:
        with new_session(engine) as session:
            load_demo(session=session, password=DEMO_PASSWORD, reset_passwords=False)
            organisation = get_organisation_by_slug(session=session, slug="kent-demo")
            assert load_comments(session=session, organisation=organisation) == len(demo_comments())
            session.commit()
            codebook = get_active_codebook(session=session, organisation_id=organisation.id)
            return codebook.id
    finally:
        engine.dispose()


def wait_until_healthy(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped while starting:\n{log.read_text()[-3000:]}")
        try:
            status, _, _ = Browser(port).request("GET", "/healthz")
            if status == 200 and len(children(server.pid)) == WORKERS:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"gunicorn did not answer in {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def production(tmp_path, postgres_reset, redis_server) -> Iterator[Profile]:
    """Heard on PostgreSQL and Redis: gunicorn with three workers and a separate job worker."""
    postgres_reset.reset()
    url = postgres_reset.url
    codebook_id = seed(url)
    run = uuid.uuid4().hex[:10]
    # Other test processes may share this Redis database: keep to our own keys.
    prefix, name = f"heard-test-{run}", f"heard-test-{run}"
    env = production_env(
        tmp_path,
        DATABASE_URL=url,
        REDIS_URL=REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
        HEARD_QUEUE_NAME=name,
        HEARD_TRUSTED_PROXIES="1",
        HEARD_JOBS_IMMEDIATE="0",
    )
    port = free_port()
    access_log, server_log, worker_log = (
        tmp_path / f"{n}.log" for n in ("access", "server", "worker")
    )
    # --preload imports Heard once and forks the workers from it: quicker to start and
    # lighter on memory, and safe because create_app opens no database or Redis connection.
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    command += [
        "--preload",
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        "%(p)s %(m)s %(U)s %(s)s",
    ]
    with server_log.open("w") as out:
        server = subprocess.Popen([*command, "wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=out)
    with worker_log.open("w") as out:
        worker = subprocess.Popen(
            [str(BIN / "heard"), "worker", "--workers", "1"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=out,
        )
    try:
        wait_until_healthy(port, server, server_log)
        yield Profile(
            port, server, worker, access_log, server_log, worker_log, url, prefix, name, codebook_id
        )
    finally:
        stop(server, worker)
        for key in [
            *redis_server.scan_iter(f"*{prefix}*"),
            *redis_server.scan_iter(f"huey.*{name}*"),
        ]:
            redis_server.delete(key)


def test_a_training_job_runs_on_a_separate_redis_worker_behind_three_web_workers(
    production, redis_server
):
    browser = Browser(production.port)
    signed_in = browser.submit("/sign-in", {"email": PARTICIPATION, "password": DEMO_PASSWORD})
    assert signed_in == "/staff/"
    # The sign-in attempt was counted in Redis, where every web worker sees it, under the
    # address the proxy gave and under the account.
    counters = [key.decode() for key in redis_server.scan_iter(f"*{production.limit_prefix}*")]
    assert any(CLIENT in key for key in counters), counters
    assert any(f"sign-in:{PARTICIPATION}" in key for key in counters), counters

    codebook = f"/staff/codebooks/{production.codebook_id}"
    job_page = browser.submit(f"{codebook}/retrain", page=codebook)
    job_id = int(job_page.rsplit("/", 1)[1])
    # While the worker trains, other browsers arrive together and the workers share them.
    served = share_between_workers(production)
    assert len(served) > 1 and served <= set(children(production.server.pid)), served
    status = wait_for_job(browser, job_page, production)
    assert status["status"] == "done", status

    page = browser.get(job_page)
    coded = len(demo_comments())
    assert "The coder has been retrained" in page, page
    assert f"It learned from {coded} comments" in page
    engine = make_engine(production.database_url)
    try:
        with new_session(engine) as session:
            job = session.get(Job, job_id)
            [model] = session.exec(select(CoderModel)).all()
            assert job.status == JobStatus.DONE
            assert job.result["coder_model_id"] == model.id
            assert job.result["trained_on"] == coded == model.trained_on
            assert len(job.result["themes"]) == 14 and job.result["recoded"] == coded
            assert ThemeCoder.from_bytes(model.data).themes_ == job.result["themes"]
    finally:
        engine.dispose()
    # The separate worker took it from Redis; the web workers never run jobs themselves.
    worker_log = production.worker_log.read_text()
    assert "running on Redis storage" in worker_log
    assert "Executing webapp.queue.heard.run_job" in worker_log and "executed in" in worker_log
    assert "run_job" not in production.server_log.read_text()
    assert len(children(production.server.pid)) == WORKERS  # all three still alive


def share_between_workers(production: Profile) -> set[int]:
    """Send bursts of six browsers at once until more than one worker has answered."""

    def visit() -> None:
        Browser(production.port).get("/sign-in")

    for _ in range(10):
        burst = [threading.Thread(target=visit) for _ in range(2 * WORKERS)]
        for thread in burst:
            thread.start()
        for thread in burst:
            thread.join(timeout=30)
        served = served_by(production.access_log)
        if len(served) > 1:
            break
    return served


def wait_for_job(browser: Browser, job_page: str, production: Profile) -> dict:
    """Poll the job's status, as its page does, until it has finished."""
    deadline = time.monotonic() + JOB_SECONDS
    while True:
        status = json.loads(browser.get(f"{job_page}/status"))
        if status["finished"]:
            return status
        assert production.worker.poll() is None, production.worker_log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"the job did not finish: {status}"
        time.sleep(0.3)


def run_worker(env: dict[str, str], folder) -> subprocess.CompletedProcess[str]:
    """Run `heard worker` to its end (it should stop at once), capturing what it says."""
    return subprocess.run(
        [str(BIN / "heard"), "worker"],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_worker_refuses_production_without_redis(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'heard.db'}")
    done = run_worker(env, tmp_path)
    assert done.returncode == 1
    assert "Error: Heard will not start: REDIS_URL must be set in production" in done.stderr
    assert "job workers their queue" in done.stderr and "Traceback" not in done.stderr


def test_the_worker_says_so_when_its_redis_does_not_answer(tmp_path):
    port = free_port()  # nothing listens there
    env = production_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'heard.db'}",
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
    )
    done = run_worker(env, tmp_path)
    assert done.returncode == 1
    assert f"Error: The job queue's Redis at 127.0.0.1:{port} does not answer" in done.stderr
    assert "Traceback" not in done.stderr and "running on" not in done.stdout
