"""The review queue: people check the machine's coding, comment by comment, and it learns.

Each comment is shown redacted, with the themes the machine suggested, how sure it was and
the words that drove each suggestion. A reviewer accepts, rejects or adds themes and sets
the sentiment; every decision is kept with what the machine had said. After enough new
decisions (an organisation setting) the coder retrains in the background.
"""

import logging
import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.sentiment import LABELS as SENTIMENTS
from forms.base import HeardForm
from models import (
    FormVersion,
    Organisation,
    Response,
    list_districts,
    list_users,
    record_event,
)
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
from models.jobs import Job, JobStatus, create_job, list_jobs, update_job
from models.review import (
    count_theme_decisions,
    decisions_for,
    get_settings,
    human_themes,
    review_comment,
    suggestions,
)
from models.surveys import SurveyRound, list_rounds
from webapp import coder_cache, db, review_queue
from webapp.access import roles_required
from webapp.queue import queue
from webapp.review_queue import BANDS, REVIEWED, Filters
from webapp.staff_analysis import ANALYSTS, RetrainForm
from webapp.wording import counted

log = logging.getLogger(__name__)
bp = Blueprint("review", __name__, url_prefix="/staff")
BULK_ACTIONS = {
    "accept": "Accept the machine's suggestions",
    "reject": "Reject the machine's suggestions",
    "add": "Add a theme",
}


class ReviewForm(HeardForm):
    """Only the CSRF token: themes and sentiment are checked against the codebook by hand."""


def _codebook() -> Codebook:
    found = get_active_codebook(session=db.session(), organisation_id=current_user.organisation_id)
    if found is None:
        abort(404)
    return found


def _comment(comment_id: int) -> Comment:
    found = get_comment(
        session=db.session(), organisation_id=current_user.organisation_id, comment_id=comment_id
    )
    # A comment that raised a safeguarding concern is for the safeguarding lead alone.
    if found is None or found.flagged:
        abort(404)
    return found


@bp.get("/review/")
@roles_required(*ANALYSTS)
def queue_page() -> str:
    """The comments to review, least sure first, with filters and bulk actions."""
    return _queue_page()


def _queue_page(errors: dict[str, str] | None = None, picked: dict[str, Any] | None = None) -> str:
    session = db.session()
    organisation_id = current_user.organisation_id
    codebook = get_active_codebook(session=session, organisation_id=organisation_id)
    filters = Filters.from_args(request.args)
    number = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    total = review_queue.count(session, organisation_id, filters)
    comments = review_queue.page(session, organisation_id, filters, number)
    themes = list_themes(session=session, codebook_id=codebook.id) if codebook else []  # type: ignore[arg-type]
    ids = [c.id for c in comments]
    return render_template(
        "staff/review/queue.html",
        codebook=codebook,
        comments=comments,
        total=total,
        number=number,
        pages=max(1, -(-total // review_queue.PAGE_SIZE)),
        filters=filters,
        options=_filter_options(themes),
        themes={t.id: t for t in themes},
        suggested=suggestions(session=session, comment_ids=ids),  # type: ignore[arg-type]
        coded=human_themes(session=session, comment_ids=ids),  # type: ignore[arg-type]
        hidden=_hidden(ids),  # type: ignore[arg-type]
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
    forms = sorted({(r.form_slug, r.name.rsplit(",", 1)[0]) for r in rounds})
    questions = sorted(
        session.exec(
            select(Comment.question_id).where(Comment.organisation_id == organisation_id).distinct()
        )
    )
    return {
        "round": [(str(r.id), r.name) for r in reversed(rounds)],
        "form": [(slug, slug.replace("-", " ").capitalize()) for slug, _name in forms],
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


@bp.get("/review/<int:comment_id>")
@roles_required(*ANALYSTS)
def comment(comment_id: int) -> str:
    """One comment to review."""
    return _comment_page(_comment(comment_id), Filters.from_args(request.args))


def _comment_page(
    found: Comment,
    filters: Filters,
    errors: dict[str, str] | None = None,
    chosen: set[int] | None = None,
    sentiment: str | None = None,
) -> str:
    session = db.session()
    codebook = _codebook()
    themes = list_themes(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    hidden = bool(_hidden([found.id]))  # type: ignore[list-item]
    shown = _shown(themes, hidden)
    suggested = {
        theme_id: confidence
        for theme_id, confidence in suggestions(session=session, comment_ids=[found.id])[  # type: ignore[list-item]
            found.id  # type: ignore[index]
        ].items()
        if theme_id in shown
    }
    coded = set() if hidden else human_themes(session=session, comment_ids=[found.id])[found.id]  # type: ignore[list-item,index]
    words = _words(codebook, found) if suggested else {}
    if chosen is None:
        chosen = coded if found.reviewed_at else coded | set(suggested)
    # Suggested themes come first, most confident first, so the number keys reach them.
    ordered = sorted(
        in_tree_order(themes),
        key=lambda pair: (pair[0].id not in suggested, -(suggested.get(pair[0].id) or 0)),  # type: ignore[arg-type]
    )
    response = session.get(Response, found.response_id) if found.response_id else None
    version = session.get(FormVersion, response.form_version_id) if response else None
    survey_round = (
        session.get(SurveyRound, response.round_id) if response and response.round_id else None
    )
    people = {
        u.id: u.full_name
        for u in list_users(session=session, organisation_id=current_user.organisation_id)
    }
    return render_template(
        "staff/review/comment.html",
        comment=found,
        themes=ordered,
        parents={t.id: t for t in themes},
        suggested=suggested,
        words=words,
        chosen=chosen,
        sentiment=sentiment or found.sentiment,
        sentiments=SENTIMENTS,
        errors=errors or {},
        filters=filters,
        previous_id=review_queue.previous_before(
            session,
            current_user.organisation_id,
            filters,
            found.id,  # type: ignore[arg-type]
        ),
        next_id=review_queue.next_after(session, current_user.organisation_id, filters, found.id),  # type: ignore[arg-type]
        decisions=[] if hidden else decisions_for(session=session, comment_id=found.id),  # type: ignore[arg-type]
        hidden=hidden,
        theme_names={
            t.id: t.name
            for t in list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
        },
        people=people,
        version=version,
        survey_round=survey_round,
        form=ReviewForm(),
        page_has_errors=bool(errors),
    )


def _hidden(comment_ids: list[int]) -> set[int]:
    """Comments this person must not see coded yet: they are in a sample of theirs to code."""
    return hidden_from(
        session=db.session(),
        organisation_id=current_user.organisation_id,
        user_id=current_user.id,
        comment_ids=comment_ids,
    )


def _shown(themes: list[Theme], hidden: bool) -> set[int]:
    """The themes whose suggestions the reviewer can see: none while coding blind."""
    return set() if hidden else {t.id for t in themes}  # type: ignore[misc]


def _words(codebook: Codebook, found: Comment) -> dict[int, list[str]]:
    loaded = coder_cache.latest(db.session(), codebook)
    if loaded is None:
        return {}
    try:
        return loaded.explain(found.text_redacted)
    except Exception:  # an explanation is a help, never a reason the page fails
        return {}


@bp.post("/review/<int:comment_id>")
@roles_required(*ANALYSTS)
def save(comment_id: int) -> str | WerkzeugResponse:
    """Record the reviewer's themes and sentiment, then go to the next comment."""
    session = db.session()
    found = _comment(comment_id)
    codebook = _codebook()
    filters = Filters.from_args(request.args)
    if not ReviewForm().validate_on_submit():
        abort(400)
    themes = list_themes(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    active = {t.id for t in themes}
    chosen = {int(v) for v in request.form.getlist("themes") if v.isdigit() and len(v) < 10}
    sentiment = request.form.get("sentiment", "")
    errors = {}
    if not chosen <= active:
        errors["themes"] = "Choose themes from this codebook"
    if sentiment not in SENTIMENTS:
        errors["sentiment"] = "Select the sentiment of the comment"
    if _hidden([found.id]):  # type: ignore[list-item]
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


@bp.post("/review/bulk")
@roles_required(*ANALYSTS)
def bulk() -> str | WerkzeugResponse:
    """Apply one decision to every selected comment."""
    session = db.session()
    codebook = _codebook()
    filters = Filters.from_args(request.args)
    back = redirect(url_for(".queue_page", **filters.args()))
    if not ReviewForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "")
    ids = [int(v) for v in request.form.getlist("comments") if v.isdigit() and len(v) < 10]
    active = {t.id for t in list_themes(session=session, codebook_id=codebook.id)}  # type: ignore[arg-type]
    theme_value = request.form.get("theme", "")
    theme_id = int(theme_value) if theme_value.isdigit() and len(theme_value) < 10 else None
    errors = {}
    if not ids:
        errors["comments"] = "Select at least one comment"
    if action not in BULK_ACTIONS:
        errors["action"] = "Select what to do with the selected comments"
    elif action == "add" and theme_id not in active:
        errors["theme"] = "Select the theme to add"
    if errors:
        # Shown again with what was chosen kept, and an error summary linking to each problem.
        return _queue_page(errors, {"comments": set(ids), "action": action, "theme": theme_value})
    comments = [c for c in (session.get(Comment, i) for i in ids) if c is not None]
    comments = [
        c for c in comments if c.organisation_id == current_user.organisation_id and not c.flagged
    ]
    # Comments waiting in this person's double-coding sample are coded there, blind, first.
    blind = _hidden([c.id for c in comments])  # type: ignore[misc]
    comments = [c for c in comments if c.id not in blind]
    ids = [c.id for c in comments]  # type: ignore[misc]
    suggested = suggestions(session=session, comment_ids=ids)
    coded = human_themes(session=session, comment_ids=ids)
    batch = uuid.uuid4().hex
    for found in comments:
        assert found.id is not None
        offered = {t for t in suggested[found.id] if t in active}
        if action == "accept":
            chosen = coded[found.id] | offered
        elif action == "reject":
            chosen = coded[found.id] - offered
        else:
            chosen = coded[found.id] | {theme_id}  # type: ignore[arg-type]
        review_comment(
            session=session,
            comment=found,
            theme_ids=chosen & active,
            sentiment=None,
            user_id=current_user.id,
            scope=active,  # type: ignore[arg-type]
            batch=batch,
        )
    record_event(
        session=session,
        action=f"review.bulk.{action}",
        actor_user_id=current_user.id,
        organisation_id=current_user.organisation_id,
        object_type="comment",
        details={"comments": len(comments), "batch": batch, "theme_id": theme_id},
    )
    session.commit()
    retrain_if_due(codebook)
    flash(
        f"{BULK_ACTIONS[action]}: done for {counted(len(comments), 'comment')}",
        "success",
    )
    return back


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


# -- learning -------------------------------------------------------------------------------


def _retrains(codebook: Codebook) -> list[Job]:
    """This codebook's retraining jobs, newest first."""
    jobs = list_jobs(
        session=db.session(), organisation_id=current_user.organisation_id, kind="retrain"
    )
    return [job for job in jobs if job.params.get("codebook_id") == codebook.id]


def new_decisions(codebook: Codebook) -> int:
    """Theme decisions made since the coder last started learning (or ever)."""
    session = db.session()
    model = latest_coder_model(session=session, codebook=codebook)
    retrains = _retrains(codebook)
    # Count from the last retrain's start, not its end: decisions made while it trained
    # were not in what it read. A retrain that failed resets the count too, so every save
    # after a failure does not start another.
    since = retrains[0].created_at if retrains else model.created_at if model else None
    return count_theme_decisions(session=session, codebook_id=codebook.id, since=since)  # type: ignore[arg-type]


def retrain_if_due(codebook: Codebook) -> bool:
    """Start retraining when enough new theme decisions have been made since the last one.

    Returns whether a retrain was started. Nothing starts while one is already waiting or
    running for this codebook.
    """
    session = db.session()
    organisation_id = current_user.organisation_id
    settings = get_settings(session=session, organisation_id=organisation_id)
    if new_decisions(codebook) < settings.retrain_after:
        return False
    if any(job.status in {JobStatus.QUEUED, JobStatus.RUNNING} for job in _retrains(codebook)):
        return False
    job = create_job(
        session=session,
        organisation_id=organisation_id,
        kind="retrain",
        params={"codebook_id": codebook.id, "reason": "decisions"},
        created_by_id=current_user.id,
    )
    session.commit()
    try:
        queue().enqueue(job)
    except Exception:
        # A queue that cannot take the job must not leave it "waiting" for ever, which
        # would stop every later automatic retrain; the review itself is already saved.
        log.exception("the retrain could not be queued", extra={"job_id": job.id})
        update_job(
            session=session,
            job=job,
            status=JobStatus.FAILED,
            message="The job could not be queued. Try “Retrain the coder” again later.",
        )
        session.commit()
        return False
    return True


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
        jobs=_retrains(found)[:5],
        new_decisions=new_decisions(found),
        retrain_form=RetrainForm(),
    )
