"""Administrators upload and publish form definitions."""

import html
import io

from forms.schema import DEFINITIONS
from models import FormStatus, list_form_versions
from tests.conftest import csrf_token, sign_in

GOOD = (DEFINITIONS / "all-about-me-pathway-1.yaml").read_text()


SLUG = "all-about-me-pathway-1"


def upload(client, text, publish=False):
    token = csrf_token(client, "/staff/forms/")
    body = text if isinstance(text, bytes) else text.encode()
    data = {"csrf_token": token, "definition": (io.BytesIO(body), "form.yaml")}
    if publish:
        data["publish"] = "y"
    return client.post("/staff/forms/", data=data, content_type="multipart/form-data")


def test_admin_uploads_a_changed_definition_as_a_new_draft_then_publishes(
    client, published, session
):
    sign_in(client, "admin@demo.heard")
    response = upload(client, GOOD.replace("title: All about Me", "title: All about me (2027)"))
    assert response.status_code == 302
    session.expire_all()
    versions = [v for v in list_form_versions(session=session) if v.slug == SLUG]
    assert [(v.version, v.status) for v in versions] == [
        (2, FormStatus.DRAFT),
        (1, FormStatus.PUBLISHED),
    ]
    page = client.get("/staff/forms/").get_data(as_text=True)
    assert "all-about-me-pathway-1 version 2: saved" in page
    token = csrf_token(client, "/staff/forms/")
    client.post(f"/staff/forms/{versions[0].id}/publish", data={"csrf_token": token})
    session.expire_all()
    assert [v.status for v in list_form_versions(session=session) if v.slug == SLUG] == [
        FormStatus.PUBLISHED,
        FormStatus.RETIRED,
    ]


def test_a_bad_upload_is_explained_and_saves_nothing(client, published, session):
    sign_in(client, "admin@demo.heard")
    page = html.unescape(
        upload(client, GOOD.replace("kind: symbol_tiles", "kind: tiles", 1)).get_data(as_text=True)
    )
    assert "form.yaml: page 'independence', question 'independence': unknown kind 'tiles'" in page
    assert len(list_form_versions(session=session)) == 4  # the shipped forms, and no more
    binary = upload(client, b"\xff\xfe not text").get_data(as_text=True)
    assert "The file must be a text file in UTF-8" in binary


def test_only_admins_manage_forms(client, published):
    sign_in(client, "officer@demo.heard")
    assert client.get("/staff/forms/").status_code == 403
