"""What the accessibility statement says was tested, and when it was last reviewed.

The statement is built from `CHECKS`, and each check names the tests in the suite that
carry it out. tests/webapp/test_accessibility_statement.py fails when a named test is
missing, or when tests/browser/test_accessibility.py gains a test the statement does
not mention, so the page cannot claim more, or less, than the suite checks. Change
`LAST_REVIEWED` whenever a person reviews the statement against the service.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

LAST_REVIEWED = date(2026, 12, 1)
#: The languages the automated browser checks run in, by choice code (see webapp/i18n.py).
SWEEP_LANGUAGES = ("en", "ar", "easy")
SWEEP = "tests/browser/test_accessibility.py"


@dataclass(frozen=True)
class Check:
    """One thing the suite checks on every build, as the statement describes it."""

    text: LazyString
    tests: tuple[str, ...]


CHECKS: tuple[Check, ...] = (
    Check(
        _l(
            "Every page for children, young people and families is checked with axe-core "
            "against WCAG 2.2 at levels A and AA, in English, Arabic and easy read, in the "
            "Chromium browser."
        ),
        (f"{SWEEP}::test_every_respondent_page_passes_axe",),
    ),
    Check(
        _l("Each of our forms is filled in from start to finish using only a keyboard."),
        (f"{SWEEP}::test_each_shipped_form_by_keyboard_alone",),
    ),
    Check(
        _l(
            "Pages lose no content and need no sideways scrolling when zoomed to 200%, "
            "or on a screen 320 pixels wide."
        ),
        (f"{SWEEP}::test_no_loss_of_content_at_200_percent_zoom_and_320_pixels",),
    ),
    Check(
        _l(
            "All the words on our forms, including the labels of the day, month and year "
            "boxes, are in the language you choose."
        ),
        (f"{SWEEP}::test_date_parts_are_labelled_in_the_page_language",),
    ),
    Check(
        _l("You can always see which control the keyboard is on."),
        (f"{SWEEP}::test_focus_is_always_visible",),
    ),
    Check(
        _l("Picture tiles and buttons are at least 44 by 44 pixels, so they are easy to tap."),
        (f"{SWEEP}::test_tiles_and_buttons_are_at_least_44_pixels",),
    ),
    Check(
        _l("Arabic pages read from right to left, with the layout mirrored to match."),
        (f"{SWEEP}::test_arabic_reads_right_to_left",),
    ),
    Check(
        _l(
            "“Read aloud” uses a voice in the page’s language, and says so when your device "
            "has none."
        ),
        (
            f"{SWEEP}::test_read_aloud_uses_a_voice_in_the_page_language",
            f"{SWEEP}::test_read_aloud_says_when_there_is_no_voice",
        ),
    ),
    Check(
        _l(
            "We look at pictures of the first page of picture tiles in English, Arabic and "
            "easy read, on a wide screen and on a narrow one."
        ),
        (f"{SWEEP}::test_screenshots_of_the_first_tile_page",),
    ),
)
