"""Coding a sample: one comment at a time, for one of its two coders.

A coder sees the comment and the codebook's themes, and nothing of the other coder's
choices. They may go back to a comment they have coded and change it, until both coders
have finished; then the coding is fixed.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from models.agreement import (
    AgreementSample,
    SecondCoder,
    codings,
    is_complete,
    save_coding,
    slot_for,
)
from models.coding import Comment, Theme
from webapp import db
from webapp.access import roles_required
from webapp.agreement_forms import NONE_OF_THESE, CodingForm, parse_number
from webapp.agreement_results import coding_themes
from webapp.staff_agreement import CODERS, bp, load_sample, record, to_sample


@bp.route("/<int:sample_id>/code", methods=["GET", "POST"])
@roles_required(*CODERS)
def code(sample_id: int) -> str | WerkzeugResponse:
    """One comment at a time for one of the sample's coders, with nothing of the other's."""
    sample = load_sample(sample_id)
    slot = slot_for(sample, current_user.id)
    if slot is None:
        abort(403)
    if is_complete(session=db.session(), sample=sample):
        flash("Both coders have finished, so the coding is fixed: each can now see the other’s.")
        return to_sample(sample)
    themes = coding_themes(sample)
    form = CodingForm()
    form.themes.choices = [SelectChoice(str(theme.id), theme.name) for theme, _hint in themes]
    form.themes.choices.append(SelectChoice(NONE_OF_THESE, "None of these themes"))
    mine = codings(session=db.session(), sample_id=sample.id, slot=slot)  # type: ignore[arg-type]
    comment_id = _comment_to_code(form, sample, slot, mine, themes)
    if comment_id is None:
        flash("You have coded every comment in this sample.", "success")
        return to_sample(sample)
    if form.validate_on_submit():
        return _save(form, sample, slot, comment_id)
    place = sample.comment_ids.index(comment_id)
    return render_template(
        "staff/agreement/code.html",
        form=form,
        sample=sample,
        comment=db.session().get(Comment, comment_id),
        number=place + 1,
        coded=len(mine),
        size=len(sample.comment_ids),
        previous=sample.comment_ids[place - 1] if place > 0 else None,
        item_params=[{"hint": {"text": hint}} if hint else {} for _theme, hint in themes],
        machine=sample.second == SecondCoder.MACHINE,
    )


def _comment_to_code(
    form: CodingForm,
    sample: AgreementSample,
    slot: int,
    mine: dict[int, list[int]],
    themes: list[tuple[Theme, str]],
) -> int | None:
    """The comment being coded, or None once every one is.

    A POST names its comment (400 if it is not in the sample). A GET asks for one, or gets
    the next still to code, with the coder's choices so far ticked.
    """
    if request.method == "POST":
        comment_id = parse_number(form.comment.data, whole=True)
        if comment_id not in sample.comment_ids:
            abort(400)
        assert isinstance(comment_id, int)
        return comment_id
    asked = request.args.get("comment", type=int)
    comment_id = asked if asked in sample.comment_ids else _next_uncoded(sample, slot)
    if comment_id is None:
        return None
    form.comment.data = str(comment_id)
    if comment_id in mine:
        shown = {str(theme.id) for theme, _hint in themes}
        form.themes.data = [str(i) for i in mine[comment_id] if str(i) in shown] or [NONE_OF_THESE]
    return comment_id


def _next_uncoded(sample: AgreementSample, slot: int) -> int | None:
    mine = codings(session=db.session(), sample_id=sample.id, slot=slot)  # type: ignore[arg-type]
    return next((c for c in sample.comment_ids if c not in mine), None)


def _save(
    form: CodingForm, sample: AgreementSample, slot: int, comment_id: int
) -> WerkzeugResponse:
    """Save the coder's themes for the comment, then go on to the next or to the results."""
    session = db.session()
    chosen = [int(value) for value in form.themes.data or [] if value != NONE_OF_THESE]
    save_coding(
        session=session,
        sample=sample,
        comment_id=comment_id,
        slot=slot,
        user_id=current_user.id,
        theme_ids=chosen,
    )
    following = _next_uncoded(sample, slot)
    if following is None:
        record("agreement.coder_finished", "agreement_sample", sample.id, slot=slot)
    session.commit()
    if following is not None:
        return redirect(url_for(".code", sample_id=sample.id))
    if is_complete(session=session, sample=sample):
        flash("You have coded every comment, and so has the other coder.", "success")
    else:
        flash(
            "You have coded every comment. The results appear here when the other "
            "coder has finished too.",
            "success",
        )
    return to_sample(sample)
