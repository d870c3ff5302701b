"""The termly surveys for parents and carers, children and young people, and schools."""

import re
from pathlib import Path

import pytest
import yaml

from forms.schema import DEFINITIONS, load_definition

ROOT = Path(__file__).resolve().parents[2]
OPENMOJI = ROOT / "node_modules" / "openmoji" / "color" / "svg"
SURVEYS = ("parent-termly", "cyp-termly", "school-termly")
AGREE = ["strongly-agree", "agree", "neither", "disagree", "strongly-disagree", "dont-know"]
SETTING_TYPES = [
    "early-years",
    "primary",
    "secondary",
    "special",
    "pru",
    "post-16",
    "home-educated",
    "none",
]
# Brief §6: words the partnership has asked us not to use.
WORDS_TO_AVOID = ("service user", "hard to reach", "suffers from", "wheelchair-bound")
MOST_LIKERT_PER_PAGE = 4


def load(slug):
    return load_definition(DEFINITIONS / f"{slug}.yaml")


@pytest.fixture(scope="module")
def parent():
    return load("parent-termly")


@pytest.fixture(scope="module")
def cyp():
    return load("cyp-termly")


@pytest.fixture(scope="module")
def school():
    return load("school-termly")


def indicator(definition, indicator_id):
    found = [i for i in definition.indicators if i.id == indicator_id]
    assert len(found) == 1, f"{definition.slug} has no single indicator {indicator_id!r}"
    return found[0]


def likert_questions(definition):
    return [q for q in definition.questions() if q.kind == "likert"]


def texts(definition):
    """Every piece of wording a respondent reads, with where it is."""
    yield "title", definition.title
    if definition.subtitle:
        yield "subtitle", definition.subtitle
    for number, paragraph in enumerate(definition.intro):
        yield f"intro {number}", paragraph
    for page in definition.pages:
        yield f"page {page.id}", page.title
        for question in page.questions:
            for name in ("label", "hint", "error"):
                value = getattr(question, name)
                if value:
                    yield f"{question.id} {name}", value
            for item in (*question.options, *question.rows):
                yield f"{question.id} option {item.id}", item.label


@pytest.mark.parametrize("slug", SURVEYS)
def test_each_survey_loads_with_its_own_slug(slug):
    definition = load(slug)
    assert definition.slug == slug


def test_audiences(parent, cyp, school):
    assert (parent.audience, cyp.audience, school.audience) == ("parents", "cyp", "schools")


def test_parent_confidence_statements_share_the_six_point_scale(parent):
    statements = likert_questions(parent)
    assert 6 <= len(statements) <= 8
    for question in statements:
        assert [o.id for o in question.options] == AGREE, question.id
        assert question.required, question.id
        assert question.error and question.error.startswith("Select how much you agree that")
    labels = {o.id: o.label for o in statements[0].options}
    assert labels["neither"] == "Neither agree nor disagree"
    assert labels["dont-know"] == "Don't know"


def test_parent_confidence_indicator_covers_every_statement(parent):
    confidence = indicator(parent, "parent-confidence")
    assert confidence.label == (
        "Parents and carers who agree or strongly agree with the confidence statements"
    )
    assert list(confidence.questions) == [q.id for q in likert_questions(parent)]
    assert list(confidence.positive) == ["strongly-agree", "agree"]
    assert list(confidence.excluded) == ["dont-know"]


def test_parent_statements_cover_the_topics_kent_measures(parent):
    labels = " ".join(q.label.lower() for q in likert_questions(parent))
    for topic in ("listened to", "information", "needs", "sen", "on time", "future"):
        assert topic in labels, topic


@pytest.mark.parametrize("slug", ["parent-termly", "school-termly"])
def test_free_text_questions_are_optional_and_limited(slug):
    definition = load(slug)
    expected = {
        "working-well": "What is working well?",
        "could-be-better": "What could be better?",
        "anything-else": "Anything else you want to tell us?",
    }
    for question_id, label in expected.items():
        question = definition.question(question_id)
        assert question is not None, question_id
        assert question.kind == "long_text" and not question.required
        assert question.max_length == 2000
        assert question.label == label


def test_parent_context_questions(parent):
    kinds = {
        "district": "district",
        "setting-type": "single_choice",
        "phase": "single_choice",
        "sen-status": "single_choice",
        "primary-need": "single_choice",
    }
    for context, kind in kinds.items():
        question = parent.context_question(context)
        assert question is not None, context
        assert question.id == context and question.kind == kind
        assert not question.required, context
    assert parent.question("district").options == ()
    setting_type = [o.id for o in parent.question("setting-type").options]
    assert setting_type == SETTING_TYPES
    sen_status = [o.id for o in parent.question("sen-status").options]
    assert sen_status == ["sen-support", "ehcp", "assessment", "none", "dont-know"]
    phase = [o.id for o in parent.question("phase").options]
    assert phase == ["early-years", "primary", "secondary", "post-16"]
    needs = [o.label.lower() for o in parent.question("primary-need").options]
    assert len(needs) == 6 and needs[-1] == "don't know"
    for area in ("communication and interaction", "cognition and learning", "mental health"):
        assert any(area in label for label in needs), area
    assert any("sensory or physical" in label for label in needs)
    assert "autistic" in needs[0]  # identity-first


def test_parent_equality_page_is_optional_with_prefer_not_to_say(parent):
    equality = [q for q in parent.questions() if q.context == "equality"]
    assert len(equality) >= 3
    pages = {p.id for p in parent.pages for q in p.questions if q.context == "equality"}
    assert len(pages) == 1
    page = parent.page(pages.pop())
    assert all(q.context == "equality" for q in page.questions)
    for question in equality:
        assert not question.required, question.id
        assert "prefer-not-to-say" in [o.id for o in question.options], question.id
        assert [o.label for o in question.options][-1] == "Prefer not to say"
    first_hint = page.questions[0].hint.lower()
    assert "optional" in first_hint and "every group" in first_hint


def test_parent_intro_says_why_how_long_and_what_we_will_do(parent):
    intro = " ".join(parent.intro)
    assert "three times a year" in intro
    assert "5 minutes" in intro
    assert "skip" in intro
    assert "We will tell you what we changed" in intro
    assert "You said, we did" in intro


def test_optional_labels_are_marked_only_beside_required_questions():
    for slug in SURVEYS:
        for page in load(slug).pages:
            has_required = any(q.required for q in page.questions)
            for question in page.questions:
                marked = question.label.endswith(" (optional)")
                if question.required or not has_required:
                    assert not marked, f"{slug} {question.id}"
            if not has_required:
                hints = " ".join(q.hint or "" for q in page.questions).lower()
                assert "skip" in hints or "optional" in hints, f"{slug} {page.id}"


def test_cyp_statements_are_three_point_and_feed_the_indicator(cyp):
    statements = likert_questions(cyp)
    assert len(statements) >= 4
    for question in statements:
        assert [o.id for o in question.options] == ["yes", "not-sure", "no"], question.id
        assert question.required and question.error, question.id
    listened = indicator(cyp, "cyp-listened")
    assert list(listened.questions) == [q.id for q in statements]
    assert list(listened.positive) == ["yes"]
    assert cyp.question("listened-to").label == "I feel listened to at school"


def test_cyp_tiles_and_free_text(cyp):
    tiles = [q for q in cyp.questions() if q.kind == "symbol_tiles"]
    assert [q.label for q in tiles] == [
        "What is good at school?",
        "What would make school better?",
    ]
    for question in tiles:
        assert 6 <= len(question.options) <= 10, question.id
    anything_else = cyp.question("anything-else")
    assert anything_else.kind == "long_text" and not anything_else.required
    assert anything_else.label == "Is there anything else you want to tell us?"
    phase = cyp.context_question("phase")
    assert phase is not None and phase.id == "phase" and not phase.required
    assert {o.id for o in phase.options} <= {"early-years", "primary", "secondary", "post-16"}


def test_cyp_is_easy_read(cyp):
    """Short sentences: easy read keeps each one to a single idea."""
    for where, text in texts(cyp):
        for sentence in re.split(r"(?<=[.?!])\s+", text):
            assert len(sentence.split()) <= 12, f"{where}: {sentence!r}"


def test_every_cyp_tile_has_a_symbol_that_exists(cyp):
    symbols = yaml.safe_load((DEFINITIONS / "cyp-termly.symbols.yaml").read_text("utf-8"))
    options = {o.id for q in cyp.questions() if q.kind == "symbol_tiles" for o in q.options}
    assert set(symbols) == options
    assert all(symbols[o] for o in options), "every tile needs a picture, not null"
    if not OPENMOJI.is_dir():
        pytest.skip(f"OpenMoji is not installed ({OPENMOJI}); run npm install to check files")
    missing = sorted(o for o in options if not (OPENMOJI / f"{symbols[o]}.svg").is_file())
    assert not missing, f"no OpenMoji picture for: {', '.join(missing)}"


def test_school_context_statements_and_rating(school):
    assert school.question("setting").kind == "setting"
    district = school.context_question("district")
    assert district is not None and district.id == "district" and district.kind == "district"
    setting_type = school.context_question("setting-type")
    assert setting_type is not None and setting_type.id == "setting-type"
    assert set(o.id for o in setting_type.options) <= set(SETTING_TYPES)
    statements = likert_questions(school)
    assert 4 <= len(statements) <= 6
    for question in statements:
        assert [o.id for o in question.options] == AGREE, question.id
        assert question.required and question.error, question.id
    confidence = indicator(school, "school-confidence")
    assert list(confidence.questions) == [q.id for q in statements]
    assert list(confidence.positive) == ["strongly-agree", "agree"]
    assert list(confidence.excluded) == ["dont-know"]
    rating = school.question("overall-rating")
    assert rating.kind == "single_choice"
    assert rating.label == "Overall, how would you rate the support from the SEN service?"
    assert [o.id for o in rating.options] == [f"rating-{n}" for n in range(1, 6)]
    assert rating.options[0].label == "1 \u2013 very poor"
    assert rating.options[-1].label == "5 \u2013 very good"


@pytest.mark.parametrize("slug", SURVEYS)
def test_no_words_to_avoid(slug):
    for where, text in texts(load(slug)):
        for words in WORDS_TO_AVOID:
            assert words not in text.lower(), f"{slug} {where}: {words!r}"


@pytest.mark.parametrize("slug", SURVEYS)
def test_likert_pages_fit_on_a_phone(slug):
    for page in load(slug).pages:
        likert = [q for q in page.questions if q.kind == "likert"]
        assert len(likert) <= MOST_LIKERT_PER_PAGE, f"{slug} {page.id}"


@pytest.mark.parametrize("slug", SURVEYS)
def test_pages_with_several_questions_have_their_own_title(slug):
    for page in load(slug).pages:
        if len(page.questions) > 1:
            assert all(q.label != page.title for q in page.questions), f"{slug} {page.id}"


@pytest.mark.parametrize("slug", SURVEYS)
def test_acronyms_are_explained_on_first_use(slug):
    """The first time SEN, SEND, EHC or EHCP appears, its words are spelled out beside it."""
    spelled = {
        "SEN": "special educational needs (SEN)",
        "SEND": "special educational needs and disabilities (SEND)",
        "EHC": "Education, Health and Care (EHC)",
        "EHCP": "Education, Health and Care plan (EHCP)",
    }
    wording = " ".join(text for where, text in texts(load(slug)) if where != "title")
    for acronym, full in spelled.items():
        first = re.search(rf"\b{acronym}\b", wording)
        if first is None:
            continue
        explained = wording.lower().find(full.lower())
        assert 0 <= explained <= first.start(), f"{slug}: {acronym} is used before {full!r}"
