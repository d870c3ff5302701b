"""The review queue: people check the machine's coding, comment by comment, and it learns.

Each comment is shown redacted, with the themes the machine suggested, how sure it was and
the words that drove each suggestion. A reviewer accepts, rejects or adds themes and sets
the sentiment; every decision is kept with what the machine had said. After enough new
decisions (an organisation setting) the coder retrains in the background.

This module holds the blueprint, the queue and the coder's quality page. One comment's
page is in webapp/staff_review_comments.py, the bulk actions in webapp/staff_review_bulk.py
and the retraining in webapp/review_retraining.py.
"""

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlmodel import select

from analysis.sentiment import LABELS as SENTIMENTS
from forms.base import HeardForm
from models import Organisation, list_districts, list_form_versions
from models.agreement import hidden_from
from models.coding import (
    Codebook,
    Comment,
    Theme,
    get_active_codebook,
    get_codebook,
    get_comment,
    in_tree_order,
    latest_coder_model,
    list_themes,
)
from models.review import get_settings, human_themes, suggestions
from models.surveys import list_rounds
from webapp import db, review_queue
from webapp.access import roles_required
from webapp.review_queue import BANDS, REVIEWED, Filters, form_number
from webapp.review_retraining import new_decisions, retrains
from webapp.staff_analysis import ANALYSTS, RetrainForm

bp = Blueprint("review", __name__, url_prefix="/staff")
BULK_ACTIONS = {
    "accept": "Accept the machine's suggestions",
    "reject": "Reject the machine's suggestions",
    "add": "Add a theme",
}


class ReviewForm(HeardForm):
    """Only the CSRF token: themes and sentiment are checked against the codebook by hand."""


def load_codebook() -> Codebook:
    """The codebook in use by the signed-in person's organisation, or a 404."""
    found = get_active_codebook(session=db.session(), organisation_id=current_user.organisation_id)
    if found is None:
        abort(404)
    return found


def load_comment(comment_id: int) -> Comment:
    """The organisation's comment with this id, or a 404."""
    found = get_comment(
        session=db.session(), organisation_id=current_user.organisation_id, comment_id=comment_id
    )
    # A comment that raised a safeguarding concern is for the safeguarding lead alone.
    if found is None or found.flagged:
        abort(404)
    return found


def coding_blind(comment_ids: list[int]) -> set[int]:
    """Comments this person must not see coded yet: they are in a sample of theirs to code."""
    return hidden_from(
        session=db.session(),
        organisation_id=current_user.organisation_id,
        user_id=current_user.id,
        comment_ids=comment_ids,
    )


def form_numbers(name: str) -> list[int]:
    """The ids a form sent in one field, in order, leaving out anything else."""
    return [n for n in map(form_number, request.form.getlist(name)) if n is not None]


@bp.get("/review/")
@roles_required(*ANALYSTS)
def queue_page() -> str:
    """The comments to review, least sure first, with filters and bulk actions."""
    return render_queue()


def render_queue(errors: dict[str, str] | None = None, picked: dict[str, Any] | None = None) -> str:
    """The queue page, with any errors in a bulk action and what was chosen for it."""
    session = db.session()
    organisation_id = current_user.organisation_id
    codebook = get_active_codebook(session=session, organisation_id=organisation_id)
    filters = Filters.from_args(request.args)
    total = review_queue.count(session, organisation_id, filters)
    pages = max(1, -(-total // review_queue.PAGE_SIZE))
    # A page past the end (an old link, a shorter queue now) shows the last one.
    number = max(1, min(request.args.get("page", 1, type=int) or 1, pages))
    comments = review_queue.page(session, organisation_id, filters, number)
    themes = list_themes(session=session, codebook_id=codebook.id) if codebook else []  # type: ignore[arg-type]
    ids = [c.id for c in comments]
    return render_template(
        "staff/review/queue.html",
        codebook=codebook,
        comments=comments,
        total=total,
        number=number,
        pages=pages,
        filters=filters,
        options=_filter_options(themes),
        themes={t.id: t for t in themes},
        suggested=suggestions(session=session, comment_ids=ids),  # type: ignore[arg-type]
        coded=human_themes(session=session, comment_ids=ids),  # type: ignore[arg-type]
        hidden=coding_blind(ids),  # type: ignore[arg-type]
        bulk_actions=BULK_ACTIONS,
        errors=errors or {},
        picked=picked or {},
        page_has_errors=bool(errors),
        form=ReviewForm(),
    )


def _filter_options(themes: list[Theme]) -> dict[str, list[tuple[str, str]]]:
    session = db.session()
    organisation_id = current_user.organisation_id
    organisation = session.get(Organisation, organisation_id)
    rounds = list_rounds(session=session, organisation_id=organisation_id)
    # Each form once, by its title: a form has many rounds, and some comments none.
    titles: dict[str, str] = {}
    for version in list_form_versions(session=session):  # newest first
        titles.setdefault(version.slug, version.title)
    forms = sorted({r.form_slug for r in rounds} | set(titles))
    questions = sorted(
        session.exec(
            select(Comment.question_id).where(Comment.organisation_id == organisation_id).distinct()
        )
    )
    return {
        "round": [(str(r.id), r.name) for r in reversed(rounds)],
        "form": [(slug, titles.get(slug) or slug.replace("-", " ").capitalize()) for slug in forms],
        "question": [(q, q.replace("_", " ").replace("-", " ")) for q in questions],
        "district": [
            (str(d.id), d.name)
            for d in list_districts(session=session, organisation=organisation)  # type: ignore[arg-type]
        ],
        "theme": [(str(t.id), "- " * depth + t.name) for t, depth in in_tree_order(themes)],
        "band": [(key, label) for key, (label, _low, _high) in BANDS.items()],
        "sentiment": [(s, s.capitalize()) for s in SENTIMENTS],
        "reviewed": list(REVIEWED.items()),
    }


@bp.get("/codebooks/<int:codebook_id>/quality")
@roles_required(*ANALYSTS)
def quality(codebook_id: int) -> str:
    """How well the coder does on each theme, from cross-validation on human coding."""
    session = db.session()
    found = get_codebook(
        session=session, organisation_id=current_user.organisation_id, codebook_id=codebook_id
    )
    if found is None:
        abort(404)
    model = latest_coder_model(session=session, codebook=found)
    settings = get_settings(session=session, organisation_id=current_user.organisation_id)
    themes = list_themes(session=session, codebook_id=codebook_id)
    figures: dict[str, Any] = (model.details.get("quality") or {}) if model else {}
    rows = []
    by_id = {theme.id: theme for theme in themes}
    for theme, depth in in_tree_order(themes):
        measured = figures.get("themes", {}).get(theme.key)
        rows.append(
            {
                "theme": theme,
                "depth": depth,
                "parent": by_id.get(theme.parent_id),
                "figures": measured,
                "needs_examples": measured is None or measured["f1"] < settings.min_theme_f1,
            }
        )
    return render_template(
        "staff/review/quality.html",
        codebook=found,
        model=model,
        figures=figures,
        rows=rows,
        settings=settings,
        jobs=retrains(found)[:5],
        new_decisions=new_decisions(found),
        retrain_form=RetrainForm(),
    )


# The other pages add themselves to `bp`; they import it from here, so they come last.
from webapp import (  # noqa: E402
    staff_review_bulk,  # noqa: F401
    staff_review_comments,  # noqa: F401
)
