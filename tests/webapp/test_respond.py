"""Answering All about Me through its open link: pages, saving, resuming, checking, sending."""

import io
import re

import pytest
from PIL import Image
from sqlmodel import select

from models import Response, ResponseStatus, ResponseUpload
from tests.conftest import csrf_token

SLUG = "all-about-me-pathway-1"
BASE = f"/f/{SLUG}"


def begin(client):
    token = csrf_token(client, BASE)
    response = client.post(BASE, data={"csrf_token": token})
    assert response.status_code == 302
    return response


def post_page(client, page_id, data, **kwargs):
    url = f"{BASE}/pages/{page_id}"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def png_bytes(size=(40, 30), exif=False):
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCameraMaker"
        image.save(out, "JPEG", exif=info.tobytes())
    else:
        image.save(out, "PNG")
    return out.getvalue()


def stored(session):
    session.expire_all()
    return session.exec(select(Response)).one()


def test_start_page_explains_and_offers_paper(client, published):
    page = client.get(BASE).get_data(as_text=True)
    assert "An adult can read the questions to you" in page
    assert "You can stop and come back later" in page
    assert f"{BASE}/blank.pdf" in page
    assert "OpenMoji" in page and "CC BY-SA 4.0" in page


def test_unknown_form_is_a_friendly_404(client, published):
    response = client.get("/f/no-such-form")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_starting_sets_a_resume_cookie_and_shows_the_code(client, published, session):
    response = begin(client)
    assert response.headers["Location"].endswith("/pages/about-me?started=1")
    cookie = response.headers["Set-Cookie"]
    assert (
        cookie.startswith(f"heard-response-{SLUG}=")
        and "HttpOnly" in cookie
        and "Path=/;" in cookie + ";"
    )
    assert "Max-Age=5184000" in cookie  # kept across browser restarts, for 60 days
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r"keep this code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", page).group(1)
    token = cookie.split("=", 1)[1].split(";")[0]
    assert code.replace("-", "") == token[:12]
    assert stored(session).resume_token_hash != token  # only a hash is kept


def test_answers_are_saved_as_option_ids_page_by_page(client, published, session, demo):
    begin(client)
    response = post_page(
        client,
        "about-me",
        {
            "name": "Sam <script>alert(1)</script>",
            "setting": "1",
            "provided-by": "child-with-help",
            "date-completed": ["27", "3", "2026"],
        },
    )
    assert response.headers["Location"] == f"{BASE}/pages/aspirations"
    post_page(
        client,
        "independence",
        {"independence": ["own-voice", "holding-cup"], "independence-comments": "I like my cup"},
    )
    post_page(
        client,
        "setting-overall",
        {"setting-overall--belonging": "yes", "setting-overall--listened-to": "unsure"},
    )
    saved = stored(session)
    assert saved.respondent_name == "Sam <script>alert(1)</script>"
    assert "name" in saved.answers  # kept in its own column too, for erasure
    assert saved.answers["provided-by"] == "child-with-help"
    assert saved.answers["date-completed"] == "2026-03-27"
    assert saved.answers["setting"] == {"setting_id": "1"}
    assert saved.answers["independence"] == ["own-voice", "holding-cup"]
    assert saved.answers["setting-overall"] == {"belonging": "yes", "listened-to": "unsure"}
    assert saved.pages_done == ["about-me", "independence", "setting-overall"]
    page = client.get(f"{BASE}/check-answers").get_data(as_text=True)
    assert "Sam &lt;script&gt;" in page and "<script>alert" not in page
    assert "Having my own voice" in page and "Holding my own cup" in page
    assert "27 March 2026" in page
    assert "I have a sense of belonging: Yes" in page


def test_saved_answers_are_shown_again_when_you_go_back(client, published):
    begin(client)
    post_page(client, "independence", {"independence": ["knowing-routine"]})
    page = client.get(f"{BASE}/pages/independence").get_data(as_text=True)
    assert re.search(r'value="knowing-routine"\s+checked', page)


def test_required_and_invalid_answers_get_govuk_errors_and_lose_nothing(client, published, session):
    begin(client)
    page = post_page(
        client,
        "about-me",
        {"name": "", "setting": "999", "date-completed": ["31", "2", "2026"], "provided-by": ""},
    ).get_data(as_text=True)
    assert "There is a problem" in page
    assert "Enter your name" in page
    assert "Select who provided this information" in page
    assert "Date of completed form must be a real date" in page
    assert 'value="31"' in page
    assert stored(session).answers == {}


def test_text_is_limited_with_a_character_count(client, published):
    begin(client)
    page = client.get(f"{BASE}/pages/anything-else").get_data(as_text=True)
    assert 'data-maxlength="4000"' in page
    long = post_page(client, "anything-else", {"anything-else": "x" * 4001}).get_data(as_text=True)
    assert "Your answer to “Comments” must be 4000 characters or fewer" in long


def test_change_link_returns_to_check_answers(client, published):
    begin(client)
    url = f"{BASE}/pages/home?change=1"
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "home": ["pets"]})
    assert response.headers["Location"] == f"{BASE}/check-answers"


def test_picture_upload_is_checked_and_stripped_of_metadata(client, published, session):
    begin(client)
    data = {
        "name": "Sam",
        "provided-by": "child-alone",
        "picture": (io.BytesIO(png_bytes(exif=True)), "me.jpg"),
    }
    response = post_page(client, "about-me", data, content_type="multipart/form-data")
    assert response.status_code == 302
    upload = session.exec(select(ResponseUpload)).one()
    assert upload.content_type == "image/jpeg"
    assert b"SecretCameraMaker" not in upload.data
    with Image.open(io.BytesIO(upload.data)) as image:
        assert image.size == (40, 30)
    assert stored(session).answers["picture"] == {"filename": "me.jpg"}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"%PDF-1.4 not a picture", "must be a JPEG, PNG or WebP picture"),
        (b"GIF89a" + b"\x00" * 50, "must be a JPEG, PNG or WebP picture"),
        (b"x" * (5 * 1024 * 1024 + 10), "must be smaller than 5 MB"),
    ],
)
def test_other_files_are_refused_clearly(client, published, session, payload, message):
    begin(client)
    data = {"name": "Sam", "provided-by": "child-alone", "picture": (io.BytesIO(payload), "x.png")}
    response = post_page(client, "about-me", data, content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'href="#picture"' in page
    assert stored(session).answers == {}
    assert session.exec(select(ResponseUpload)).all() == []
    # Werkzeug's test client spools a large request body to a temporary file that it
    # never closes; close it here so its ResourceWarning is not blamed on a later test.
    response.request.environ["wsgi.input"].close()


def test_a_gif_image_is_refused(client, published):
    out = io.BytesIO()
    Image.new("RGB", (5, 5)).save(out, "GIF")
    begin(client)
    data = {
        "name": "Sam",
        "provided-by": "child-alone",
        "picture": (io.BytesIO(out.getvalue()), "a.gif"),
    }
    page = post_page(client, "about-me", data, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert "must be a JPEG, PNG or WebP picture" in page


def test_resume_by_link_in_a_new_browser(client, published, app):
    response = begin(client)
    token = response.headers["Set-Cookie"].split("=", 1)[1].split(";")[0]
    post_page(client, "about-me", {"name": "Sam", "provided-by": "child-alone"})
    fresh = app.test_client()
    resumed = fresh.get(f"/resume/{token}")
    assert resumed.headers["Location"] == f"{BASE}/pages/aspirations"
    page = fresh.get(f"{BASE}/pages/about-me").get_data(as_text=True)
    assert 'value="Sam"' in page


def test_resume_by_code_typed_loosely(client, published, app):
    response = begin(client)
    token = response.headers["Set-Cookie"].split("=", 1)[1].split(";")[0]
    fresh = app.test_client()
    code = token[:12].lower()
    form_token = csrf_token(fresh, "/resume")
    resumed = fresh.post(
        "/resume", data={"csrf_token": form_token, "code": f"{code[:4]} {code[4:8]}-{code[8:]}"}
    )
    assert resumed.headers["Location"] == f"{BASE}/pages/about-me"
    assert fresh.get(f"{BASE}/pages/about-me").status_code == 200


def test_wrong_code_and_wrong_link_are_friendly(client, published):
    form_token = csrf_token(client, "/resume")
    page = client.post(
        "/resume", data={"csrf_token": form_token, "code": "AAAA-BBBB-CCCC"}
    ).get_data(as_text=True)
    assert "Enter the resume code exactly as it was given to you" in page
    missing = client.get("/resume/" + "A" * 28)
    assert missing.status_code == 404
    assert "We cannot find your answers" in missing.get_data(as_text=True)
    no_cookie = client.get(f"{BASE}/pages/about-me")
    assert no_cookie.status_code == 404
    assert "We cannot find your answers" in no_cookie.get_data(as_text=True)


def test_expired_responses_cannot_be_resumed(client, published, session):
    from datetime import timedelta

    from models.types import utcnow

    response = begin(client)
    token = response.headers["Set-Cookie"].split("=", 1)[1].split(";")[0]
    saved = stored(session)
    saved.updated_at = utcnow() - timedelta(days=61)
    session.add(saved)
    session.commit()
    assert client.get(f"/resume/{token}").status_code == 404
    assert client.get(f"{BASE}/pages/about-me").status_code == 404


def test_sending_freezes_the_answers(client, published, session):
    begin(client)
    post_page(client, "home", {"home": ["family"]})
    token = csrf_token(client, f"{BASE}/check-answers")
    sent = client.post(f"{BASE}/check-answers", data={"csrf_token": token})
    assert sent.headers["Location"] == f"{BASE}/confirmation"
    page = client.get(f"{BASE}/confirmation").get_data(as_text=True)
    assert "Childline" in page and "0800 1111" in page
    assert stored(session).status == ResponseStatus.SUBMITTED
    assert client.get(f"{BASE}/pages/home").headers["Location"] == f"{BASE}/confirmation"


def test_unknown_page_is_404(client, published):
    begin(client)
    assert client.get(f"{BASE}/pages/not-a-page").status_code == 404


def test_symbols_come_from_openmoji_a_council_folder_or_a_placeholder(
    app, client, published, tmp_path
):
    with client.get(f"/symbols/{SLUG}/holding-cup") as response:
        assert response.mimetype == "image/svg+xml"
        assert "max-age" in response.headers["Cache-Control"]
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    with client.get(f"/symbols/{SLUG}/braille") as placeholder:
        assert b"<svg" in placeholder.data
    (tmp_path / "holding-cup.png").write_bytes(png_bytes())
    app.config["HEARD_SYMBOLS_DIR"] = str(tmp_path)
    with client.get(f"/symbols/{SLUG}/holding-cup") as own:
        assert own.mimetype == "image/png"
    assert client.get(f"/symbols/{SLUG}/not-an-option").status_code == 404
    assert client.get(f"/symbols/{SLUG}/..%2f..%2fetc%2fpasswd").status_code == 404


def test_tiles_are_real_checkboxes_with_silent_images(client, published):
    begin(client)
    page = client.get(f"{BASE}/pages/independence").get_data(as_text=True)
    assert page.count('type="checkbox"') == 10
    assert page.count('class="heard-tile__symbol"') == 10
    assert re.search(r'<img class="heard-tile__symbol" src="/symbols/[^"]+" alt=""', page)
    assert '<h1 class="govuk-fieldset__heading">' in page  # the legend is the page heading


def test_a_date_without_its_day_is_refused_and_the_saved_date_kept(client, published, session):
    begin(client)
    answers = {"name": "Sam", "provided-by": "child-alone"}
    post_page(client, "about-me", {**answers, "date-completed": ["27", "3", "2026"]})
    response = post_page(client, "about-me", {**answers, "date-completed": ["", "4", "2026"]})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Date of completed form must include a day" in page
    assert 'href="#date-completed"' in page
    assert re.search(r'id="date-completed"\s+name="date-completed" type="text" value=""', page)
    assert stored(session).answers["date-completed"] == "2026-03-27"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (["27", "13", "2026"], "Date of completed form must be a real date"),
        (["27", "3", "26"], "Year must include 4 numbers"),
        (["27", "", ""], "Date of completed form must include a month and year"),
        (["1", "1", "2999"], "Date of completed form must be today or in the past"),
    ],
)
def test_date_problems_are_told_apart(client, published, session, typed, message):
    begin(client)
    data = {"name": "Sam", "provided-by": "child-alone", "date-completed": typed}
    page = post_page(client, "about-me", data).get_data(as_text=True)
    assert message in page
    assert stored(session).answers == {}


def test_spaces_around_the_parts_of_a_date_are_fine(client, published, session):
    begin(client)
    data = {"name": "Sam", "provided-by": "child-alone", "date-completed": [" 27 ", " 3", "2026 "]}
    assert post_page(client, "about-me", data).status_code == 302
    assert stored(session).answers["date-completed"] == "2026-03-27"


def test_errors_are_in_the_readers_language_down_to_the_hidden_prefix(app, published):
    from flask.testing import FlaskClient

    # A client without the page checks: tests/pagecheck.py knows only the English "Error: "
    # before a page's title, and this page's title starts "خطأ: ".
    client = FlaskClient(app, app.response_class, use_cookies=True)
    begin(client)
    url = f"{BASE}/pages/about-me?lang=ar"
    token = csrf_token(client, url)
    data = {"csrf_token": token, "name": "", "date-completed": ["31", "2", "2026"]}
    page = client.post(url, data=data).get_data(as_text=True)
    hidden = re.findall(r'<span class="govuk-visually-hidden">([^<]*)</span>', page)
    errors = page.count('class="govuk-error-message"')
    assert errors == 3 and hidden.count("خطأ:") == errors
    assert "Error:" not in hidden
    assert "تاريخ إكمال النموذج" in page and "Date of completed form" not in page


def test_line_breaks_count_once_as_the_character_count_shows(client, published, session):
    begin(client)
    # 10 lines: 3,991 letters and 9 line breaks are 4,000 characters on the page.
    lines = ["x" * 399] * 9 + ["x" * 400]
    typed = "\r\n".join(lines)
    assert len(typed.replace("\r\n", "\n")) == 4000 and len(typed) == 4009
    response = post_page(client, "anything-else", {"anything-else": typed})
    assert response.status_code == 302
    assert stored(session).answers["anything-else"] == "\n".join(lines)
    over = post_page(client, "anything-else", {"anything-else": typed + "x"})
    assert "must be 4000 characters or fewer" in over.get_data(as_text=True)


def test_a_name_of_only_spaces_is_not_a_name(client, published, session):
    begin(client)
    page = post_page(client, "about-me", {"name": "   ", "provided-by": "child-alone"})
    assert "Enter your name" in page.get_data(as_text=True)
    assert stored(session).answers == {}


def test_a_changed_choice_gets_the_questions_own_message(client, published):
    begin(client)
    data = {"name": "Sam", "provided-by": "hacked", "setting": "999"}
    page = post_page(client, "about-me", data).get_data(as_text=True)
    assert "Select who provided this information" in page
    tiles = post_page(client, "independence", {"independence": ["nope"]}).get_data(as_text=True)
    assert "Select an answer" in tiles
    for html in (page, tiles):
        assert "valid choice" not in html


def test_two_answers_too_long_on_one_page_are_told_apart(client, published):
    url = "/f/parent-termly"
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    page_url = f"{url}/pages/your-comments"
    data = {"working-well": "x" * 2001, "could-be-better": "y" * 2001}
    page = client.post(page_url, data={"csrf_token": csrf_token(client, page_url), **data})
    html = page.get_data(as_text=True)
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.DOTALL).group(1)
    assert "Your answer to “What is working well?” must be 2000 characters or fewer" in summary
    assert "Your answer to “What could be better?” must be 2000 characters or fewer" in summary
