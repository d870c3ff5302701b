"""Property-based fuzzing of every form POST and import endpoint.

Random, oversized, malformed and hostile input goes to every endpoint that takes a POST:
control characters and NUL bytes, right-to-left overrides and zero-width joiners,
combining marks, emoji and characters outside the basic plane, markup and script,
SQL-looking strings, lists where one value is expected, missing and duplicated fields,
and files that are empty, too big, binary, not what their name says, or a zip bomb.

The property (tests/fuzzing.py): never a 500; a refusal is one of Heard's own pages and
writes no row; what is accepted is stored as sent. CSRF is off and rate limits are out of
reach here, because they answer first and have tests of their own (test_security.py,
test_export_limits.py).

One world (demo organisation, forms, a coded term, a plan, a survey import, a discovered
group, an alert, an agreement sample, an entry) is built per database for the module, and
each test fuzzes one endpoint in it, in the order of ENDPOINTS. Every POST form is found by
reading the pages the world offers, so a new field is fuzzed without being listed here;
`test_every_post_endpoint_is_fuzzed` fails when a new endpoint is not. Accepted uploads are
followed through their next steps, queued jobs (imports, exports) are run, and every file
sent back is read for cells a spreadsheet would run as formulas.
"""

import csv
import io
import json
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import yaml
from flask import Flask
from flask_babel import Babel
from flask_wtf.file import FileField
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlmodel import col, select
from wtforms import IntegerField, PasswordField, StringField

from forms.base import HeardForm
from forms.builder import page_form_class
from forms.kinds import BuildContext
from forms.schema import DefinitionError, load_definition_text, parse_definition
from models import Role, get_published_form, list_users, new_session
from models.agreement import SecondCoder, create_sample
from models.coding import Codebook, Comment, add_themes
from models.demo import load_demo
from models.jobs import Job, JobStatus, create_job, get_job_file
from models.plan_evidence import EvidenceKind, add_evidence
from models.plans import Plan, PlanArea, list_actions
from models.review import ClusterStatus, DiscoveredCluster
from models.safeguarding import create_alert
from models.surveys import create_invitations
from models.types import utcnow
from models.yswd import EntryState, YswdEntry
from tests.conftest import DEMO_PASSWORD, fresh_database, make_app, sign_in
from tests.fuzzing import (
    Field,
    HtmlForm,
    cells,
    check,
    form_posting_to,
    forms_on,
    formulas,
    has_error_summary,
    hostile_files,
    hostile_text,
    is_heard_page,
    multipart,
    state,
    submissions,
)
from tests.surveys import definition
from tests.webapp.plans import FIXTURES, small_plan
from tests.webapp.test_access import DEMO_EMAILS
from tests.webapp.yswd import coded_term
from webapp import analysis_jobs, codebook_imports, staff_forms
from webapp.access import allowed_roles
from webapp.form_loading import load_shipped
from webapp.survey_forms import parse_people
from webapp.survey_imports import targets

#: The roles a page is read as, most powerful first.
ROLE_ORDER = [Role.ADMIN, Role.OFFICER, Role.PARTICIPATION, Role.SAFEGUARDING, Role.REVIEWER]


# ---------------------------------------------------------------------------
# The world


@dataclass
class World:
    """An app full of things to post to, with a signed-in browser for each role."""

    app: Any
    kind: str  # sqlite or postgresql
    clients: dict[Role, Any]
    respondent: Any  # a browser part-way through every shipped form
    ids: dict[str, Any]
    forms: dict[str, list[tuple[Role, HtmlForm]]] = field(default_factory=dict)

    @property
    def engine(self) -> Any:
        return self.app.extensions["heard.engine"]

    def endpoint_of(self, url: str) -> str:
        adapter = self.app.url_map.bind("localhost")
        endpoint, _args = adapter.match(url.split("?")[0], method="POST")
        return endpoint

    def read(self, role: Role | None, url: str) -> None:
        """Read a page as `role` (None: the respondent) and keep every POST form on it."""
        client = self.respondent if role is None else self.clients[role]
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        self.keep(role, response.get_data(as_text=True), url)

    def keep(self, role: Role | None, html: str, url: str) -> None:
        """Keep every POST form on a page, by the endpoint it posts to."""
        for form in forms_on(html, url):
            found = self.forms.setdefault(self.endpoint_of(form.action), [])
            shape = (role, form.action, [f.name for f in form.fields])
            if all(shape != (r, f.action, [g.name for g in f.fields]) for r, f in found):
                found.append((role, form))

    def client_for(self, role: Role | None) -> Any:
        return self.respondent if role is None else self.clients[role]


LIMITS = ("HEARD_LOGIN_LIMITS", "HEARD_START_LIMITS", "HEARD_SUBMIT_LIMITS", "HEARD_EXPORT_LIMITS")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory) -> Iterator[World]:
    """The world, built once per database for this module."""
    url = fresh_database(request, tmp_path_factory.mktemp("fuzz"))
    app = make_app(
        url,
        WTF_CSRF_ENABLED=False,
        # Limits far out of reach (not RATELIMIT_ENABLED=False: Flask-Limiter would keep that
        # for every app made after this one in the process).
        **dict.fromkeys(LIMITS, "100000 per hour"),
        # Jobs are queued, not run: what is fuzzed is the request, and a queued job is a row.
        HEARD_JOBS_IMMEDIATE=False,
        HEARD_QUEUE_PATH=str(tmp_path_factory.mktemp("queue") / "queue.db"),
    )
    built = build_world(app, request.param)
    yield built
    app.extensions["heard.engine"].dispose()


def _session(app):
    return new_session(app.extensions["heard.engine"])


def build_world(app, kind: str) -> World:
    session = _session(app)
    demo = load_demo(session=session, password=DEMO_PASSWORD, reset_passwords=False)
    load_shipped(session=session, publish=True)
    session.commit()
    org_id = demo.organisation.id
    term = coded_term(session, org_id)
    survey_round = term.survey_round
    ids: dict[str, Any] = {"round": survey_round.id, "org": org_id}
    [(_invitation, ids["invitation"])] = create_invitations(
        session=session, survey_round=survey_round, people=[{"name": "A parent"}]
    )
    ids["open_code"] = survey_round.open_code
    ids["codebook"] = term.waiting.codebook_id
    ids["themes"] = [term.waiting.id, term.transport.id]
    ids["comment"] = term.few[0].id  # not in the agreement sample, so it can be reviewed
    plan = small_plan(session, org_id)
    ids["plan"] = plan.name
    ids["alert"] = create_alert(
        session=session,
        organisation_id=org_id,
        response_id=term.consenting[0].response_id,
        question_id="could-be-better",
        severity="high",
        reason="A possible disclosure",
        categories=["harm"],
        text="Made-up words for the lead to read.",
    ).id
    ids["clusters"] = _clusters(session, org_id, ids["codebook"], term)
    [action] = [a for a in list_actions(session=session, plan=plan) if a.code == "1E1"]
    add_evidence(
        session=session,
        action=action,
        kind=EvidenceKind.KPI,
        user_id=None,
        label="A KPI",
        value=3,
        measured_on=date(2023, 9, 1),
    )
    users = {u.role: u.id for u in list_users(session=session, organisation_id=org_id)}
    ids["sample"] = create_sample(
        session=session,
        organisation_id=org_id,
        codebook_id=ids["codebook"],
        comment_ids=[c.id for c in term.consenting + term.refusing],
        second=SecondCoder.PERSON,
        first_user_id=users[Role.PARTICIPATION],
        second_user_id=users[Role.OFFICER],
        created_by_id=users[Role.PARTICIPATION],
    ).id
    session.commit()
    session.close()

    clients = {}
    for role in ROLE_ORDER:
        client = app.test_client()
        assert sign_in(client, DEMO_EMAILS[role]).status_code == 302
        clients[role] = client
    respondent = app.test_client()
    world = World(app=app, kind=kind, clients=clients, respondent=respondent, ids=ids)
    _made_through_pages(world, term)
    _read_every_page(world)
    return world


def _clusters(session, org_id: int, codebook_id: int, term) -> list[int]:
    """Two groups of the term's comments, as discovery would leave them: one dismissed."""
    job = create_job(
        session=session,
        organisation_id=org_id,
        kind="discover",
        params={"codebook_id": codebook_id},
    )
    comments = term.consenting + term.refusing + term.few
    made = []
    for status in (ClusterStatus.OPEN, ClusterStatus.DISMISSED):
        cluster = DiscoveredCluster(
            organisation_id=org_id,
            codebook_id=codebook_id,
            job_id=job.id,
            name="Waiting for a plan",
            keywords=["waiting", "plan"],
            size=len(comments),
            quotes=[c.text_redacted for c in comments[:3]],
            comment_ids=[c.id for c in comments],
            status=status,
        )
        session.add(cluster)
        session.flush()
        made.append(cluster.id)
    return made


def _post(world: World, role: Role, url: str, data: Any = None, **kwargs: Any) -> Any:
    response = world.clients[role].post(url, data=data, **kwargs)
    assert response.status_code in {200, 302}, (url, response.status_code)
    return response


def _made_through_pages(world: World, term) -> None:
    """What is easiest made as staff make it: an entry, two imports, a form, a codebook."""
    ids = world.ids
    scope = f"parents|{term.survey_round.academic_year}|autumn"
    done = _post(
        world,
        Role.OFFICER,
        f"/staff/you-said-we-did/new?scope={scope}",
        data={"title": "Waiting for assessments", "themes": [str(t) for t in ids["themes"]]},
    )
    ids["entry"] = int(re.search(r"/(\d+)/edit$", done.headers["Location"])[1])
    ids["scope"] = scope

    plan_file = (FIXTURES / "plan-messy.csv").read_bytes()
    done = _post(
        world,
        Role.OFFICER,
        "/staff/plans/import",
        **multipart(
            {"name": "fuzz-plan", "title": "A plan", "schemes": "kent"},
            {"spreadsheet": (plan_file, "plan.csv", "text/csv")},
        ),
    )
    ids["plan_import"] = int(done.headers["Location"].rsplit("/", 1)[1])

    answers = _answers_file(world, term.survey_round)
    done = _post(
        world,
        Role.OFFICER,
        f"/staff/surveys/{ids['round']}/import",
        **multipart({}, {"spreadsheet": (answers, "answers.csv", "text/csv")}),
    )
    ids["survey_import"] = int(done.headers["Location"].rsplit("/", 1)[1])

    _post(
        world,
        Role.ADMIN,
        "/staff/forms/",
        **multipart({}, {"definition": (fuzz_definition("A form to publish"), "x.yaml", "")}),
    )
    checked = _post(
        world,
        Role.PARTICIPATION,
        "/staff/codebooks/import",
        **multipart({}, {"file": (codebook_csv("Imported theme"), "Fuzzed book.csv", "")}),
    )
    confirm = form_posting_to(
        checked.get_data(as_text=True), "/staff/codebooks/import", "/staff/codebooks/import/confirm"
    )
    _post(
        world, Role.PARTICIPATION, confirm.action, data={f.name: f.values for f in confirm.fields}
    )


def _answers_file(world: World, survey_round) -> bytes:
    """A spreadsheet answering every question a round's import needs, and one comment."""
    session = _session(world.app)
    form = definition(session, survey_round)
    session.close()
    needed = [t for t in targets(form) if t.question.required]
    headings = [t.key for t in needed] + ["could-be-better"]
    values = [t.question.options[0].id if t.question.options else "yes" for t in needed]
    world.ids["answer_columns"] = (headings, values)
    return table_csv(headings, [[*values, "The wait was long."]])


def _read_every_page(world: World) -> None:
    ids = world.ids
    book = f"/staff/codebooks/{ids['codebook']}"
    first, second = ids["themes"]
    open_cluster = ids["clusters"][0]
    plan = f"/staff/plans/{ids['plan']}"
    action = f"{plan}/actions/1E1"
    entry = f"/staff/you-said-we-did/{ids['entry']}"
    survey = f"/staff/surveys/{ids['round']}"
    pages: list[tuple[Role | None, str]] = [
        (Role.ADMIN, "/staff/"),
        (Role.PARTICIPATION, book),
        (Role.PARTICIPATION, f"{book}/themes/new"),
        (Role.PARTICIPATION, f"{book}/themes/{first}/edit"),
        (Role.PARTICIPATION, f"{book}/themes/{first}/merge"),
        (Role.PARTICIPATION, f"{book}/themes/{first}/merge/{second}"),
        (Role.PARTICIPATION, f"{book}/themes/{second}/retire"),
        (Role.PARTICIPATION, f"{book}/quality"),
        (Role.PARTICIPATION, "/staff/codebooks/import"),
        (Role.PARTICIPATION, f"{book}/import"),
        (Role.PARTICIPATION, f"{book}/discovery"),
        (Role.PARTICIPATION, f"{book}/discovery/{open_cluster}/theme"),
        (Role.PARTICIPATION, f"{book}/discovery/{open_cluster}/merge"),
        (Role.PARTICIPATION, "/staff/review/"),
        (Role.PARTICIPATION, f"/staff/review/{ids['comment']}"),
        (Role.PARTICIPATION, "/staff/agreement/new"),
        (Role.PARTICIPATION, f"/staff/agreement/{ids['sample']}"),
        (Role.PARTICIPATION, f"/staff/agreement/{ids['sample']}/code"),
        (Role.ADMIN, "/staff/agreement/settings"),
        (Role.SAFEGUARDING, f"/staff/safeguarding/{ids['alert']}"),
        (Role.ADMIN, "/staff/forms/"),
        (Role.OFFICER, "/staff/plans/import"),
        (Role.OFFICER, f"/staff/plans/import/{ids['plan_import']}"),
        (Role.OFFICER, f"{action}?period=2023-10"),
        (Role.OFFICER, f"{plan}/scorecard?period=2023-10"),
        *[(Role.OFFICER, f"{action}/evidence/{k}") for k in EVIDENCE_KINDS],
        (Role.OFFICER, "/staff/surveys/new"),
        (Role.OFFICER, survey),
        (Role.OFFICER, f"{survey}/close"),
        (Role.OFFICER, f"{survey}/not-responded"),
        (Role.OFFICER, f"{survey}/import"),
        (Role.OFFICER, f"{survey}/import/{ids['survey_import']}"),
        (Role.OFFICER, "/staff/you-said-we-did"),
        (Role.OFFICER, f"/staff/you-said-we-did/new?scope={ids['scope']}"),
        (Role.OFFICER, entry),
        (Role.OFFICER, f"{entry}/edit"),
        (Role.OFFICER, f"{entry}/quotes"),
        (Role.OFFICER, f"{entry}/translations/pl"),
        (None, "/sign-in"),
        (None, "/resume"),
        (None, f"/i/{ids['invitation']}"),
        (None, f"/r/{ids['open_code']}"),
    ]
    for role, url in pages:
        world.read(role, url)
    # The draft codebook the world imported offers to be made the one in use.
    session = _session(world.app)
    [draft] = session.exec(select(Codebook).where(Codebook.name == "Fuzzed book")).all()
    session.close()
    world.read(Role.PARTICIPATION, f"/staff/codebooks/{draft.id}")
    # An entry offers its next step to someone who did not write it.
    world.read(Role.PARTICIPATION, entry)
    # The import's confirmation is on the page that shows the checked rows.
    columns = f"{survey}/import/{ids['survey_import']}"
    [(_role, mapping)] = world.forms["survey_imports.columns"]
    checked = world.clients[Role.OFFICER].post(
        columns, data={f.name: f.values for f in mapping.fields}
    )
    assert checked.status_code == 200, checked.status_code
    world.keep(Role.OFFICER, checked.get_data(as_text=True), columns)
    # Buttons shown only in states the world does not reach (a sample whose kappa is high
    # enough; people waiting to hear about a published entry). Each sends only its token.
    for role, url in [
        (Role.PARTICIPATION, f"/staff/agreement/{ids['sample']}/agree"),
        (Role.OFFICER, f"/staff/you-said-we-did/tell/{ids['round']}"),
    ]:
        token = Field("csrf_token", "hidden", [""])
        world.forms.setdefault(world.endpoint_of(url), []).append((role, HtmlForm(url, [token])))
    # The codebook import's check page holds the confirmation, with the file signed in it.
    for url in ("/staff/codebooks/import", f"{book}/import"):
        checked = world.clients[Role.PARTICIPATION].post(
            url, **multipart({}, {"file": (codebook_csv("Checked theme"), "Checked.csv", "")})
        )
        assert checked.status_code == 200
        world.keep(Role.PARTICIPATION, checked.get_data(as_text=True), url)
    _read_respondent_pages(world)


EVIDENCE_KINDS = ("theme", "indicator", "kpi", "document", "quote")


def _read_respondent_pages(world: World) -> None:
    """Start every shipped form in one browser and read each of its pages."""
    session = _session(world.app)
    for slug in ("all-about-me-pathway-1", "cyp-termly", "parent-termly", "school-termly"):
        version = get_published_form(session=session, slug=slug)
        shape = parse_definition(version.definition, slug)
        started = world.respondent.post(f"/f/{slug}")
        assert started.status_code == 302, (slug, started.status_code)
        world.read(None, f"/f/{slug}")
        for page in shape.pages:
            world.read(None, f"/f/{slug}/pages/{page.id}")
        world.read(None, f"/f/{slug}/check-answers")
        world.ids.setdefault("stored", {}).update(
            {
                f"/f/{slug}/pages/{page.id}": {
                    q.id for q in page.questions if q.kind in {"short_text", "long_text", "email"}
                }
                for page in shape.pages
            }
        )
    session.close()


# ---------------------------------------------------------------------------
# Hostile files that parse: real CSV, YAML and codebooks with hostile text inside


def fuzz_definition(title: str, label: str = "What happened?") -> bytes:
    """A small, valid form definition with `title` and `label` in it."""
    definition = {
        "slug": "fuzzed-form",
        "title": title,
        "pages": [
            {
                "id": "first",
                "title": "About you",
                "questions": [{"id": "said", "kind": "long_text", "label": label}],
            }
        ],
    }
    return yaml.safe_dump(definition, allow_unicode=True).encode("utf-8")


def codebook_csv(name: str, description: str = "", examples: str = "") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["key", "name", "description", "examples"])
    writer.writerow(["", name, description, examples])
    return out.getvalue().encode("utf-8", "surrogatepass")


def table_csv(headings: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


#: The largest file each upload takes (pictures and the survey and plan imports: 5 MB);
#: beyond MAX_CONTENT_LENGTH the whole request is refused.
MB = 1024 * 1024
UPLOAD_LIMITS = {
    "staff_forms.index": staff_forms.MAX_DEFINITION_BYTES,
    "codebooks.import_file": codebook_imports.MAX_UPLOAD,
}

YAML_BOMB = b'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + b"".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},"
    f"*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)}]\n".encode()
    for n in range(8)
)


def _definition(draw: st.DrawFn, _world: World) -> tuple[bytes, str, str]:
    if draw(st.integers(0, 5)) == 5:
        return YAML_BOMB, "form.yaml", ""
    title, label = draw(hostile_text()), draw(hostile_text())
    return fuzz_definition(*draw(st.sampled_from([(title,), ("Form", label)]))), "f.yaml", ""


def _codebook(draw: st.DrawFn, _world: World) -> tuple[bytes, str, str]:
    cells = [draw(hostile_text()) for _ in range(3)]
    return codebook_csv(*cells), draw(hostile_text()).replace("/", " ")[:80] + ".csv", "text/csv"


def _plan(draw: st.DrawFn, _world: World) -> tuple[bytes, str, str]:
    headings = ["AoW", "Action code", "Action", "Lead", "Status"]
    rows = draw(st.lists(st.lists(hostile_text(), min_size=5, max_size=5), min_size=1, max_size=3))
    return table_csv(headings, [["1", *row[1:]] for row in rows]), "plan.csv", "text/csv"


def _answers(draw: st.DrawFn, world: World) -> tuple[bytes, str, str]:
    headings, values = world.ids["answer_columns"]
    rows = [[*values, draw(hostile_text())] for _ in range(draw(st.integers(1, 3)))]
    if draw(st.booleans()):  # a hostile answer where a choice is expected
        rows[0][draw(st.integers(0, len(values) - 1))] = draw(hostile_text())
    return table_csv(headings, rows), "answers.csv", "text/csv"


def _document(draw: st.DrawFn, _world: World) -> tuple[bytes, str, str]:
    return draw(st.binary(max_size=200)), draw(hostile_text()), ""


#: Files that parse, with hostile text inside, for each endpoint's file field.
STRUCTURED: dict[tuple[str, str], Callable[[st.DrawFn, World], tuple[bytes, str, str]]] = {
    ("staff_forms.index", "definition"): _definition,
    ("codebooks.import_file", "file"): _codebook,
    ("plans.import_plan", "spreadsheet"): _plan,
    ("survey_imports.upload", "spreadsheet"): _answers,
    ("plans.add_link", "document"): _document,
}


@st.composite
def upload(draw: st.DrawFn, world: World, endpoint: str, name: str) -> tuple[bytes, str, str]:
    """A file for a file field: one that parses half the time, else hostile bytes."""
    if (endpoint, name) in STRUCTURED and draw(st.integers(0, 2)) != 2:
        return STRUCTURED[endpoint, name](draw, world)
    whole = world.app.config["MAX_CONTENT_LENGTH"]
    return draw(hostile_files(UPLOAD_LIMITS.get(endpoint, 5 * MB), whole))


# ---------------------------------------------------------------------------
# Fuzzing one endpoint

#: Every endpoint that takes a POST, in the order they are fuzzed, with how many examples
#: each gets on SQLite and on PostgreSQL. Those that end something the others need (closing
#: the round, merging and retiring themes, changing the codebook in use) come last.
ENDPOINTS: dict[str, tuple[int, int]] = {
    "respond.begin": (4, 2),
    "respond.page": (40, 12),
    "respond.check_answers": (6, 2),
    "resume.by_code": (6, 2),
    "survey_links.begin_invited": (4, 2),
    "survey_links.begin_open": (4, 2),
    "auth.sign_in": (8, 3),
    "auth.sign_out": (2, 1),
    "plans.add_link": (14, 5),
    "plans.rate": (10, 4),
    "plans.report": (10, 4),
    "plans.remove_link": (3, 1),
    "plans.export_scorecard": (4, 2),
    "plans.import_plan": (16, 5),
    "plans.review_import": (3, 1),
    "yswd.new": (8, 3),
    "yswd.edit": (12, 5),
    "yswd.quotes": (6, 2),
    "yswd.translate": (10, 4),
    "yswd.export": (6, 2),
    "yswd.tell": (3, 1),
    "yswd.step": (6, 3),
    "agreement.new": (10, 3),
    "agreement.code": (8, 3),
    "agreement.agree": (3, 1),
    "agreement.settings": (10, 3),
    "safeguarding.alert": (12, 5),
    "staff_forms.index": (16, 6),
    "staff_forms.publish": (3, 1),
    "review.save": (8, 3),
    "review.bulk": (8, 3),
    "staff_surveys.new": (12, 4),
    "staff_surveys.invite": (10, 4),
    "staff_surveys.paper": (3, 1),
    "staff_surveys.reminders": (3, 1),
    "survey_results.export": (4, 2),
    "survey_imports.upload": (16, 5),
    "survey_imports.columns": (6, 2),
    "survey_imports.confirm": (3, 1),
    "analysis.discover": (6, 2),
    "analysis.retrain": (3, 1),
    "codebooks.add_theme": (14, 5),
    "codebooks.edit_theme": (12, 5),
    "codebooks.import_file": (16, 5),
    "codebooks.confirm_import": (4, 2),
    "discovery.create_theme": (10, 4),
    "discovery.merge": (4, 2),
    "discovery.split": (3, 1),
    "discovery.dismiss": (3, 1),
    "discovery.reopen": (3, 1),
    "codebooks.merge": (6, 2),
    "codebooks.confirm_merge": (3, 1),
    "codebooks.retire": (3, 1),
    "codebooks.activate": (3, 1),
    "staff_surveys.close": (3, 1),
}

#: Text fields whose words an accepted request must store as sent, by endpoint (a field
#: named with a prefix, such as "report-key_risks", counts by its last part).
STORED = {
    "codebooks.add_theme": {"name", "description", "inclusion", "exclusion"},
    "codebooks.edit_theme": {"name", "description", "inclusion", "exclusion"},
    "discovery.create_theme": {"name", "description"},
    "safeguarding.alert": {"note"},
    "plans.report": {"key_risks"},
    "plans.rate": {"commentary"},
    "plans.add_link": {"label"},
    "plans.import_plan": {"title"},
    "yswd.new": {"title"},
    "yswd.edit": {"title", "you_said", "we_did", "easy_said", "easy_did"},
    "yswd.translate": {"title", "you_said", "we_did", "easy_said", "easy_did"},
    "yswd.step": {"note"},
}

#: Values that pass a field's own check, so that the other fields' hostile text gets
#: through to be stored: each is used in about half the requests.
DATE = ["1", "9", "2027"]
PAST = ["1", "9", "2025"]  # a KPI is measured on a day that has come
VALID: dict[str, dict[str, Any]] = {
    "auth.sign_in": {"email": "admin@demo.heard"},
    "plans.import_plan": {"name": "fuzz-plan", "schemes": "kent"},
    "plans.add_link": {"value": "3", "baseline": "1", "target": "5", "measured_on": PAST},
    "staff_surveys.new": {
        "academic_year": "2027/28",
        "opens_on": DATE,
        "closes_on": ["30", "9", "2027"],
    },
    "agreement.new": {"size": "5", "second": "machine"},
    "agreement.settings": {"min_kappa": "0.6", "retrain_after": "50", "min_theme_f1": "0.5"},
    "analysis.discover": {"themes": "3"},
    "yswd.edit": {"delivery_on": ["", "", ""]},
}


@st.composite
def invitees(draw: st.DrawFn) -> str:
    """Lines of "name, email, reference", with hostile names and references."""
    words = hostile_text().map(lambda text: text.replace(",", " "))
    line = st.tuples(words, st.sampled_from(["", "sam@example.com", "@", "a b@c"]), words)
    people = draw(st.lists(line, min_size=1, max_size=4))
    return "\n".join(", ".join(person) for person in people)


#: Text fields with a shape of their own.
SHAPED = {("staff_surveys.invite", "people"): invitees()}

#: Refusals that may still change a row they had, and why.
MAY_CHANGE = {
    # The columns chosen are kept while the rows are put right, so they need not be again.
    "survey_imports.columns",
}
#: Pages whose hidden fields change as answers are saved: read afresh before each post.
FRESH = {"respond.page", "respond.check_answers"}


@st.composite
def case(draw: st.DrawFn, world: World, endpoint: str) -> tuple[Any, HtmlForm, Any, dict, dict]:
    """A form for `endpoint`, and what to send to it."""
    role, form = draw(st.sampled_from(world.forms[endpoint]))
    sent = draw(submissions(form))
    data = sent.data
    for name, value in VALID.get(endpoint, {}).items():
        if draw(st.integers(0, 3)) != 3:
            data.setlist(name, value if isinstance(value, list) else [value])
            sent.texts.pop(name, None)
    for (shaped_endpoint, name), shape in SHAPED.items():
        if shaped_endpoint == endpoint and draw(st.integers(0, 3)) != 3:
            data.setlist(name, [draw(shape)])
            sent.texts.pop(name, None)
    files = {
        control.name: draw(upload(world, endpoint, control.name))
        for control in form.fields
        if control.kind == "file" and draw(st.integers(0, 5)) != 5
    }
    keep = STORED.get(endpoint, set()) | world.ids["stored"].get(form.action.split("?")[0], set())
    stored = {n: t for n, t in sent.texts.items() if n in keep or n.rsplit("-", 1)[-1] in keep}
    how = draw(st.integers(0, 11))
    if how >= 10:  # not a form at all: JSON of the wrong types, or text that is no form
        fields = [f.name for f in form.fields]
        if how == 10:
            values = st.dictionaries(st.sampled_from(fields or ["x"]), JSON_VALUES, max_size=6)
            body = (json.dumps(draw(values)).encode(), "application/json")
        else:
            raw = draw(st.sampled_from(BROKEN_BODIES))
            body = (raw, draw(st.sampled_from(["application/x-www-form-urlencoded", "text/plain"])))
        return role, form, body, {}, {}
    return role, form, data, files, stored


#: JSON where a form's fields are expected: lists, objects, numbers, nulls.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
#: Bodies that a form parser has to cope with.
BROKEN_BODIES = [
    b"%ZZ=%&&==&a=%00&a=%ff%fe",
    b"\xff\xfe\x00a\x00=\x00b",
    b"=" * 1000,
    b"a" * 5000,
    b"name=" + b"%E2%80%AE" * 100,
]


def send(world: World, role: Role | None, endpoint: str, form: HtmlForm, data, files) -> Any:
    client = world.client_for(role)
    fresh = (
        forms_on(client.get(form.action).get_data(as_text=True), form.action)
        if endpoint in FRESH
        else []
    )
    if len(fresh) == 1 and not isinstance(data, tuple):
        for control in fresh[0].fields:
            was = next((f for f in form.fields if f.name == control.name), None)
            if control.kind == "hidden" and was and data.getlist(control.name) == was.values:
                data.setlist(control.name, control.values)
    if endpoint == "auth.sign_out":  # a browser of its own, so the others stay signed in
        client = world.app.test_client()
        sign_in(client, DEMO_EMAILS[Role.REVIEWER])
    if isinstance(data, tuple):
        body, content_type = data
        return client.post(form.action, data=body, content_type=content_type)
    if files:
        return client.post(form.action, **multipart(data, files))
    return client.post(form.action, data=data)


#: Jobs run after the request that queued them: they read what the fuzzing stored.
#: (Retraining and finding themes take only a number, so they stay queued.)
RUN_JOBS = {"survey-import", "survey-export", "scorecard-export", "yswd-export", "yswd-follow-up"}


def check_download(response: Any, context: Any) -> None:
    """A file sent back has no cell a spreadsheet program would run as a formula."""
    disposition = response.headers.get("Content-Disposition", "")
    if disposition.startswith("attachment"):
        filename = re.search(r'filename="([^"]*)"', disposition)[1]
        assert formulas(response.data, filename) == [], (filename, context)


def run_jobs(world: World, context: Any) -> None:
    """Run the jobs a request queued, as the worker would, and check what each left."""
    session = _session(world.app)
    queued = session.exec(
        select(Job).where(Job.status == JobStatus.QUEUED).where(col(Job.kind).in_(RUN_JOBS))
    ).all()
    session.close()
    for job in queued:
        before = state(world.engine)
        with world.app.app_context():
            analysis_jobs.run(world.engine, job.id)
        session = _session(world.app)
        done = session.get(Job, job.id)
        assert done.status in {JobStatus.DONE, JobStatus.FAILED}, (done.status, context)
        # A job that fails for a reason people can act on says so; anything else is a bug.
        assert not done.message.startswith("Something went wrong"), (job.kind, context)
        if done.status is JobStatus.FAILED:
            after = state(world.engine)
            assert after.counts == before.counts, ("a failed job wrote rows", job.kind, context)
        made = get_job_file(session=session, job=done)
        if made is not None:
            assert formulas(made.data, made.filename) == [], (made.filename, context)
        session.close()


#: The steps after an upload: confirm what was checked (a plan, a codebook), or match the
#: columns and import (survey answers). Each is taken as offered, so a file accepted with
#: hostile words in it goes all the way to the database.
NEXT_STEPS = {
    "plans.review_import",
    "codebooks.confirm_import",
    "survey_imports.columns",
    "survey_imports.confirm",
}


def take_next_steps(world: World, role: Role | None, url: str, response: Any, context) -> None:
    """Follow an accepted upload through the steps it leads to, checking each the same way."""
    client = world.client_for(role)
    for _ in range(3):
        if response.status_code in {302, 303}:
            url = response.headers["Location"]
            response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            return
        offered = [
            f
            for f in forms_on(response.get_data(as_text=True), url)
            if world.endpoint_of(f.action) in NEXT_STEPS
        ]
        if not offered:
            return
        step = offered[-1]  # the import's confirmation comes after its column matching
        before = state(world.engine)
        response = client.post(step.action, data={f.name: f.values for f in step.fields})
        check(response, world.engine, before, may_change=True, context=("next step", context))
        run_jobs(world, context)
        url = step.action


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_fuzz(world, endpoint):
    """Hostile requests to one endpoint: no 500, no partial record, what is kept is as sent."""
    assert endpoint in world.forms, f"no page the world reads offers a form for {endpoint}"

    @settings(
        max_examples=ENDPOINTS[endpoint][world.kind == "postgresql"],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        # The world changes as requests succeed, so a smaller example may not fail again:
        # the first failure is reported as it was found, with the request in its message.
        phases=[Phase.explicit, Phase.generate],
    )
    @seed(zlib.crc32(endpoint.encode()))
    @given(case(world, endpoint))
    def one(drawn: tuple[Any, HtmlForm, Any, dict, dict]) -> None:
        role, form, data, files, stored = drawn
        before = state(world.engine)
        response = send(world, role, endpoint, form, data, files)
        check(
            response,
            world.engine,
            before,
            stored=stored,
            may_change=endpoint in MAY_CHANGE,
            context=(endpoint, form.action, data),
        )
        check_download(response, (endpoint, data))
        run_jobs(world, (endpoint, data))
        take_next_steps(world, role, form.action, response, (endpoint, data))
        if response.headers.get("Location", "").endswith("/confirmation"):
            # The response was sent: start another, so the next pages have one to fill in.
            world.respondent.post(re.sub(r"/(pages/.*|check-answers)$", "", form.action))

    one()


def test_every_post_endpoint_is_fuzzed(world):
    """A new POST endpoint fails here until it is in ENDPOINTS and a page offers its form."""
    posting = {
        rule.endpoint for rule in world.app.url_map.iter_rules() if "POST" in (rule.methods or ())
    }
    assert posting == set(ENDPOINTS)
    missing = sorted(posting - set(world.forms))
    assert not missing, f"add a page that offers a form for {missing}"
    with world.app.test_request_context():
        for endpoint in posting:
            roles = allowed_roles(endpoint)
            assert roles is None or all(role in roles for role, _ in world.forms[endpoint] if role)


# ---------------------------------------------------------------------------
# Downloads: what was typed comes back as text, never as a formula

#: Text that a spreadsheet program would run, put where each download reads it from.
FORMULA = {
    "comment": '=HYPERLINK("http://evil.example","Click me")',
    "theme": "@SUM(1+1)*cmd|' /C calc'!A0",
    "entry": "+cmd|' /C calc'!A0",
    "area": "-2+3+cmd|' /C calc'!A0",  # an area's key: its cells read "key name"
}


def _seed_formulas(world: World) -> None:
    """Put each formula where a download will find it (the entry published, so it counts)."""
    session = _session(world.app)
    ids = world.ids
    comment = session.get(Comment, ids["comment"])
    comment.text_redacted = FORMULA["comment"]
    add_themes(
        session=session,
        codebook=session.get(Codebook, ids["codebook"]),
        themes=[{"key": "formula", "name": FORMULA["theme"]}],
    )
    entry = session.get(YswdEntry, ids["entry"])
    entry.title, entry.state, entry.published_at = FORMULA["entry"], EntryState.PUBLISHED, utcnow()
    plan = session.exec(select(Plan).where(Plan.name == ids["plan"])).one()
    area = session.exec(
        select(PlanArea)
        .where(PlanArea.plan_id == plan.id, col(PlanArea.parent_id).is_(None))
        .where(col(PlanArea.is_tag).is_(False))
    ).first()
    area.key = FORMULA["area"]
    session.add_all([comment, entry, area])
    session.commit()
    session.close()


def _exported(world: World, role: Role, url: str, **data: str) -> tuple[bytes, str]:
    """Ask for an export as `role`, run its job, and return the file it made."""
    response = world.clients[role].post(url, data=data)
    assert response.status_code == 302, (url, response.status_code)
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with world.app.app_context():
        analysis_jobs.run(world.engine, job_id)
    session = _session(world.app)
    made = get_job_file(session=session, job=session.get(Job, job_id))
    session.close()
    assert made is not None, url
    return made.data, made.filename


def test_every_download_keeps_what_was_typed_as_text(world):
    """Each export re-emits a formula someone typed as text, with a leading apostrophe."""
    _seed_formulas(world)
    ids = world.ids
    survey = f"/staff/surveys/{ids['round']}"
    downloads = {
        "comment": [
            _exported(world, Role.OFFICER, f"{survey}/export.csv"),
            _exported(world, Role.OFFICER, f"{survey}/export.xlsx"),
        ],
        "entry": [_exported(world, Role.OFFICER, "/staff/you-said-we-did/exports", format="csv")],
        "area": [
            _exported(world, Role.OFFICER, form.action)
            for _role, form in world.forms["plans.export_scorecard"]
            if "/pdf" not in form.action
        ],
    }
    codebook = world.clients[Role.PARTICIPATION].get(
        f"/staff/codebooks/{ids['codebook']}/export/csv"
    )
    downloads["theme"] = [(codebook.data, "codebook.csv")]
    for where, files in downloads.items():
        for data, filename in files:
            found = list(cells(data, filename))
            assert formulas(data, filename) == [], filename
            assert any(cell.startswith("'" + FORMULA[where]) for cell in found), (
                where,
                filename,
                found[:20],
            )


def test_the_formula_check_finds_a_formula():
    """The check the downloads are held to does fail on a formula, and not on a number."""
    raw = b"name,score\n=cmd|' /C calc'!A0,-2\n'=plain,+3.5\n"
    assert formulas(raw, "x.csv") == ["=cmd|' /C calc'!A0"]


# ---------------------------------------------------------------------------
# Sizes and lines that are refused as a whole


def test_a_field_or_a_request_too_big_is_refused_with_a_page(world):
    """Past MAX_FORM_MEMORY_SIZE (a field of a multipart form) or MAX_CONTENT_LENGTH (the
    request): a 413 page. (A plain form's field is read whole, and its Length check refuses it.)"""
    officer = world.clients[Role.OFFICER]
    config = world.app.config
    too_long = "A" * (config["MAX_FORM_MEMORY_SIZE"] + 1)
    too_big = b"x" * (config["MAX_CONTENT_LENGTH"] + 1)
    before = state(world.engine)
    refused = world.respondent.post("/resume", data={"code": too_long})
    assert refused.status_code == 200 and has_error_summary(refused.get_data(as_text=True))
    for response in (
        officer.post("/staff/surveys/new", **multipart({"academic_year": too_long}, {})),
        officer.post(
            "/staff/plans/import", **multipart({}, {"spreadsheet": (too_big, "a.csv", "")})
        ),
    ):
        assert response.status_code == 413, response.request.path
        html = response.get_data(as_text=True)
        assert is_heard_page(html) and "The file is too big" in html
    assert state(world.engine).counts == before.counts


WORDS = hostile_text().map(lambda text: " ".join(re.sub(r'[,"\s]', " ", text).split()))


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(st.lists(st.tuples(WORDS, st.sampled_from(["", "sam@example.com"]), WORDS), max_size=4))
def test_people_to_invite_are_never_cut_short(lines):
    """Each line is kept as typed, or refused with a reason; never shortened to fit."""
    text = "\n".join(", ".join(line) for line in lines)
    people, problems = parse_people(text)
    typed = [line for line in lines if any(line)]
    if problems:
        return
    assert [(p["name"], p["email"], p["reference"]) for p in people] == typed
    too_long = [line for line in typed if len(line[0]) > 200 or len(line[2]) > 100]
    assert not too_long  # those give problems instead


def test_typed_text_and_imported_files_drop_the_same_characters():
    """Forms, codebook files and these tests agree on which characters carry no words."""
    from analysis.codebook_files import _CONTROL as FILE_CONTROL
    from forms.base import NOT_TEXT
    from tests.fuzzing import CONTROL

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    kept = NOT_TEXT.sub("", every)
    assert FILE_CONTROL.sub("", every) == kept == CONTROL.sub("", every)
    # C0 but tab and line breaks (29), DEL and C1 (33), U+FDD0 to U+FDEF (32), plane ends (34)
    assert len(every) - len(kept) == 29 + 33 + 32 + 34
    assert all(c in kept for c in "\t\n\r\u202e\u200d\u0301\U0001f600")


# ---------------------------------------------------------------------------
# The shared sanitiser the fuzzing led to (forms/base.py)


class _Sample(HeardForm):
    words = StringField()
    count = IntegerField()
    secret = PasswordField()
    upload = FileField()


def test_what_is_sent_loses_characters_that_carry_no_words():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    body = {
        "words": "Wait\x00ing\x07 \u202efor\u200d a\x85 plan\uffff\r\nstill",
        "count": "1\x002",
        "secret": "pass\x07word",
        "upload": (io.BytesIO(b"data"), "plan\x00.csv"),
    }
    with app.test_request_context(method="POST", data=body):
        form = _Sample()
        # Line breaks arrive as one line feed each, as a character count counts them.
        assert form.words.data == "Waiting \u202efor\u200d a plan\nstill"
        assert form.count.data == 12
        assert form.secret.data == "pass\x07word"  # a password is compared as it was typed
        assert form.upload.data.filename == "plan.csv"
        assert form.upload.data.read() == b"data"
    with app.test_request_context(method="POST", json={"words": {"a": [1]}, "count": [3]}):
        form = _Sample()
        assert (form.words.data, form.count.data) == (None, None)  # JSON fills no field
    with app.test_request_context(method="POST", data={"words": "kept"}):
        assert _Sample(formdata=None).words.data is None


def test_a_form_definition_with_control_characters_is_refused_by_name():
    text = fuzz_definition("Fine", label="What\x07 happened?").decode()
    with pytest.raises(DefinitionError, match="question 'said': label: must not contain control"):
        load_definition_text(text, "upload.yaml")


def test_a_name_question_without_a_limit_still_fits_where_the_name_is_kept():
    question = {"id": "name", "kind": "short_text", "label": "Name", "personal": "respondent_name"}
    page = parse_definition(
        {
            "slug": "named",
            "title": "Named",
            "pages": [{"id": "p", "title": "P", "questions": [question]}],
        },
        "test",
    ).pages[0]
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    Babel(app)
    for name, valid in (("N" * 200, True), ("N" * 201, False)):
        with app.test_request_context(method="POST", data={"name": name}):
            form = page_form_class(page, BuildContext())()
            assert form.validate() is valid
    assert str(form.errors["name"][0]) == "Your answer to “Name” must be 200 characters or fewer"
