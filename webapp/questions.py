"""Rendering parameters for each question on a page: headings, symbols, layout."""

from typing import Any

from flask import url_for
from flask_wtf import FlaskForm

from forms.schema import Page, Question

HEADING_KINDS = frozenset({"symbol_tiles", "single_choice", "likert", "district"})
LABELLED_KINDS = frozenset({"short_text", "long_text", "picture", "setting"})


def is_heading(question: Question, page: Page) -> bool:
    """True when a question repeats the page title, so its legend becomes the page's h1
    and a screen reader hears the heading once, not twice."""
    return question.kind in HEADING_KINDS and question.label == page.title


def page_has_heading_question(page: Page) -> bool:
    """True when a question's legend will be the page's h1."""
    return any(is_heading(q, page) for q in page.questions)


def question_params(slug: str, page: Page, form: FlaskForm) -> dict[str, dict[str, Any]]:
    """GOV.UK macro parameters for each question, keyed by question id."""
    params: dict[str, dict[str, Any]] = {}
    for question in page.questions:
        if question.kind in LABELLED_KINDS:
            params[question.id] = {"label": {"classes": "govuk-label--m"}}
            continue
        if question.id not in form:  # a grid: its rows are rendered one by one
            params[question.id] = {}
            continue
        legend: dict[str, Any] = {
            "text": form[question.id].label.text,
            "classes": "govuk-fieldset__legend--m",
        }
        if is_heading(question, page):
            legend |= {"isPageHeading": True, "classes": "govuk-fieldset__legend--l"}
        params[question.id] = {"fieldset": {"legend": legend}}
        if question.kind == "symbol_tiles":
            params[question.id]["symbols"] = {
                o.id: url_for("symbols.symbol", slug=slug, option_id=o.id) for o in question.options
            }
    return params
