"""Twenty families answering the parent survey at once, against a minimal Flask insert endpoint.

Heard runs under gunicorn on loopback with a SQLite file database, the demo organisation
and an open survey round. Each client is one respondent's browser: it opens the round's
link, starts, answers every page of the parent-termly form, checks its answers and sends
them, then starts again, with no think time, for a bounded time. Every request is timed.
The peer baseline is benchmarks/peer_insert_app.py under the same gunicorn settings: a form
with a token and an endpoint that inserts one row, driven by the same number of clients.

Targets: Heard's p95 latency <= 150 ms, no errors, and exactly one stored response for
every send that reached the confirmation page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import numpy as np
import peer_insert_app
from common import ROOT, ratio, timer, verdict

from forms.schema import FormDefinition, load_definition

SLUG = "parent-termly"
TARGET_P95_MS = 150
REQUEST_TIMEOUT = 10
SEED = 42
CSRF = r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"'
DISTRICT = r'name="district" type="radio" value="([^"]+)"'
COMMENTS = [
    "The new SENCo has been brilliant and really listens to us.",
    "We waited months for the annual review paperwork and nobody told us why.",
    "Speech and language therapy has made a big difference this term.",
    "It is hard to get a reply from the caseworker by email or phone.",
    "Transport to school has been reliable since September.",
    "More information about what happens after the EHC needs assessment, please.",
    "My son is much happier now that he has a quiet space at lunchtime.",
    "The parent workshops were useful but they are always in working hours.",
]
KINDS = ["open link", "start", "page GET", "page POST", "check answers", "send"]
ROUTES = {  # Heard's request log names each route; these are the kinds above
    ("GET", "/r/<code>"): "open link",
    ("POST", "/r/<code>"): "start",
    ("GET", "/f/<slug>/pages/<page_id>"): "page GET",
    ("POST", "/f/<slug>/pages/<page_id>"): "page POST",
    ("GET", "/f/<slug>/check-answers"): "check answers",
    ("POST", "/f/<slug>/check-answers"): "send",
}


class TimeUp(Exception):
    """The bounded time ran out before this request was sent."""


class Unexpected(Exception):
    """A response that a real respondent would not have got on the happy path."""


@dataclass
class Tally:
    """What one client (or, merged, all of them) saw."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    journeys: int = 0
    successes: int = 0
    cut_off: int = 0
    problems: Counter = field(default_factory=Counter)
    client_cpu: float = 0.0
    server_cpu: float = float("nan")
    in_app: dict[str, list[float]] = field(default_factory=dict)

    def merge(self, other: Tally) -> None:
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        self.journeys += other.journeys
        self.successes += other.successes
        self.cut_off += other.cut_off
        self.problems.update(other.problems)

    def all_ms(self) -> np.ndarray:
        return np.array([v for values in self.latencies.values() for v in values]) * 1000


class Client:
    """One browser: a keep-alive connection (when the server allows it) and a cookie jar."""

    def __init__(self, port: int, deadline: float, tally: Tally) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.deadline = deadline
        self.tally = tally

    def send(self, kind: str, method: str, path: str, form: dict | None = None):
        """Make one request without following redirects; return (status, location, body)."""
        if time.monotonic() >= self.deadline:
            raise TimeUp
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        except Exception:
            self.connection.close()
            raise
        self.tally.latencies.setdefault(kind, []).append(time.perf_counter() - started)
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value, _, attributes = rest.partition(";")
            if "1970" in attributes or "max-age=0" in attributes.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        location = urlsplit(response.headers.get("Location", "")).path
        return response.status, location, text

    def expect(self, kind, method, path, form=None, *, status, location=None):
        """Make a request and insist on the status (and redirect target) a respondent sees."""
        got, where, text = self.send(kind, method, path, form)
        if got != status or (location is not None and where != location):
            raise Unexpected(f"{kind}: {got} {where or ''}".strip())
        return text


def token(text: str) -> str:
    found = re.search(CSRF, text)
    if found is None:
        raise Unexpected("no csrf_token on the page")
    return found.group(1)


def answers(page, html: str, rng: random.Random) -> dict[str, str]:
    """Plausible answers for one page: every required question, most optional ones."""
    data = {"csrf_token": token(html)}
    for question in page.questions:
        rule = question.required_if
        # A question another answer makes required (an email address after "yes, tell me").
        needed = question.required or (rule and data.get(rule.question) == rule.answer)
        if not needed and rng.random() < 0.25:
            continue
        if question.kind in {"likert", "single_choice"}:
            data[question.id] = rng.choice(question.options).id
        elif question.kind == "long_text":
            data[question.id] = rng.choice(COMMENTS)
        elif question.kind == "district":
            districts = re.findall(DISTRICT, html)
            if districts:
                data[question.id] = rng.choice(districts)
        elif question.kind == "email":
            data[question.id] = f"parent{rng.randrange(10**6)}@example.com"
        elif needed:
            raise SystemExit(f"bench_survey_load cannot answer a {question.kind} question")
    return data


def heard_journey(definition: FormDefinition, code: str) -> Callable:
    pages = [f"/f/{SLUG}/pages/{page.id}" for page in definition.pages]
    check = f"/f/{SLUG}/check-answers"

    def journey(client: Client, rng: random.Random) -> bool:
        html = client.expect("open link", "GET", f"/r/{code}", status=200)
        form = {"csrf_token": token(html)}
        client.expect("start", "POST", f"/r/{code}", form, status=302, location=pages[0])
        for page, path, following in zip(definition.pages, pages, [*pages[1:], check], strict=True):
            html = client.expect("page GET", "GET", path, status=200)
            data = answers(page, html, rng)
            client.expect("page POST", "POST", path, data, status=302, location=following)
        html = client.expect("check answers", "GET", check, status=200)
        form = {"csrf_token": token(html)}
        client.expect("send", "POST", check, form, status=302, location=f"/f/{SLUG}/confirmation")
        return True

    return journey


def peer_journey(client: Client, rng: random.Random) -> bool:
    html = client.expect("page GET", "GET", "/", status=200)
    form = {"csrf_token": token(html), "answer": rng.choice(COMMENTS)}
    client.expect("send", "POST", "/submit", form, status=302, location="/thanks")
    return True


def drive(port: int, journey: Callable, clients: int, seconds: float) -> tuple[Tally, float]:
    """Run journeys back to back from `clients` threads for `seconds`; merge what they saw."""
    deadline = time.monotonic() + seconds
    tallies = [Tally() for _ in range(clients)]

    def run(number: int) -> None:
        rng = random.Random(SEED + number)  # noqa: S311 - repeatable answers, not security
        while time.monotonic() < deadline:
            client = Client(port, deadline, tallies[number])
            tallies[number].journeys += 1
            try:
                tallies[number].successes += journey(client, rng)
            except TimeUp:
                tallies[number].cut_off += 1  # neither a success nor an error
            except Unexpected as problem:
                tallies[number].problems[str(problem)] += 1
            except Exception as error:  # counted and shown, never hidden
                tallies[number].problems[f"{type(error).__name__}: {error}"] += 1
            finally:
                client.connection.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    cpu = time.process_time()
    with timer() as elapsed:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 5)
    total = Tally(client_cpu=time.process_time() - cpu)
    for tally in tallies:
        total.merge(tally)
    if any(thread.is_alive() for thread in threads):
        total.problems["a client was still waiting when the run ended"] += 1
    return total, elapsed[0]


def prepare_heard(folder: Path) -> tuple[str, str]:
    """A migrated SQLite database with the demo data and an open round; (url, open code)."""
    from models import get_published_form, make_engine, migrate, new_session
    from models.demo import load_demo
    from models.surveys import Anonymity, SurveyRoundCreate, Term, create_round
    from webapp.form_loading import load_shipped

    url = f"sqlite:///{folder / 'heard.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with new_session(engine) as session:
        password = secrets.token_urlsafe(16)  # nobody signs in; the database is thrown away
        demo = load_demo(session=session, password=password, reset_passwords=False)
        load_shipped(session=session, publish=True)
        survey_round = create_round(
            session=session,
            organisation_id=demo.organisation.id,
            form_version=get_published_form(session=session, slug=SLUG),
            data=SurveyRoundCreate(
                academic_year="2026/27",
                term=Term.AUTUMN,
                opens_on=date.today() - timedelta(days=1),
                closes_on=date.today() + timedelta(days=30),
                anonymity=Anonymity.CONFIDENTIAL,
            ),
        )
        session.commit()
        code = survey_round.open_code
    engine.dispose()
    return url, code


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(target: str, cwd: Path, env: dict, workers: int, log: Path, ready: str):
    """Start gunicorn on loopback and wait until `ready` answers 200; return (process, port)."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), target]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=output)  # noqa: S603
    started = time.monotonic()
    while time.monotonic() - started < 60:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=2) as answer:
                if answer.status == 200:
                    return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    stop(process)
    sys.exit(f"{target} did not start; its log:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and its children (gunicorn's workers); Linux only."""
    ticks = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended while we looked
        if str(pid) in (stat.parent.name, fields[1]):
            ticks.append(int(fields[11]) + int(fields[12]))  # utime and stime
    return sum(ticks) / os.sysconf("SC_CLK_TCK") if ticks else float("nan")


def in_app_times(log: Path, offset: int) -> dict[str, list[float]]:
    """Milliseconds each request spent in Heard's handlers, from its JSON request log.

    The clients' latency also counts the wait for a free worker; this is the service time.
    """
    times: dict[str, list[float]] = {}
    with log.open(encoding="utf-8", errors="replace") as lines:
        lines.seek(offset)
        for line in lines:
            if '"duration_ms"' not in line:
                continue
            record = json.loads(line)
            kind = ROUTES.get((record.get("method"), record.get("route")))
            if kind:
                times.setdefault(kind, []).append(record["duration_ms"])
    return times


def count(database: Path, sql: str) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchone()[0]


@dataclass(frozen=True)
class Target:
    """A server to load: its gunicorn app, environment, readiness path and stored rows."""

    name: str
    app: str
    cwd: Path
    env: dict
    ready: str
    journey: Callable
    database: Path
    stored_sql: str


def load_test(target: Target, args: argparse.Namespace, folder: Path) -> tuple[Tally, float, int]:
    """Serve, warm up, measure, stop; return the measured tally, its seconds and rows stored."""
    process = None
    try:
        log = folder / f"{target.name}.log"
        process, port = serve(target.app, target.cwd, target.env, args.workers, log, target.ready)
        warm, _ = drive(port, target.journey, args.clients, args.warmup)
        before, offset = cpu_seconds(process.pid), log.stat().st_size
        tally, elapsed = drive(port, target.journey, args.clients, args.seconds)
        tally.server_cpu = cpu_seconds(process.pid) - before
    finally:
        stop(process)
    tally.in_app = in_app_times(log, offset)
    # Warm-up sends are stored too; count them out so the check covers every send.
    stored = count(target.database, target.stored_sql) - warm.successes
    tally.problems.update({f"warm-up: {k}": v for k, v in warm.problems.items()})
    return tally, elapsed, stored


def figures(tally: Tally, elapsed: float) -> dict[str, float]:
    values = tally.all_ms()
    p50, p95, p99 = np.percentile(values, [50, 95, 99]) if len(values) else (np.nan,) * 3
    return {
        "p50 (ms)": p50,
        "p95 (ms)": p95,
        "p99 (ms)": p99,
        "requests/s": len(values) / elapsed,
        "submissions/s": tally.successes / elapsed,
        # CPU per request is steadier than latency when something else shares the cores.
        "server CPU/request (ms)": 1000 * tally.server_cpu / max(len(values), 1),
        "client CPU (% of a core)": 100 * tally.client_cpu / elapsed,
    }


def report(heard: tuple, peer: tuple) -> tuple[dict, dict]:
    (ours, our_time, our_rows), (theirs, their_time, their_rows) = heard, peer
    mine, other = figures(ours, our_time), figures(theirs, their_time)
    print(f"\n{'':<24} {'Heard':>9} {'peer':>9} {'ratio':>8}")
    for name in mine:
        print(
            f"{name:<24} {mine[name]:>9.1f} {other[name]:>9.1f} {ratio(mine[name], other[name]):>8}"
        )
    print(f"{'requests':<24} {len(ours.all_ms()):>9} {len(theirs.all_ms()):>9}")
    print(f"{'journeys started':<24} {ours.journeys:>9} {theirs.journeys:>9}")
    print(f"{'cut off by the clock':<24} {ours.cut_off:>9} {theirs.cut_off:>9}")
    print(f"{'successful sends':<24} {ours.successes:>9} {theirs.successes:>9}")
    print(f"{'rows stored':<24} {our_rows:>9} {their_rows:>9}")
    lost = ours.successes - our_rows, theirs.successes - their_rows
    print(f"{'lost (sent - stored)':<24} {lost[0]:>9} {lost[1]:>9}")
    print(f"{'errors':<24} {ours.problems.total():>9} {theirs.problems.total():>9}")
    print("\nHeard by request kind: latency at the client, and time in Heard's handlers (ms)")
    print(f"{'':<18} {'n':>6} {'p50':>7} {'p95':>7} {'max':>7} {'in p50':>7} {'in p95':>7}")
    for kind in KINDS:
        values = np.array(ours.latencies.get(kind, [np.nan])) * 1000
        inside = np.percentile(ours.in_app.get(kind, [np.nan]), [50, 95])
        p50, p95 = np.percentile(values, [50, 95])
        print(
            f"  {kind:<16} {len(values):>6} {p50:>7.1f} {p95:>7.1f} {values.max():>7.1f} "
            f"{inside[0]:>7.1f} {inside[1]:>7.1f}"
        )
    for side, tally in (("Heard", ours), ("peer", theirs)):
        for problem, times in tally.problems.most_common(10):
            print(f"{side} error x{times}: {problem}")
    return mine, other


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="Measured time per server.")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers, both servers.")
    parser.add_argument("--warmup", type=float, default=3, help="Unmeasured seconds first.")
    args = parser.parse_args()
    definition = load_definition(ROOT / "forms" / "definitions" / f"{SLUG}.yaml")

    with tempfile.TemporaryDirectory(prefix="heard-bench-") as name:
        folder = Path(name)
        url, code = prepare_heard(folder)
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env |= {"SECRET_KEY": secrets.token_hex(20), "DATABASE_URL": url}
        env |= {"HEARD_START_LIMITS": "1000000 per hour", "HEARD_QUEUE_PATH": str(folder / "q.db")}
        peer_env = {**env, "PEER_DATABASE": str(folder / "peer.db")}
        peer_insert_app.init_db(peer_env["PEER_DATABASE"])
        print(
            f"{args.clients} clients, {args.workers} gunicorn sync workers per server, "
            f"{args.seconds:.0f} s measured after {args.warmup:.0f} s warm-up, on 127.0.0.1"
        )
        requests = 2 * len(definition.pages) + 4
        print(f"Heard: {SLUG}, {len(definition.pages)} pages, {requests} requests a journey")
        print("Peer: benchmarks/peer_insert_app.py, GET a form then POST one row")
        # Latency on two cores follows whatever else is running; show it beside the figures.
        print("Load average before the run: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        heard = load_test(
            Target(
                "heard",
                "wsgi:app",
                ROOT,
                env,
                "/healthz",
                heard_journey(definition, code),
                folder / "heard.db",
                "SELECT count(*) FROM response WHERE status = 'submitted'",
            ),
            args,
            folder,
        )
        peer = load_test(
            Target(
                "peer",
                "peer_insert_app:app",
                ROOT / "benchmarks",
                peer_env,
                "/",
                peer_journey,
                folder / "peer.db",
                "SELECT count(*) FROM answer",
            ),
            args,
            folder,
        )
    mine, _ = report(heard, peer)
    (ours, _, rows), (theirs, _, their_rows) = heard, peer
    return verdict(
        [
            (
                f"Heard p95 {mine['p95 (ms)']:.0f} ms <= {TARGET_P95_MS} ms",
                mine["p95 (ms)"] <= TARGET_P95_MS,
            ),
            (
                f"Heard lost {ours.successes - rows} of {ours.successes} sent = 0",
                rows == ours.successes,
            ),
            (f"Heard errors {ours.problems.total()} = 0", ours.problems.total() == 0),
            (
                f"peer lost {theirs.successes - their_rows}, errors {theirs.problems.total()} = 0",
                their_rows == theirs.successes and theirs.problems.total() == 0,
            ),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
