"""The trained coder for a codebook, loaded once per process and reused.

Models live in the database so every web and job worker sees the same one; unpickling a
model on every submission would be slow, so each process keeps the few it has used.
"""

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from models.coding import Codebook, latest_coder_model, list_themes

log = logging.getLogger("heard.coder")


@dataclass(frozen=True)
class LoadedCoder:
    """A coder with its database id and the codebook's theme ids in the model's order."""

    model_id: int
    estimator: Any
    theme_ids: tuple[int | None, ...]

    def code(self, texts: list[str]) -> list[dict[int, float]]:
        """Each text's predicted themes, as theme id -> confidence."""
        confidences = self.estimator.predict_proba(texts)
        predicted = self.estimator.decide(confidences)
        coded = []
        for row, scores in zip(predicted, confidences, strict=True):
            coded.append(
                {
                    theme_id: round(float(score), 4)
                    for theme_id, chosen, score in zip(self.theme_ids, row, scores, strict=True)
                    if chosen and theme_id is not None
                }
            )
        return coded


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
    themes = list_themes(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    by_key = {theme.key: theme.id for theme in themes}
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
