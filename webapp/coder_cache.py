"""The trained coder for a codebook, loaded once per process and reused.

Models live in the database so every web and job worker sees the same one; unpickling a
model on every submission would be slow, so each process keeps the few it has used.
"""

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from models.coding import Codebook, current_theme_ids, latest_coder_model, list_themes

log = logging.getLogger("heard.coder")


@dataclass(frozen=True)
class LoadedCoder:
    """A coder with its database id and the codebook's theme ids in the model's order."""

    model_id: int
    estimator: Any
    theme_ids: tuple[int | None, ...]

    def code(self, texts: list[str]) -> list[dict[int, float]]:
        """Each text's predicted themes, as theme id -> confidence."""
        return [themes for themes, _unsure in self.code_with_uncertainty(texts)]

    def code_with_uncertainty(self, texts: list[str]) -> list[tuple[dict[int, float], float]]:
        """Each text's predicted themes, and how unsure the coder was (0 sure, 1 unsure)."""
        from analysis.learning import uncertainty

        confidences = self.estimator.predict_proba(texts)
        predicted = self.estimator.decide(confidences)
        # Doubt about a theme no longer in use (retired) must not move a comment up the queue.
        in_use = [j for j, theme_id in enumerate(self.theme_ids) if theme_id is not None]
        unsure = uncertainty(confidences[:, in_use], self.estimator.thresholds_[in_use])
        coded = []
        for row, scores, doubt in zip(predicted, confidences, unsure, strict=True):
            themes: dict[int, float] = {}
            for theme_id, chosen, score in zip(self.theme_ids, row, scores, strict=True):
                # Two learned themes merged into one count once, at the higher confidence.
                if chosen and theme_id is not None:
                    themes[theme_id] = max(themes.get(theme_id, 0.0), round(float(score), 4))
            coded.append((themes, round(float(doubt), 4)))
        return coded

    def explain(self, text: str) -> dict[int, list[str]]:
        """The words that drove each suggested theme, by theme id."""
        found: dict[int, list[str]] = {}
        for key, words in self.estimator.explain(text).items():
            theme_id = self.theme_ids[self.estimator.themes_.index(key)]
            if theme_id is not None:
                found.setdefault(theme_id, []).extend(
                    w for w, _ in words if w not in found.get(theme_id, [])
                )
        return found


def latest(session: Session, codebook: Codebook) -> LoadedCoder | None:
    """The newest coder for this codebook version, or None if none has been trained."""
    record = latest_coder_model(session=session, codebook=codebook)
    if record is None or record.id is None:
        return None
    try:
        estimator = _load(record.data)
    except ValueError:
        # An unreadable model must never stop a response being sent; retraining mends it.
        log.exception("the coder model could not be loaded", extra={"coder_model_id": record.id})
        return None
    themes = list_themes(session=session, codebook_id=codebook.id, include_inactive=True)  # type: ignore[arg-type]
    current = current_theme_ids(themes)
    # Renamed themes keep their key; merged ones are coded as the theme they went into.
    by_key = {theme.key: current.get(theme.id) for theme in themes}  # type: ignore[arg-type]
    theme_ids = tuple(by_key.get(key) for key in estimator.themes_)
    return LoadedCoder(model_id=record.id, estimator=estimator, theme_ids=theme_ids)


_LOADED: dict[bytes, Any] = {}
_KEEP = 4


def _load(data: bytes) -> Any:
    # Keyed by content, not id: ids repeat across databases (tests, restores).
    from analysis.coder import ThemeCoder

    key = hashlib.sha256(data).digest()
    if key not in _LOADED:
        while len(_LOADED) >= _KEEP:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = ThemeCoder.from_bytes(data)
    return _LOADED[key]
