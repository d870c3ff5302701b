"""A codebook's themes for participation teams and officers: add, edit, merge and retire
them, see the history, and move the codebook in and out of files.

Every change is a new version of the codebook, kept with a snapshot of its themes, and an
audit event. A theme's key never changes once it is made, so the coder still knows it
after a rename; comments coded with a merged theme move to the theme it was merged into.
"""

import base64
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from analysis.codebook_files import (
    MAX_DEPTH,
    MAX_DESCRIPTION,
    MAX_EXAMPLES,
    MAX_NAME,
    MAX_NOTE,
    MAX_THEMES,
    OUTCOME_AREAS,
    CodebookFile,
    CodebookFileError,
    clean,
    example_lines,
    example_problem,
    key_from_name,
    one_line,
    same_name,
    unique_key,
)
from forms.base import HeardForm
from forms.widgets import GovFileInput, GovSelect, GovTextArea, GovTextInput
from models import list_users, record_event
from models.coding import (
    Codebook,
    CommentTheme,
    Theme,
    ThemeStatus,
    activate_codebook,
    add_themes,
    get_codebook,
    get_theme,
    in_tree_order,
    list_themes,
)
from models.review import ChangeKind, history, merge_theme, new_version, rename_theme
from webapp import codebook_imports as files
from webapp import db, edit_stamps
from webapp.access import roles_required
from webapp.extensions import export_limit
from webapp.staff_analysis import ANALYSTS
from webapp.wording import counted

bp = Blueprint("codebooks", __name__, url_prefix="/staff/codebooks")
#: How long a checked file may wait for its confirmation.
CHECK_LIFETIME = 60 * 60
#: What the edit page can change besides the name, by the names codebook_imports uses.
EDITABLE = ("parent_key", "description", "inclusion", "exclusion", "examples", "outcome_area")


@bp.app_template_global("codebook_tree")
def codebook_tree(themes: list[Theme]) -> list[tuple[Theme, int, Theme | None]]:
    """Themes in tree order, each with its depth and the theme it is part of (if shown)."""
    by_id = {theme.id: theme for theme in themes}
    return [(theme, depth, by_id.get(theme.parent_id)) for theme, depth in in_tree_order(themes)]


# Forms


def _words(subject: str) -> Any:
    def check(_form: Any, field: Any) -> None:
        found = files.uses_words_to_avoid(subject, field.data or "")
        if found:
            raise ValidationError(found[0])

    return check


def _examples_text(examples: list[str]) -> str:
    return "\n".join(" ".join(example.split()) for example in examples)


def _check_examples(_form: Any, field: Any) -> None:
    problem = example_problem(example_lines(field.data))
    if problem:
        raise ValidationError(problem)


def _known_area(_form: Any, field: Any) -> None:
    if field.data not in OUTCOME_AREAS:
        raise ValidationError("Select an outcome area from the list, or none")


def _notes(label: str, hint: str, limit: int, subject: str) -> TextAreaField:
    return TextAreaField(
        f"{label} (optional)",
        description=hint,
        widget=GovTextArea(),
        filters=[clean],
        validators=[
            Length(max=limit, message=f"{label} must be {limit} characters or fewer"),
            _words(subject),
        ],
    )


class ThemeForm(HeardForm):
    stamp = HiddenField()  # what the edit page showed (webapp/edit_stamps.py)
    name = StringField(
        "Theme name",
        description="A few words, in the terms children, young people and families use.",
        widget=GovTextInput(),
        filters=[one_line],
        validators=[
            DataRequired(message="Enter a theme name"),
            Length(max=MAX_NAME, message=f"Theme name must be {MAX_NAME} characters or fewer"),
            _words("Theme name"),
        ],
    )
    parent = SelectField(
        "Part of (optional)",
        description="Put this theme under a broader one, or leave it at the top level.",
        widget=GovSelect(),
        # Checked by the page, which says why a theme cannot go under another.
        validate_choice=False,
        validators=[Optional()],
    )
    description = _notes(
        "Description", "What the theme is about.", MAX_DESCRIPTION, "The description"
    )
    inclusion = _notes(
        "Use when",
        "What a comment says when this theme fits it.",
        MAX_NOTE,
        "The “use when” note",
    )
    exclusion = _notes(
        "Do not use when",
        "Comments that look like this theme but belong to another.",
        MAX_NOTE,
        "The “do not use when” note",
    )
    examples = TextAreaField(
        "Example comments (optional)",
        description=f"One comment a line, in the writer’s own words. Up to {MAX_EXAMPLES}.",
        widget=GovTextArea(),
        filters=[clean],
        validators=[_check_examples],
    )
    outcome_area = SelectField(
        "Outcome area (optional)",
        choices=[SelectChoice("", "None"), *[SelectChoice(a, a) for a in OUTCOME_AREAS]],
        widget=GovSelect(),
        validate_choice=False,
        validators=[Optional(), _known_area],
    )


class MergeForm(HeardForm):
    into = SelectField(
        "Merge into",
        description="Its comments will be coded with this theme instead.",
        widget=GovSelect(),
        validate_choice=False,
        validators=[DataRequired(message="Select the theme to merge it into")],
    )


class ImportForm(HeardForm):
    file = FileField(
        "Codebook file",
        description=(
            "A CSV file saved as UTF-8, or a REFI-QDA codebook (.qdc) from NVivo, ATLAS.ti, "
            "MAXQDA or QualCoder. It must be smaller than 1MB."
        ),
        widget=GovFileInput(),
        validators=[DataRequired(message="Select a CSV or .qdc file")],
    )


class NewImportForm(ImportForm):
    name = StringField(
        "Codebook name (optional)",
        description="Leave this empty to use the name in the file, or the file’s own name.",
        widget=GovTextInput(),
        filters=[one_line],
        validators=[
            Length(max=MAX_NAME, message=f"Codebook name must be {MAX_NAME} characters or fewer"),
            _words("Codebook name"),
        ],
    )


# Loading, with the organisation's boundary


def org_id() -> int:
    """The signed-in person's organisation."""
    return int(current_user.organisation_id)


def load_codebook(codebook_id: int) -> Codebook:
    found = get_codebook(session=db.session(), organisation_id=org_id(), codebook_id=codebook_id)
    if found is None:
        abort(404)
    return found


def load_theme(codebook: Codebook, theme_id: int) -> Theme:
    found = get_theme(session=db.session(), codebook=codebook, theme_id=theme_id)
    if found is None:
        abort(404)
    return found


def _active(codebook: Codebook) -> list[Theme]:
    return list_themes(session=db.session(), codebook_id=codebook.id)  # type: ignore[arg-type]


def _codebook_page(codebook: Codebook) -> WerkzeugResponse:
    return redirect(url_for("analysis.codebook", codebook_id=codebook.id))


def theme_in_use(codebook: Codebook, theme_id: int) -> Theme:
    """One of the codebook's themes in use; back to the codebook, saying why, if it is not."""
    theme = load_theme(codebook, theme_id)
    if not theme.active:
        flash(
            f"“{theme.name}” is no longer in use ({theme.status.value}), so it cannot be changed."
        )
        abort(_codebook_page(codebook))
    return theme


def _record(codebook: Codebook, action: str, theme: Theme | None = None, **details: Any) -> None:
    """Write the audit event and commit it with the change it records."""
    session = db.session()
    record_event(
        session=session,
        action=action,
        actor_user_id=current_user.id,
        organisation_id=org_id(),
        object_type="codebook",
        object_id=codebook.id,
        details={"version": codebook.version, **({"theme": theme.id} if theme else {}), **details},
    )
    session.commit()


# The shape of the tree


def _under(themes: list[Theme], theme_id: int) -> set[int]:
    """The ids of every theme under this one, however deep."""
    children: dict[int | None, list[int]] = {}
    for theme in themes:
        children.setdefault(theme.parent_id, []).append(theme.id)  # type: ignore[arg-type]
    found: set[int] = set()
    waiting = list(children.get(theme_id, []))
    while waiting:
        child = waiting.pop()
        if child not in found:
            found.add(child)
            waiting.extend(children.get(child, []))
    return found


def _levels(themes: list[Theme]) -> dict[int, int]:
    """How many levels deep each theme is: 1 at the top level."""
    return {theme.id: depth + 1 for theme, depth in in_tree_order(themes)}  # type: ignore[misc]


def _height(themes: list[Theme], theme_id: int) -> int:
    """How many levels a theme and the themes under it take up: 1 if none are under it."""
    children: dict[int | None, list[int]] = {}
    for theme in themes:
        children.setdefault(theme.parent_id, []).append(theme.id)  # type: ignore[arg-type]
    height, level, seen = 0, [theme_id], set()
    while level:
        height += 1
        seen.update(level)
        level = [child for t in level for child in children.get(t, []) if child not in seen]
    return height


def _too_deep(
    themes: list[Theme], parent: Theme | None, moving: list[tuple[str, int]]
) -> str | None:
    """Why themes cannot all go under `parent`: the tree would be more than MAX_DEPTH levels
    deep. `moving` has each theme's name and how many levels it and the themes under it
    take up."""
    above = _levels(themes).get(parent.id, 0) if parent else 0  # type: ignore[arg-type]
    for name, height in moving:
        deepest = above + height
        if deepest <= MAX_DEPTH:
            continue
        if parent is not None and height == 1:
            return (
                f"A theme can be at most {MAX_DEPTH} levels deep, and “{parent.name}” is "
                f"already {above} levels deep"
            )
        where = _where(parent)
        return (
            f"A theme can be at most {MAX_DEPTH} levels deep. {where[:1].upper()}{where[1:]}, "
            f"“{name}” and the themes under it would go {deepest} levels deep"
        )
    return None


def _tree_choices(themes: list[Theme], first: SelectChoice) -> list[SelectChoice]:
    return [first] + [
        SelectChoice(str(theme.id), "\N{EN DASH} " * depth + theme.name)
        for theme, depth in in_tree_order(themes)
    ]


def _parent_choices(themes: list[Theme], theme: Theme | None) -> list[SelectChoice]:
    """Every theme this one could go under: not itself, nor one already under it."""
    barred = {theme.id} | _under(themes, theme.id) if theme else set()  # type: ignore[arg-type]
    return _tree_choices(
        [t for t in themes if t.id not in barred], SelectChoice("", "None: a top-level theme")
    )


def _clash(
    themes: list[Theme], name: str, parent_id: int | None, *, besides: set[int]
) -> Theme | None:
    """A theme in use with this name under the same parent (ignoring case), if there is one."""
    wanted = same_name(name)
    for theme in themes:
        if (
            theme.parent_id == parent_id
            and same_name(theme.name) == wanted
            and theme.id not in besides
        ):
            return theme
    return None


def _where(parent: Theme | None) -> str:
    return f"in “{parent.name}”" if parent else "at the top level"


def _chosen_parent(form: ThemeForm, themes: list[Theme], theme: Theme | None) -> Theme | None:
    """The parent the form chose, with an error on the form if it cannot be."""
    chosen = form.parent.data or ""
    if not chosen:
        return None
    by_id = {str(t.id): t for t in themes}
    parent = by_id.get(chosen)
    if parent is None:
        form.parent.errors = ["Select a theme from the list, or none"]
    elif theme is not None and parent.id == theme.id:
        form.parent.errors = ["A theme cannot be part of itself. Select another theme, or none"]
    elif theme is not None and parent.id in _under(themes, theme.id):  # type: ignore[arg-type]
        form.parent.errors = [
            f"“{theme.name}” cannot be part of “{parent.name}”, because “{parent.name}” is "
            f"part of “{theme.name}”. Select another theme, or none"
        ]
    else:
        height = _height(themes, theme.id) if theme is not None else 1  # type: ignore[arg-type]
        too_deep = _too_deep(themes, parent, [(form.name.data or "", height)])
        if too_deep:
            form.parent.errors = [f"{too_deep}. Select a theme higher up, or none"]
    return parent


def _fits(form: ThemeForm, themes: list[Theme], theme: Theme | None) -> tuple[bool, Theme | None]:
    """Whether the theme fits in the tree where the form puts it (if not, the form says why),
    and the parent it goes under."""
    parent = _chosen_parent(form, themes, theme)
    if form.parent.errors:
        return False, None
    parent_id = parent.id if parent else None
    besides = {theme.id} if theme else set()
    if _clash(themes, form.name.data or "", parent_id, besides=besides):  # type: ignore[arg-type]
        form.name.errors = [
            f"There is already a theme called “{form.name.data}” {_where(parent)}. "
            "Enter a different name, or merge the two themes"
        ]
        return False, None
    return True, parent


def _new_key(session: Any, codebook: Codebook, name: str) -> str:
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    return unique_key(key_from_name(name), {t.key for t in themes})


# Themes


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
    _record(codebook, "codebook.theme.added", theme, key=theme.key)
    return theme


@bp.route("/<int:codebook_id>/themes/new", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def add_theme(codebook_id: int) -> str | WerkzeugResponse:
    """Add a theme, at the top level or under another."""
    session = db.session()
    codebook = load_codebook(codebook_id)
    themes = _active(codebook)
    form = ThemeForm()
    form.parent.choices = _parent_choices(themes, None)
    if request.method == "GET" and request.args.get("parent", "").isdigit():
        form.parent.data = request.args["parent"]
    if form.validate_on_submit():
        # Someone else may add a theme at the same moment, taking the key this one would
        # have: the second try sees their theme, and picks another key or says why not.
        for _attempt in range(2):
            if len(themes) >= MAX_THEMES:
                form.name.errors = [
                    f"A codebook can have at most {MAX_THEMES} themes, and this one has "
                    f"{len(themes)} in use. Merge or retire a theme before adding another"
                ]
                break
            fits, parent = _fits(form, themes, None)
            if not fits:
                break
            try:
                theme = _save_new_theme(session, codebook, form, parent)
            except (IntegrityError, ValueError):  # the key was taken after it was chosen
                session.rollback()
                themes = _active(codebook)
                continue
            flash(
                f"Added “{theme.name}”. The codebook is now version {codebook.version}.", "success"
            )
            return _codebook_page(codebook)
        else:
            form.name.errors = [
                "Someone has just added a theme with this name. Check the codebook, then try again"
            ]
    return render_template("staff/codebooks/theme_form.html", form=form, codebook=codebook)


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


@bp.route("/<int:codebook_id>/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def edit_theme(codebook_id: int, theme_id: int) -> str | WerkzeugResponse:
    """Change a theme's name, place, notes, examples or outcome area."""
    session = db.session()
    codebook = load_codebook(codebook_id)
    theme = theme_in_use(codebook, theme_id)
    themes = _active(codebook)
    parent_ids = {t.id for t in themes}
    form = ThemeForm(
        data={
            "name": theme.name,
            "parent": str(theme.parent_id) if theme.parent_id in parent_ids else "",
            "description": theme.description,
            "inclusion": theme.inclusion,
            "exclusion": theme.exclusion,
            "examples": _examples_text(theme.examples),
            "outcome_area": theme.outcome_area,
        }
    )
    form.parent.choices = _parent_choices(themes, theme)
    edited = _edited(form, theme, themes)
    saved, overtaken = edit_stamps.check(form.stamp, edited)
    if form.validate_on_submit():
        # The checks run either way, so a second save meets no new errors.
        fits, parent = _fits(form, themes, theme)
        if fits and not overtaken:
            before = _current(theme, themes)
            examples = form.examples.data or ""
            after: dict[str, Any] = {
                "parent_key": parent.key if parent else "",
                "description": form.description.data or "",
                "inclusion": form.inclusion.data or "",
                "exclusion": form.exclusion.data or "",
                # Examples typed on one line each; ones read from a file may have several.
                "examples": before["examples"]
                if examples == _examples_text(theme.examples)
                else example_lines(examples),
                "outcome_area": form.outcome_area.data or "",
            }
            old_name, name = theme.name, form.name.data or ""
            renamed = rename_theme(
                session=session, codebook=codebook, theme=theme, name=name, user_id=current_user.id
            )
            if renamed:
                record_event(
                    session=session,
                    action="codebook.theme.renamed",
                    actor_user_id=current_user.id,
                    organisation_id=org_id(),
                    object_type="codebook",
                    object_id=codebook.id,
                    details={
                        "version": codebook.version,
                        "theme": theme.id,
                        "from": old_name,
                        "to": name,
                    },
                )
            changed = [field for field in EDITABLE if before[field] != after[field]]
            if changed:
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
                    summary=f"Changed “{name}”: {listed}",
                    user_id=current_user.id,
                    theme=theme,
                    details={"fields": changed, "before": {f: before[f] for f in changed}},
                )
                _record(codebook, "codebook.theme.edited", theme, fields=changed)
            else:
                session.commit()
            if renamed or changed:
                flash(f"Saved “{name}”. The codebook is now version {codebook.version}.", "success")
            else:
                flash("Nothing was changed.")
            return _codebook_page(codebook)
    shown = edit_stamps.flag(form.stamp, saved, edited) if overtaken else None
    return render_template(
        "staff/codebooks/theme_form.html",
        form=form,
        codebook=codebook,
        theme=theme,
        overtaken=shown,
    )


def _edited(form: ThemeForm, theme: Theme, themes: list[Theme]) -> edit_stamps.Edited:
    """Everything the theme's edit page changes, as saved now, and as people read it."""
    names = {t.id: t.name for t in themes}
    return [
        (form.name.label.text, theme.name, theme.name),
        (form.parent.label.text, theme.parent_id, names.get(theme.parent_id, "")),  # type: ignore[arg-type]
        (form.description.label.text, theme.description, theme.description),
        (form.inclusion.label.text, theme.inclusion, theme.inclusion),
        (form.exclusion.label.text, theme.exclusion, theme.exclusion),
        (form.examples.label.text, theme.examples, "\n".join(theme.examples)),
        (form.outcome_area.label.text, theme.outcome_area, theme.outcome_area),
    ]


def _merge_targets(themes: list[Theme], theme: Theme) -> list[Theme]:
    """The themes this one can be merged into: not itself, nor one under it."""
    barred = {theme.id} | _under(themes, theme.id)  # type: ignore[arg-type]
    return [t for t in themes if t.id not in barred]


def _move_clash(themes: list[Theme], moving: list[Theme], parent: Theme | None) -> str | None:
    """Why these themes cannot all move under `parent`: a name that is there already, or a
    tree that would be too deep."""
    too_deep = _too_deep(themes, parent, [(t.name, _height(themes, t.id)) for t in moving])  # type: ignore[arg-type]
    if too_deep:
        return f"{too_deep}. Choose a theme higher up, or move some of the themes first"
    parent_id = parent.id if parent else None
    for child in moving:
        besides = {t.id for t in moving}
        if _clash(themes, child.name, parent_id, besides=besides):  # type: ignore[arg-type]
            return (
                f"There is already a theme called “{child.name}” {_where(parent)}, and "
                f"“{child.name}” would move there. Rename or merge one of them first"
            )
    return None


@bp.route("/<int:codebook_id>/themes/<int:theme_id>/merge", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def merge(codebook_id: int, theme_id: int) -> str | WerkzeugResponse:
    """Choose the theme to merge this one into."""
    codebook = load_codebook(codebook_id)
    theme = theme_in_use(codebook, theme_id)
    themes = _active(codebook)
    targets = _merge_targets(themes, theme)
    form = MergeForm()
    form.into.label.text = f"Merge “{theme.name}” into"
    form.into.choices = _tree_choices(targets, SelectChoice("", "Select a theme"))
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


def _comments_with(theme_id: int) -> set[int]:
    query = select(CommentTheme.comment_id).where(CommentTheme.theme_id == theme_id)
    return set(db.session().exec(query))


@bp.route("/<int:codebook_id>/themes/<int:theme_id>/merge/<int:target_id>", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def confirm_merge(codebook_id: int, theme_id: int, target_id: int) -> str | WerkzeugResponse:
    """Say how many comments will move, then merge."""
    session = db.session()
    codebook = load_codebook(codebook_id)
    theme = theme_in_use(codebook, theme_id)
    target = theme_in_use(codebook, target_id)
    themes = _active(codebook)
    if target.id not in {t.id for t in _merge_targets(themes, theme)}:
        flash(
            f"“{theme.name}” cannot be merged into “{target.name}”: a theme cannot be merged "
            "into itself, or into a theme under it."
        )
        return redirect(url_for(".merge", codebook_id=codebook.id, theme_id=theme.id))
    moving = _comments_with(theme.id)  # type: ignore[arg-type]
    both = moving & _comments_with(target.id)  # type: ignore[arg-type]
    children = [t for t in themes if t.parent_id == theme.id]
    problem = _move_clash(themes, children, target)
    form = FlaskForm()
    if problem is None and form.validate_on_submit():
        change = merge_theme(
            session=session,
            codebook=codebook,
            source=theme,
            target=target,
            user_id=current_user.id,
        )
        _record(
            codebook,
            "codebook.theme.merged",
            theme,
            into=target.id,
            comments=len(moving),
            codings_moved=change.details.get("codings_moved"),
        )
        flash(
            f"Merged “{theme.name}” into “{target.name}”. The codebook is now version "
            f"{codebook.version}.",
            "success",
        )
        return _codebook_page(codebook)
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


@bp.route("/<int:codebook_id>/themes/<int:theme_id>/retire", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def retire(codebook_id: int, theme_id: int) -> str | WerkzeugResponse:
    """Stop offering a theme. Its comments keep their coding; its children move up."""
    session = db.session()
    codebook = load_codebook(codebook_id)
    theme = theme_in_use(codebook, theme_id)
    themes = _active(codebook)
    by_id = {t.id: t for t in themes}
    parent = by_id.get(theme.parent_id)
    children = [t for t in themes if t.parent_id == theme.id]
    problem = _move_clash([t for t in themes if t.id != theme.id], children, parent)
    coded = len(_comments_with(theme.id))  # type: ignore[arg-type]
    form = FlaskForm()
    if problem is None and form.validate_on_submit():
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
        _record(codebook, "codebook.theme.retired", theme, children_moved=len(children))
        flash(f"Retired “{theme.name}”. The codebook is now version {codebook.version}.", "success")
        return _codebook_page(codebook)
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


# History and versions


@bp.get("/<int:codebook_id>/history")
@roles_required(*ANALYSTS)
def history_page(codebook_id: int) -> str:
    """Every change to the codebook's themes, newest first, and its past versions."""
    session = db.session()
    codebook = load_codebook(codebook_id)
    snapshots = [s for s in files.list_snapshots(session, codebook) if s.version < codebook.version]
    return render_template(
        "staff/codebooks/history.html",
        codebook=codebook,
        changes=history(session=session, codebook_id=codebook.id),  # type: ignore[arg-type]
        names={u.id: u.full_name for u in list_users(session=session, organisation_id=org_id())},
        snapshots=snapshots,
        in_use=[sum(1 for t in files.snapshot_themes(s) if t.active) for s in snapshots],
        themes_now=len(_active(codebook)),
    )


def _download(codebook: Codebook, book: CodebookFile, kind: str) -> WerkzeugResponse:
    try:
        data = files.file_bytes(book, kind)
    except CodebookFileError as error:
        flash(" ".join(error.problems) + ".")
        return _codebook_page(codebook)
    _record(codebook, "codebook.exported", format=kind, exported_version=book.version)
    response = current_app.response_class(data, mimetype=files.FORMATS[kind][0])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{files.file_name(book, kind)}"'
    )
    return response


@bp.get("/<int:codebook_id>/export/<kind>")
@roles_required(*ANALYSTS)
@export_limit
def export(codebook_id: int, kind: str) -> WerkzeugResponse:
    """The codebook as it is now, as CSV or as a REFI-QDA codebook."""
    codebook = load_codebook(codebook_id)
    if kind not in files.FORMATS:
        abort(404)
    return _download(codebook, files.current_file(db.session(), codebook), kind)


@bp.get("/<int:codebook_id>/versions/<int:version>/export/<kind>")
@roles_required(*ANALYSTS)
@export_limit
def export_version(codebook_id: int, version: int, kind: str) -> WerkzeugResponse:
    """A past version of the codebook, as it was."""
    session = db.session()
    codebook = load_codebook(codebook_id)
    if kind not in files.FORMATS:
        abort(404)
    if version == codebook.version:
        return _download(codebook, files.current_file(session, codebook), kind)
    found = next((s for s in files.list_snapshots(session, codebook) if s.version == version), None)
    if found is None:
        abort(404)
    return _download(codebook, files.snapshot_file(codebook, found), kind)


# Importing


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="heard.codebook-import")  # type: ignore[arg-type]


def _name_taken(name: str) -> str | None:
    if files.find_codebook(db.session(), org_id(), name) is None:
        return None
    return (
        f"There is already a codebook called “{name}”. Enter a different name, or import the "
        "file from that codebook’s page to make it the next version"
    )


def _errors(form: FlaskForm, problems: list[str]) -> list[dict[str, str]]:
    """The error summary: each field's error, then every problem in the file."""
    listed = [
        {"text": field.errors[0], "href": f"#{field.id}"}
        for field in form
        if field.errors and not (problems and field.name == "file")
    ]
    return listed + [{"text": problem, "href": "#file"} for problem in problems]


@bp.route("/import", methods=["GET", "POST"], defaults={"codebook_id": None})
@bp.route("/<int:codebook_id>/import", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def import_file(codebook_id: int | None) -> str | WerkzeugResponse:
    """Upload a file: a new draft codebook, or this codebook's next version. Nothing is
    saved until the check page is confirmed."""
    session = db.session()
    codebook = load_codebook(codebook_id) if codebook_id is not None else None
    form: ImportForm = ImportForm() if codebook else NewImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        filename = files.short_filename(upload.filename or "codebook")
        data = upload.stream.read(files.MAX_UPLOAD + 1)
        typed = getattr(form, "name", None)
        name = codebook.name if codebook else (typed.data if typed else "") or ""
        try:
            book = files.read_file(data, filename, name=name, check_name=codebook is None)
            plan = files.plan_import(session=session, book=book, codebook=codebook)
        except CodebookFileError as error:
            problems = error.problems
        else:
            taken = None if codebook else _name_taken(book.name)
            if taken and typed is not None and typed.data:
                typed.errors = [taken]
            elif taken:
                problems = [taken]
            else:
                token = _signer().dumps(
                    {
                        "organisation": org_id(),
                        "user": current_user.id,
                        "codebook": codebook.id if codebook else None,
                        "version": codebook.version if codebook else None,
                        "filename": filename,
                        "name": book.name,
                        "data": base64.urlsafe_b64encode(files.pack(data)).decode("ascii"),
                    }
                )
                return render_template(
                    "staff/codebooks/import_check.html",
                    codebook=codebook,
                    plan=plan,
                    filename=filename,
                    token=token,
                    depths=_depths(plan),
                    changes=[files.what_changes(plan, update) for update in plan.changed],
                    retired_coded=[len(_comments_with(t.id)) for t in plan.retired],  # type: ignore[arg-type]
                )
    if problems:
        form.file.errors = [
            problems[0]
            if len(problems) == 1
            else f"The file has {len(problems)} problems. Fix them all, then upload it again"
        ]
    errors = _errors(form, problems)
    return render_template(
        "staff/codebooks/import.html",
        upload_form=form,
        codebook=codebook,
        errors=errors,
        page_has_errors=bool(errors),
    )


def _depths(plan: files.ImportPlan) -> dict[str, int]:
    """How deep each theme of the file is in its tree, by key."""
    depth: dict[str, int] = {}
    for row in plan.book.themes:  # parents come first
        depth[row.key] = depth.get(row.parent_key, -1) + 1 if row.parent_key else 0
    return depth


@bp.post("/import/confirm", defaults={"codebook_id": None})
@bp.post("/<int:codebook_id>/import/confirm")
@roles_required(*ANALYSTS)
def confirm_import(codebook_id: int | None) -> str | WerkzeugResponse:
    """Save the checked file, checked again, if the codebook has not changed since."""
    session = db.session()
    codebook = load_codebook(codebook_id) if codebook_id is not None else None
    again = url_for(".import_file", codebook_id=codebook_id)
    form = FlaskForm()
    if not form.validate_on_submit() or not request.form.get("token"):
        abort(400)
    try:
        payload = _signer().loads(request.form["token"], max_age=CHECK_LIFETIME)
    except BadSignature:
        flash("The check has run out of time, or the file was changed. Upload the file again.")
        return redirect(again)
    if (
        payload.get("organisation") != org_id()
        or payload.get("user") != current_user.id
        or payload.get("codebook") != codebook_id
    ):
        abort(400)
    if codebook is not None and payload.get("version") != codebook.version:
        flash(
            f"The codebook has changed since the file was checked: it is now version "
            f"{codebook.version}. Upload the file again to see what it would change."
        )
        return redirect(again)
    filename = str(payload.get("filename", "codebook"))
    try:
        data = files.unpack(base64.urlsafe_b64decode(str(payload.get("data", ""))))
        book = files.read_file(
            data, filename, name=str(payload.get("name", "")), check_name=codebook is None
        )
        plan = files.plan_import(session=session, book=book, codebook=codebook)
    except (CodebookFileError, ValueError):
        flash("The file could not be read again. Upload it again.")
        return redirect(again)
    if codebook is None and _name_taken(book.name):
        flash(_name_taken(book.name) + ".")  # type: ignore[operator]
        return redirect(again)
    if codebook is not None and not plan.has_changes:
        flash("Nothing was changed: the file matches the codebook.")
        return _codebook_page(codebook)
    saved = files.save_import(
        session=session,
        plan=plan,
        organisation_id=org_id(),
        user_id=current_user.id,
        filename=filename,
        via="web",
    )
    session.commit()
    if saved.created:
        flash(
            f"Created “{saved.codebook.name}”, a draft codebook with "
            f"{counted(len(book.themes), 'theme')}.",
            "success",
        )
    else:
        flash(f"{saved.summary}. The codebook is now version {saved.codebook.version}.", "success")
    return _codebook_page(saved.codebook)


class ActivateForm(HeardForm):
    """Only the CSRF token."""


@bp.post("/<int:codebook_id>/activate")
@roles_required(*ANALYSTS)
def activate(codebook_id: int) -> WerkzeugResponse:
    """Code new comments against this codebook; the one in use until now is retired."""
    codebook = load_codebook(codebook_id)
    if not ActivateForm().validate_on_submit():
        abort(400)
    session = db.session()
    retired = activate_codebook(session=session, codebook=codebook)
    _record(codebook, "codebook.activated", retired=[c.id for c in retired])
    flash(f"New comments are now coded against “{codebook.name}”", "success")
    return _codebook_page(codebook)
