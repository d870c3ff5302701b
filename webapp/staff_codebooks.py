"""A codebook's themes for participation teams and officers: add, edit, merge and retire
them, see the history, and move the codebook in and out of files.

Every change is a new version of the codebook, kept with a snapshot of its themes, and an
audit event. A theme's key never changes once it is made, so the coder still knows it
after a rename; comments coded with a merged theme move to the theme it was merged into.

This module holds the blueprint, loading within the organisation's boundary, the audit
record, and the add-a-theme and activate pages. The other pages add themselves to `bp`:
editing a theme in webapp/staff_codebook_edits.py, merging and retiring in
webapp/staff_codebook_merges.py, the history, exports and imports in
webapp/staff_codebook_files.py.
"""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from werkzeug.wrappers import Response as WerkzeugResponse

from analysis.codebook_files import MAX_THEMES, example_lines, key_from_name, unique_key
from models import record_event
from models.coding import (
    Codebook,
    CommentTheme,
    Theme,
    activate_codebook,
    add_themes,
    get_codebook,
    get_theme,
    list_themes,
)
from models.review import ChangeKind, new_version
from webapp import db
from webapp.access import roles_required
from webapp.codebook_forms import ActivateForm, ThemeForm
from webapp.codebook_trees import codebook_tree, fits_in_tree, parent_choices
from webapp.staff_analysis import ANALYSTS

bp = Blueprint("codebooks", __name__, url_prefix="/staff/codebooks")
bp.add_app_template_global(codebook_tree, "codebook_tree")


# Loading, with the organisation's boundary


def org_id() -> int:
    """The signed-in person's organisation."""
    return int(current_user.organisation_id)


def load_codebook(codebook_id: int) -> Codebook:
    """One of the organisation's codebooks; not found if it is another's."""
    found = get_codebook(session=db.session(), organisation_id=org_id(), codebook_id=codebook_id)
    if found is None:
        abort(404)
    return found


def load_theme(codebook: Codebook, theme_id: int) -> Theme:
    """One of the codebook's themes; not found if it is another codebook's."""
    found = get_theme(session=db.session(), codebook=codebook, theme_id=theme_id)
    if found is None:
        abort(404)
    return found


def active_themes(codebook: Codebook) -> list[Theme]:
    """The codebook's themes in use."""
    return list_themes(session=db.session(), codebook_id=codebook.id)  # type: ignore[arg-type]


def codebook_page(codebook: Codebook) -> WerkzeugResponse:
    """Back to the codebook's page, where every change is made from."""
    return redirect(url_for("analysis.codebook", codebook_id=codebook.id))


def theme_in_use(codebook: Codebook, theme_id: int) -> Theme:
    """One of the codebook's themes in use; back to the codebook, saying why, if it is not."""
    theme = load_theme(codebook, theme_id)
    if not theme.active:
        flash(
            f"“{theme.name}” is no longer in use ({theme.status.value}), so it cannot be changed."
        )
        abort(codebook_page(codebook))
    return theme


def comments_with(theme_id: int) -> set[int]:
    """The ids of the comments coded with this theme."""
    query = select(CommentTheme.comment_id).where(CommentTheme.theme_id == theme_id)
    return set(db.session().exec(query))


def audit(codebook: Codebook, action: str, theme: Theme | None = None, **details: Any) -> None:
    """Write the audit event, to be committed with the change it records."""
    record_event(
        session=db.session(),
        action=action,
        actor_user_id=current_user.id,
        organisation_id=org_id(),
        object_type="codebook",
        object_id=codebook.id,
        details={"version": codebook.version, **({"theme": theme.id} if theme else {}), **details},
    )


def record(codebook: Codebook, action: str, theme: Theme | None = None, **details: Any) -> None:
    """Write the audit event and commit it with the change it records."""
    audit(codebook, action, theme, **details)
    db.session().commit()


# Adding a theme


def _new_key(session: Any, codebook: Codebook, name: str) -> str:
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    return unique_key(key_from_name(name), {t.key for t in themes})


def _save_new_theme(
    session: Any, codebook: Codebook, form: ThemeForm, parent: Theme | None
) -> Theme:
    """Add the form's theme under `parent` as the codebook's next version, and commit."""
    name = form.name.data or ""
    [theme] = add_themes(
        session=session,
        codebook=codebook,
        themes=[
            {
                "key": _new_key(session, codebook, name),
                "name": name,
                "parent": parent.key if parent else "",
                "description": form.description.data or "",
                "inclusion": form.inclusion.data or "",
                "exclusion": form.exclusion.data or "",
                "examples": example_lines(form.examples.data or ""),
                "outcome_area": form.outcome_area.data or "",
            }
        ],
    )
    new_version(
        session=session,
        codebook=codebook,
        kind=ChangeKind.CREATED,
        summary=f"Added “{name}”" + (f" to “{parent.name}”" if parent else ""),
        user_id=current_user.id,
        theme=theme,
    )
    record(codebook, "codebook.theme.added", theme, key=theme.key)
    return theme


def _add(codebook: Codebook, themes: list[Theme], form: ThemeForm) -> Theme | None:
    """The form's theme, added; or None, with the form saying why it cannot be."""
    session = db.session()
    # Someone else may add a theme at the same moment, taking the key this one would
    # have: the second try sees their theme, and picks another key or says why not.
    for _attempt in range(2):
        if len(themes) >= MAX_THEMES:
            form.name.errors = [
                f"A codebook can have at most {MAX_THEMES} themes, and this one has "
                f"{len(themes)} in use. Merge or retire a theme before adding another"
            ]
            return None
        fits, parent = fits_in_tree(form, themes, None)
        if not fits:
            return None
        try:
            return _save_new_theme(session, codebook, form, parent)
        except (IntegrityError, ValueError):  # the key was taken after it was chosen
            session.rollback()
            themes = active_themes(codebook)
    form.name.errors = [
        "Someone has just added a theme with this name. Check the codebook, then try again"
    ]
    return None


@bp.route("/<int:codebook_id>/themes/new", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def add_theme(codebook_id: int) -> str | WerkzeugResponse:
    """Add a theme, at the top level or under another."""
    codebook = load_codebook(codebook_id)
    themes = active_themes(codebook)
    form = ThemeForm()
    form.parent.choices = parent_choices(themes, None)
    if request.method == "GET" and request.args.get("parent", "").isdigit():
        form.parent.data = request.args["parent"]
    if form.validate_on_submit():
        theme = _add(codebook, themes, form)
        if theme is not None:
            flash(
                f"Added “{theme.name}”. The codebook is now version {codebook.version}.", "success"
            )
            return codebook_page(codebook)
    return render_template("staff/codebooks/theme_form.html", form=form, codebook=codebook)


# Activating


@bp.post("/<int:codebook_id>/activate")
@roles_required(*ANALYSTS)
def activate(codebook_id: int) -> WerkzeugResponse:
    """Code new comments against this codebook; the one in use until now is retired."""
    codebook = load_codebook(codebook_id)
    if not ActivateForm().validate_on_submit():
        abort(400)
    session = db.session()
    retired = activate_codebook(session=session, codebook=codebook)
    record(codebook, "codebook.activated", retired=[c.id for c in retired])
    flash(f"New comments are now coded against “{codebook.name}”", "success")
    return codebook_page(codebook)


# The other pages add themselves to `bp`; they import it from here, so they come last.
from webapp import (  # noqa: E402
    staff_codebook_edits,  # noqa: F401
    staff_codebook_files,  # noqa: F401
    staff_codebook_merges,  # noqa: F401
)
