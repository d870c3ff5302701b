"""Object-level access: staff of one organisation never reach another organisation's data.

Two demo-like organisations hold the same shape of data: survey rounds and responses,
invitations and an uploaded spreadsheet, comments, a codebook and its themes, a discovery
run, a double-coding sample, jobs and their files, an improvement plan with an action,
ratings, a document and a waiting import, a "You said, we did" entry, a safeguarding
alert, a picture upload and staff in every role. Alderney is the demo organisation; every
role of Brecon, the second one, then walks every staff route that takes an object id with
Alderney's ids in it (and with Brecon's own ids but one of Alderney's), and must get 404 or
403. The same requests with Brecon's own ids must work, so a 404 means the boundary, not a
broken address. List pages and Brecon's own pages must never show Alderney's words.

The data is built once for each database, for the whole module.
"""

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from models import (
    AuditEvent,
    FormVersion,
    Organisation,
    OrganisationCreate,
    Role,
    UserCreate,
    create_district,
    create_organisation,
    create_user,
    get_published_form,
    new_session,
    record_event,
    save_upload,
)
from models.agreement import AgreementSample, SecondCoder, create_sample
from models.coding import (
    Codebook,
    CodebookStatus,
    CodingSource,
    Comment,
    Theme,
    activate_codebook,
    code_comment,
    create_codebook,
    list_themes,
    save_comment,
)
from models.demo import DEMO_USERS, load_demo
from models.jobs import Job, JobStatus, create_job, save_job_file, update_job
from models.plan_evidence import EvidenceKind, EvidenceLink, PlanImport, add_evidence
from models.plan_reports import Stage, add_rating, save_report
from models.plans import create_plan, list_schemes, save_action, save_area
from models.review import DiscoveredCluster
from models.safeguarding import SafeguardingAlert, create_alert
from models.surveys import (
    Anonymity,
    Invitation,
    SurveyImport,
    SurveyRound,
    SurveyRoundCreate,
    Term,
    create_invitations,
    create_round,
    save_import,
)
from models.yswd import Audience, YswdEntry, create_entry
from tests.conftest import DEMO_PASSWORD, fresh_database, make_app, sign_in
from tests.surveys import add_responses, parent_answers
from tests.webapp.test_access import ROLE_ORDER, OnceCheckedClient
from webapp.access import allowed_roles, roles_required
from webapp.export_jobs import KIND as SURVEY_EXPORT
from webapp.form_loading import load_shipped
from webapp.scorecard_exports import KIND as SCORECARD_EXPORT
from webapp.yswd_exports import KIND as YSWD_EXPORT

ALDERNEY, BRECON = "Alderney", "Brecon"
PERIOD = "2024-01"
# Words only Alderney's pages may show: its marker (in every name and text made below), and
# what the demo loader gives it (the organisation's name, staff names, districts, codebook).
ALDERNEY_WORDS = (
    ALDERNEY,
    "alderney",
    "Kent County Council",
    *(name for _email, name, _role in DEMO_USERS),
    "Tunbridge Wells",
    "Have Your Say: future mental health model",
)

# -- what each route argument stands for ------------------------------------------------------

#: An id-like argument, by name, and the object whose id (or name) goes in it.
OBJECT_ARGS = {
    "alert_id": "alert",
    "cluster_id": "cluster",
    "code": "action",
    "codebook_id": "codebook",
    "comment_id": "comment",
    "entry_id": "entry",
    "import_id": "survey_import",
    "job_id": "job",
    "link_id": "document",
    "name": "plan",
    "round_id": "round",
    "sample_id": "sample",
    "target_id": "other_theme",
    "theme_id": "theme",
}
#: Where one argument name means a different kind of object on one route.
ROUTE_OBJECTS = {
    ("plans.download", "job_id"): "scorecard_job",
    ("plans.review_import", "import_id"): "plan_import",
    ("survey_results.download", "job_id"): "export_job",
    ("yswd.download", "job_id"): "yswd_job",
}
#: Arguments that name no object: one value that works for any organisation's objects.
FIXED_ARGS = {
    "codebooks.export": {"kind": "csv"},
    "codebooks.export_version": {"kind": "csv", "version": "1"},
    "plans.add_link": {"kind": "document"},
    "plans.export_scorecard": {"kind": "csv"},
    "plans.rate": {"scheme_key": "kent-progress", "stage": "challenged"},
    "staff_surveys.open_link_qr": {"kind": "svg"},
    "survey_results.export": {"kind": "csv"},
    "yswd.step": {"kind": "reviewed"},
    "yswd.translate": {"language": "pl"},
}
#: Query strings some routes need to get as far as loading their objects.
QUERIES = {
    "plans.export_scorecard": f"?period={PERIOD}",
    "plans.rate": f"?period={PERIOD}",
    "plans.report": f"?period={PERIOD}",
}
#: Routes whose objects belong to the whole installation, not to one organisation. Adding
#: to this is a decision that every organisation's administrators share those objects.
SHARED_ROUTES = {
    "staff_forms.publish": "form definitions are shared by every organisation on an install",
}


# -- building the two organisations ------------------------------------------------------------


@dataclass
class Org:
    """One organisation's staff and the values that address its objects in URLs."""

    organisation_id: int
    marker: str
    emails: dict[Role, str]
    users: dict[Role, int]
    objects: dict[str, str] = field(default_factory=dict)
    comment_ids: list[int] = field(default_factory=list)
    slug: str = ""
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class World:
    app: Flask
    alderney: Org
    brecon: Org
    clients: dict[Role, Any]  # signed in as each of Brecon's roles

    def session(self) -> Session:
        return new_session(self.app.extensions["heard.engine"])


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def _job(session: Session, org: Org, kind: str, params: dict, result: dict, file: bool) -> Job:
    job = create_job(
        session=session,
        organisation_id=org.organisation_id,
        kind=kind,
        params=params,
        created_by_id=org.users[Role.ADMIN],
    )
    update_job(session=session, job=job, status=JobStatus.DONE, result=result)
    if file:
        name = f"{org.marker.lower()}-{kind}.csv"
        data = _csv("marker", org.marker)
        save_job_file(session=session, job=job, filename=name, mimetype="text/csv", data=data)
    return job


def _surveys(session: Session, org: Org) -> SurveyRound:
    today = date.today()
    version = get_published_form(session=session, slug="parent-termly")
    assert version is not None
    survey_round = create_round(
        session=session,
        organisation_id=org.organisation_id,
        form_version=version,
        data=SurveyRoundCreate(
            academic_year="2026/27",
            term=Term.AUTUMN,
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=30),
            anonymity=Anonymity.CONFIDENTIAL,
            open_link=True,
        ),
    )
    create_invitations(
        session=session,
        survey_round=survey_round,
        people=[
            {
                "name": f"{org.marker} Parent",
                "email": f"parent@{org.marker.lower()}.example",
                "reference": f"{org.marker}-1",
            }
        ],
    )
    upload = save_import(
        session=session,
        survey_round=survey_round,
        user_id=org.users[Role.ADMIN],
        filename=f"{org.marker.lower()}-answers.csv",
        data=_csv("could-be-better", f"{org.marker} families want shorter waits"),
    )
    org.objects.update(round=str(survey_round.id), survey_import=str(upload.id))
    return survey_round


def _comments(session: Session, org: Org, survey_round: SurveyRound) -> tuple[Codebook, Theme]:
    codebook = create_codebook(
        session=session,
        organisation_id=org.organisation_id,
        name=f"{org.marker} parent themes",
        status=CodebookStatus.ACTIVE,
        themes=[
            {"key": "waiting", "name": f"{org.marker} waiting times"},
            {"key": "transport", "name": f"{org.marker} school transport"},
        ],
    )
    activate_codebook(session=session, codebook=codebook)
    waiting, transport = list_themes(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    answers = [parent_answers("agree", **{"could-be-better": f"{org.marker} words"})] * 6
    responses = add_responses(session, survey_round, answers)
    for number, response in enumerate(responses):
        comment = save_comment(
            session=session,
            organisation_id=org.organisation_id,
            response_id=response.id,
            question_id="could-be-better",
            text_redacted=f"{org.marker} parents waited {number + 10} weeks for an assessment",
            sentiment="negative",
            flagged=number == 0,
            quote_consent=True,
        )
        code_comment(
            session=session,
            comment=comment,
            theme_ids={waiting.id: None},  # type: ignore[dict-item]
            source=CodingSource.HUMAN,
        )
        org.comment_ids.append(comment.id)  # type: ignore[arg-type]
    alert = create_alert(
        session=session,
        organisation_id=org.organisation_id,
        response_id=responses[0].id,  # type: ignore[arg-type]
        question_id="could-be-better",
        severity="high",
        reason="Words about harm",
        categories=["harm"],
        text=f"{org.marker} child said something worrying at home",
    )
    save_upload(
        session=session,
        response=responses[1],
        question_id="picture",
        data=b"\x89PNG picture",
        content_type="image/png",
        filename=f"{org.marker.lower()}.png",
    )
    org.objects.update(
        codebook=str(codebook.id),
        theme=str(waiting.id),
        other_theme=str(transport.id),
        # The first comment raised the alert, so it is the safeguarding lead's alone.
        comment=str(org.comment_ids[1]),
        alert=str(alert.id),
    )
    return codebook, waiting


def _analysis(session: Session, org: Org, codebook: Codebook, survey_round: SurveyRound) -> None:
    discover = _job(
        session,
        org,
        "discover",
        {"codebook_id": codebook.id},
        {"n_comments": 5, "other": 0, "themes": []},
        file=False,
    )
    cluster = DiscoveredCluster(
        organisation_id=org.organisation_id,
        codebook_id=codebook.id,  # type: ignore[arg-type]
        job_id=discover.id,  # type: ignore[arg-type]
        name=f"{org.marker} waiting lists",
        keywords=["waiting", "weeks"],
        size=5,
        quotes=[f"{org.marker} parents waited 11 weeks for an assessment"],
        comment_ids=org.comment_ids[1:],
    )
    session.add(cluster)
    session.flush()
    sample = create_sample(
        session=session,
        organisation_id=org.organisation_id,
        codebook_id=codebook.id,  # type: ignore[arg-type]
        comment_ids=org.comment_ids[1:4],
        second=SecondCoder.PERSON,
        first_user_id=org.users[Role.ADMIN],
        second_user_id=org.users[Role.OFFICER],
        created_by_id=org.users[Role.ADMIN],
        round_id=survey_round.id,
    )
    export = _job(
        session,
        org,
        SURVEY_EXPORT,
        {"round_id": survey_round.id, "format": "csv", "identity": False},
        {"round_id": survey_round.id, "format": "csv", "rows": 6, "identity": False},
        file=True,
    )
    org.objects.update(
        job=str(discover.id),
        cluster=str(cluster.id),
        sample=str(sample.id),
        export_job=str(export.id),
    )


def _plans(session: Session, org: Org, theme: Theme) -> None:
    name = f"{org.marker.lower()}-plan"
    plan = create_plan(
        session=session,
        organisation_id=org.organisation_id,
        name=name,
        title=f"{org.marker} improvement plan",
        schemes=["kent-progress", "kent-impact", "kent-status"],
    )
    area = save_area(session=session, plan=plan, key="1", name=f"{org.marker} parental confidence")
    code = f"1{org.marker[0]}1"  # 1A1 and 1B1: never the same code in both plans
    action = save_action(
        session=session,
        plan=plan,
        code=code,
        fields={"area_id": area.id, "description": f"{org.marker} families hear back sooner"},
    )
    progress = next(s for s in list_schemes(session=session, plan=plan) if s.key == "kent-progress")
    report = save_report(session=session, action=action, period=PERIOD)
    add_rating(
        session=session,
        report=report,
        scheme_id=progress.scheme.id,  # type: ignore[arg-type]
        stage=Stage.PROPOSED,
        value="amber",
        commentary=f"{org.marker} is on track",
        user_id=org.users[Role.OFFICER],
    )
    add_evidence(
        session=session, action=action, kind=EvidenceKind.THEME, user_id=None, theme_id=theme.id
    )
    document = add_evidence(
        session=session,
        action=action,
        kind=EvidenceKind.DOCUMENT,
        user_id=org.users[Role.OFFICER],
        label=f"{org.marker} minutes",
        filename="minutes.txt",
        mimetype="text/plain",
        data=f"{org.marker} minutes of the meeting".encode(),
    )
    pending = PlanImport(
        organisation_id=org.organisation_id,
        plan_name=f"{org.marker.lower()}-next",
        title=f"{org.marker} next plan",
        schemes=["hull-status"],
        filename=f"{org.marker.lower()}-plan.csv",
        data=_csv("code,action", f"1,{org.marker} action"),
        created_by_id=org.users[Role.OFFICER],
    )
    session.add(pending)
    session.flush()
    scorecard = _job(
        session,
        org,
        SCORECARD_EXPORT,
        {"plan_id": plan.id, "period": PERIOD, "format": "csv"},
        {"plan": name, "period": PERIOD, "format": "csv", "filename": "scorecard.csv"},
        file=True,
    )
    org.objects.update(
        plan=name,
        action=code,
        document=str(document.id),
        plan_import=str(pending.id),
        scorecard_job=str(scorecard.id),
    )


def _yswd(session: Session, org: Org, survey_round: SurveyRound, theme: Theme) -> None:
    entry = create_entry(
        session=session,
        organisation_id=org.organisation_id,
        user_id=org.users[Role.OFFICER],
        audience=Audience.PARENTS,
        academic_year=survey_round.academic_year,
        term=survey_round.term.value,
        title=f"{org.marker} you said, we did",
        you_said=f"{org.marker} parents said they waited too long.",
        easy_said=f"{org.marker} parents waited.",
        respondents=6,
        themes=[(theme.id, theme.name, 5)],  # type: ignore[list-item]
    )
    yswd = _job(
        session,
        org,
        YSWD_EXPORT,
        {"format": "csv", "term": "", "audience": "", "language": "en"},
        {"format": "csv", "filename": "you-said-we-did.csv"},
        file=True,
    )
    org.objects.update(entry=str(entry.id), yswd_job=str(yswd.id))


def alderney_state(session: Session, org: Org) -> dict[str, Any]:
    """What the walks must leave as it is: each object's state, and how many rows the
    organisation has in every table that records which organisation a row belongs to."""
    o = org.objects
    alert = session.get(SafeguardingAlert, int(o["alert"]))
    codebook = session.get(Codebook, int(o["codebook"]))
    entry = session.get(YswdEntry, int(o["entry"]))
    upload = session.get(SurveyImport, int(o["survey_import"]))
    survey_round = session.get(SurveyRound, int(o["round"]))
    themes = list_themes(session=session, codebook_id=int(o["codebook"]), include_inactive=True)
    comments = session.exec(select(Comment).where(col(Comment.id).in_(org.comment_ids))).all()
    invitations = session.exec(
        select(Invitation.token_hash).where(Invitation.round_id == int(o["round"]))
    ).all()
    counts = {
        table.name: session.exec(
            select(func.count())
            .select_from(table)
            .where(table.c.organisation_id == org.organisation_id)
        ).one()
        for table in SQLModel.metadata.sorted_tables
        if "organisation_id" in table.c and table.name != "audit_event"
    }
    return {
        "alert": (alert.status, alert.note),  # type: ignore[union-attr]
        "cluster": session.get(DiscoveredCluster, int(o["cluster"])).status,  # type: ignore[union-attr]
        "codebook": (codebook.status, codebook.version),  # type: ignore[union-attr]
        "themes": [(t.id, t.status, t.name, t.parent_id, t.examples) for t in themes],
        "entry": (entry.state, entry.title, entry.you_said, entry.translations),  # type: ignore[union-attr]
        "plan import": session.get(PlanImport, int(o["plan_import"])).done,  # type: ignore[union-attr]
        "survey import": (upload.mapping, upload.imported_at),  # type: ignore[union-attr]
        "round": (survey_round.closes_on, survey_round.coding_agreed_at),  # type: ignore[union-attr]
        "comments": sorted((c.id, c.reviewed_at, c.sentiment) for c in comments),
        "codings": _coded(session, org.comment_ids),
        "invitation links": sorted(invitations),
        "rows": counts,
    }


def build(session: Session, org: Org) -> None:
    """The same shape of data for one organisation, every text carrying its marker."""
    organisation = session.get(Organisation, org.organisation_id)
    assert organisation is not None
    org.slug = organisation.slug
    create_district(session=session, organisation=organisation, name=f"{org.marker} North")
    survey_round = _surveys(session, org)
    codebook, theme = _comments(session, org, survey_round)
    _analysis(session, org, codebook, survey_round)
    _plans(session, org, theme)
    _yswd(session, org, survey_round, theme)
    record_event(
        session=session,
        action="fixture.loaded",
        actor_user_id=org.users[Role.ADMIN],
        organisation_id=org.organisation_id,
    )
    session.commit()


def _brecon_staff(session: Session, organisation_id: int) -> dict[Role, str]:
    emails = {}
    for role in Role:
        email = f"{role.value}@brecon.heard"
        create_user(
            session=session,
            organisation_id=organisation_id,
            data=UserCreate(
                email=email,
                full_name=f"{BRECON} {role.label}",
                role=role,
                password=DEMO_PASSWORD,
            ),
        )
        emails[role] = email
    return emails


def _user_ids(session: Session, emails: dict[Role, str]) -> dict[Role, int]:
    from models import get_user_by_email

    found = {
        role: get_user_by_email(session=session, email=email) for role, email in emails.items()
    }
    return {role: user.id for role, user in found.items() if user and user.id}  # type: ignore[misc]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[World]:
    url = fresh_database(request, tmp_path_factory.mktemp("objects"))
    # CSRF and rate limits off, so that what answers each request is the view's own check.
    app = make_app(url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    app.test_client_class = OnceCheckedClient
    session = new_session(app.extensions["heard.engine"])
    demo = load_demo(session=session, password=DEMO_PASSWORD, reset_passwords=False)
    load_shipped(session=session, publish=True)
    brecon_org = create_organisation(
        session=session, data=OrganisationCreate(slug="brecon-demo", name=f"{BRECON} Council")
    )
    alderney_emails = {role: email for email, _name, role in DEMO_USERS}
    brecon_emails = _brecon_staff(session, brecon_org.id)  # type: ignore[arg-type]
    session.commit()
    orgs = {}
    for marker, organisation_id, emails in (
        (ALDERNEY, demo.organisation.id, alderney_emails),
        (BRECON, brecon_org.id, brecon_emails),
    ):
        orgs[marker] = Org(organisation_id, marker, emails, _user_ids(session, emails))  # type: ignore[arg-type]
        build(session, orgs[marker])
    orgs[ALDERNEY].state = alderney_state(session, orgs[ALDERNEY])
    session.close()
    clients = {}
    for role in ROLE_ORDER:
        client = app.test_client()
        assert sign_in(client, brecon_emails[role]).status_code == 302
        clients[role] = client
    yield World(app, orgs[ALDERNEY], orgs[BRECON], clients)
    app.extensions["heard.engine"].dispose()


# -- the walk ----------------------------------------------------------------------------------


def path_args(rule: Any) -> list[str]:
    """The arguments in a rule's path (not the defaults a second rule for a view adds)."""
    return re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule.rule)


def _object_of(endpoint: str, arg: str) -> str | None:
    return ROUTE_OBJECTS.get((endpoint, arg)) or OBJECT_ARGS.get(arg)


def id_routes(app: Flask) -> list[tuple[Any, frozenset[Role]]]:
    """Every staff rule with arguments in its path, with the roles that may open it."""
    with app.test_request_context():
        return [
            (rule, allowed_roles(rule.endpoint))
            for rule in app.url_map.iter_rules()
            if path_args(rule)
            and allowed_roles(rule.endpoint) is not None
            and rule.endpoint not in SHARED_ROUTES
        ]


def unknown_arguments(app: Flask) -> list[str]:
    """Arguments of staff routes that neither name an object nor have a fixed value."""
    return sorted(
        f"{rule.endpoint}: <{arg}>"
        for rule, _roles in id_routes(app)
        for arg in path_args(rule)
        if _object_of(rule.endpoint, arg) is None and arg not in FIXED_ARGS.get(rule.endpoint, {})
    )


def url_for_rule(rule: Any, chosen: dict[str, Org]) -> str:
    """The rule's path with each argument taken from the organisation chosen for it."""

    def value(match: re.Match) -> str:
        arg = match.group(1)
        fixed = FIXED_ARGS.get(rule.endpoint, {})
        if arg in fixed:
            return fixed[arg]
        return chosen[arg].objects[_object_of(rule.endpoint, arg)]  # type: ignore[index]

    path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", value, rule.rule)
    return path + QUERIES.get(rule.endpoint, "")


def object_args(rule: Any) -> list[str]:
    return sorted(a for a in path_args(rule) if a not in FIXED_ARGS.get(rule.endpoint, {}))


def control_role(roles: frozenset[Role]) -> Role:
    """Who opens a route with their own organisation's ids: the first role that may. That is
    the administrator wherever they may (they asked for every file and code the sample)."""
    return next(r for r in ROLE_ORDER if r in roles)


def methods(rule: Any) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def body_text(response: Any) -> str:
    """What a person would read in the response; a zip's entries are read too."""
    data = response.get_data()
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace") + " " + name
                for name in archive.namelist()
            )
    return data.decode("utf-8", "replace")


def leaked(text: str) -> list[str]:
    return [word for word in ALDERNEY_WORDS if word in text]


def test_every_id_taking_route_has_an_object_to_try(world):
    # A new route with an id in it fails here until the walk knows which object to put in
    # it, so that a route can never be left out of the walk below.
    assert unknown_arguments(world.app) == []
    assert len(id_routes(world.app)) >= 60
    # The one route left out names a form version, which belongs to no organisation: once
    # form versions do, this fails, and the route joins the walk.
    assert set(SHARED_ROUTES) == {"staff_forms.publish"}
    assert "organisation_id" not in FormVersion.model_fields
    for rule, _roles in id_routes(world.app):
        for arg in object_args(rule):
            wanted = _object_of(rule.endpoint, arg)
            assert wanted in world.alderney.objects, (rule.endpoint, arg, wanted)
            assert wanted in world.brecon.objects, (rule.endpoint, arg, wanted)


def test_a_new_id_route_without_an_object_fails_the_walk(world):
    app = make_app(world.app.config["DATABASE_URL"])

    @app.get("/staff/widgets/<int:widget_id>/<kind>")
    @roles_required(Role.ADMIN)
    def widget(widget_id: int, kind: str) -> str:
        return "a widget"

    assert unknown_arguments(app) == ["widget: <kind>", "widget: <widget_id>"]
    app.extensions["heard.engine"].dispose()


def test_own_ids_work_so_a_refusal_means_the_boundary(world):
    """Brecon's own objects open for Brecon's staff, and show nothing of Alderney's."""
    failures = []
    for rule, roles in id_routes(world.app):
        if "GET" not in rule.methods:
            continue
        role = control_role(roles)
        url = url_for_rule(rule, dict.fromkeys(path_args(rule), world.brecon))
        response = world.clients[role].get(url)
        if response.status_code != 200:
            failures.append((rule.endpoint, role.value, url, response.status_code))
        elif leaked(body_text(response)):
            failures.append((rule.endpoint, role.value, url, leaked(body_text(response))))
    assert failures == []


def test_no_role_reaches_another_organisations_objects(world):
    """Every id route, with Alderney's ids in every argument, as every role of Brecon: 404
    for a role the route admits (not 403, which would say the object exists), 403 for the
    others."""
    failures = []
    checked = 0
    for rule, roles in id_routes(world.app):
        url = url_for_rule(rule, dict.fromkeys(path_args(rule), world.alderney))
        for role in ROLE_ORDER:
            for method in methods(rule):
                status = world.clients[role].open(url, method=method).status_code
                checked += 1
                expected = {404} if role in roles else {403}
                if status not in expected:
                    failures.append((rule.endpoint, method, role.value, url, status))
    assert failures == []
    assert checked > 300


def test_one_foreign_id_among_own_ones_is_refused_too(world):
    """Brecon's own codebook with Alderney's theme (and so on): each argument in turn."""
    failures = []
    checked = 0
    for rule, roles in id_routes(world.app):
        args = object_args(rule)
        if len(args) < 2:
            continue
        for foreign in args:
            chosen = {arg: world.alderney if arg == foreign else world.brecon for arg in args}
            url = url_for_rule(rule, chosen)
            for role in ROLE_ORDER:
                if role not in roles:
                    continue  # refused by role, which the walk above has shown
                for method in methods(rule):
                    status = world.clients[role].open(url, method=method).status_code
                    checked += 1
                    if status != 404:
                        failures.append((rule.endpoint, method, role.value, url, status))
    assert failures == []
    assert checked > 60


def _list_routes(app: Flask) -> list[tuple[str, str, frozenset[Role]]]:
    with app.test_request_context():
        return [
            (rule.endpoint, rule.rule, allowed_roles(rule.endpoint))
            for rule in app.url_map.iter_rules()
            if not path_args(rule)
            and "GET" in rule.methods
            and allowed_roles(rule.endpoint) is not None
        ]


def test_list_pages_show_only_the_organisations_own_data(world):
    """Every staff page without an id in it, as each role of Brecon that may open it."""
    folder = Path(world.app.config["HEARD_OUTBOX_DIR"]) / world.alderney.slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "alderney-1.eml").write_text("To: parent@alderney.example\n\nAlderney news\n")
    failures = []
    own = set()
    for endpoint, url, roles in _list_routes(world.app):
        for role in ROLE_ORDER:
            if role not in roles:
                continue
            response = world.clients[role].get(url)
            if response.status_code != 200:
                failures.append((endpoint, role.value, response.status_code))
                continue
            text = body_text(response)
            if leaked(text):
                failures.append((endpoint, role.value, leaked(text)))
            if BRECON in text:
                own.add(endpoint)
    assert failures == []
    # The pages that list Brecon's own things do show them: the check above is not empty.
    assert {
        "analysis.codebooks",
        "plans.index",
        "review.queue_page",
        "safeguarding.index",
        "staff.audit_log",
        "staff.users",
        "yswd.index",
    } <= own
    assert (folder / "alderney-1.eml").exists()  # Alderney's outbox was not emptied


def test_foreign_ids_in_forms_and_query_strings_change_nothing(world):
    brecon, alderney = world.brecon, world.alderney
    admin = world.clients[Role.ADMIN]
    session = world.session()
    before = _coded(session, alderney.comment_ids)
    # Bulk review with Alderney's comments picked, and Alderney's theme added.
    response = admin.post(
        "/staff/review/bulk",
        data={
            "action": "add",
            "theme": brecon.objects["other_theme"],
            "comments": alderney.comment_ids,
        },
    )
    assert response.status_code == 302
    # One comment reviewed with a theme of Alderney's codebook.
    response = admin.post(
        f"/staff/review/{brecon.objects['comment']}",
        data={"themes": [alderney.objects["theme"]], "sentiment": "negative"},
    )
    assert response.status_code in {200, 302}
    session.expire_all()
    assert _coded(session, alderney.comment_ids) == before
    # A double-coding sample of Alderney's round, with one of Alderney's staff coding it.
    samples = _count(session, AgreementSample, brecon.organisation_id)
    response = admin.post(
        "/staff/agreement/new",
        data={
            "survey_round": alderney.objects["round"],
            "size": "5",
            "first": str(brecon.users[Role.ADMIN]),
            "second": str(alderney.users[Role.OFFICER]),
        },
    )
    assert response.status_code == 200  # shown again, with the choices refused
    # Both choices refused: each in the error summary and by its field.
    assert response.get_data(as_text=True).count("Not a valid choice") == 4
    assert _count(session, AgreementSample, brecon.organisation_id) == samples
    # Alderney's theme linked as evidence to Brecon's action.
    plan, code = brecon.objects["plan"], brecon.objects["action"]
    links = session.exec(select(func.count()).select_from(EvidenceLink)).one()
    response = admin.post(
        f"/staff/plans/{plan}/actions/{code}/evidence/theme",
        data={"theme": alderney.objects["theme"], "direction": "less-negative"},
    )
    assert response.status_code == 200
    assert session.exec(select(func.count()).select_from(EvidenceLink)).one() == links
    # A discovery page asked for Alderney's run.
    url = f"/staff/codebooks/{brecon.objects['codebook']}/discovery?job={alderney.objects['job']}"
    assert admin.get(url).status_code == 404
    # A sample's coding page asked for one of Alderney's comments shows one of Brecon's.
    url = f"/staff/agreement/{brecon.objects['sample']}/code?comment={alderney.comment_ids[1]}"
    page = admin.get(url)
    assert page.status_code == 200
    assert not leaked(page.get_data(as_text=True))
    session.close()


def _count(session: Session, table: Any, organisation_id: int) -> int:
    query = select(func.count()).select_from(table).where(table.organisation_id == organisation_id)
    return session.exec(query).one()


def _coded(session: Session, comment_ids: list[int]) -> list[tuple]:
    from models.coding import CommentTheme

    query = select(CommentTheme.comment_id, CommentTheme.theme_id, CommentTheme.source).where(
        col(CommentTheme.comment_id).in_(comment_ids)
    )
    return sorted(session.exec(query).all())


def test_alderneys_data_is_as_it_was(world):
    """After every walk above, nothing of Alderney's has changed, been added or gone."""
    session = world.session()
    assert alderney_state(session, world.alderney) == world.alderney.state
    # Nobody from Brecon did anything in Alderney's name.
    crossed = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.organisation_id == world.alderney.organisation_id)
        .where(col(AuditEvent.actor_user_id).in_(world.brecon.users.values()))
    ).one()
    assert crossed == 0
    session.close()
