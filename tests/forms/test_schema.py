"""Definitions are checked on load, and bad ones are explained."""

import io

import pytest
import yaml

from forms.extract import extract_definition
from forms.schema import DefinitionError, load_definition, load_definition_text, shipped_definitions
from forms.symbols import default_symbols, find_symbol

GOOD = """
slug: tiny
title: Tiny form
pages:
  - id: first
    title: First
    questions:
      - id: colour
        kind: single_choice
        label: Pick a colour
        hint: Any you like
        options:
          - {id: red, label: Red}
          - {id: blue, label: Blue}
"""


def test_a_good_definition_loads():
    definition = load_definition_text(GOOD, "tiny.yaml")
    assert definition.page("first").questions[0].options[1].id == "blue"
    assert definition.checksum() == load_definition_text(GOOD, "again.yaml").checksum()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("kind: single_choice", "kind: dropdown"),
            "tiny.yaml: page 'first', question 'colour': unknown kind 'dropdown'",
        ),
        (
            (
                "        options:\n          - {id: red, label: Red}\n"
                "          - {id: blue, label: Blue}\n",
                "",
            ),
            "question 'colour'",
        ),
        (("{id: blue, label: Blue}", "{id: red, label: Blue}"), "option ids repeat: red"),
        (("id: colour", "id: Colour Choice"), "question 'Colour Choice': id: String should match"),
        (("title: First", "title: First\n    surprise: yes"), "Extra inputs are not permitted"),
    ],
)
def test_bad_definitions_name_the_file_question_and_problem(change, expected):
    text = GOOD.replace(*change)
    with pytest.raises(DefinitionError) as error:
        load_definition_text(text, "tiny.yaml")
    assert str(error.value).startswith("tiny.yaml: ")
    assert expected in str(error.value)


def test_a_choice_without_options_is_refused():
    text = GOOD.split("        options:")[0]
    with pytest.raises(DefinitionError, match=r"question 'colour'.*needs options"):
        load_definition_text(text, "tiny.yaml")


def test_repeated_question_ids_are_refused():
    text = (
        GOOD
        + """  - id: second
    title: Second
    questions:
      - {id: colour, kind: short_text, label: Again}
"""
    )
    with pytest.raises(DefinitionError, match="question ids repeat: colour"):
        load_definition_text(text, "tiny.yaml")


def test_broken_yaml_is_explained():
    with pytest.raises(DefinitionError, match=r"tiny\.yaml: not valid YAML"):
        load_definition_text("slug: [unclosed", "tiny.yaml")
    with pytest.raises(DefinitionError, match="must be a mapping"):
        load_definition_text("- a list", "tiny.yaml")


def test_extractor_pulls_every_translatable_string():
    found = [m for _line, _func, m, _c in extract_definition(io.BytesIO(GOOD.encode()), [], [], {})]
    assert found == ["Tiny form", "First", "Pick a colour", "Any you like", "Red", "Blue"]


def test_extractor_ignores_files_that_are_not_forms():
    assert list(extract_definition(io.BytesIO(b"own-voice: 1F5E3"), [], [], {})) == []


def test_every_shipped_definition_loads():
    paths = shipped_definitions()
    assert [p.name for p in paths] == [
        "all-about-me-pathway-1.yaml",
        "cyp-termly.yaml",
        "parent-termly.yaml",
        "school-termly.yaml",
    ]
    for path in paths:
        assert load_definition(path).slug == path.stem


def test_every_tile_option_has_a_symbol_entry():
    definition = load_definition(shipped_definitions()[0])
    options = {o.id for q in definition.questions() for o in q.options}
    symbols = default_symbols(definition.slug)
    assert set(symbols) == options
    data = yaml.safe_load((shipped_definitions()[0].with_suffix(".symbols.yaml")).read_text())
    assert data == symbols or all(str(v) == str(symbols[k]) for k, v in data.items() if v)


def test_council_images_override_the_defaults(tmp_path):
    openmoji = tmp_path / "openmoji"
    openmoji.mkdir()
    (openmoji / "1F964.svg").write_text("<svg/>")
    council = tmp_path / "council"
    (council / "all-about-me-pathway-1").mkdir(parents=True)
    assert find_symbol("tiny", "red", council_dir=council, openmoji_dir=openmoji) is None
    (council / "red.png").write_bytes(b"png")
    assert (
        find_symbol("tiny", "red", council_dir=council, openmoji_dir=openmoji)
        == council / "red.png"
    )
    own = council / "all-about-me-pathway-1" / "holding-cup.webp"
    own.write_bytes(b"webp")
    found = find_symbol(
        "all-about-me-pathway-1", "holding-cup", council_dir=council, openmoji_dir=openmoji
    )
    assert found == own


INDICATOR = (
    GOOD
    + """
indicators:
  - id: likes-red
    label: People who pick red
    questions: [colour]
    positive: [red]
"""
)


def test_an_indicator_names_questions_and_answers_that_exist():
    definition = load_definition_text(INDICATOR, "tiny.yaml")
    assert definition.indicators[0].questions == ("colour",)
    with pytest.raises(DefinitionError, match="indicator 'likes-red' names no such question 'hue'"):
        load_definition_text(INDICATOR.replace("[colour]", "[hue]"), "tiny.yaml")
    with pytest.raises(DefinitionError, match="has no answer green"):
        load_definition_text(INDICATOR.replace("[red]", "[green]"), "tiny.yaml")


def test_rewording_a_question_changes_its_fingerprint_but_a_hint_does_not():
    before = load_definition_text(GOOD, "a.yaml").questions()[0]
    hint = load_definition_text(GOOD.replace("Any you like", "Choose one"), "b.yaml")
    reworded = load_definition_text(GOOD.replace("Pick a colour", "Choose a colour"), "c.yaml")
    assert hint.questions()[0].fingerprint() == before.fingerprint()
    assert reworded.questions()[0].fingerprint() != before.fingerprint()
