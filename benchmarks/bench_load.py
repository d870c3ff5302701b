"""Fifty people at once against the production profile, driven by locust, beside a peer app.

Heard runs as it would in production, on loopback: gunicorn (2 x cores + 1 sync workers by
default), a throwaway PostgreSQL database on 127.0.0.1:5432 migrated with `heard db upgrade`
and filled by `heard demo`, Redis on 127.0.0.1:6379 for the job queue and the rate limits,
and a `heard worker` process. Locust (headless, benchmarks/locustfile.py) runs a fixed
number of users for a fixed time: families answering the parent survey through the open
round's link (eight in ten users), officers reading the rounds' results, and participation
workers reading the review queue, each thinking 1 to 3 seconds between pages.

The peer baseline is benchmarks/peer_insert_app.py under the same gunicorn settings (a form
with a token and a POST that inserts one row into SQLite), driven by the same number of
locust users doing the same: open the form, think, send.

Targets: Heard's p95 latency <= 300 ms over every request, no errors, and exactly one
stored response for every send that reached the confirmation page (for the peer too).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import peer_insert_app
from bench_survey_load import SLUG, count, cpu_seconds, in_app_times, serve, stop
from common import ROOT, load_average, ratio, verdict
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TARGET_P95_MS = 300
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get(
    "HEARD_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
#: A Redis database the tests leave alone (they use 8 to 15); keys are prefixed per run too.
REDIS = os.environ.get("HEARD_BENCH_REDIS", "redis://127.0.0.1:6379/7")
HEARD_USERS = ["Respondent", "Officer", "ParticipationWorker"]
KINDS = [
    "open link",
    "start",
    "page GET",
    "page POST",
    "check answers",
    "send",
    "results",
    "review queue",
    "review comment",
    "sign in page",
    "sign in",
]
SUBMITTED = "SELECT count(*) FROM response WHERE status = 'submitted'"
#: Import the app once and fork the workers from it (docs/production.md), so that every
#: worker is ready when the server first answers, rather than some still starting.
PRELOAD = {"GUNICORN_CMD_ARGS": "--preload"}


@dataclass
class Outcome:
    """What locust saw in one run, and what the server stored."""

    times: dict[str, list[float]]
    failed: dict[str, int]
    outcomes: dict[str, int]
    problems: dict[str, int]
    seconds: float
    stored: int = 0
    server_cpu: float = float("nan")
    client_cpu: float = float("nan")
    in_app: dict[str, list[float]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def all_ms(self) -> np.ndarray:
        return np.array([t for values in self.times.values() for t in values])

    @property
    def errors(self) -> int:
        return sum(self.failed.values()) + sum(self.problems.values())

    def sent(self, journey: str) -> int:
        return self.outcomes.get(f"{journey} done", 0)


@contextmanager
def postgres_database() -> str:
    """A throwaway database on the machine's PostgreSQL, dropped afterwards."""
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"heard_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # no server: say so, as the other benchmarks do for data
        sys.exit(f"bench_load needs PostgreSQL at {POSTGRES} ({str(error).splitlines()[0]}).")
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.RedisError as error:
        sys.exit(f"bench_load needs Redis at {REDIS} ({error}).")
    return client


def heard_env(folder: Path, url: str, run: str) -> dict[str, str]:
    """The production settings, with limits raised: fifty users come from one address."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HEARD_", "RATELIMIT_"))
        and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    return env | {
        "HEARD_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url,
        "REDIS_URL": REDIS,
        "RATELIMIT_KEY_PREFIX": f"heard-bench-{run}",
        "HEARD_QUEUE_NAME": f"heard-bench-{run}",
        # Loopback has no TLS, and a browser (or locust) keeps Secure cookies for HTTPS.
        "HEARD_HTTPS": "0",
        "HEARD_START_LIMITS": "100000 per hour",
        "HEARD_LOGIN_LIMITS": "10000 per minute",
        "HEARD_SUBMIT_LIMITS": "100000 per hour",
        "HEARD_DEMO_PASSWORD": secrets.token_urlsafe(16),
        "HEARD_INSTANCE_PATH": str(folder / "instance"),
        "HEARD_OUTBOX_DIR": str(folder / "outbox"),
        **PRELOAD,
    }


def deploy(env: dict[str, str], folder: Path) -> tuple[str, list[int]]:
    """Migrate and load the demo as a deployment would; return the open code and round ids."""
    for command in (["db", "upgrade"], ["demo"]):
        done = subprocess.run(  # noqa: S603 - our own command
            [str(BIN / "heard"), *command], env=env, cwd=folder, capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"heard {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    from models import get_organisation_by_slug, make_engine, new_session
    from models.responses import FormVersion
    from models.surveys import list_rounds

    engine = make_engine(env["DATABASE_URL"])
    with new_session(engine) as session:
        organisation = get_organisation_by_slug(session=session, slug="kent-demo")
        rounds = [
            r
            for r in list_rounds(session=session, organisation_id=organisation.id)
            if session.get(FormVersion, r.form_version_id).slug == SLUG
        ]
        [code] = [r.open_code for r in rounds if r.is_open() and r.open_link]
        ids = [r.id for r in rounds]
    engine.dispose()
    return code, ids


def stored_responses(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(SUBMITTED)).scalar_one()
    engine.dispose()
    return value


def swarm(server, port: int, users: list[str], env: dict, args, folder: Path, name: str) -> Outcome:
    """Warm the server up (unmeasured, no think time), then run locust headless against it
    for the fixed users and time; return the measured run's report, warm-up errors added.

    Warming up matters: each gunicorn worker compiles its templates and loads the coder and
    the lemma tables the first time it needs them, which would otherwise count as latency.
    """
    warm = locust(
        port,
        users,
        env | {"HEARD_LOAD_THINK": "0,0"},
        folder,
        f"{name}-warm-up",
        min(args.users, 10),
        10,
        args.warmup,
    )
    cpu, log = cpu_seconds(server.pid), folder / f"{name}.log"
    offset = log.stat().st_size
    measured = locust(port, users, env, folder, name, args.users, args.spawn_rate, args.seconds)
    measured.server_cpu = cpu_seconds(server.pid) - cpu
    measured.in_app = in_app_times(log, offset)
    measured.problems |= {f"warm-up: {k}": v for k, v in warm.problems.items()}
    measured.problems |= {f"warm-up: {k} failed": v for k, v in warm.failed.items()}
    measured.extra["warm-up sends"] = warm.sent("survey") + warm.sent("peer survey")
    return measured


def locust(port, users, env, folder, name, count, rate, seconds) -> Outcome:
    """One headless locust run: `count` users, `rate` started a second, for `seconds`."""
    report = folder / f"{name}-locust.json"
    command = [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py")]
    command += ["--headless", "-u", str(count), "-r", str(rate)]
    command += ["--run-time", f"{seconds}s", "--stop-timeout", "30", "--only-summary"]
    command += ["--host", f"http://127.0.0.1:{port}", "--loglevel", "WARNING", *users]
    log = folder / f"{name}-locust.log"
    started, cpu = time.monotonic(), _children_cpu()
    with log.open("w") as output:
        subprocess.run(  # noqa: S603 - our own command
            command, env=env | {"HEARD_LOAD_REPORT": str(report)}, stdout=output, stderr=output
        )
    seconds = time.monotonic() - started
    if not report.exists():
        sys.exit(f"locust wrote no report; its log:\n{log.read_text()[-3000:]}")
    data = json.loads(report.read_text())
    outcome = Outcome(data["times"], data["failed"], data["outcomes"], data["problems"], seconds)
    outcome.client_cpu = _children_cpu() - cpu
    return outcome


def _children_cpu() -> float:
    """CPU seconds used by this process's finished children (locust, here)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_heard(args, folder: Path, redis) -> Outcome:
    run = uuid.uuid4().hex[:10]
    server = worker = None
    with postgres_database() as url:
        env = heard_env(folder, url, run)
        try:
            code, rounds = deploy(env, folder)
            before = stored_responses(url)
            with (folder / "worker.log").open("w") as output:
                worker = subprocess.Popen(  # noqa: S603 - our own command
                    [str(BIN / "heard"), "worker"],
                    env=env,
                    cwd=folder,
                    stdout=output,
                    stderr=output,
                )
            server, port = serve(
                "wsgi:app", ROOT, env, args.workers, folder / "heard.log", "/healthz"
            )
            locust_env = env | {
                "HEARD_LOAD_CODE": code,
                "HEARD_LOAD_ROUNDS": ",".join(map(str, rounds)),
                "HEARD_LOAD_PASSWORD": env["HEARD_DEMO_PASSWORD"],
            }
            outcome = swarm(server, port, HEARD_USERS, locust_env, args, folder, "heard")
        finally:
            stop(server)
            stop(worker)
            for key in [*redis.scan_iter(f"*heard-bench-{run}*")]:
                redis.delete(key)
        # Warm-up sends are stored too; count them out so the check covers every send.
        outcome.stored = stored_responses(url) - before - outcome.extra["warm-up sends"]
    return outcome


def run_peer(args, folder: Path) -> Outcome:
    env = {**os.environ, "SECRET_KEY": secrets.token_hex(20), **PRELOAD}
    env["PEER_DATABASE"] = str(folder / "peer.db")
    peer_insert_app.init_db(env["PEER_DATABASE"])
    server = None
    try:
        server, port = serve(
            "peer_insert_app:app", ROOT / "benchmarks", env, args.workers, folder / "peer.log", "/"
        )
        outcome = swarm(server, port, ["PeerRespondent"], env, args, folder, "peer")
    finally:
        stop(server)
    stored = count(folder / "peer.db", "SELECT count(*) FROM answer")
    outcome.stored = stored - outcome.extra["warm-up sends"]
    return outcome


def percentiles(values) -> tuple[float, float, float]:
    if not len(values):
        return (float("nan"),) * 3
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def report(heard: Outcome, peer: Outcome, args) -> None:
    print(f"\nHeard by request kind, {args.users} users for {args.seconds} s: latency at locust,")
    print("and for the survey's pages the time inside Heard's handlers (its request log), in ms")
    headings = ("p50", "p95", "p99", "max", "in p50", "in p95")
    print(f"  {'':<16} {'n':>6}" + "".join(f"{h:>8}" for h in headings) + "  failed")
    for kind in KINDS:
        values = heard.times.get(kind, [])
        p50, p95, p99 = percentiles(values)
        inside = percentiles(heard.in_app.get(kind, []))
        top = max(values, default=float("nan"))
        figures = "".join(f"{v:>8.0f}" for v in (p50, p95, p99, top, inside[0], inside[1]))
        print(f"  {kind:<16} {len(values):>6}{figures} {heard.failed.get(kind, 0):>7}")
    rows = {}
    for name, outcome, journey in (("Heard", heard, "survey"), ("peer", peer, "peer survey")):
        p50, p95, p99 = percentiles(outcome.all_ms)
        requests = len(outcome.all_ms)
        rows[name] = {
            "p50 (ms)": p50,
            "p95 (ms)": p95,
            "p99 (ms)": p99,
            "requests/s": requests / outcome.seconds,
            "server CPU/request (ms)": 1000 * outcome.server_cpu / max(requests, 1),
            # Locust shares the two cores with the servers; this is what it took from them.
            "locust CPU (% of a core)": 100 * outcome.client_cpu / outcome.seconds,
            "requests": requests,
            "successful sends": outcome.sent(journey),
            "responses stored": outcome.stored,
            "lost (sent - stored)": outcome.sent(journey) - outcome.stored,
            "errors": outcome.errors,
        }
    print(f"\n{'':<26} {'Heard':>9} {'peer':>9} {'ratio':>8}")
    for measure, ours in rows["Heard"].items():
        theirs = rows["peer"][measure]
        print(f"{measure:<26} {ours:>9.1f} {theirs:>9.1f} {ratio(ours, theirs):>8}")
    for side, outcome in (("Heard", heard), ("peer", peer)):
        for problem, times in sorted(outcome.problems.items(), key=lambda p: -p[1])[:10]:
            print(f"{side} error x{times}: {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10, help="Users started a second.")
    parser.add_argument("--seconds", type=int, default=60, help="How long locust runs.")
    parser.add_argument("--warmup", type=int, default=10, help="Unmeasured seconds first.")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers."
    )
    args = parser.parse_args()
    redis = redis_client()
    print(
        f"{args.users} locust users ({args.spawn_rate} started a second) for {args.seconds} s, "
        f"{args.workers} gunicorn sync workers per server, on 127.0.0.1"
    )
    print("Heard: PostgreSQL, Redis (queue and rate limits), a heard worker; users 8:1:1")
    print("respondents (parent-termly, open link), officers (results), participation (review)")
    print("Peer: benchmarks/peer_insert_app.py (SQLite), GET a form, think, POST one row")
    print(load_average())
    with tempfile.TemporaryDirectory(prefix="heard-load-") as name:
        folder = Path(name)
        heard = run_heard(args, folder, redis)
        peer = run_peer(args, folder)
    report(heard, peer, args)
    print(load_average())
    p95 = percentiles(heard.all_ms)[1]
    lost = heard.sent("survey") - heard.stored
    peer_lost = peer.sent("peer survey") - peer.stored
    return verdict(
        [
            (
                f"Heard p95 {p95:.0f} ms <= {TARGET_P95_MS} ms at {args.users} users",
                p95 <= TARGET_P95_MS,
            ),
            (f"Heard lost {lost} of {heard.sent('survey')} sent = 0", lost == 0),
            (f"Heard errors {heard.errors} = 0", heard.errors == 0),
            (
                f"Heard sent at least one response ({heard.sent('survey')})",
                heard.sent("survey") > 0,
            ),
            (
                f"peer lost {peer_lost}, errors {peer.errors} = 0",
                peer_lost == 0 and peer.errors == 0,
            ),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
