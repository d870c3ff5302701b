"""The queue's bulk actions: accept or reject the machine's suggestions, or add a theme.

One decision is applied to every selected comment, as one batch of decisions. Comments
that raised a safeguarding concern, or wait in the person's double-coding sample, are
left out.
"""

import uuid

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from models import record_event
from models.coding import Comment, list_themes
from models.review import human_themes, review_comment, suggestions
from webapp import db
from webapp.access import roles_required
from webapp.review_queue import Filters, form_number
from webapp.review_retraining import retrain_if_due
from webapp.staff_analysis import ANALYSTS
from webapp.staff_review import (
    BULK_ACTIONS,
    ReviewForm,
    bp,
    coding_blind,
    form_numbers,
    load_codebook,
    render_queue,
)
from webapp.wording import counted


@bp.post("/review/bulk")
@roles_required(*ANALYSTS)
def bulk() -> str | WerkzeugResponse:
    """Apply one decision to every selected comment."""
    session = db.session()
    codebook = load_codebook()
    filters = Filters.from_args(request.args)
    back = redirect(url_for(".queue_page", **filters.args()))
    if not ReviewForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "")
    ids = form_numbers("comments")
    active = {t.id for t in list_themes(session=session, codebook_id=codebook.id)}  # type: ignore[arg-type]
    theme_value = request.form.get("theme", "")
    theme_id = form_number(theme_value)
    errors = _errors(ids, action, theme_id in active)
    if errors:
        # Shown again with what was chosen kept, and an error summary linking to each problem.
        return render_queue(errors, {"comments": set(ids), "action": action, "theme": theme_value})
    comments = _reviewable(ids)
    batch = uuid.uuid4().hex
    _apply(comments, action, theme_id, active, batch)
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


def _errors(ids: list[int], action: str, theme_known: bool) -> dict[str, str]:
    """What is wrong with the comments, action and theme chosen, by field."""
    errors = {}
    if not ids:
        errors["comments"] = "Select at least one comment"
    if action not in BULK_ACTIONS:
        errors["action"] = "Select what to do with the selected comments"
    elif action == "add" and not theme_known:
        errors["theme"] = "Select the theme to add"
    return errors


def _reviewable(ids: list[int]) -> list[Comment]:
    """The chosen comments this person may review here, in the order chosen."""
    session = db.session()
    comments = [c for c in (session.get(Comment, i) for i in ids) if c is not None]
    comments = [
        c for c in comments if c.organisation_id == current_user.organisation_id and not c.flagged
    ]
    # Comments waiting in this person's double-coding sample are coded there, blind, first.
    blind = coding_blind([c.id for c in comments])  # type: ignore[misc]
    return [c for c in comments if c.id not in blind]


def _apply(
    comments: list[Comment],
    action: str,
    theme_id: int | None,
    active: set[int | None],
    batch: str,
) -> None:
    """Review each comment with the action, as one batch, within the codebook's themes."""
    session = db.session()
    ids: list[int] = [c.id for c in comments]  # type: ignore[misc]
    suggested = suggestions(session=session, comment_ids=ids)
    coded = human_themes(session=session, comment_ids=ids)
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
