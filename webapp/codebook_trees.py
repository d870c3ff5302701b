"""Where a theme can go in its codebook's tree, and why it cannot go somewhere.

The add, edit, merge and retire pages share these checks: a theme is never under itself,
no two themes under the same parent share a name (ignoring case), and the tree is at most
MAX_DEPTH levels deep.
"""

from wtforms import SelectChoice

from analysis.codebook_files import MAX_DEPTH, same_name
from models.coding import Theme, in_tree_order
from webapp.codebook_forms import ThemeForm


def codebook_tree(themes: list[Theme]) -> list[tuple[Theme, int, Theme | None]]:
    """Themes in tree order, each with its depth and the theme it is part of (if shown)."""
    by_id = {theme.id: theme for theme in themes}
    return [(theme, depth, by_id.get(theme.parent_id)) for theme, depth in in_tree_order(themes)]


def _children(themes: list[Theme]) -> dict[int | None, list[int]]:
    """The ids of the themes directly under each theme, by its id (None: the top level)."""
    children: dict[int | None, list[int]] = {}
    for theme in themes:
        children.setdefault(theme.parent_id, []).append(theme.id)  # type: ignore[arg-type]
    return children


def under(themes: list[Theme], theme_id: int) -> set[int]:
    """The ids of every theme under this one, however deep."""
    children = _children(themes)
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


def height(themes: list[Theme], theme_id: int) -> int:
    """How many levels a theme and the themes under it take up: 1 if none are under it."""
    children = _children(themes)
    levels, level, seen = 0, [theme_id], set()
    while level:
        levels += 1
        seen.update(level)
        level = [child for t in level for child in children.get(t, []) if child not in seen]
    return levels


def where(parent: Theme | None) -> str:
    """Where a theme under `parent` is, as the messages say it."""
    return f"in “{parent.name}”" if parent else "at the top level"


def too_deep(
    themes: list[Theme], parent: Theme | None, moving: list[tuple[str, int]]
) -> str | None:
    """Why themes cannot all go under `parent`: the tree would be more than MAX_DEPTH levels
    deep. `moving` has each theme's name and how many levels it and the themes under it
    take up."""
    above = _levels(themes).get(parent.id, 0) if parent else 0  # type: ignore[arg-type]
    for name, levels in moving:
        deepest = above + levels
        if deepest <= MAX_DEPTH:
            continue
        if parent is not None and levels == 1:
            return (
                f"A theme can be at most {MAX_DEPTH} levels deep, and “{parent.name}” is "
                f"already {above} levels deep"
            )
        place = where(parent)
        return (
            f"A theme can be at most {MAX_DEPTH} levels deep. {place[:1].upper()}{place[1:]}, "
            f"“{name}” and the themes under it would go {deepest} levels deep"
        )
    return None


def clash(
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


def tree_choices(themes: list[Theme], first: SelectChoice) -> list[SelectChoice]:
    """The themes as a select's choices, in tree order and indented, after `first`."""
    return [first] + [
        SelectChoice(str(theme.id), "\N{EN DASH} " * depth + theme.name)
        for theme, depth in in_tree_order(themes)
    ]


def parent_choices(themes: list[Theme], theme: Theme | None) -> list[SelectChoice]:
    """Every theme this one could go under: not itself, nor one already under it."""
    barred = {theme.id} | under(themes, theme.id) if theme else set()  # type: ignore[arg-type]
    return tree_choices(
        [t for t in themes if t.id not in barred], SelectChoice("", "None: a top-level theme")
    )


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
    elif theme is not None and parent.id in under(themes, theme.id):  # type: ignore[arg-type]
        form.parent.errors = [
            f"“{theme.name}” cannot be part of “{parent.name}”, because “{parent.name}” is "
            f"part of “{theme.name}”. Select another theme, or none"
        ]
    else:
        levels = height(themes, theme.id) if theme is not None else 1  # type: ignore[arg-type]
        deep = too_deep(themes, parent, [(form.name.data or "", levels)])
        if deep:
            form.parent.errors = [f"{deep}. Select a theme higher up, or none"]
    return parent


def fits_in_tree(
    form: ThemeForm, themes: list[Theme], theme: Theme | None
) -> tuple[bool, Theme | None]:
    """Whether the theme fits in the tree where the form puts it (if not, the form says why),
    and the parent it goes under."""
    parent = _chosen_parent(form, themes, theme)
    if form.parent.errors:
        return False, None
    parent_id = parent.id if parent else None
    besides = {theme.id} if theme else set()
    named = not form.name.errors and (form.name.data or "").strip()
    if named and clash(themes, form.name.data or "", parent_id, besides=besides):  # type: ignore[arg-type]
        form.name.errors = [
            f"There is already a theme called “{form.name.data}” {where(parent)}. "
            "Enter a different name, or merge the two themes"
        ]
        return False, None
    return True, parent


def merge_targets(themes: list[Theme], theme: Theme) -> list[Theme]:
    """The themes this one can be merged into: not itself, nor one under it."""
    barred = {theme.id} | under(themes, theme.id)  # type: ignore[arg-type]
    return [t for t in themes if t.id not in barred]


def move_clash(themes: list[Theme], moving: list[Theme], parent: Theme | None) -> str | None:
    """Why these themes cannot all move under `parent`: a name that is there already, or a
    tree that would be too deep."""
    deep = too_deep(themes, parent, [(t.name, height(themes, t.id)) for t in moving])  # type: ignore[arg-type]
    if deep:
        return f"{deep}. Choose a theme higher up, or move some of the themes first"
    parent_id = parent.id if parent else None
    for child in moving:
        besides = {t.id for t in moving}
        if clash(themes, child.name, parent_id, besides=besides):  # type: ignore[arg-type]
            return (
                f"There is already a theme called “{child.name}” {where(parent)}, and "
                f"“{child.name}” would move there. Rename or merge one of them first"
            )
    return None
