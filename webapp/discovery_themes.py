"""Turning a discovered cluster into a theme, or adding it to an existing one.

Either way the codebook gets a new version, the theme is suggested on the cluster's
comments for reviewers to accept or reject, and the cluster is marked decided. The
cluster's quotes become the theme's examples while they fit in a codebook file.
"""

from flask_login import current_user

from analysis.codebook_files import (
    MAX_EXAMPLE,
    MAX_EXAMPLES,
    example_lines,
    key_from_name,
    new_examples,
    unique_key,
)
from models.coding import Codebook, Theme, add_themes
from models.review import (
    ChangeKind,
    ClusterStatus,
    DiscoveredCluster,
    decide_cluster,
    new_version,
    suggest_from_cluster,
)
from webapp import db
from webapp.discovery_forms import ThemeForm
from webapp.discovery_page import shown_quotes
from webapp.wording import counted


def quotes_to_add(examples: list[str], quotes: list[str]) -> list[str]:
    """The cluster's quotes that can join a theme's examples.

    A quote the theme has already is left out, and so is one longer than a codebook file
    takes; none is added once the theme has as many examples as a file takes. So a theme
    made or added to from discovery can always be exported and imported again.
    """
    fitting = [quote for quote in new_examples(examples, quotes) if len(quote) <= MAX_EXAMPLE]
    return fitting[: max(0, MAX_EXAMPLES - len(examples))]


# -- creating a theme ----------------------------------------------------------------------


def theme_prefill(cluster: DiscoveredCluster) -> dict[str, str]:
    """The new theme form, started from the cluster's name, keywords and shown quotes."""
    quotes = shown_quotes([cluster])[cluster.id]  # type: ignore[index]
    return {
        "name": cluster.name,
        "description": _describe(cluster.keywords),
        "examples": "\n".join(quotes_to_add([], [quote.text for quote in quotes])),
    }


def _describe(keywords: list[str]) -> str:
    words = [word for word in keywords if word][:6]
    if not words:
        return ""
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"Comments about {listed}."


def add_theme(codebook: Codebook, form: ThemeForm, every: list[Theme]) -> Theme:
    """Add the form's theme to the codebook, under the parent chosen if it is in use."""
    name = form.name.data or ""
    parent = next((t for t in every if t.active and t.id == form.parent.data), None)
    [theme] = add_themes(
        session=db.session(),
        codebook=codebook,
        themes=[
            {
                # No theme of the codebook has the key, not even a retired one.
                "key": unique_key(key_from_name(name), {t.key for t in every}),
                "name": name,
                "description": form.description.data or "",
                "examples": example_lines(form.examples.data or ""),
                "parent": parent.key if parent else "",
            }
        ],
    )
    return theme


def created_text(name: str, suggested: int) -> str:
    """What the person is told once a theme is made from a cluster."""
    return (
        f"Theme “{name}” created. It is suggested on {counted(suggested, 'comment')}, "
        "for people to accept or reject when they review them."
    )


# -- adding a cluster to a theme -----------------------------------------------------------


def add_examples(theme: Theme, quotes: list[str]) -> tuple[int, int]:
    """Add the quotes that fit to the theme's examples: how many were added and left out.

    The theme's own examples stay as they are; the new quotes follow, while they fit.
    """
    added = quotes_to_add(theme.examples, quotes)
    left_out = len(new_examples(theme.examples, quotes)) - len(added)
    theme.examples = [*theme.examples, *added]
    db.session().add(theme)
    db.session().flush()
    return len(added), left_out


def merged_text(cluster: DiscoveredCluster, theme: Theme, suggested: int, left_out: int) -> str:
    """What the person is told once a cluster is added to a theme."""
    return (
        f"“{cluster.name}” added to “{theme.name}”. The theme is suggested on "
        f"{counted(suggested, 'comment')}, for people to accept or reject when they review "
        "them." + _left_out_text(left_out)
    )


def _left_out_text(count: int) -> str:
    if not count:
        return ""
    return (
        f" {count} of the group’s example comments {'was' if count == 1 else 'were'} not "
        f"added: a theme keeps up to {MAX_EXAMPLES} examples, each up to {MAX_EXAMPLE:,} "
        "characters."
    )


# -- either way ----------------------------------------------------------------------------


def give_theme(
    codebook: Codebook,
    cluster: DiscoveredCluster,
    theme: Theme,
    kind: ChangeKind,
    summary: str,
    status: ClusterStatus,
    *,
    chunk: int,
) -> int:
    """Record the codebook's new version, suggest the theme on the cluster's comments and
    mark the cluster decided; return how many comments got the suggestion.

    `chunk` is how many comment ids are read in one query.
    """
    session = db.session()
    new_version(
        session=session,
        codebook=codebook,
        kind=kind,
        summary=summary,
        user_id=current_user.id,
        theme=theme,
        details={"cluster_id": cluster.id, "job_id": cluster.job_id},
    )
    suggested = suggest_from_cluster(session=session, cluster=cluster, theme=theme, chunk=chunk)
    decide_cluster(
        session=session, cluster=cluster, status=status, user_id=current_user.id, theme=theme
    )
    return suggested
