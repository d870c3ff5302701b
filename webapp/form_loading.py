"""Loading form definitions (files or uploads) into the database as versions."""

from pathlib import Path

from sqlmodel import Session

from forms.schema import FormDefinition, load_definition, shipped_definitions
from models import FormStatus, FormVersion, publish_form_version, save_form_version


def store_definition(
    *, session: Session, definition: FormDefinition, source: str, publish: bool
) -> tuple[FormVersion, bool]:
    """Save a checked definition as a version (new only if changed), and publish it if asked."""
    form_version, changed = save_form_version(
        session=session,
        slug=definition.slug,
        title=definition.title,
        definition=definition.model_dump(mode="json", exclude_defaults=False),
        checksum=definition.checksum(),
        source=source,
    )
    if publish and form_version.status != FormStatus.PUBLISHED:
        publish_form_version(session=session, form_version=form_version)
        changed = True
    return form_version, changed


def load_paths(
    *, session: Session, paths: list[Path], publish: bool
) -> list[tuple[FormVersion, bool]]:
    """Check every file first, then store them all; a bad file stores nothing."""
    definitions = [(load_definition(path), str(path)) for path in paths]
    return [
        store_definition(session=session, definition=d, source=source, publish=publish)
        for d, source in definitions
    ]


def load_shipped(*, session: Session, publish: bool) -> list[tuple[FormVersion, bool]]:
    """Load the definitions Heard ships with."""
    return load_paths(session=session, paths=shipped_definitions(), publish=publish)


def expand(paths: list[Path]) -> list[Path]:
    """Files as given, and the definition files inside any folder."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.glob("*.yaml") if not p.name.endswith(".symbols.yaml"))
        else:
            found.append(path)
    return found
