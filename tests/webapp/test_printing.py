"""The printable blank form and the completed summary, both PDFs from one template."""

import io

from pypdf import PdfReader

from tests.conftest import csrf_token
from tests.webapp.test_respond import BASE, begin, post_page


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_blank_form_has_every_section_and_option(client, published):
    response = client.get(f"{BASE}/blank.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in [
        "All about Me",
        "My name is:",
        "I am working towards independence, by:",
        "Holding my own cup",
        "Objects of Reference",
        "I need a break",
        "Having sun cream applied",
        "I show initiation, by...",
        "Going to a trampoline park",
        "I have been included in my Annual Review meeting:",
        "Anything else:",
        "OpenMoji",
    ]:
        assert expected in text, expected


def test_summary_groups_answers_by_outcome_area(client, published):
    begin(client)
    post_page(client, "about-me", {"name": "Sam Example", "provided-by": "adult-on-behalf"})
    post_page(client, "communicate-best", {"communicate-best": ["signing", "braille"]})
    post_page(client, "healthy", {"healthy": ["drinking"], "healthy-comments": "Water with lunch"})
    post_page(client, "independence", {"independence": ["holding-cup"]})
    token = csrf_token(client, f"{BASE}/check-answers")
    client.post(f"{BASE}/check-answers", data={"csrf_token": token})
    response = client.get(f"{BASE}/summary.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    voice, health, independence = (
        text.index(area) for area in ("My Voice", "My Health", "My Independence")
    )
    assert independence < voice < health  # in the form's order
    assert "Signing" in text[voice:health] and "Braille" in text[voice:health]
    assert "Drinking" in text[health:] and "Water with lunch" in text[health:]
    assert "Holding my own cup" in text[independence:voice]
    assert "Sam Example" in text
    assert "Not answered" in text


def test_summary_needs_your_own_response(client, published):
    response = client.get(f"{BASE}/summary.pdf")
    assert response.status_code == 404
