"""Property-based fuzzing of every form POST and import endpoint.

Random, oversized, malformed and hostile input goes to every endpoint that takes a POST:
control characters and NUL bytes, right-to-left overrides and zero-width joiners,
combining marks, emoji and characters outside the basic plane, markup and script,
SQL-looking strings, lists where one value is expected, missing and duplicated fields,
and files that are empty, too big, binary, not what their name says, or a zip bomb.

The property (tests/fuzzing.py): never a 500; a refusal is one of Heard's own pages and
writes no row; what is accepted is stored as sent. CSRF and rate limits are off here,
because they answer first and have tests of their own (tests/webapp/test_security.py).

One world (demo organisation, forms, a coded term, a plan, a survey import, a discovered
group, an alert, an agreement sample, an entry) is built per database for the module; each
test fuzzes one part of Heard in it. Every POST form on the pages the world offers is found
by reading the pages, so a new field is fuzzed without being listed here, and
`test_every_post_endpoint_is_fuzzed` fails when a new endpoint is not.
"""

import csv
import io
import re
import sqlite3
import zlib
from datetime import date
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from models import Role, get_published_form, list_users
from models.agreement import SecondCoder, create_sample
from models.demo import load_demo
from models.coding import Codebook
from models.jobs import create_job
from models.plan_evidence import EvidenceKind, add_evidence
from models.plans import list_actions
from models.review import ClusterStatus, DiscoveredCluster
from models.safeguarding import create_alert
from models.surveys import create_invitations
from tests.conftest import DEMO_PASSWORD, make_app, sign_in
from tests.fuzzing import (
    Field,
    HtmlForm,
    check,
    form_posting_to,
    forms_on,
    hostile_files,
    hostile_text,
    multipart,
    state,
    submissions,
)
from tests.surveys import definition
from tests.webapp.plans import FIXTURES, small_plan
from tests.webapp.test_access import DEMO_EMAILS
from tests.webapp.yswd import coded_term
from webapp.access import allowed_roles
from webapp.form_loading import load_shipped
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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory) -> Iterator[World]:
    """The world, built once per database for this module."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "heard.db"
        with sqlite3.connect(path) as copy:
            request.getfixturevalue("sqlite_template").backup(copy)
        copy.close()
        url = f"sqlite:///{path}"
    else:
        reset = request.getfixturevalue("postgres_reset")
        reset.reset()
        url = reset.url
    app = make_app(
        url,
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
        # Jobs are queued, not run: what is fuzzed is the request, and a queued job is a row.
        HEARD_JOBS_IMMEDIATE=False,
        HEARD_QUEUE_PATH=str(tmp_path_factory.mktemp("queue") / "queue.db"),
    )
    built = build_world(app, request.param)
    yield built
    app.extensions["heard.engine"].dispose()


def _session(app):
    from models import new_session

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
        session=session, organisation_id=org_id, kind="discover", params={"codebook_id": codebook_id}
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
    """What is easiest made as staff make it: an entry, a sample, imports, a draft form."""
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
    _post(world, Role.PARTICIPATION, confirm.action, data={f.name: f.values for f in confirm.fields})


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
    from forms.schema import parse_definition

    session = _session(world.app)
    for slug in ("all-about-me-pathway-1", "cyp-termly", "parent-termly", "school-termly"):
        version = get_published_form(session=session, slug=slug)
        definition = parse_definition(version.definition, slug)
        started = world.respondent.post(f"/f/{slug}")
        assert started.status_code == 302, (slug, started.status_code)
        world.read(None, f"/f/{slug}")
        for page in definition.pages:
            world.read(None, f"/f/{slug}/pages/{page.id}")
        world.read(None, f"/f/{slug}/check-answers")
        world.ids.setdefault("stored", {}).update(
            {
                f"/f/{slug}/pages/{page.id}": {
                    q.id for q in page.questions if q.kind in {"short_text", "long_text", "email"}
                }
                for page in definition.pages
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


#: The largest file any upload takes (picture uploads and the import files).
UPLOAD_LIMIT = 5 * 1024 * 1024

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
    return draw(hostile_files(UPLOAD_LIMIT))


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
VALID: dict[str, dict[str, Any]] = {
    "auth.sign_in": {"email": "admin@demo.heard"},
    "plans.import_plan": {"name": "fuzz-plan", "schemes": "kent"},
    "plans.add_link": {"value": "3", "baseline": "1", "target": "5", "measured_on": DATE},
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
    return role, form, data, files, stored


def send(world: World, role: Role | None, endpoint: str, form: HtmlForm, data, files) -> Any:
    client = world.client_for(role)
    if endpoint in FRESH:
        [current] = [f for f in forms_on(client.get(form.action).get_data(as_text=True), form.action)]
        for control in current.fields:
            was = next((f for f in form.fields if f.name == control.name), None)
            if control.kind == "hidden" and was and data.getlist(control.name) == was.values:
                data.setlist(control.name, control.values)
    if endpoint == "auth.sign_out":  # a browser of its own, so the others stay signed in
        client = world.app.test_client()
        sign_in(client, DEMO_EMAILS[Role.REVIEWER])
    if files:
        return client.post(form.action, **multipart(data, files))
    return client.post(form.action, data=data)


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
        outcome = check(
            response,
            world.engine,
            before,
            stored=stored,
            may_change=endpoint in MAY_CHANGE,
            context=(endpoint, form.action, data),
        )
        import os
        if os.environ.get("FZSTATS"):
            with open("/tmp/fz_stats.txt", "a") as fh:
                fh.write(f"{world.kind} {endpoint} {outcome.status} {int(outcome.stored)}\n")
                if (outcome.refused or outcome.status == 200) and response.mimetype == "text/html":
                    from bs4 import BeautifulSoup
                    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
                    summary = soup.select_one(".govuk-error-summary")
                    words = " | ".join(summary.get_text(" ", strip=True).split("\n")) if summary else soup.title.get_text() if soup.title else ""
                    with open("/tmp/fz_errors.txt", "a") as fh:
                        fh.write(f"{endpoint} {outcome.status}: {words[:300]}\n")
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


