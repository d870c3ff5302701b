"""Reviewing discovered themes: create a theme, add to one, split or dismiss each group."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import col, select

from models import (
    AuditEvent,
    OrganisationCreate,
    Role,
    UserCreate,
    create_organisation,
    create_user,
    get_organisation_by_slug,
)
from models.coding import (
    Codebook,
    CodingSource,
    Comment,
    CommentTheme,
    Theme,
    get_active_codebook,
    list_comments,
    list_themes,
    save_comment,
)
from models.jobs import create_job
from models.review import (
    ChangeKind,
    ClusterStatus,
    DiscoveredCluster,
    ThemeChange,
    list_clusters,
    suggestions,
)
from tests.conftest import DEMO_PASSWORD, csrf_token, sign_in

WORKER = "participation@demo.heard"


@pytest.fixture
def org(demo, session):
    return get_organisation_by_slug(session=session, slug="kent-demo")


@pytest.fixture
def codebook(org, session) -> Codebook:
    return get_active_codebook(session=session, organisation_id=org.id)


@pytest.fixture
def worker(app, demo):
    client = app.test_client()
    sign_in(client, WORKER)
    return client


@pytest.fixture
def discovered(worker, org, codebook, session):
    """The demo comments, and a discovery run on them that found nine groups."""
    from webapp.demo_data import load_comments

    load_comments(session=session, organisation=org)
    session.commit()
    run_discovery(worker, codebook, themes="9")
    return list_clusters(session=session, organisation_id=org.id, codebook_id=codebook.id)


def run_discovery(client, codebook, **data) -> str:
    url = f"/staff/codebooks/{codebook.id}"
    started = client.post(f"{url}/discover", data={"csrf_token": csrf_token(client, url), **data})
    assert started.status_code == 302
    return started.headers["Location"]


def page_url(codebook, cluster=None, action="") -> str:
    url = f"/staff/codebooks/{codebook.id}/discovery"
    return f"{url}/{cluster.id}/{action}" if cluster is not None else url


def post(client, codebook, cluster, action, **data):
    token = csrf_token(client, page_url(codebook))
    return client.post(page_url(codebook, cluster, action), data={"csrf_token": token, **data})


def followed(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def text(html: str) -> str:
    """The page's words, without tags, as a reader meets them."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


#: Comments about two things, so that a group of them can be split in two.
TWO_TOPICS = [f"The bus to school was late again on day {n}" for n in range(5)] + [
    f"My son loved the lunch at the club, week {n}" for n in range(5)
]


def make_cluster(
    session, org, codebook, texts, name="Made up group", quotes=None
) -> DiscoveredCluster:
    """A group of new comments, as if a discovery run had found it (quoting the first three)."""
    job = create_job(
        session=session,
        organisation_id=org.id,
        kind="discover",
        params={"codebook_id": codebook.id},
    )
    comments = [
        save_comment(
            session=session,
            organisation_id=org.id,
            response_id=None,
            question_id="q",
            text_redacted=said,
            sentiment="",
            flagged=False,
        )
        for said in texts
    ]
    cluster = DiscoveredCluster(
        organisation_id=org.id,
        codebook_id=codebook.id,
        job_id=job.id,
        name=name,
        keywords=["made", "up"],
        size=len(comments),
        quotes=texts[:3] if quotes is None else quotes,
        comment_ids=[c.id for c in comments],
    )
    session.add(cluster)
    session.commit()
    return cluster


def flag(session, cluster, place=0) -> Comment:
    """Flag one of the group's comments, as a safeguarding concern raised after discovery ran."""
    comment = session.get(Comment, cluster.comment_ids[place])
    comment.flagged = True
    session.add(comment)
    session.commit()
    return comment


def discovery_codings(session, cluster, theme):
    return session.exec(
        select(CommentTheme)
        .where(CommentTheme.theme_id == theme.id)
        .where(CommentTheme.source == CodingSource.DISCOVERY)
    ).all()


def events(session, action):
    return session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_discovery_page_shows_each_group_with_its_words(worker, codebook, discovered, session):
    job_page = worker.get(f"/staff/jobs/{discovered[0].job_id}").get_data(as_text=True)
    review_link = f"/staff/codebooks/{codebook.id}/discovery?job={discovered[0].job_id}"
    assert f'href="{review_link}">Review the themes found</a>' in job_page
    html = worker.get(review_link).get_data(as_text=True)
    assert text(html) == text(worker.get(page_url(codebook)).get_data(as_text=True))

    words = text(html)
    assert len(discovered) == 9
    assert "To review (9)" in words and "Decided" not in words
    for cluster in discovered:
        assert f'id="cluster-{cluster.id}-name">{cluster.name}</h3>' in html
        assert f"{cluster.size} comments. Keywords: {', '.join(cluster.keywords)}." in words
        assert 3 <= len(cluster.quotes) <= 5
        assert len(cluster.comment_ids) == cluster.size
    assert html.count('<li class="heard-verbatim" lang="en" dir="auto">') == sum(
        len(c.quotes) for c in discovered
    )
    other = 188 - sum(c.size for c in discovered)
    assert f"from 188 comments. {other} comments fitted no group and are kept as “other”." in words
    # The demo comments hold made-up phone numbers and emails; none reach the page.
    assert "07700" not in html and "@example.com" not in html
    # Finding themes again goes through the codebook's own form.
    assert f'action="/staff/codebooks/{codebook.id}/discover"' in html
    assert 'name="themes"' in html and "Find themes" in html


def test_creating_a_theme_from_a_group_suggests_it_on_the_groups_comments(
    worker, codebook, discovered, session
):
    cluster = discovered[0]
    parent = list_themes(session=session, codebook_id=codebook.id)[1]
    version = codebook.version
    form = worker.get(page_url(codebook, cluster, "theme")).get_data(as_text=True)
    assert f'value="{cluster.name}"' in form
    assert f"Comments about {cluster.keywords[0]}, " in form
    assert cluster.quotes[0].replace("'", "&#39;") in form
    assert "None: a theme of its own" in form

    examples = "Our own example\n\nOur own example\n" + cluster.quotes[0]
    done = post(
        worker,
        codebook,
        cluster,
        "theme",
        name="  Waiting   for therapy ",
        description="Children waiting for therapy.",
        parent=str(parent.id),
        examples=examples,
    )
    page = followed(worker, done)
    assert done.headers["Location"].endswith(f"/discovery#cluster-{cluster.id}")
    assert "govuk-notification-banner--success" in page
    assert (
        f"Theme “Waiting for therapy” created. It is suggested on {cluster.size} comments" in page
    )
    assert "To review (8)" in page and "Decided (1)" in page
    assert "Became “Waiting for therapy”" in page

    session.expire_all()
    theme = session.exec(select(Theme).where(Theme.name == "Waiting for therapy")).one()
    assert theme.key == "waiting-for-therapy"
    assert theme.description == "Children waiting for therapy."
    assert theme.parent_id == parent.id
    assert theme.examples == ["Our own example", cluster.quotes[0]]
    assert session.get(Codebook, codebook.id).version == version + 1
    change = session.exec(select(ThemeChange).where(ThemeChange.theme_id == theme.id)).one()
    assert change.kind == ChangeKind.CREATED
    assert change.summary == "Created “Waiting for therapy” from a discovered cluster"

    codings = discovery_codings(session, cluster, theme)
    assert sorted(c.comment_id for c in codings) == sorted(cluster.comment_ids)
    assert all(c.confidence is None for c in codings)
    # The review queue offers them as suggestions, for a person to accept or reject.
    offered = suggestions(session=session, comment_ids=cluster.comment_ids)
    assert all(theme.id in offered[comment_id] for comment_id in cluster.comment_ids)

    decided = session.get(DiscoveredCluster, cluster.id)
    assert (decided.status, decided.theme_id) == (ClusterStatus.CREATED, theme.id)
    assert decided.decided_by_id is not None and decided.decided_at is not None
    [event] = events(session, "discovery.cluster.created")
    assert event.object_id == str(cluster.id)
    assert event.details["theme_id"] == theme.id
    assert event.details["suggested"] == cluster.size

    # The codebook page lists the new theme.
    assert "Waiting for therapy" in worker.get(f"/staff/codebooks/{codebook.id}").get_data(
        as_text=True
    )


def test_a_theme_name_must_be_new_and_plain_and_nothing_typed_is_lost(
    worker, codebook, discovered, session
):
    cluster = discovered[0]
    existing = list_themes(session=session, codebook_id=codebook.id)[0]
    attempts = [
        ("", "Enter the theme name"),
        ("x" * 201, "The theme name must be 200 characters or fewer"),
        (
            "Support for service users",
            "The theme name uses “service users”. Use people’s own terms, for example "
            "“children and young people” or “parents and carers”.",
        ),
        (
            f"  {existing.name.upper()} ",
            "The codebook already has a theme with this name. Choose another",
        ),
    ]
    for name, message in attempts:
        page = post(
            worker,
            codebook,
            cluster,
            "theme",
            name=name,
            description="What I typed about it",
            parent="0",
            examples="An example I wrote",
        )
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "govuk-error-summary" in html and "<title>Error: Create a theme" in html
        assert message in html.replace("&#34;", '"')
        assert 'href="#name"' in html
        assert "What I typed about it" in html and "An example I wrote" in html

    page = post(
        worker,
        codebook,
        cluster,
        "theme",
        name="Families",
        description="Help for a child with autism",
        parent="999999",
    ).get_data(as_text=True)
    assert "What it covers uses “child with autism”. Use identity-first language" in page
    assert "Select a parent theme from the list, or none" in page
    assert "could not coerce" not in page and "Not a valid choice" not in page

    session.expire_all()
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.OPEN
    assert len(list_themes(session=session, codebook_id=codebook.id)) == 14
    assert events(session, "discovery.cluster.created") == []


def test_adding_a_group_to_a_theme_suggests_it_and_keeps_new_examples(
    worker, codebook, discovered, session
):
    cluster = discovered[1]
    theme = list_themes(session=session, codebook_id=codebook.id)[2]
    theme.examples = ["Already here", cluster.quotes[0]]
    session.add(theme)
    session.commit()
    form = worker.get(page_url(codebook, cluster, "merge")).get_data(as_text=True)
    assert "Which theme do these comments belong to?" in form
    assert form.count('name="theme"') == 14

    page = followed(worker, post(worker, codebook, cluster, "merge", theme=str(theme.id)))
    assert f"“{cluster.name}” added to “{theme.name}”." in page
    assert "govuk-notification-banner--success" in page
    assert f"Added to “{theme.name}”" in page

    session.expire_all()
    theme = session.get(Theme, theme.id)
    assert theme.examples == ["Already here", *cluster.quotes]
    change = session.exec(select(ThemeChange).where(ThemeChange.theme_id == theme.id)).one()
    assert change.kind == ChangeKind.EDITED
    assert change.summary == f"Added discovered cluster “{cluster.name}” to “{theme.name}”"
    codings = discovery_codings(session, cluster, theme)
    assert sorted(c.comment_id for c in codings) == sorted(cluster.comment_ids)
    decided = session.get(DiscoveredCluster, cluster.id)
    assert (decided.status, decided.theme_id) == (ClusterStatus.MERGED, theme.id)
    [event] = events(session, "discovery.cluster.merged")
    assert event.details["examples_added"] == len(cluster.quotes) - 1


def test_adding_a_group_needs_a_theme_chosen(worker, codebook, discovered, session):
    cluster = discovered[1]
    for data in ({}, {"theme": "999999"}, {"theme": "nonsense"}):
        page = post(worker, codebook, cluster, "merge", **data)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "govuk-error-summary" in html
        assert html.count("Select the theme to add these comments to") == 2  # summary, field
        assert "could not coerce" not in html and "Not a valid choice" not in html
    session.expire_all()
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.OPEN
    assert session.exec(select(ThemeChange)).all() == []


def test_splitting_a_group_makes_two_smaller_groups_to_review(
    worker, codebook, discovered, session
):
    cluster = discovered[0]
    page = followed(worker, post(worker, codebook, cluster, "split"))
    session.expire_all()
    children = session.exec(
        select(DiscoveredCluster)
        .where(DiscoveredCluster.parent_id == cluster.id)
        .order_by(col(DiscoveredCluster.id))
    ).all()
    assert len(children) == 2
    assert f"“{cluster.name}” split into “{children[0].name}” and “{children[1].name}”." in page
    assert {child.job_id for child in children} == {cluster.job_id}
    assert all(child.status == ClusterStatus.OPEN for child in children)
    # Every comment of the group is in exactly one of the two.
    ids = children[0].comment_ids + children[1].comment_ids
    assert sorted(ids) == sorted(cluster.comment_ids)
    assert [child.size for child in children] == [len(c.comment_ids) for c in children]
    assert all(1 <= len(child.quotes) <= 5 and child.keywords for child in children)
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.SPLIT
    [event] = events(session, "discovery.cluster.split")
    assert event.details["into"] == [child.id for child in children]
    words = text(page)
    assert "To review (10)" in words and "Decided (1)" in words
    assert f"from splitting “{cluster.name}”" in words


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (
            ["one", "two", "three", "four"],
            "This group has 4 comments. A group needs at least 6 comments to be split in two.",
        ),
        (
            ["The bus is late"] * 7,
            "This group could not be split: its comments are too alike to make two groups.",
        ),
    ],
)
def test_a_group_that_cannot_be_split_says_why(worker, org, codebook, session, texts, message):
    cluster = make_cluster(session, org, codebook, texts)
    page = post(worker, codebook, cluster, "split")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<title>Error: Themes found" in html
    assert f'<a href="#split-{cluster.id}">{message}</a>' in html
    assert f'id="split-{cluster.id}-error"' in html
    session.expire_all()
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.OPEN
    assert session.exec(select(DiscoveredCluster)).all() == [cluster]


def test_a_group_can_be_dismissed_and_reopened(worker, org, codebook, session):
    cluster = make_cluster(session, org, codebook, ["Nice lunch", "The lunch was nice"])
    page = followed(worker, post(worker, codebook, cluster, "dismiss"))
    assert "“Made up group” dismissed." in page
    assert "To review (0)" in text(page) and "Reopen" in page
    session.expire_all()
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.DISMISSED

    page = followed(worker, post(worker, codebook, cluster, "reopen"))
    assert "“Made up group” reopened." in page
    assert "To review (1)" in text(page)
    session.expire_all()
    reopened = session.get(DiscoveredCluster, cluster.id)
    assert (reopened.status, reopened.decided_at) == (ClusterStatus.OPEN, None)
    assert len(events(session, "discovery.cluster.dismissed")) == 1
    assert len(events(session, "discovery.cluster.reopened")) == 1

    # Only a dismissed group can be reopened.
    page = followed(worker, post(worker, codebook, cluster, "reopen"))
    assert "Only a dismissed group can be reopened" in page
    assert len(events(session, "discovery.cluster.reopened")) == 1


def test_a_decided_group_cannot_be_decided_again(worker, org, codebook, session):
    cluster = make_cluster(session, org, codebook, [f"Comment {n}" for n in range(8)])
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    followed(worker, post(worker, codebook, cluster, "merge", theme=str(theme.id)))
    attempts = [
        ("theme", {"name": "A new name"}),
        ("merge", {"theme": str(theme.id)}),
        ("split", {}),
        ("dismiss", {}),
    ]
    for action, data in attempts:
        done = post(worker, codebook, cluster, action, **data)
        page = followed(worker, done)
        assert "“Made up group” has already been added to a theme, so nothing was changed." in page
        assert "govuk-notification-banner--success" not in page
    for action in ("theme", "merge"):
        page = followed(worker, worker.get(page_url(codebook, cluster, action)))
        assert "has already been added to a theme" in page
    session.expire_all()
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.MERGED
    assert len(session.exec(select(ThemeChange)).all()) == 1
    assert len(discovery_codings(session, cluster, theme)) == 8
    assert session.exec(select(DiscoveredCluster)).all() == [cluster]


def test_older_runs_can_be_opened(worker, codebook, discovered, session):
    first = discovered[0].job_id
    run_discovery(worker, codebook, themes="3")
    html = worker.get(page_url(codebook)).get_data(as_text=True)
    assert "To review (3)" in text(html)
    assert f"discovery?job={first}" in html
    older = worker.get(f"{page_url(codebook)}?job={first}").get_data(as_text=True)
    assert "An older run: 9 groups" in text(older) and "To review (9)" in text(older)
    # An action on an older run's group goes back to that run.
    done = post(worker, codebook, discovered[2], "dismiss")
    assert done.headers["Location"].endswith(f"discovery?job={first}#cluster-{discovered[2].id}")
    assert worker.get(f"{page_url(codebook)}?job=999999").status_code == 404


def test_before_any_run_the_page_offers_to_find_themes(worker, codebook):
    html = worker.get(page_url(codebook)).get_data(as_text=True)
    assert "No themes have been found for this codebook yet." in html
    assert f'action="/staff/codebooks/{codebook.id}/discover"' in html


def test_other_organisations_codebooks_and_groups_are_not_found(
    app, worker, org, codebook, session
):
    ours = make_cluster(session, org, codebook, [f"Ours {n}" for n in range(6)])
    other = create_organisation(
        session=session, data=OrganisationCreate(slug="hull-area", name="Hull area")
    )
    create_user(
        session=session,
        organisation_id=other.id,
        data=UserCreate(
            email="worker@hull.heard",
            full_name="Hull Worker",
            role=Role.PARTICIPATION,
            password=DEMO_PASSWORD,
        ),
    )
    from models.coding import create_codebook

    their_codebook = create_codebook(
        session=session,
        organisation_id=other.id,
        name="Hull themes",
        themes=[{"key": "waiting", "name": "Waiting"}],
    )
    session.commit()
    theirs = make_cluster(session, other, their_codebook, [f"Theirs {n}" for n in range(6)])

    stranger = app.test_client()
    sign_in(stranger, "worker@hull.heard")
    token = csrf_token(stranger, page_url(their_codebook))
    assert stranger.get(page_url(codebook)).status_code == 404
    for action in ("theme", "merge"):
        assert stranger.get(page_url(codebook, ours, action)).status_code == 404
    for action in ("theme", "merge", "split", "dismiss", "reopen"):
        response = stranger.post(page_url(codebook, ours, action), data={"csrf_token": token})
        assert response.status_code == 404
        # Their own codebook with our group in its address is not found either.
        response = stranger.post(page_url(their_codebook, ours, action), data={"csrf_token": token})
        assert response.status_code == 404
    # And our worker cannot reach their group through our codebook.
    assert worker.get(page_url(codebook, theirs, "theme")).status_code == 404
    session.expire_all()
    assert session.get(DiscoveredCluster, ours.id).status == ClusterStatus.OPEN
    assert events(session, "discovery.cluster.dismissed") == []


@pytest.mark.parametrize("email", ["safeguarding@demo.heard", "reviewer@demo.heard"])
def test_other_roles_are_refused(app, demo, org, codebook, session, email):
    cluster = make_cluster(session, org, codebook, [f"Comment {n}" for n in range(6)])
    client = app.test_client()
    sign_in(client, email)
    assert client.get(page_url(codebook)).status_code == 403
    for action in ("theme", "merge"):
        assert client.get(page_url(codebook, cluster, action)).status_code == 403
    token = csrf_token(client, "/staff/")
    for action in ("theme", "merge", "split", "dismiss", "reopen"):
        response = client.post(page_url(codebook, cluster, action), data={"csrf_token": token})
        assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN])
def test_officers_and_administrators_may_review_groups(app, demo, org, codebook, session, role):
    cluster = make_cluster(session, org, codebook, [f"Comment {n}" for n in range(6)])
    client = app.test_client()
    sign_in(client, {Role.OFFICER: "officer@demo.heard", Role.ADMIN: "admin@demo.heard"}[role])
    assert client.get(page_url(codebook)).status_code == 200
    followed(client, post(client, codebook, cluster, "dismiss"))
    session.expire_all()
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.DISMISSED


def test_a_button_without_its_token_changes_nothing(worker, org, codebook, session):
    cluster = make_cluster(session, org, codebook, [f"Comment {n}" for n in range(6)])
    assert worker.post(page_url(codebook, cluster, "dismiss")).status_code == 400
    session.expire_all()
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.OPEN


def test_a_run_in_progress_is_shown_and_a_run_without_groups_shows_the_newest(
    worker, org, codebook, session
):
    cluster = make_cluster(session, org, codebook, [f"Comment {n}" for n in range(6)])
    waiting = create_job(
        session=session,
        organisation_id=org.id,
        kind="discover",
        params={"codebook_id": codebook.id},
    )
    session.commit()
    html = worker.get(page_url(codebook)).get_data(as_text=True)
    assert "Heard is looking for themes again." in html
    assert f'href="/staff/jobs/{waiting.id}">See how far it has got</a>' in html
    # A run that kept no groups (as runs did before groups were kept) shows the newest.
    html = worker.get(f"{page_url(codebook)}?job={waiting.id}").get_data(as_text=True)
    assert f'data-discovery-run="{cluster.job_id}"' in html and "An older run" not in html


def test_discovery_refuses_a_codebook_of_another_organisation(app, org, session):
    from models.coding import create_codebook
    from models.jobs import Job, JobStatus
    from webapp import analysis_jobs

    other = create_organisation(
        session=session, data=OrganisationCreate(slug="hull-area", name="Hull area")
    )
    theirs = create_codebook(
        session=session,
        organisation_id=other.id,
        name="Hull themes",
        themes=[{"key": "waiting", "name": "Waiting"}],
    )
    job = create_job(
        session=session,
        organisation_id=org.id,
        kind="discover",
        params={"codebook_id": theirs.id},
    )
    session.commit()
    analysis_jobs.run(app.extensions["heard.engine"], job.id)
    session.expire_all()
    done = session.get(Job, job.id)
    assert (done.status, done.message) == (JobStatus.FAILED, "The codebook no longer exists.")
    assert session.exec(select(DiscoveredCluster)).all() == []


def test_an_action_whose_claim_is_refused_changes_nothing(
    worker, org, codebook, session, monkeypatch
):
    """Each action, run after the group was decided but with the open check skipped.

    This is what a request meets when it read the group as open before another request
    decided it: the conditional update then finds the group decided, and the action
    changes nothing. The requests run one after another; the race itself is the next test.
    """
    from webapp import staff_discovery

    cluster = make_cluster(session, org, codebook, [f"Comment {n}" for n in range(8)])
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    followed(worker, post(worker, codebook, cluster, "dismiss"))
    monkeypatch.setattr(staff_discovery, "_not_open", lambda _cluster: None)
    attempts = [
        ("theme", {"name": "A brand new theme", "parent": "0"}),
        ("merge", {"theme": str(theme.id)}),
        ("split", {}),
        ("dismiss", {}),
    ]
    for action, data in attempts:
        page = followed(worker, post(worker, codebook, cluster, action, **data))
        assert (
            "“Made up group” has been dismissed. Reopen it first, so nothing was changed." in page
        )
    session.expire_all()
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.DISMISSED
    assert session.exec(select(Theme).where(Theme.name == "A brand new theme")).all() == []
    assert session.exec(select(ThemeChange)).all() == []
    assert discovery_codings(session, cluster, theme) == []
    assert session.exec(select(DiscoveredCluster)).all() == [cluster]
    assert len(events(session, "discovery.cluster.dismissed")) == 1


def test_four_requests_deciding_one_group_at_the_same_moment_change_it_once(
    app, demo, org, codebook, session, monkeypatch
):
    """Four people decide one group at once, each request in its own thread and connection.

    Each request reads the group as open and then waits until all four have, so all four
    try to decide it together; only the database's conditional update is between them. One
    decision is made, whichever it is, and the other three change nothing and say so.
    """
    from webapp import staff_discovery

    cluster = make_cluster(session, org, codebook, TWO_TOPICS)
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    session.commit()  # the test holds nothing open while the requests run
    attempts = [
        ("theme", {"name": "A brand new theme", "parent": "0"}),
        ("merge", {"theme": str(theme.id)}),
        ("split", {}),
        ("dismiss", {}),
    ]
    people = ["participation@demo.heard", "officer@demo.heard", "admin@demo.heard", WORKER]
    clients = []
    for email in people:
        client = app.test_client()
        sign_in(client, email)
        clients.append(client)
    tokens = [csrf_token(client, page_url(codebook)) for client in clients]

    all_read_it_open = threading.Barrier(len(attempts), timeout=60)
    claim = staff_discovery._claim

    def claim_together(found, status):
        assert found.status == ClusterStatus.OPEN  # this request read the group as open
        all_read_it_open.wait()
        return claim(found, status)

    monkeypatch.setattr(staff_discovery, "_claim", claim_together)

    def decide(place):
        action, data = attempts[place]
        return clients[place].post(
            page_url(codebook, cluster, action), data={"csrf_token": tokens[place], **data}
        )

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        responses = list(pool.map(decide, range(len(attempts))))
    pages = [
        followed(client, response) for client, response in zip(clients, responses, strict=True)
    ]

    decided = [place for place, page in enumerate(pages) if "banner--success" in page]
    assert len(decided) == 1, pages
    [winner] = [attempts[place][0] for place in decided]
    refused = [page for place, page in enumerate(pages) if place not in decided]
    assert all("“Made up group” has " in page for page in refused)
    assert all(", so nothing was changed." in page for page in refused)

    session.expire_all()
    status = {
        "theme": ClusterStatus.CREATED,
        "merge": ClusterStatus.MERGED,
        "split": ClusterStatus.SPLIT,
        "dismiss": ClusterStatus.DISMISSED,
    }[winner]
    assert session.get(DiscoveredCluster, cluster.id).status == status
    made = session.exec(select(Theme).where(Theme.name == "A brand new theme")).all()
    assert len(made) == (winner == "theme")
    assert len(session.exec(select(ThemeChange)).all()) == (winner in ("theme", "merge"))
    codings = session.exec(
        select(CommentTheme).where(CommentTheme.source == CodingSource.DISCOVERY)
    ).all()
    assert len(codings) == (len(TWO_TOPICS) if winner in ("theme", "merge") else 0)
    children = session.exec(
        select(DiscoveredCluster).where(DiscoveredCluster.parent_id == cluster.id)
    ).all()
    assert len(children) == (2 if winner == "split" else 0)
    decisions = session.exec(
        select(AuditEvent).where(col(AuditEvent.action).startswith("discovery.cluster."))
    ).all()
    assert len(decisions) == 1


def test_discovery_leaves_out_comments_that_raised_a_safeguarding_concern(
    worker, org, codebook, session
):
    from webapp.demo_data import load_comments

    load_comments(session=session, organisation=org)
    session.commit()
    flagged = list_comments(session=session, organisation_id=org.id)[:5]
    for comment in flagged:
        comment.flagged = True
        session.add(comment)
    session.commit()
    run_discovery(worker, codebook, themes="9")
    session.expire_all()
    clusters = list_clusters(session=session, organisation_id=org.id, codebook_id=codebook.id)
    assert clusters
    grouped = {i for cluster in clusters for i in cluster.comment_ids}
    quoted = {q for cluster in clusters for q in cluster.quotes}
    assert grouped.isdisjoint(c.id for c in flagged)
    assert quoted.isdisjoint(c.text_redacted for c in flagged)


def test_a_comment_flagged_after_discovery_is_not_suggested_shown_or_kept_as_an_example(
    worker, org, codebook, session, monkeypatch
):
    from webapp import staff_discovery

    monkeypatch.setattr(staff_discovery, "IDS_AT_ONCE", 3)  # four queries for the ten ids
    cluster = make_cluster(session, org, codebook, TWO_TOPICS)
    flagged = flag(session, cluster, place=1)
    shown = [quote for quote in cluster.quotes if quote != flagged.text_redacted]
    assert flagged.text_redacted in cluster.quotes and len(shown) == 2

    page = worker.get(page_url(codebook)).get_data(as_text=True)
    assert shown[0] in page and flagged.text_redacted not in page
    form = worker.get(page_url(codebook, cluster, "theme")).get_data(as_text=True)
    assert shown[1] in form and flagged.text_redacted not in form
    merge_form = worker.get(page_url(codebook, cluster, "merge")).get_data(as_text=True)
    assert shown[1] in merge_form and flagged.text_redacted not in merge_form

    page = followed(
        worker,
        post(worker, codebook, cluster, "theme", name="Getting to school", parent="0"),
    )
    assert f"It is suggested on {len(TWO_TOPICS) - 1} comments" in page
    session.expire_all()
    theme = session.exec(select(Theme).where(Theme.name == "Getting to school")).one()
    codings = discovery_codings(session, cluster, theme)
    assert sorted(c.comment_id for c in codings) == sorted(
        i for i in cluster.comment_ids if i != flagged.id
    )
    [event] = events(session, "discovery.cluster.created")
    assert event.details["suggested"] == len(TWO_TOPICS) - 1


def test_a_comment_flagged_after_discovery_is_not_added_with_the_groups_examples(
    worker, org, codebook, session
):
    cluster = make_cluster(session, org, codebook, TWO_TOPICS)
    flagged = flag(session, cluster, place=0)
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    before = list(theme.examples)
    followed(worker, post(worker, codebook, cluster, "merge", theme=str(theme.id)))
    session.expire_all()
    theme = session.get(Theme, theme.id)
    assert theme.examples == [*before, *TWO_TOPICS[1:3]]
    assert flagged.id not in {c.comment_id for c in discovery_codings(session, cluster, theme)}


def test_a_comment_flagged_after_discovery_is_left_out_when_its_group_is_split(
    worker, org, codebook, session, monkeypatch
):
    from webapp import staff_discovery

    monkeypatch.setattr(staff_discovery, "IDS_AT_ONCE", 4)  # three queries for the 11 ids
    texts = [*TWO_TOPICS, "The bus to school was late and nobody told us"]
    cluster = make_cluster(session, org, codebook, texts)
    flagged = flag(session, cluster, place=len(texts) - 1)
    followed(worker, post(worker, codebook, cluster, "split"))
    session.expire_all()
    children = session.exec(
        select(DiscoveredCluster).where(DiscoveredCluster.parent_id == cluster.id)
    ).all()
    assert len(children) == 2
    grouped = children[0].comment_ids + children[1].comment_ids
    assert sorted(grouped) == sorted(i for i in cluster.comment_ids if i != flagged.id)
    assert [child.size for child in children] == [len(child.comment_ids) for child in children]
    quoted = children[0].quotes + children[1].quotes
    assert quoted and flagged.text_redacted not in quoted
    page = worker.get(page_url(codebook)).get_data(as_text=True)
    assert flagged.text_redacted not in page


def test_suggesting_from_a_group_reads_its_comments_a_chunk_at_a_time(org, codebook, session):
    """Only comments of the group's organisation that are not flagged, each once.

    The group also names 70,000 comments that no longer exist: more than PostgreSQL takes
    in one statement, so the ids must go in chunks.
    """
    from models.coding import create_codebook
    from models.review import suggest_from_cluster

    cluster = make_cluster(session, org, codebook, [f"Comment {n}" for n in range(7)])
    other = create_organisation(
        session=session, data=OrganisationCreate(slug="hull-area", name="Hull area")
    )
    their_codebook = create_codebook(
        session=session,
        organisation_id=other.id,
        name="Hull themes",
        themes=[{"key": "waiting", "name": "Waiting"}],
    )
    theirs = make_cluster(session, other, their_codebook, ["Their comment"])
    flagged = flag(session, cluster, place=2)
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    gone = list(range(10**7, 10**7 + 70_000))
    # One already has the theme from discovery, and one appears twice.
    session.add(
        CommentTheme(
            comment_id=cluster.comment_ids[0], theme_id=theme.id, source=CodingSource.DISCOVERY
        )
    )
    cluster.comment_ids = [*cluster.comment_ids, cluster.comment_ids[3], *theirs.comment_ids, *gone]
    session.add(cluster)
    session.commit()

    added = suggest_from_cluster(session=session, cluster=cluster, theme=theme, chunk=5000)
    session.commit()
    assert added == 5
    expected = {i for i in cluster.comment_ids[:7] if i != flagged.id}
    codings = discovery_codings(session, cluster, theme)
    assert sorted(c.comment_id for c in codings) == sorted(expected)
    # Asked again, in chunks of two over its own comments and a few others: nothing twice.
    cluster.comment_ids = cluster.comment_ids[:12]
    assert suggest_from_cluster(session=session, cluster=cluster, theme=theme, chunk=2) == 0


def test_a_group_with_many_comment_ids_can_be_split(worker, org, codebook, session):
    """More ids than PostgreSQL takes in one statement: most of the comments are gone."""
    cluster = make_cluster(session, org, codebook, TWO_TOPICS)
    cluster.comment_ids = [*cluster.comment_ids, *range(10**7, 10**7 + 70_000)]
    session.add(cluster)
    session.commit()
    followed(worker, post(worker, codebook, cluster, "split"))
    session.expire_all()
    children = session.exec(
        select(DiscoveredCluster).where(DiscoveredCluster.parent_id == cluster.id)
    ).all()
    assert sorted(children[0].comment_ids + children[1].comment_ids) == sorted(
        cluster.comment_ids[: len(TWO_TOPICS)]
    )


def many_quotes(count: int) -> list[str]:
    return [f"Example comment number {n} about the wait" for n in range(count)]


def round_trip(session, codebook):
    """The codebook exported as CSV and as REFI-QDA, and each file read back in."""
    from analysis.codebook_files import from_csv, from_qdc, to_csv, to_qdc
    from webapp.codebook_imports import current_file

    book = current_file(session, session.get(Codebook, codebook.id))
    return book, from_csv(to_csv(book), name=book.name), from_qdc(to_qdc(book), name=book.name)


def test_a_theme_made_from_a_group_with_many_quotes_exports_and_imports_cleanly(
    worker, org, codebook, session
):
    long_quote = "A very long comment. " * 60
    quotes = [*many_quotes(10), long_quote, *many_quotes(25)]
    cluster = make_cluster(
        session, org, codebook, [f"Comment {n}" for n in range(6)], quotes=quotes
    )
    form = worker.get(page_url(codebook, cluster, "theme")).get_data(as_text=True)
    prefilled = re.search(r'<textarea[^>]*id="examples"[^>]*>(.*?)</textarea>', form, re.S)
    # The first 20 different quotes that a codebook file takes: the long one is left out.
    assert prefilled.group(1).strip().split("\n") == many_quotes(20)

    description = "Waiting for therapy.\r\n\r\nAnd waiting to hear back." + "x" * 3900
    followed(
        worker,
        post(
            worker,
            codebook,
            cluster,
            "theme",
            name="Waiting to hear back",
            description=description,
            parent="0",
            examples="\n".join(many_quotes(20)),
        ),
    )
    session.expire_all()
    theme = session.exec(select(Theme).where(Theme.name == "Waiting to hear back")).one()
    assert theme.examples == many_quotes(20)
    assert theme.description == description.replace("\r\n", "\n")
    book, from_csv_file, from_qdc_file = round_trip(session, codebook)
    assert from_csv_file.themes == book.themes
    assert from_qdc_file.themes == book.themes


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("examples", "\n".join(many_quotes(21)), "Enter 20 example comments or fewer"),
        (
            "examples",
            "A short one\n" + "x" * 1001,
            "Example comment 2 must be 1,000 characters or fewer",
        ),
        ("description", "x" * 4001, "What it covers must be 4,000 characters or fewer"),
    ],
)
def test_a_new_theme_keeps_to_what_a_codebook_file_takes(
    worker, org, codebook, session, field, value, message
):
    cluster = make_cluster(session, org, codebook, [f"Comment {n}" for n in range(6)])
    data = {"name": "Waiting to hear back", "parent": "0", "examples": "One", field: value}
    page = post(worker, codebook, cluster, "theme", **data)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "govuk-error-summary" in html and f'href="#{field}"' in html
    assert html.count(message) == 2  # the summary and the field
    session.expire_all()
    assert session.get(DiscoveredCluster, cluster.id).status == ClusterStatus.OPEN
    assert session.exec(select(Theme).where(Theme.name == "Waiting to hear back")).all() == []


def test_adding_a_group_with_many_quotes_keeps_the_theme_within_what_a_file_takes(
    worker, org, codebook, session
):
    theme = list_themes(session=session, codebook_id=codebook.id)[0]
    own = ["We waited\n40 weeks.", *many_quotes(16)]  # the theme's own, one on two lines
    theme.examples = own
    session.add(theme)
    session.commit()
    quotes = [many_quotes(1)[0].upper(), "A very long comment. " * 60, *many_quotes(30)[16:]]
    cluster = make_cluster(
        session, org, codebook, [f"Comment {n}" for n in range(6)], quotes=quotes
    )

    page = followed(worker, post(worker, codebook, cluster, "merge", theme=str(theme.id)))
    assert (
        "12 of the group’s example comments were not added: a theme keeps up to 20 examples, "
        "each up to 1,000 characters." in page
    )
    session.expire_all()
    theme = session.get(Theme, theme.id)
    # Its own examples as they were (the one on two lines too), then three new ones.
    assert theme.examples == [*own, *many_quotes(30)[16:19]]
    [event] = events(session, "discovery.cluster.merged")
    assert (event.details["examples_added"], event.details["examples_left_out"]) == (3, 12)
    book, from_csv_file, from_qdc_file = round_trip(session, codebook)
    assert from_qdc_file.themes == book.themes
    # CSV holds each example on one line of its cell: the one on two lines reads back as is.
    assert from_csv_file.themes == book.themes
