"""The All about Me definition reproduces Kent's Pathway 1 form, section by section."""

import re
from pathlib import Path

import pytest

from forms.schema import DEFINITIONS, load_definition

FORM = DEFINITIONS / "all-about-me-pathway-1.yaml"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "002_2ff386ef3c1eaa48.txt"

# Section headings and option labels as the council's form prints them, in order.
EXPECTED = [
    ("My aspirations (goals) for the future:", []),
    (
        "I am working towards independence, by:",
        [
            "Having my own voice",
            "Knowing my routine",
            "Showing my likes to something by smiling or reaching for it",
            "Anticipating food routines with interest",
            "Accepting an 'intervention' feed e.g. peg feed",
            "Biting finger food",
            "Holding my own cup",
            "Starting to co-operate with dressing, holding out my arms/legs",
            "Co-operating with nappy/pad changes",
            "Expressing my dislike to something by crying or pushing it away",
        ],
    ),
    (
        "I can communicate best, by:",
        [
            "Reacting and responding to adults",
            "Signing",
            "Using Symbols",
            "Voca / Grid Player (Assistive Technology)",
            "Braille",
            "Touch Cues",
            "Objects of Reference",
            "Photo Cues",
            "Sensory Cues",
            "Vocalisation",
        ],
    ),
    (
        "I can communicate my basic needs and wants, when:",
        [
            "I am hungry",
            "I am thirsty",
            "I am tired",
            "I feel unwell",
            "I need help",
            "I need suction",
            "I need repositioning",
            "I am in pain",
            "I want to choose between a preferred and non-preferred object",
            "I need my nappy/pad/catheter change",
            "I need a break",
        ],
    ),
    (
        "I can keep healthy, by:",
        [
            "Spending time outside each day",
            "Eating (food, bottle, peg feed, etc)",
            "Drinking",
            "Staying regulated without a screen for increasing periods of time",
            "Tolerating having my hair brushed",
            "Getting enough sleep",
            "Accepting medicine",
            "Tolerating having my fingernails and toenails cut",
            "Having my nappy/pad/catheter changed",
            "Tolerating having my teeth brushed",
            "Attending medical appointments (doctors/ dentist, etc)",
            "Having sun cream applied",
        ],
    ),
    ("I can show engagement, through:", []),
    (
        "The best way for me to learn, is:",
        [
            "Visual",
            "Kinaesthetic (practical, hands-on, doing things)",
            "Auditory",
            "Out-door",
            "Project-based",
            "Play",
            "Following my special interests",
            "Watching videos",
            "Life Skills",
            "Working towards and achieving my EHCP outcomes",
        ],
    ),
    (
        "Adults can help by giving me:",
        [
            "Thinking Time",
            "Repetition",
            "Ear Defenders",
            "Fiddle Toys",
            "Relaxation",
            "Social Stories",
            "Choices",
            "Safe Space",
            "Visual Timetable / Objects of Reference",
            "Sensory Room Time",
            "Ensuring that my equipment is comfortable",
            "Motivators",
        ],
    ),
    (
        "Adults can help to keep me safe, by teaching me to:",
        [
            "Follow adult direction to keep me safe",
            "Recognise Danger",
            "Practise Self-Regulation",
            "Understand what to do in a fire drill",
            "Understand Road Safety",
            "Be aware of Stranger Danger",
            "Practise Online Safety",
            "Keep healthy and look after my body",
            "Understand Consent: My body; My choice",
            "Understand Boundaries: My right to say No.",
        ],
    ),
    (
        "Outside of my school, or setting, I like:",
        [
            "Technology",
            "Going outside",
            "Going to the park",
            "Swimming",
            "Going out with their Personal Assistant",
            "Going on an outing",
            "Going to the playground",
            "Visiting a family member's house",
            "Going to the cinema",
            "Going to the zoo",
            "Going to the beach",
            "Going to soft play",
            "Going to a trampoline park",
        ],
    ),
    (
        "My quality of Life:",
        [
            "I can express when I like something",
            "I can express when I do not like something",
            "I have a trusted adult who can interpret my needs and wants",
            "I can show pleasure from an activity",
            "Adults protect my dignity and show respect, when hoisting or changing me",
            "I enjoy using the Sensory Room",
            "I enjoy going on school trips",
            "I enjoy Forest School",
            "I enjoy Hydrotherapy time",
            "I enjoy using the Sensory Playground",
        ],
    ),
    ("At home, I am happy, with:", ["My family", "My pets", "My close friends"]),
    ("At my school or setting, overall:", []),
    ("Anything else:", []),
]
GRID_ROWS = [
    "I have the right amount of support:",
    "I feel listened to:",
    "I can show engagement:",
    "I have a sense of belonging:",
    "I have been included in my Annual Review meeting:",
]
ENGAGEMENT = [
    "I show exploration, by...",
    "I show realisation, by...",
    "I show anticipation, by...",
    "I show persistence, by...",
    "I show initiation, by...",
]
# Sections whose paper version ends with a Comments box.
WITH_COMMENTS = {
    "independence",
    "communicate-best",
    "basic-needs",
    "healthy",
    "adults-help",
    "outside",
    "quality-of-life",
    "home",
    "anything-else",
}


@pytest.fixture(scope="module")
def definition():
    return load_definition(FORM)


def test_sections_and_options_are_the_councils_in_order(definition):
    sections = definition.pages[1:]  # the first page holds the "About me" details
    found = [
        (
            page.title,
            [o.label for q in page.questions if q.kind == "symbol_tiles" for o in q.options],
        )
        for page in sections
    ]
    assert found == EXPECTED


def test_details_come_first_with_the_forms_own_labels(definition):
    about = definition.pages[0]
    assert [q.label for q in about.questions] == [
        "My name is:",
        "My school/setting is called:",
        "This information was provided by:",
        "Date of completed form:",
        "Picture, drawing, or photo of me (optional)",
    ]
    assert [q.kind for q in about.questions] == [
        "short_text",
        "setting",
        "single_choice",
        "date",
        "picture",
    ]
    provided_by = about.questions[2]
    assert [o.id for o in provided_by.options] == [
        "child-alone",
        "child-with-help",
        "adult-on-behalf",
        "staff-observation",
    ]


def test_free_text_prompts_grid_and_comments_boxes(definition):
    aspirations = definition.page("aspirations")
    assert [q.label for q in aspirations.questions] == [
        "This year I want to get better at:",
        "3 wishes for my future are:",
    ]
    engagement = definition.page("engagement")
    assert [q.label for q in engagement.questions] == ENGAGEMENT
    assert all(
        q.kind == "long_text" and q.hint.startswith("For example:") for q in engagement.questions
    )
    grid = definition.page("setting-overall").questions[0]
    assert grid.label == "My Setting:" and [r.label for r in grid.rows] == GRID_ROWS
    for page in definition.pages:
        comments = [q for q in page.questions if q.label == "Comments:"]
        assert len(comments) == (1 if page.id in WITH_COMMENTS else 0), page.id


def test_the_introduction_says_an_adult_can_help_and_you_can_stop(definition):
    intro = " ".join(definition.intro)
    assert "An adult can read the questions to you, or write your answers for you" in intro
    assert "You can stop and come back later" in intro
    assert "Annual Review" in intro


def test_outcome_areas_are_tagged(definition):
    areas = {p.id: p.area for p in definition.pages if p.area}
    assert areas == {
        "independence": "My Independence",
        "communicate-best": "My Voice",
        "basic-needs": "My Voice",
        "healthy": "My Health",
    }


def test_every_label_is_in_the_council_seed_in_the_same_order():
    if not SEED.exists():
        pytest.skip(f"the council's seed document is not beside the repository ({SEED})")
    lines = SEED.read_text(encoding="utf-8").splitlines()[759:1075]
    text = re.sub(r"<[^>]+>", " ", " ".join(lines))
    text = re.sub(r"\s+", " ", text)
    position = 0
    for heading, options in EXPECTED:
        for label in [heading, *options]:
            found = text.find(label, position)
            assert found >= 0, f"{label!r} is not in the seed after position {position}"
            position = found
