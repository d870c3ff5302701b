"""Everything a child, young person, parent or school can reach without signing in, in a real
browser: axe on every page in English, Arabic and easy read, each form by keyboard alone,
zoom and small screens, visible focus, target sizes, right-to-left layout, read aloud, and
screenshots of the first tile page to look at.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from forms.schema import load_definition
from models import get_default_organisation, get_published_form, make_engine, new_session
from models.demo_surveys import term_of
from models.surveys import (
    SurveyRound,
    SurveyRoundCreate,
    close_round,
    create_invitations,
    create_round,
    list_rounds,
    submitted_responses,
)
from tests.browser.conftest import (
    AXE,
    ROOT,
    PageWatch,
    answer_page_with_keyboard,
    run_axe,
    screenshot,
)

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "ar", "easy"]
AAM = "all-about-me-pathway-1"
TERMLY = ["parent-termly", "cyp-termly", "school-termly"]
FORMS = [AAM, *TERMLY]
DEFINITIONS = {
    slug: load_definition(ROOT / "forms" / "definitions" / f"{slug}.yaml") for slug in FORMS
}
DESKTOP = {"width": 1280, "height": 900}
# Start now, Save and continue, Send my answers, Continue: whatever the language.
SUBMIT = "main form button[type=submit]"
# A child's answer can hold a long word; it must wrap, not push the page sideways.
LONG_ANSWER = "I like football and Supercalifragilisticexpialidocious songs with my friends."
#: The helpline every confirmation page gives, in every language: Childline for children
#: and young people, the NSPCC's for the parents and schools worried about a child.
HELPLINES = {"cyp": "0800 1111", "parents": "0808 800 5000", "schools": "0808 800 5000"}


def first_page_with(slug: str, kind: str) -> str:
    return next(p.id for p in DEFINITIONS[slug].pages if any(q.kind == kind for q in p.questions))


TILE_PAGE = first_page_with(AAM, "symbol_tiles")  # independence
TEXT_PAGE = "aspirations"  # two long text questions
GRID_PAGE = first_page_with(AAM, "yes_no_unsure_grid")  # inline radios
LIKERT_PAGE = DEFINITIONS["parent-termly"].pages[0].id


class Surveys:
    """An open round of every termly survey, and fresh invitations to each on demand."""

    def __init__(self, engine, rounds: dict[str, int], closed_code: str) -> None:
        self.engine = engine
        self.rounds = rounds
        self.closed_code = closed_code

    def invite(self, slug: str) -> str:
        with new_session(self.engine) as session:
            survey_round = session.get(SurveyRound, self.rounds[slug])
            [(_invitation, token)] = create_invitations(
                session=session, survey_round=survey_round, people=[{"name": "Alex Example"}]
            )
            session.commit()
        return token

    def submitted(self, slug: str) -> int:
        with new_session(self.engine) as session:
            survey_round = session.get(SurveyRound, self.rounds[slug])
            return len(submitted_responses(session=session, survey_round=survey_round))


@pytest.fixture(scope="module")
def surveys(live_database_url) -> Iterator[Surveys]:
    """The demo has a parent survey round open; open the other two termly surveys as well.

    The rounds opened here are closed again afterwards, so the surveys' own addresses behave
    for later tests as they did before. They are filed under a long-gone academic year, so
    they come last wherever rounds are listed newest first (as "You said, we did" does).
    """
    engine = make_engine(live_database_url)
    today = date.today()
    created: list[int] = []
    rounds: dict[str, int] = {}
    with new_session(engine) as session:
        organisation = get_default_organisation(session=session)
        every = list_rounds(session=session, organisation_id=organisation.id)
        for slug in TERMLY:
            live = [r for r in every if r.form_slug == slug and r.is_open()]
            if live:
                rounds[slug] = live[-1].id
                continue
            survey_round = create_round(
                session=session,
                organisation_id=organisation.id,
                form_version=get_published_form(session=session, slug=slug),
                data=SurveyRoundCreate(
                    academic_year="2000/01",
                    term=term_of(today)[1],
                    opens_on=today - timedelta(days=1),
                    closes_on=today + timedelta(days=30),
                ),
            )
            rounds[slug] = survey_round.id
            created.append(survey_round.id)
        closed = next(r for r in every if r.form_slug == "parent-termly" and not r.is_open())
        closed_code = closed.open_code
        session.commit()
    yield Surveys(engine, rounds, closed_code)
    with new_session(engine) as session:
        for round_id in created:
            close_round(session=session, survey_round=session.get(SurveyRound, round_id))
        session.commit()
    engine.dispose()


# Geometry helpers, added to every page before its own scripts run.
HELPERS = """
window.heardTest = {
  // Hidden from sight on purpose: the skip link, "visually hidden" text for screen readers.
  visuallyHidden(element) {
    for (let e = element; e && e !== document.documentElement; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.clipPath === 'inset(50%)' || s.clip === 'rect(0px, 0px, 0px, 0px)') return true;
    }
    return false;
  },
  shown(element) {
    const r = element.getBoundingClientRect();
    const s = getComputedStyle(element);
    return r.width > 0 && r.height > 0 && s.visibility === 'visible'
      && element.checkVisibility() && !this.visuallyHidden(element);
  },
  describe(element) {
    const text = (element.innerText || element.value || element.alt || '').trim();
    return element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
      + (element.className && typeof element.className === 'string'
         ? '.' + element.className.trim().split(/\\s+/).join('.') : '')
      + (text ? ' "' + text.slice(0, 40).replace(/\\s+/g, ' ') + '"' : '');
  },
  // Where an element's own words are drawn (not its padding or its pseudo-elements).
  textRect(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const r = range.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  },
  rect(element) {
    const r = element.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
            width: r.width, height: r.height};
  },
  // The box of an absolutely positioned ::before or ::after, from its offsets.
  pseudoRect(element, which) {
    const s = getComputedStyle(element, which);
    if (s.content === 'none' || s.display === 'none') return null;
    let block = element;
    while (block.parentElement && getComputedStyle(block).position === 'static') {
      block = block.parentElement;
    }
    const b = block.getBoundingClientRect();
    const bs = getComputedStyle(block);
    const px = (v) => parseFloat(v) || 0;
    let width = px(s.width), height = px(s.height);
    if (s.boxSizing !== 'border-box') {
      width += px(s.borderLeftWidth) + px(s.borderRightWidth);
      height += px(s.borderTopWidth) + px(s.borderBottomWidth);
    }
    const left = b.left + px(bs.borderLeftWidth) + px(s.left);
    const top = b.top + px(bs.borderTopWidth) + px(s.top);
    return {left, right: left + width, top, bottom: top + height, width, height};
  },
};
"""


@contextmanager
def browsing(browser, *, axe: bool = False, **options) -> Iterator:
    """A page in its own context, with the helpers above (and axe), its problems watched."""
    context = browser.new_context(**{"viewport": DESKTOP, **options})
    context.add_init_script(HELPERS)
    if axe:
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.watch = PageWatch(page)
    try:
        yield page
    finally:
        context.close()


def submit(page) -> None:
    with page.expect_navigation():
        page.click(SUBMIT)


def fill(page, question) -> None:
    """Answer one question as a respondent would, whatever language the page is in."""
    qid, kind = question.id, question.kind
    if kind == "short_text":
        page.fill(f"#{qid}", "Sam")
    elif kind == "setting":
        page.select_option(f"#{qid}", index=1)
    elif kind in {"likert", "single_choice", "district"}:
        values = [o.id for o in question.options]
        choice = "[value='agree']" if "agree" in values else ""
        page.locator(f"input[name='{qid}']{choice}").first.check()
    elif kind == "date":
        page.fill(f"#{qid}", "27")
        page.fill(f"#{qid}-month", "3")
        page.fill(f"#{qid}-year", "2026")
    elif kind == "long_text":
        page.fill(f"#{qid}", LONG_ANSWER)
    elif kind == "email":
        page.fill(f"#{qid}", "parent@example.org")
    elif kind == "symbol_tiles":
        page.check(f"#{qid}")
    elif kind == "yes_no_unsure_grid":
        for row in question.rows:
            page.locator(f"input[name='{qid}--{row.id}']").first.check()
    # A picture is optional; the keyboard test uploads one.


def start(page, base: str, slug: str, surveys: Surveys, lang: str | None = None) -> None:
    """Open a form's start page (a termly survey through an invitation) and start it."""
    path = f"/f/{slug}" if slug == AAM else f"/i/{surveys.invite(slug)}"
    page.goto(base + path + (f"?lang={lang}" if lang else ""))
    submit(page)


def answer_first_page(page, slug: str) -> None:
    for question in DEFINITIONS[slug].pages[0].questions:
        fill(page, question)
    submit(page)


# 1. axe on every page ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_respondent_page_passes_axe(browser, live_server, surveys, lang):
    failures: list[dict] = []
    with browsing(browser, axe=True) as page:

        def check(note: str = "") -> None:
            found = run_axe(page)
            if found:
                failures.append({"page": page.url + note, "violations": found})

        def visit(path: str) -> None:
            page.goto(live_server + path)
            check()

        def walk(slug: str, path: str) -> str:
            """From the start page to the confirmation, checking every page on the way."""
            visit(path)
            submit(page)
            code, shown_errors = "", False
            for form_page in DEFINITIONS[slug].pages:
                assert f"/pages/{form_page.id}" in page.url, page.url
                check()
                code = code or page.locator(".heard-resume-code").text_content()
                if not shown_errors and any(q.required for q in form_page.questions):
                    submit(page)  # a required answer missing
                    assert page.locator(".govuk-error-summary").is_visible(), page.url
                    check(" (with errors)")
                    shown_errors = True
                for question in form_page.questions:
                    fill(page, question)
                submit(page)
            assert page.url.endswith("/check-answers"), page.url
            check()
            submit(page)
            assert page.url.endswith("/confirmation"), page.url
            check()
            helpline = HELPLINES[DEFINITIONS[slug].audience]
            assert helpline in page.inner_text("main") and "999" in page.inner_text("main")
            return code

        visit(f"/?lang={lang}")  # the choice is remembered from here on
        expected = "ar" if lang == "ar" else "en"
        assert page.get_attribute("html", "lang") == expected
        assert page.get_attribute("body", "dir") == ("rtl" if lang == "ar" else "ltr")
        for path in [
            "/accessibility",
            "/no-such-page",  # the 404 page
            "/resume/AAAABBBBCCCCDDDDEEEEFFFFGGGG",  # a resume link that finds nothing
            f"/f/{AAM}/check-answers",  # no answers in this browser: not found
            "/i/not-a-real-invitation",
            f"/r/{surveys.closed_code}",  # a round that has closed
            "/you-said-we-did/kent-demo",
        ]:
            visit(path)
        visit(page.locator("main a[href*='/easy-read']").first.get_attribute("href"))
        visit("/resume")
        submit(page)  # no code typed
        assert page.locator(".govuk-error-summary").is_visible()
        check(" (with errors)")
        for slug in TERMLY:
            visit(f"/f/{slug}")  # a termly survey's own address leads to its open link
        code = walk(AAM, f"/f/{AAM}")
        tokens = {}
        for slug in TERMLY:
            tokens[slug] = surveys.invite(slug)
            walk(slug, f"/i/{tokens[slug]}")
        visit(f"/i/{tokens['parent-termly']}")  # a link that has been used
        # Resuming by code after sending opens nothing: a page says the answers were sent.
        page.goto(f"{live_server}/resume")
        page.fill("#code", code)
        submit(page)
        assert page.url.endswith("/resume") and page.locator("#code").count() == 0
        check(" (answers sent)")
        problems = page.watch.problems
    assert failures == [], json.dumps(failures, indent=1, ensure_ascii=False)
    assert problems == []


# 2. Each form by keyboard alone --------------------------------------------------------------


@pytest.mark.parametrize("slug", FORMS)
def test_each_shipped_form_by_keyboard_alone(browser, live_server, surveys, picture, slug):
    before = surveys.submitted(slug) if slug in TERMLY else 0
    with browsing(browser) as page:
        page.goto(live_server + (f"/f/{slug}" if slug == AAM else f"/i/{surveys.invite(slug)}"))
        answer_page_with_keyboard(page, picture)  # Tab to "Start now", Enter
        pages = 0
        while "/pages/" in page.url:
            assert page.locator(".govuk-error-summary").count() == 0, page.url
            answer_page_with_keyboard(page, picture)
            pages += 1
            assert pages <= len(DEFINITIONS[slug].pages), f"stuck on {page.url}"
        assert pages == len(DEFINITIONS[slug].pages)
        assert page.url.endswith("/check-answers"), page.url
        assert "Not answered" not in page.inner_text("main")  # every answer was given
        answer_page_with_keyboard(page, picture)  # Tab to "Send my answers", Enter
        assert page.url.endswith("/confirmation"), page.url
        assert HELPLINES[DEFINITIONS[slug].audience] in page.inner_text("main")
        assert page.watch.problems == []
    if slug in TERMLY:
        assert surveys.submitted(slug) == before + 1


# 3. 200% zoom and 320 pixels ------------------------------------------------------------------

REFLOW = """() => {
  const t = window.heardTest, width = window.innerWidth, found = [];
  const doc = document.documentElement;
  // What is folded away must fit too, once a reader opens it.
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  if (doc.scrollWidth > width) found.push(`the page scrolls sideways: ${doc.scrollWidth}px`);
  for (const e of document.body.querySelectorAll('*')) {
    if (!t.shown(e) || ['SCRIPT', 'STYLE', 'OPTION'].includes(e.tagName)) continue;
    const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const s = getComputedStyle(e);
    if (own) {
      const r = e.getBoundingClientRect();
      if (r.left < -1 || r.right > width + 1) {
        found.push(`${t.describe(e)} is outside the window (${Math.round(r.left)} to `
                   + `${Math.round(r.right)} of ${width}px)`);
      }
    }
    const clips = ['hidden', 'clip'].includes(s.overflowX);
    if (clips && e.textContent.trim() && e.scrollWidth > e.clientWidth + 1
        && !['INPUT', 'SELECT', 'TEXTAREA'].includes(e.tagName)) {
      found.push(`${t.describe(e)} cuts off its content (${e.scrollWidth}px in `
                 + `${e.clientWidth}px)`);
    }
  }
  return found;
}"""

ZOOMED = {"width": 640, "height": 400}  # 1280 x 800 at 200%
NARROW = {"width": 320, "height": 640}


def reflow_problems(page, where: str) -> list[str]:
    """What does not fit at 200% zoom (a 640px window) and at 320px, for this page."""
    found = []
    for size in (ZOOMED, NARROW):
        page.set_viewport_size(size)
        found += [f"{where} {size['width']}px {page.url}: {p}" for p in page.evaluate(REFLOW)]
    page.set_viewport_size(ZOOMED)
    return found


def test_no_loss_of_content_at_200_percent_zoom_and_320_pixels(browser, live_server, surveys):
    failures: list[str] = []
    for lang in ["en", "ar"]:
        with browsing(browser, viewport=ZOOMED, device_scale_factor=2) as page:
            start(page, live_server, AAM, surveys, lang)
            answer_first_page(page, AAM)
            for question in DEFINITIONS[AAM].page(TEXT_PAGE).questions:
                fill(page, question)
            failures += reflow_problems(page, f"{lang} text page")
            submit(page)
            page.goto(f"{live_server}/f/{AAM}/pages/{TILE_PAGE}")
            for question in DEFINITIONS[AAM].page(TILE_PAGE).questions:
                fill(page, question)
            failures += reflow_problems(page, f"{lang} tile page")
            page.goto(f"{live_server}/f/{AAM}/check-answers")
            failures += reflow_problems(page, f"{lang} check answers")
            submit(page)
            failures += reflow_problems(page, f"{lang} confirmation")
            start(page, live_server, "parent-termly", surveys)
            assert f"/pages/{LIKERT_PAGE}" in page.url
            failures += reflow_problems(page, f"{lang} likert page")
            page.goto(f"{live_server}/you-said-we-did/kent-demo")
            failures += reflow_problems(page, f"{lang} You said, we did")
    assert failures == [], "\n".join(failures)


# 4. Visible focus -----------------------------------------------------------------------------

FOCUS_STYLES = """() => {
  // The styles a focus indicator is made of, on the element and on whatever draws its focus
  // ring: a visually hidden radio, checkbox or tile input is drawn by its label.
  const props = ['outlineStyle', 'outlineWidth', 'outlineColor', 'boxShadow',
                 'backgroundColor', 'borderTopColor', 'borderTopWidth', 'color'];
  window.heardTest.focusTargets = (e) => {
    const targets = [e];
    const s = getComputedStyle(e);
    if (['checkbox', 'radio'].includes(e.type) && parseFloat(s.opacity) === 0) {
      const label = (e.labels && e.labels[0]) || e.nextElementSibling;
      if (label) targets.push(label);
    }
    return targets;
  };
  window.heardTest.focusStyles = (e) => window.heardTest.focusTargets(e).flatMap((t) =>
    [null, '::before', '::after'].map((which) => {
      const s = getComputedStyle(t, which);
      const out = {on: window.heardTest.describe(t) + (which || '')};
      props.forEach((p) => { out[p] = s[p]; });
      return out;
    }));
  document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')
    .forEach((e) => { e.heardUnfocused = window.heardTest.focusStyles(e); });
}"""

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const now = window.heardTest.focusStyles(e);
  const before = e.heardUnfocused || [];
  const visible = now.filter((s, i) => {
    const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
      && !/rgba\\(.*, 0\\)$|transparent/.test(s.outlineColor);
    const shadow = s.boxShadow !== 'none';
    const was = before[i] || {};
    const changed = ['outlineStyle', 'outlineWidth', 'outlineColor', 'boxShadow']
      .some((p) => s[p] !== was[p]);
    return (ring || shadow) && changed;
  });
  return {name: window.heardTest.describe(e), visible: visible.map((s) => s.on),
          styles: now[0]};
}"""


def tab_through(page) -> tuple[list[str], list[str]]:
    """Tab from the top of the page to the end; return the controls reached and failures."""
    page.evaluate(FOCUS_STYLES)
    reached, failures = [], []
    for _ in range(200):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUSED)
        if state is None or (reached and state["name"] == reached[0]):
            break
        reached.append(state["name"])
        if not state["visible"]:
            failures.append(f"{page.url}: {state['name']} shows no focus: {state['styles']}")
    return reached, failures


def test_focus_is_always_visible(browser, live_server, surveys):
    failures: list[str] = []
    with browsing(browser) as page:

        def tab_and_expect(control: str) -> None:
            reached, found = tab_through(page)
            assert any(control in name for name in reached), (control, reached)
            failures.extend(found)

        start(page, live_server, AAM, surveys)
        tab_and_expect("govuk-radios__input")  # about me: radios, a select, a date, a picture
        answer_first_page(page, AAM)
        tab_and_expect("textarea")  # the text page
        page.goto(f"{live_server}/f/{AAM}/pages/{TILE_PAGE}")
        tab_and_expect("heard-tile__input")
        page.goto(f"{live_server}/f/{AAM}/check-answers")
        tab_and_expect("Change")
        start(page, live_server, "parent-termly", surveys)
        tab_and_expect("govuk-radios__input")  # the statements, each with five radios
    assert failures == [], "\n".join(failures)


# 5. Target size ---------------------------------------------------------------------------

TARGETS = """() => {
  const t = window.heardTest;
  const seen = new Set(), out = [];
  document.querySelectorAll(
    '.heard-tile__label, button, .govuk-button, input[type=submit], .heard-read-aloud'
  ).forEach((e) => {
    if (seen.has(e) || !t.shown(e)) return;
    seen.add(e);
    const r = e.getBoundingClientRect();
    out.push({name: t.describe(e), width: r.width, height: r.height,
              readAloud: e.classList.contains('heard-read-aloud')});
  });
  return out;
}"""


FAKE_SPEECH = """
(() => {
  const voices = VOICES;
  const listeners = [];
  const spoken = [];
  const synth = {
    speaking: false, pending: false, paused: false,
    getVoices: () => voices,
    speak(utterance) {
      spoken.push({text: utterance.text, lang: utterance.lang,
                   voice: utterance.voice && utterance.voice.name});
    },
    cancel() {}, pause() {}, resume() {},
    addEventListener(type, listener) { if (type === 'voiceschanged') listeners.push(listener); },
    removeEventListener() {},
  };
  class Utterance {
    constructor(text) { this.text = text; this.voice = null; this.lang = ''; }
    addEventListener() {}
  }
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  Object.defineProperty(window, 'SpeechSynthesisUtterance',
                        {value: Utterance, configurable: true});
  window.fakeSpeech = {
    spoken,
    voicesChanged() { listeners.forEach((listener) => listener(new Event('voiceschanged'))); },
  };
})();
"""


def fake_speech(voices: list[dict]) -> str:
    """A stand-in for the browser's speech synthesis with these voices, recording what it says.

    `window.fakeSpeech.voicesChanged()` fires the event a browser sends when its voices load.
    """
    return FAKE_SPEECH.replace("VOICES", json.dumps(voices))


def test_tiles_and_buttons_are_at_least_44_pixels(browser, live_server, surveys):
    small: list[str] = []
    measured: list[dict] = []
    with browsing(browser) as page:
        page.context.add_init_script(fake_speech([{"lang": "en-GB", "name": "English"}]))

        def measure() -> None:
            for size in (DESKTOP, NARROW):
                page.set_viewport_size(size)
                for target in page.evaluate(TARGETS):
                    measured.append(target)
                    if target["width"] < 44 or target["height"] < 44:
                        small.append(
                            f"{size['width']}px {page.url}: {target['name']} is "
                            f"{target['width']:.0f}x{target['height']:.0f}"
                        )
            page.set_viewport_size(DESKTOP)

        page.goto(f"{live_server}/f/{AAM}")
        measure()  # the start button
        submit(page)
        page.wait_for_selector(".heard-read-aloud:not([disabled])")
        measure()  # about me: read aloud, save and continue
        submit(page)
        measure()  # with errors
        page.goto(f"{live_server}/f/{AAM}/pages/{TILE_PAGE}")
        measure()
        page.goto(f"{live_server}/f/{AAM}/check-answers")
        measure()
        start(page, live_server, "parent-termly", surveys)
        measure()
        page.goto(f"{live_server}/resume")
        measure()
        page.goto(f"{live_server}/you-said-we-did/kent-demo")
        measure()  # the filter's "Show" button
    assert any(t["readAloud"] for t in measured) and any("tile" in t["name"] for t in measured)
    assert small == [], "\n".join(small)


# 6. Right to left -------------------------------------------------------------------------

RADIOS = """(selector) => [...document.querySelectorAll(selector)].map((item) => {
  const t = window.heardTest;
  const input = item.querySelector('input');
  const label = item.querySelector('label');
  return {name: t.describe(label), input: t.rect(input), text: t.textRect(label),
          box: t.pseudoRect(label, '::before'), item: t.rect(item)};
})"""

ARROW = """(selector) => {
  // Which way an arrow drawn with two borders of a rotated square points, and where it is.
  const t = window.heardTest, e = document.querySelector(selector);
  const s = getComputedStyle(e, '::before');
  const m = new DOMMatrix(s.transform === 'none' ? undefined : s.transform);
  const x = parseFloat(s.borderRightWidth) > 0 ? 1 : -1;
  const y = parseFloat(s.borderTopWidth) > 0 ? -1 : 1;
  return {points: m.a * x + m.c * y, arrow: t.pseudoRect(e, '::before'),
          text: t.textRect(e)};
}"""

TRIANGLE = """(selector) => {
  // Which way the details summary's triangle (a clipped box) points, and where it is.
  const t = window.heardTest, e = document.querySelector(selector);
  const s = getComputedStyle(e, '::before');
  const points = [...s.clipPath.matchAll(/(-?[\\d.]+)%\\s+(-?[\\d.]+)%/g)]
    .map((m) => [parseFloat(m[1]), parseFloat(m[2])]);
  const tip = points.find(([, y]) => y === 50);
  return {points: tip ? (tip[0] === 100 ? 1 : -1) : 0,
          arrow: t.pseudoRect(e, '::before'), text: t.textRect(e)};
}"""


# Words in a left-to-right language inside an Arabic page (an entry nobody has translated,
# a theme's name) must keep their own direction, or their full stops and numbers move.
OTHER_DIRECTION = """() => [...document.querySelectorAll('main [lang]')]
  .filter((e) => !/^(ar|he|fa|ur)\\b/.test(e.lang) && e.textContent.trim()
                 && getComputedStyle(e).direction !== 'ltr')
  .map((e) => window.heardTest.describe(e))"""


def borders(page, selector: str) -> dict:
    return page.eval_on_selector(
        selector,
        """(e) => { const s = getComputedStyle(e);
            return {left: parseFloat(s.borderLeftWidth), right: parseFloat(s.borderRightWidth),
                    paddingLeft: parseFloat(s.paddingLeft),
                    paddingRight: parseFloat(s.paddingRight)}; }""",
    )


def test_arabic_reads_right_to_left(browser, live_server, surveys):
    wrong: list[str] = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            wrong.append(f"{page.url}: {message}")

    def no_sideways_scroll() -> None:
        for size in (DESKTOP, NARROW):
            page.set_viewport_size(size)
            width = page.evaluate("document.documentElement.scrollWidth")
            expect(width <= size["width"], f"scrolls sideways at {size['width']}px ({width}px)")
        page.set_viewport_size(DESKTOP)

    with browsing(browser) as page:
        page.goto(f"{live_server}/f/{AAM}?lang=ar")
        assert page.get_attribute("body", "dir") == "rtl"
        assert page.get_attribute("html", "lang") == "ar"
        # The start page's two-thirds column, and so its heading, starts from the right.
        heading = page.eval_on_selector(
            "main .govuk-grid-column-two-thirds h1", "e => window.heardTest.rect(e)"
        )
        container = page.eval_on_selector("main", "e => window.heardTest.rect(e)")
        expect(
            abs(heading["right"] - container["right"]) <= 1,
            f"the two-thirds column is not on the right: {heading} in {container}",
        )
        service = page.eval_on_selector(
            ".govuk-service-navigation__service-name", "e => window.heardTest.rect(e)"
        )
        link = page.eval_on_selector(
            ".govuk-service-navigation__item", "e => window.heardTest.rect(e)"
        )
        expect(service["left"] - link["right"] >= 15, f"service name against its link: {link}")
        # A list's items line up with the heading, not indented by the browser's own padding.
        listed = page.eval_on_selector(
            "main .govuk-list", "e => window.heardTest.rect(e.firstElementChild)"
        )
        expect(abs(listed["right"] - heading["right"]) <= 1, f"the list is indented: {listed}")
        no_sideways_scroll()
        submit(page)

        # The first page: the back link, the inset text, radios, a date, details.
        back = page.evaluate(ARROW, ".govuk-back-link")
        expect(back["arrow"]["left"] >= back["text"]["right"] - 1, f"back arrow not right: {back}")
        expect(back["points"] > 0, f"the back arrow does not point right: {back}")
        inset = borders(page, ".govuk-inset-text")
        expect(inset["right"] >= 5 and inset["left"] == 0, f"inset text border: {inset}")
        for radio in page.evaluate(RADIOS, ".govuk-radios__item"):
            expect(
                radio["box"]["left"] >= radio["text"]["right"] - 1,
                f"the radio circle is not right of {radio['name']}: {radio}",
            )
            expect(
                abs(radio["box"]["left"] - radio["input"]["left"]) <= 4,
                f"the radio circle is not where its input is: {radio}",
            )
            expect(
                radio["input"]["left"] >= radio["text"]["right"] - 1,
                f"the radio input is not right of {radio['name']}: {radio}",
            )
        dates = page.eval_on_selector_all(
            ".govuk-date-input__item", "items => items.map(window.heardTest.rect)"
        )
        fieldset = page.eval_on_selector(
            ".govuk-date-input", "e => window.heardTest.rect(e.closest('fieldset'))"
        )
        expect(dates[0]["left"] > dates[1]["right"], f"day is not right of month: {dates}")
        expect(abs(dates[0]["right"] - fieldset["right"]) <= 1, f"day not at the right: {dates}")
        expect(dates[0]["left"] - dates[1]["right"] >= 15, f"no gap between day/month: {dates}")
        details = page.evaluate(TRIANGLE, ".govuk-details__summary")
        expect(
            details["arrow"]["left"] >= details["text"]["right"] - 1,
            f"the details triangle is not on the right: {details}",
        )
        expect(details["points"] < 0, f"the closed details triangle does not point left: {details}")
        no_sideways_scroll()
        submit(page)  # the name and who helped are missing
        summary = page.eval_on_selector(
            ".govuk-error-summary",
            "e => ({title: window.heardTest.rect(e.querySelector('.govuk-error-summary__title')),"
            " item: window.heardTest.rect(e.querySelector('li'))})",
        )
        expect(
            abs(summary["item"]["right"] - summary["title"]["right"]) <= 1,
            f"the error summary's list is indented: {summary}",
        )
        error = borders(page, ".govuk-form-group--error")
        expect(error["right"] >= 5 and error["left"] == 0, f"error border: {error}")
        expect(error["paddingRight"] >= 10, f"error padding: {error}")
        answer_first_page(page, AAM)

        page.goto(f"{live_server}/f/{AAM}/pages/{TILE_PAGE}")
        tiles = page.eval_on_selector_all(
            ".heard-tile__label", "tiles => tiles.map(window.heardTest.rect)"
        )
        assert abs(tiles[0]["top"] - tiles[1]["top"]) < 1  # they share a row at 1280px
        expect(tiles[0]["left"] > tiles[1]["right"], f"first tile is not right of second: {tiles}")
        no_sideways_scroll()

        page.goto(f"{live_server}/f/{AAM}/pages/{GRID_PAGE}")
        inline = page.evaluate(RADIOS, ".govuk-radios--inline .govuk-radios__item")
        group = page.eval_on_selector(".govuk-radios--inline", "e => window.heardTest.rect(e)")
        expect(inline[0]["item"]["left"] > inline[1]["item"]["right"], f"inline order: {inline}")
        expect(
            abs(inline[0]["item"]["right"] - group["right"]) <= 1,
            f"the first inline radio is not at the right: {inline[0]} in {group}",
        )
        for radio in inline:
            expect(radio["box"]["left"] >= radio["text"]["right"] - 1, f"inline radio: {radio}")
        no_sideways_scroll()

        page.goto(f"{live_server}/f/{AAM}/check-answers")
        heading = page.eval_on_selector("main h1", "e => window.heardTest.textRect(e)")
        key = page.eval_on_selector(".govuk-summary-list__key", "e => window.heardTest.textRect(e)")
        expect(abs(key["right"] - heading["right"]) <= 2, f"key not under heading: {key}")
        change = page.eval_on_selector(
            ".govuk-summary-list__actions",
            "e => ({cell: window.heardTest.rect(e),"
            " link: window.heardTest.rect(e.querySelector('a'))})",
        )
        expect(
            change["link"]["left"] - change["cell"]["left"] <= 1,
            f"the Change link is not at the left end of its row: {change}",
        )
        no_sideways_scroll()

        # The parent survey's start page says what changed; the public page and its easy read.
        for path in ["/f/parent-termly", "/you-said-we-did/kent-demo", "easy read"]:
            if path == "easy read":
                path = page.get_attribute("main a[href*='/easy-read']", "href")
            page.goto(live_server + path)
            assert page.locator("main [lang]").count() > 0, page.url  # English words to check
            for element in page.evaluate(OTHER_DIRECTION):
                expect(False, f"{element} is not laid out left to right")
            no_sideways_scroll()
    assert wrong == [], "\n".join(wrong)


def test_date_parts_are_labelled_in_the_page_language(browser, live_server, surveys):
    """The day, month and year boxes say so in the reader's language, as everything else does.

    Fails today: govuk_frontend_wtf's GovDateInput hard-codes "Day", "Month" and "Year", and
    forms/widgets.py (GovDateInput.map_gov_params) does not replace them with translations.
    """
    english = {"Day", "Month", "Year"}
    found = {}
    for lang in ["ar", "pl"]:
        with browsing(browser) as page:
            start(page, live_server, AAM, surveys, lang)
            found[lang] = page.eval_on_selector_all(
                ".govuk-date-input__label", "labels => labels.map((l) => l.textContent.trim())"
            )
    assert all(len(labels) == 3 for labels in found.values()), found
    assert {lang: english & set(labels) for lang, labels in found.items()} == {
        "ar": set(),
        "pl": set(),
    }


# 7. Read aloud ---------------------------------------------------------------------------


def test_read_aloud_uses_a_voice_in_the_page_language(browser, live_server):
    voices = [{"lang": "en-GB", "name": "English"}, {"lang": "pl-PL", "name": "Polish"}]
    with browsing(browser) as page:
        page.context.add_init_script(fake_speech(voices))
        page.goto(f"{live_server}/f/{AAM}?lang=pl")
        assert page.get_attribute("html", "lang") == "pl"
        submit(page)
        button = page.locator(".heard-read-aloud").first
        assert button.is_enabled()
        label = page.get_attribute("#heard-strings", "data-read-aloud-label")
        assert button.inner_text() == label
        question = page.locator("[data-read-aloud] label").first.inner_text()
        button.click()
        spoken = page.evaluate("window.fakeSpeech.spoken")
        assert len(spoken) == 1
        assert spoken[0]["voice"] == "Polish" and spoken[0]["lang"] == "pl-PL"
        assert question.strip() in spoken[0]["text"]
        assert page.watch.problems == []


def test_read_aloud_says_when_there_is_no_voice(browser, live_server):
    with browsing(browser) as page:
        page.context.add_init_script(fake_speech([{"lang": "en-GB", "name": "English"}]))
        page.goto(f"{live_server}/f/{AAM}?lang=ar")
        submit(page)
        no_voice = page.get_attribute("#heard-strings", "data-no-voice-label")
        button = page.locator(".heard-read-aloud").first
        assert button.is_disabled()  # still waiting for the voices to load
        page.evaluate("window.fakeSpeech.voicesChanged()")
        assert button.is_disabled() and button.get_attribute("aria-disabled") == "true"
        assert button.inner_text() == no_voice
        assert page.evaluate("window.fakeSpeech.spoken") == []
        # A browser that never says its voices have loaded: the button says so after a wait.
        page.clock.install()
        page.reload()
        button = page.locator(".heard-read-aloud").first
        assert button.is_disabled()
        page.clock.run_for(2100)
        assert button.inner_text() == no_voice and button.is_disabled()
        assert page.watch.problems == []


# 8. Screenshots ---------------------------------------------------------------------------


def test_screenshots_of_the_first_tile_page(browser, live_server, surveys):
    saved = []
    for lang in LANGUAGES:
        with browsing(browser) as page:
            start(page, live_server, AAM, surveys, lang)
            page.goto(f"{live_server}/f/{AAM}/pages/{TILE_PAGE}")
            page.check(f"#{TILE_PAGE}")  # one tile chosen, to show its tick
            for width in (1280, 320):
                page.set_viewport_size({"width": width, "height": 900})
                saved.append(screenshot(page, f"tile-page-{lang}-{width}"))
    assert len(saved) == 6
    for path in saved:
        assert path.exists() and path.stat().st_size > 0, path
