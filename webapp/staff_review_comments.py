"""One comment to review: its page, with the machine's suggestions and why, and saving it.

The page puts the suggested themes first, most confident first, with the words that drove
each one, and the decisions people made on the comment before. Saving records the
reviewer's themes and sentiment, then goes on to the next comment in the queue's order.
"""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.sentiment import LABELS as SENTIMENTS
from models import FormVersion, Response, list_users, record_event
from models.coding import Codebook, Comment, Theme, in_tree_order, list_themes
from models.review import decisions_for, human_themes, review_comment, suggestions
from models.surveys import SurveyRound
from webapp import coder_cache, db, review_queue
from webapp.access import roles_required
from webapp.action_evidence import MACHINE_CONFIDENCE as PRE_TICKED
from webapp.review_queue import Filters
from webapp.review_retraining import retrain_if_due
from webapp.staff_analysis import ANALYSTS
from webapp.staff_review import (
    ReviewForm,
    bp,
    coding_blind,
    form_numbers,
    load_codebook,
    load_comment,
)


@bp.get("/review/<int:comment_id>")
@roles_required(*ANALYSTS)
def comment(comment_id: int) -> str:
    """One comment to review."""
    return _comment_page(load_comment(comment_id), Filters.from_args(request.args))


def _comment_page(
    found: Comment,
    filters: Filters,
    errors: dict[str, str] | None = None,
    chosen: set[int] | None = None,
    sentiment: str | None = None,
) -> str:
    session = db.session()
    codebook = load_codebook()
    themes = list_themes(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    hidden = bool(coding_blind([found.id]))  # type: ignore[list-item]
    suggested = _suggested(found, _shown(themes, hidden))
    coded = set() if hidden else human_themes(session=session, comment_ids=[found.id])[found.id]  # type: ignore[list-item,index]
    if chosen is None:
        # Ticked to start with: what the coder would code it with, not every guess it made.
        likely = {t for t, confidence in suggested.items() if (confidence or 0) >= PRE_TICKED}
        chosen = coded if found.reviewed_at else coded | likely
    # Suggested themes come first, most confident first, so the number keys reach them.
    ordered = sorted(
        in_tree_order(themes),
        key=lambda pair: (pair[0].id not in suggested, -(suggested.get(pair[0].id) or 0)),  # type: ignore[arg-type]
    )
    return render_template(
        "staff/review/comment.html",
        comment=found,
        themes=ordered,
        parents={t.id: t for t in themes},
        suggested=suggested,
        words=_words(codebook, found) if suggested else {},
        chosen=chosen,
        sentiment=sentiment or found.sentiment,
        sentiments=SENTIMENTS,
        errors=errors or {},
        filters=filters,
        hidden=hidden,
        form=ReviewForm(),
        page_has_errors=bool(errors),
        **_neighbours(found, filters),
        **_earlier_decisions(codebook, found, hidden),
        **_source(found),
    )


def _shown(themes: list[Theme], hidden: bool) -> set[int]:
    """The themes whose suggestions the reviewer can see: none while coding blind."""
    return set() if hidden else {t.id for t in themes}  # type: ignore[misc]


def _suggested(found: Comment, shown: set[int]) -> dict[int, float | None]:
    """The machine's suggestions on the comment that the reviewer can see."""
    offered = suggestions(session=db.session(), comment_ids=[found.id])[found.id]  # type: ignore[list-item,index]
    return {theme_id: confidence for theme_id, confidence in offered.items() if theme_id in shown}


def _words(codebook: Codebook, found: Comment) -> dict[int, list[str]]:
    loaded = coder_cache.latest(db.session(), codebook)
    if loaded is None:
        return {}
    try:
        return loaded.explain(found.text_redacted)
    except Exception:  # an explanation is a help, never a reason the page fails
        return {}


def _neighbours(found: Comment, filters: Filters) -> dict[str, int | None]:
    """The comments before and after this one in the queue, for the page's links."""
    session, organisation_id = db.session(), current_user.organisation_id
    return {
        "previous_id": review_queue.previous_before(session, organisation_id, filters, found.id),  # type: ignore[arg-type]
        "next_id": review_queue.next_after(session, organisation_id, filters, found.id),  # type: ignore[arg-type]
    }


def _earlier_decisions(codebook: Codebook, found: Comment, hidden: bool) -> dict[str, Any]:
    """The decisions made on the comment (none while coding blind), and the names they need."""
    session = db.session()
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    users = list_users(session=session, organisation_id=current_user.organisation_id)
    return {
        "decisions": [] if hidden else decisions_for(session=session, comment_id=found.id),  # type: ignore[arg-type]
        "theme_names": {t.id: t.name for t in themes},
        "people": {u.id: u.full_name for u in users},
    }


def _source(found: Comment) -> dict[str, Any]:
    """The form version and survey round the comment's response came from, where known."""
    session = db.session()
    response = session.get(Response, found.response_id) if found.response_id else None
    version = session.get(FormVersion, response.form_version_id) if response else None
    survey_round = (
        session.get(SurveyRound, response.round_id) if response and response.round_id else None
    )
    return {"version": version, "survey_round": survey_round}


@bp.post("/review/<int:comment_id>")
@roles_required(*ANALYSTS)
def save(comment_id: int) -> str | WerkzeugResponse:
    """Record the reviewer's themes and sentiment, then go to the next comment."""
    session = db.session()
    found = load_comment(comment_id)
    codebook = load_codebook()
    filters = Filters.from_args(request.args)
    if not ReviewForm().validate_on_submit():
        abort(400)
    themes = list_themes(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    active = {t.id for t in themes}
    chosen = set(form_numbers("themes"))
    sentiment = request.form.get("sentiment", "")
    errors = _errors(chosen <= active, sentiment)
    if coding_blind([found.id]):  # type: ignore[list-item]
        flash("Code this comment in your double-coding sample first", "error")
        return redirect(url_for("agreement.index"))
    if errors:
        return _comment_page(found, filters, errors, chosen & active, sentiment or None)
    # Where to go next is worked out first: a review moves the comment in some orders.
    following = review_queue.next_after(session, current_user.organisation_id, filters, found.id)  # type: ignore[arg-type]
    decisions = review_comment(
        session=session,
        comment=found,
        theme_ids=chosen,
        sentiment=sentiment,
        user_id=current_user.id,
        scope=active,  # type: ignore[arg-type]
    )
    _audit("review.comment.coded", found, len(decisions))
    session.commit()
    retraining = retrain_if_due(codebook)
    message = (
        "Saved. The coder has started learning from the new decisions." if retraining else "Saved"
    )
    flash(message, "success")
    if following is None:
        return redirect(url_for(".queue_page", **filters.args()))
    return redirect(url_for(".comment", comment_id=following, **filters.args()))


def _errors(themes_known: bool, sentiment: str) -> dict[str, str]:
    """What is wrong with the themes and sentiment chosen, by field."""
    errors = {}
    if not themes_known:
        errors["themes"] = "Choose themes from this codebook"
    if sentiment not in SENTIMENTS:
        errors["sentiment"] = "Select the sentiment of the comment"
    return errors


def _audit(action: str, found: Comment, decisions: int) -> None:
    record_event(
        session=db.session(),
        action=action,
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
        object_type="comment",
        object_id=found.id,
        details={"decisions": decisions},
    )
