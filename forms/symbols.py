"""Which picture stands beside each option: the council's own, OpenMoji's, or a placeholder."""

from functools import cache
from pathlib import Path

import yaml

from forms.schema import DEFINITIONS

IMAGE_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


@cache
def default_symbols(slug: str) -> dict[str, str | None]:
    """The shipped option-id → OpenMoji code map for a form (empty if it has none)."""
    path = DEFINITIONS / f"{slug}.symbols.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): (str(v) if v else None) for k, v in data.items()}


def question_set(slug: str) -> str:
    """The symbol set holding a form's question symbols, shown beside each question in
    easy read: `<slug>.questions.symbols.yaml`, keyed by question id."""
    return f"{slug}.questions"


def find_symbol(
    slug: str, option_id: str, *, council_dir: Path | None, openmoji_dir: Path
) -> Path | None:
    """The image file for an option, or None for the placeholder.

    A council's own image wins: `<dir>/<slug>/<option>.<ext>`, then `<dir>/<option>.<ext>`.
    """
    if council_dir is not None:
        # A picture at the top of the council's folder stands for an option of any form;
        # question pictures live only in their own set's folder, as ids can repeat.
        shared = () if slug.endswith(".questions") else (council_dir,)
        for folder in (council_dir / slug, *shared):
            for suffix in IMAGE_TYPES:
                candidate = folder / f"{option_id}{suffix}"
                if candidate.is_file():
                    return candidate
    code = default_symbols(slug).get(option_id)
    if code:
        candidate = openmoji_dir / f"{code}.svg"
        if candidate.is_file():
            return candidate
    return None
