"""Locust users for bench_load.py: families answering the parent survey, officers reading its
results, and participation workers reading the review queue; and the peer's respondents.

bench_load.py runs this with `locust --headless` and sets:
- HEARD_LOAD_CODE: the open round's code, for the /r/<code> link;
- HEARD_LOAD_ROUNDS: the survey round ids whose results officers read, comma-separated;
- HEARD_LOAD_PASSWORD: the demo staff's password;
- HEARD_LOAD_REPORT: where to write every request's time and outcome, as JSON, at the end;
- HEARD_LOAD_THINK: the least and most seconds a person thinks, "1,3" unless set ("0,0"
  for the warm-up).

Each respondent thinks between pages (1 to 3 seconds), as a person filling in a form does.
Redirects are checked, never followed, so every request is one timed round trip.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_survey_load import COMMENTS, SLUG, Unexpected, answers, token
from common import ROOT

from forms.schema import load_definition

DEFINITION = load_definition(ROOT / "forms" / "definitions" / f"{SLUG}.yaml")
PAGES = [f"/f/{SLUG}/pages/{page.id}" for page in DEFINITION.pages]
CHECK = f"/f/{SLUG}/check-answers"
COMMENT_LINK = r'href="/staff/review/(\d+)'
THINK = [float(s) for s in os.environ.get("HEARD_LOAD_THINK", "1,3").split(",")]

#: Every request's milliseconds by kind, and the journeys' outcomes, for bench_load.py.
TIMES: dict[str, list[float]] = {}
FAILED: Counter = Counter()
OUTCOMES: Counter = Counter()
PROBLEMS: Counter = Counter()


@events.request.add_listener
def _record(name, response_time, exception, **_) -> None:
    TIMES.setdefault(name, []).append(response_time)
    if exception is not None:
        FAILED[name] += 1


@events.quitting.add_listener
def _report(**_) -> None:
    path = os.environ.get("HEARD_LOAD_REPORT")
    if path:
        report = {"times": TIMES, "failed": FAILED, "outcomes": OUTCOMES, "problems": PROBLEMS}
        Path(path).write_text(json.dumps(report))


class Visitor(HttpUser):
    """A browser that checks each response is what a person on the happy path gets."""

    abstract = True
    wait_time = between(*THINK)

    def expect(self, kind: str, method: str, path: str, data=None, *, status=200, location=None):
        """Make one request; mark it failed and stop the journey unless it is as expected."""
        with self.client.request(
            method, path, data=data, name=kind, allow_redirects=False, catch_response=True
        ) as response:
            where = urlsplit(response.headers.get("Location", "")).path
            if response.status_code != status or (location is not None and where != location):
                problem = f"{kind}: {response.status_code} {where}".strip()
                response.failure(problem)
                raise Unexpected(problem)
            return response.text

    def journey(self, name: str, steps) -> None:
        """Count a journey's outcome: done, or stopped by something unexpected.

        A journey the clock stopped while its visitor was thinking is neither (locust ends a
        waiting visitor at once, and lets a request already sent finish).
        """
        OUTCOMES[f"{name} started"] += 1
        try:
            steps()
        except Unexpected as problem:
            PROBLEMS[str(problem)] += 1
        else:
            OUTCOMES[f"{name} done"] += 1


class Respondent(Visitor):
    """A parent or carer answering the termly survey through the round's open link."""

    weight = 8

    def on_start(self) -> None:
        self.rng = random.Random()  # noqa: S311 - varied answers, not security
        self.code = os.environ["HEARD_LOAD_CODE"]

    @task
    def answer_the_survey(self) -> None:
        self.client.cookies.clear()  # a new family each time
        self.journey("survey", self.steps)

    def steps(self) -> None:
        link = f"/r/{self.code}"
        html = self.expect("open link", "GET", link)
        self.wait()
        form = {"csrf_token": token(html)}
        self.expect("start", "POST", link, form, status=302, location=PAGES[0])
        for page, path, following in zip(DEFINITION.pages, PAGES, [*PAGES[1:], CHECK], strict=True):
            html = self.expect("page GET", "GET", path)
            self.wait()
            data = answers(page, html, self.rng)
            self.expect("page POST", "POST", path, data, status=302, location=following)
        html = self.expect("check answers", "GET", CHECK)
        self.wait()
        form = {"csrf_token": token(html)}
        done = f"/f/{SLUG}/confirmation"
        self.expect("send", "POST", CHECK, form, status=302, location=done)


class Staff(Visitor):
    """A member of staff, signed in once at the start."""

    abstract = True
    email = ""

    def on_start(self) -> None:
        self.journey("sign in", self.sign_in)

    def sign_in(self) -> None:
        html = self.expect("sign in page", "GET", "/sign-in")
        form = {"csrf_token": token(html), "email": self.email}
        form["password"] = os.environ["HEARD_LOAD_PASSWORD"]
        self.expect("sign in", "POST", "/sign-in", form, status=302, location="/staff/")


class Officer(Staff):
    """An officer reading the results of the parent survey's rounds."""

    weight = 1
    email = "officer@demo.heard"

    @task
    def read_results(self) -> None:
        self.journey("results", self.results)

    def results(self) -> None:
        rounds = os.environ["HEARD_LOAD_ROUNDS"].split(",")
        self.expect("results", "GET", f"/staff/surveys/{random.choice(rounds)}/results")  # noqa: S311


class ParticipationWorker(Staff):
    """A participation worker going through the review queue."""

    weight = 1
    email = "participation@demo.heard"

    @task
    def read_the_queue(self) -> None:
        self.journey("review", self.review)

    def review(self) -> None:
        html = self.expect("review queue", "GET", "/staff/review/")
        comments = re.findall(COMMENT_LINK, html)
        if comments:
            self.wait()
            self.expect("review comment", "GET", f"/staff/review/{random.choice(comments)}")  # noqa: S311


class PeerRespondent(Visitor):
    """The peer's respondent: benchmarks/peer_insert_app.py's one-field form, then its POST."""

    @task
    def answer(self) -> None:
        self.client.cookies.clear()
        self.journey("peer survey", self.steps)

    def steps(self) -> None:
        html = self.expect("peer form", "GET", "/")
        self.wait()
        form = {"csrf_token": token(html), "answer": random.choice(COMMENTS)}  # noqa: S311
        self.expect("peer send", "POST", "/submit", form, status=302, location="/thanks")
