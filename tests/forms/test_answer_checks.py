"""Text and choice answers are checked the way a respondent sees them, in their language."""

import hashlib
import json

import pytest
from werkzeug.datastructures import MultiDict

from forms.builder import page_form_class, read_answers
from forms.kinds import BuildContext
from forms.schema import DefinitionError, load_definition_text
from webapp import create_app

DEFINITION = """
slug: checks
title: Checks
pages:
  - id: all
    title: All
    questions:
      - {id: name, kind: short_text, label: "My name is:", required: true, error: Enter your name}
      - {id: nick, kind: short_text, label: Nickname, required: true}
      - {id: better, kind: long_text, label: "What could be better?", max_length: 20}
      - {id: well, kind: long_text, label: "What is working well?", max_length: 20}
      - id: who
        kind: single_choice
        label: Who answered
        error: Select who answered
        options: [{id: me, label: Me}, {id: helper, label: A helper}]
      - id: likes
        kind: symbol_tiles
        label: "I like:"
        options: [{id: pets, label: Pets}, {id: "100", label: "100%"}]
      - id: grid
        kind: yes_no_unsure_grid
        label: Grid
        rows: [{id: r1, label: Row one}]
      - {id: area, kind: district, label: Area}
      - {id: where, kind: setting, label: Where, max_length: 10}
"""


@pytest.fixture(scope="module")
def app():
    return create_app({"DATABASE_URL": "sqlite://", "WTF_CSRF_ENABLED": False, "TESTING": True})


@pytest.fixture
def web(app):
    with app.test_request_context(method="POST"):
        yield app


def page():
    return load_definition_text(DEFINITION, "checks.yaml").pages[0]


def checked(*pairs: tuple[str, str]):
    given = {name for name, _ in pairs}
    answers = MultiDict([(n, v) for n, v in (("name", "Sam"), ("nick", "S")) if n not in given])
    answers.update(pairs)
    form = page_form_class(page(), BuildContext(districts=(("3", "Dover"),)))(formdata=answers)
    return form, form.validate()


def errors(form, name: str) -> list[str]:
    return [str(error) for error in form.errors.get(name, [])]


def test_line_breaks_count_once_against_the_limit(web):
    # Typed in a browser: 5 lines of 3 letters and a "d", with 4 line breaks: 20 characters
    # as the page counts them, the limit, but 24 as the browser sends them.
    typed = "\r\n".join(["abc"] * 5) + "d"
    form, valid = checked(("better", typed))
    assert valid, form.errors
    assert read_answers(page(), form)["better"] == "\n".join(["abc"] * 5) + "d"
    form, valid = checked(("better", typed + "e"))  # 21
    assert not valid
    form, valid = checked(("better", "a\rb"))  # an old Mac's line break
    assert read_answers(page(), form)["better"] == "a\nb"


def test_only_spaces_is_no_answer_to_a_required_question(web):
    form, valid = checked(("name", "   "), ("nick", " \t "))
    assert not valid
    assert errors(form, "name") == ["Enter your name"]
    assert errors(form, "nick") == ["Enter an answer"]


def test_an_answer_too_long_names_its_question(web):
    form, _ = checked(("better", "x" * 21), ("well", "y" * 21), ("where--other", "z" * 11))
    assert errors(form, "better") == [
        "Your answer to “What could be better?” must be 20 characters or fewer"
    ]
    assert errors(form, "well") == [
        "Your answer to “What is working well?” must be 20 characters or fewer"
    ]
    assert errors(form, "where--other") == [
        "Your answer to “If it is not on the list, type its name” must be 10 characters or fewer"
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("who", "nobody", "Select who answered"),
        ("likes", "nope", "Select an answer"),
        ("grid--r1", "maybe", "Select an answer"),
        ("area", "99", "Select an answer"),
        ("where", "999", "Select an answer"),
    ],
)
def test_a_value_that_is_not_an_option_gets_a_govuk_message(web, name, value, message):
    form, valid = checked((name, value))
    assert not valid
    assert errors(form, name) == [message]


def test_the_message_for_a_tile_survives_a_percent_sign(web):
    form, valid = checked(("likes", "100"), ("likes", "pets"))
    assert valid, form.errors


AAM = """
slug: all-about-me-pathway-1
title: All about Me
pages:
  - id: p
    title: P
    questions:
      - {id: name, kind: short_text, label: "My name is:", max_length: 5}
      - {id: comments, kind: long_text, label: "Comments:", max_length: 5}
"""


def test_messages_name_the_question_in_the_readers_language(app):
    definition_page = load_definition_text(AAM, "aam.yaml").pages[0]
    with app.test_request_context("/?lang=ar", method="POST"):
        form = page_form_class(definition_page, BuildContext())(
            formdata=MultiDict([("name", "x" * 6), ("comments", "x" * 6)])
        )
        form.validate()
        name, comments = errors(form, "name")[0], errors(form, "comments")[0]
    assert "اسمي" in name and "My name is" not in name
    assert "ملاحظات" in comments and "Comments" not in comments
    assert ":" not in name + comments


def test_the_hidden_error_prefix_is_in_the_readers_language(app):
    with app.test_request_context("/?lang=ar", method="POST"):
        form, _ = checked(("name", ""), ("who", "nobody"), ("likes", "nope"), ("better", "x" * 21))
        symbols = {"symbols": {"pets": "/pets.svg", "100": "/100.svg"}}
        for name in ("name", "who", "likes", "better"):
            html = str(form[name](params=symbols if name == "likes" else {}))
            assert '<span class="govuk-visually-hidden">خطأ:</span>' in html, name
            assert "Error:" not in html


def test_not_future_is_only_for_dates():
    text = DEFINITION.replace("label: Nickname,", "label: Nickname, not_future: true,")
    with pytest.raises(DefinitionError, match="not_future is only for date questions"):
        load_definition_text(text, "checks.yaml")


def test_a_new_setting_left_at_its_default_keeps_every_stored_forms_checksum():
    """Forms stored before `not_future` existed are unchanged, so loading them makes no version."""
    definition = load_definition_text(DEFINITION, "checks.yaml")
    before = definition.model_dump(mode="json")
    for question in before["pages"][0]["questions"]:
        del question["not_future"]
    canonical = json.dumps(before, sort_keys=True, ensure_ascii=False)
    assert definition.checksum() == hashlib.sha256(canonical.encode()).hexdigest()
