"""Merging a theme into another, and retiring one: the two ways a theme stops being used.

A merged theme's comments move to the theme it was merged into; a retired theme's keep
their coding. Either way the themes under it move up, so the pages first check that they
fit where they would go (webapp/codebook_trees.py).
"""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from models.coding import Codebook, Theme, ThemeStatus
from models.review import ChangeKind, merge_theme, new_version
from webapp import db
from webapp.access import roles_required
from webapp.codebook_forms import MergeForm
from webapp.codebook_trees import merge_targets, move_clash, tree_choices
from webapp.staff_analysis import ANALYSTS
from webapp.staff_codebooks import (
    active_themes,
    bp,
    codebook_page,
    comments_with,
    load_codebook,
    record,
    theme_in_use,
)


@bp.route("/<int:codebook_id>/themes/<int:theme_id>/merge", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def merge(codebook_id: int, theme_id: int) -> str | WerkzeugResponse:
    """Choose the theme to merge this one into."""
    codebook = load_codebook(codebook_id)
    theme = theme_in_use(codebook, theme_id)
    targets = merge_targets(active_themes(codebook), theme)
    form = MergeForm()
    form.into.label.text = f"Merge “{theme.name}” into"
    form.into.choices = tree_choices(targets, SelectChoice("", "Select a theme"))
    # With nothing to merge into, the page shows no form, so there is nothing to check.
    if targets and form.validate_on_submit():
        if form.into.data not in {str(t.id) for t in targets}:
            form.into.errors = [
                f"“{theme.name}” cannot be merged into that theme. Choose one of the themes listed"
            ]
        else:
            return redirect(
                url_for(
                    ".confirm_merge",
                    codebook_id=codebook.id,
                    theme_id=theme.id,
                    target_id=int(form.into.data or 0),
                )
            )
    return render_template(
        "staff/codebooks/merge.html", form=form, codebook=codebook, theme=theme, targets=targets
    )


@bp.route("/<int:codebook_id>/themes/<int:theme_id>/merge/<int:target_id>", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def confirm_merge(codebook_id: int, theme_id: int, target_id: int) -> str | WerkzeugResponse:
    """Say how many comments will move, then merge."""
    codebook = load_codebook(codebook_id)
    theme = theme_in_use(codebook, theme_id)
    target = theme_in_use(codebook, target_id)
    themes = active_themes(codebook)
    if target.id not in {t.id for t in merge_targets(themes, theme)}:
        flash(
            f"“{theme.name}” cannot be merged into “{target.name}”: a theme cannot be merged "
            "into itself, or into a theme under it."
        )
        return redirect(url_for(".merge", codebook_id=codebook.id, theme_id=theme.id))
    moving = comments_with(theme.id)  # type: ignore[arg-type]
    both = moving & comments_with(target.id)  # type: ignore[arg-type]
    children = [t for t in themes if t.parent_id == theme.id]
    problem = move_clash(themes, children, target)
    form = FlaskForm()
    if problem is None and form.validate_on_submit():
        _merge(codebook, theme, target, len(moving))
        return codebook_page(codebook)
    return render_template(
        "staff/codebooks/confirm_merge.html",
        codebook=codebook,
        theme=theme,
        target=target,
        moving=len(moving),
        both=len(both),
        children=children,
        problem=problem,
        page_has_errors=problem is not None,
        confirm_form=form,
    )


def _merge(codebook: Codebook, theme: Theme, target: Theme, comments: int) -> None:
    """Merge the theme into `target` as the codebook's next version, and commit."""
    change = merge_theme(
        session=db.session(),
        codebook=codebook,
        source=theme,
        target=target,
        user_id=current_user.id,
    )
    record(
        codebook,
        "codebook.theme.merged",
        theme,
        into=target.id,
        comments=comments,
        codings_moved=change.details.get("codings_moved"),
    )
    flash(
        f"Merged “{theme.name}” into “{target.name}”. The codebook is now version "
        f"{codebook.version}.",
        "success",
    )


@bp.route("/<int:codebook_id>/themes/<int:theme_id>/retire", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def retire(codebook_id: int, theme_id: int) -> str | WerkzeugResponse:
    """Stop offering a theme. Its comments keep their coding; its children move up."""
    codebook = load_codebook(codebook_id)
    theme = theme_in_use(codebook, theme_id)
    themes = active_themes(codebook)
    by_id = {t.id: t for t in themes}
    parent = by_id.get(theme.parent_id)
    children = [t for t in themes if t.parent_id == theme.id]
    problem = move_clash([t for t in themes if t.id != theme.id], children, parent)
    coded = len(comments_with(theme.id))  # type: ignore[arg-type]
    form = FlaskForm()
    if problem is None and form.validate_on_submit():
        _retire(codebook, theme, parent, children, coded)
        return codebook_page(codebook)
    return render_template(
        "staff/codebooks/retire.html",
        codebook=codebook,
        theme=theme,
        parent=parent,
        children=children,
        coded=coded,
        problem=problem,
        page_has_errors=problem is not None,
        confirm_form=form,
    )


def _retire(
    codebook: Codebook, theme: Theme, parent: Theme | None, children: list[Theme], coded: int
) -> None:
    """Retire the theme, moving its `children` up to `parent`, as the next version; commit."""
    session = db.session()
    for child in children:
        child.parent_id = parent.id if parent else None
        session.add(child)
    theme.status = ThemeStatus.RETIRED
    session.add(theme)
    session.flush()
    new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.RETIRED,
        summary=f"Retired “{theme.name}”",
        user_id=current_user.id,
        theme=theme,
        details={"children_moved": [c.id for c in children], "comments": coded},
    )
    record(codebook, "codebook.theme.retired", theme, children_moved=len(children))
    flash(f"Retired “{theme.name}”. The codebook is now version {codebook.version}.", "success")
