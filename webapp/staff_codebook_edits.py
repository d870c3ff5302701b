"""Editing a theme: its name, its place in the tree, its notes, examples and outcome area.

A rename and the other changes are separate entries in the theme's history; a save that
changes nothing makes no new version. A save over someone else's newer save is caught
(webapp/edit_stamps.py).
"""

from typing import Any

from flask import flash, render_template
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.codebook_files import example_lines
from models.coding import Codebook, Theme
from models.review import ChangeKind, new_version, rename_theme
from webapp import codebook_imports as files
from webapp import db, edit_stamps
from webapp.access import roles_required
from webapp.codebook_forms import ThemeForm, examples_text
from webapp.codebook_trees import fits_in_tree, parent_choices
from webapp.staff_analysis import ANALYSTS
from webapp.staff_codebooks import (
    active_themes,
    audit,
    bp,
    codebook_page,
    load_codebook,
    record,
    theme_in_use,
)

#: What the edit page can change besides the name, by the names codebook_imports uses.
EDITABLE = ("parent_key", "description", "inclusion", "exclusion", "examples", "outcome_area")


@bp.route("/<int:codebook_id>/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def edit_theme(codebook_id: int, theme_id: int) -> str | WerkzeugResponse:
    """Change a theme's name, place, notes, examples or outcome area."""
    codebook = load_codebook(codebook_id)
    # Two saves of this theme take turns. Only the theme is held, not the codebook: every
    # codebook writer changes its themes first and the codebook's version last, and taking
    # the two in the same order means two saves can wait for each other but never deadlock.
    edit_stamps.hold(theme_in_use(codebook, theme_id))
    theme = theme_in_use(codebook, theme_id)  # as it is once any other save has finished
    themes = active_themes(codebook)
    form = _theme_form(theme, themes)
    edited = _edited(form, theme, themes)
    saved, overtaken = edit_stamps.check(form.stamp, edited)
    valid = form.validate_on_submit()
    if form.is_submitted():
        # The tree's checks run even when others failed, so every problem shows at once,
        # and after a conflict too, so a second save meets no new errors.
        fits, parent = fits_in_tree(form, themes, theme)
        if valid and fits and not overtaken:
            _save(codebook, theme, themes, form, parent)
            return codebook_page(codebook)
    edit_stamps.release()
    shown = edit_stamps.flag(form.stamp, saved, edited) if overtaken else None
    return render_template(
        "staff/codebooks/theme_form.html",
        form=form,
        codebook=codebook,
        theme=theme,
        overtaken=shown,
    )


def _theme_form(theme: Theme, themes: list[Theme]) -> ThemeForm:
    """The edit form, filled in with the theme as it is."""
    parent_ids = {t.id for t in themes}
    form = ThemeForm(
        data={
            "name": theme.name,
            "parent": str(theme.parent_id) if theme.parent_id in parent_ids else "",
            "description": theme.description,
            "inclusion": theme.inclusion,
            "exclusion": theme.exclusion,
            "examples": examples_text(theme.examples),
            "outcome_area": theme.outcome_area,
        }
    )
    form.parent.choices = parent_choices(themes, theme)
    return form


def _edited(form: ThemeForm, theme: Theme, themes: list[Theme]) -> edit_stamps.Edited:
    """Everything the theme's edit page changes, as saved now, and as people read it."""
    names = {t.id: t.name for t in themes}
    return [
        (form.name.label.text, theme.name, theme.name),
        (form.parent.label.text, theme.parent_id, names.get(theme.parent_id, "")),
        (form.description.label.text, theme.description, theme.description),
        (form.inclusion.label.text, theme.inclusion, theme.inclusion),
        (form.exclusion.label.text, theme.exclusion, theme.exclusion),
        (form.examples.label.text, theme.examples, "\n".join(theme.examples)),
        (form.outcome_area.label.text, theme.outcome_area, theme.outcome_area),
    ]


def _current(theme: Theme, themes: list[Theme]) -> dict[str, Any]:
    """The theme's editable values, as `files.FIELDS` names them."""
    parents = {t.id: t for t in themes}
    return {
        "parent_key": parents[theme.parent_id].key if theme.parent_id in parents else "",
        "description": theme.description,
        "inclusion": theme.inclusion,
        "exclusion": theme.exclusion,
        "examples": list(theme.examples),
        "outcome_area": theme.outcome_area,
    }


def _wanted(
    form: ThemeForm, theme: Theme, before: dict[str, Any], parent: Theme | None
) -> dict[str, Any]:
    """The editable values the form asks for, named as `_current` names them."""
    examples = form.examples.data or ""
    return {
        "parent_key": parent.key if parent else "",
        "description": form.description.data or "",
        "inclusion": form.inclusion.data or "",
        "exclusion": form.exclusion.data or "",
        # Examples typed on one line each; ones read from a file may have several.
        "examples": before["examples"]
        if examples == examples_text(theme.examples)
        else example_lines(examples),
        "outcome_area": form.outcome_area.data or "",
    }


def _save(
    codebook: Codebook, theme: Theme, themes: list[Theme], form: ThemeForm, parent: Theme | None
) -> None:
    """Rename the theme and change the rest as the form says, commit, and say what was saved."""
    before = _current(theme, themes)
    after = _wanted(form, theme, before, parent)
    old_name, name = theme.name, form.name.data or ""
    renamed = rename_theme(
        session=db.session(), codebook=codebook, theme=theme, name=name, user_id=current_user.id
    )
    if renamed:
        audit(codebook, "codebook.theme.renamed", theme, **{"from": old_name, "to": name})
    changed = [field for field in EDITABLE if before[field] != after[field]]
    if changed:
        _change(codebook, theme, parent, before, after, changed)
    else:
        db.session().commit()
    if renamed or changed:
        flash(f"Saved “{name}”. The codebook is now version {codebook.version}.", "success")
    else:
        flash("Nothing was changed.")


def _change(
    codebook: Codebook,
    theme: Theme,
    parent: Theme | None,
    before: dict[str, Any],
    after: dict[str, Any],
    changed: list[str],
) -> None:
    """Give the theme the `changed` values as the codebook's next version, and commit."""
    session = db.session()
    theme.parent_id = parent.id if parent else None
    theme.description = after["description"]
    theme.inclusion = after["inclusion"]
    theme.exclusion = after["exclusion"]
    theme.examples = after["examples"]
    theme.outcome_area = after["outcome_area"]
    session.add(theme)
    session.flush()
    listed = ", ".join(files.FIELDS[field] for field in changed)
    new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.EDITED,
        summary=f"Changed “{theme.name}”: {listed}",
        user_id=current_user.id,
        theme=theme,
        details={"fields": changed, "before": {f: before[f] for f in changed}},
    )
    record(codebook, "codebook.theme.edited", theme, fields=changed)
