"""Redaction: personal details never reach reviewers, exports or publications."""

import pytest

from analysis.redaction import find_personal_details, redact


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("email me at jo.bloggs+x@example.co.uk please", "email me at [email] please"),
        ("ring 07700 900123", "ring [phone]"),
        ("ring 07700900123", "ring [phone]"),
        ("call (01622) 694000 today", "call [phone] today"),
        ("call +44 7700 900123", "call [phone]"),
        ("we live at ME14 1XQ", "we live at [postcode]"),
        ("we live at me141xq", "we live at [postcode]"),
        ("NHS number 943 476 5919", "NHS number [NHS number]"),
        ("NHS no 9434765919", "NHS no [NHS number]"),
        ("UPN A12345678901B", "UPN [pupil number]"),
        ("see www.example.org/x", "see [link]"),
        ("DOB: 12/03/2015", "[date of birth]"),
    ],
)
def test_patterns_are_replaced_with_typed_placeholders(raw, expected):
    assert redact(raw) == expected


def test_known_names_are_redacted_in_any_case_and_by_part():
    text = "Alex Brown was great. alex is kind, and so is Mr Brown's team"
    redacted = redact(text, names=["Alex Brown"])
    assert "alex" not in redacted.lower()
    assert "brown" not in redacted.lower()
    assert redacted.startswith("[name] was great")


def test_setting_names_from_the_list_are_redacted_longest_first():
    redacted = redact(
        "Oak Tree Primary School and oak tree nursery",
        places=["Oak Tree Primary School", "Oak Tree Nursery"],
    )
    assert redacted == "[setting] and [setting]"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("My son Jack loves it", "My son [name] loves it"),
        ("Mrs Patel said no", "Mrs [name] said no"),
        ("Thanks to Dr. Shah!", "Thanks to Dr. [name]!"),
        ("my name is Amelia and", "my name is [name] and"),
        ("I went with Sarah Jones to the park", "I went with [name] to the park"),
    ],
)
def test_capitalised_names_in_context_are_redacted(raw, expected):
    assert redact(raw) == expected


@pytest.mark.parametrize(
    "ordinary",
    [
        "My son loves school",
        "My daughter is autistic",
        "We went to the park on Monday with Kent",
        "the waiting list is long",
        "I like maths and art",
    ],
)
def test_ordinary_text_is_left_alone(ordinary):
    assert redact(ordinary) == ordinary


@pytest.mark.parametrize("value", [None, "", "   ", "\U0001f600", "x" * 100_000])
def test_odd_input_does_not_crash(value):
    assert isinstance(redact(value), str)


def test_find_personal_details_names_the_kinds():
    assert find_personal_details("jo@example.org or 07700 900123") == ["email", "phone"]
    assert find_personal_details("nothing personal") == []
