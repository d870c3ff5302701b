"""The trained coder for a codebook, loaded once per process and reused.

Models live in the database so every web and job worker sees the same one; unpickling a
model on every submission would be slow, so each process keeps the few it has used.
"""

import io
from dataclasses import dataclass
from typing import Any

import joblib
from sqlmodel import Session

from models.coding import Codebook, latest_coder_model, list_themes


@dataclass(frozen=True)
class LoadedCoder:
    """A coder with its database id and the codebook's theme ids in the model's order."""

    model_id: int
    estimator: Any
    theme_ids: tuple[int | None, ...]

    def code(self, texts: list[str]) -> list[dict[int, float]]:
        """Each text's predicted themes, as theme id -> confidence."""
        predicted = self.estimator.predict(texts)
        confidences = self.estimator.predict_proba(texts)
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
    estimator = _load(record.id, record.data)
    themes = list_themes(session=session, codebook_id=codebook.id)  # type: ignore[arg-type]
    by_key = {theme.key: theme.id for theme in themes}
    theme_ids = tuple(by_key.get(key) for key in estimator.themes_)
    return LoadedCoder(model_id=record.id, estimator=estimator, theme_ids=theme_ids)


_LOADED: dict[int, Any] = {}
_KEEP = 4


def _load(model_id: int, data: bytes) -> Any:
    # Keyed by id: a model row is never changed once written.
    if model_id not in _LOADED:
        while len(_LOADED) >= _KEEP:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[model_id] = joblib.load(io.BytesIO(data))
    return _LOADED[model_id]
