"""Saved theme coders: the format they are written in, and reading older ones.

A coder is saved with joblib as ``{"format": FORMAT_VERSION, "coder": coder}``. The
coder itself is pickled, so :class:`analysis.coder.ThemeCoder` has to stay where it is
for saved coders to load; this module only wraps and unwraps it.
"""

from __future__ import annotations

import inspect
import io
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import joblib
import numpy as np

#: Bump when a saved model from an older Heard can no longer be loaded.
FORMAT_VERSION = 2

Coder = TypeVar("Coder")


def training_record(
    comments: int,
    names: Sequence[str],
    counts: np.ndarray,
    codebook_version: object,
    started: float,
) -> dict[str, Any]:
    """What a coder keeps about its training, and saves with it.

    Args:
        comments: How many comments it learned from.
        names: The theme keys.
        counts: How many of the comments had each theme.
        codebook_version: The version of the codebook the themes come from.
        started: :func:`time.perf_counter` when training started.

    Returns:
        The format, when and on how many comments it was trained, each theme's coded
        comments, the codebook version, and how long training took.
    """
    return {
        "format": FORMAT_VERSION,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "comments": comments,
        "positives": {n: int(c) for n, c in zip(names, counts, strict=True)},
        "codebook_version": codebook_version,
        "seconds": round(time.perf_counter() - started, 2),
    }


def pack(coder: object) -> bytes:
    """The coder, wrapped with its format and compressed, as bytes."""
    buffer = io.BytesIO()
    joblib.dump({"format": FORMAT_VERSION, "coder": coder}, buffer, compress=3)
    return buffer.getvalue()


def unpack(data: bytes, kind: type[Coder]) -> Coder:
    """Read a coder written by :func:`pack`, bringing a format 1 coder up to date.

    Args:
        data: The saved bytes.
        kind: The class the coder must be.

    Returns:
        The coder.

    Raises:
        ValueError: If the bytes are not a coder of ``kind`` in a format this reads.
    """
    try:
        saved = joblib.load(io.BytesIO(data))
    except Exception as error:  # a damaged or foreign file fails in many ways
        raise ValueError("This file is not a Heard theme coder.") from error
    if not isinstance(saved, dict) or not isinstance(saved.get("coder"), kind):
        raise ValueError("This file is not a Heard theme coder.")
    coder = saved["coder"]
    if saved.get("format") == 1 and hasattr(coder, "models_"):
        _upgrade_from_format_1(coder, kind)
        return coder
    if saved.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"This coder was saved in format {saved.get('format')}; "
            f"this version of Heard reads format {FORMAT_VERSION}. Train it again."
        )
    return coder


def _upgrade_from_format_1(coder: Any, kind: type) -> None:
    # Format 1 kept one logistic regression per theme: the same kind of linear score.
    coder.weights_ = np.vstack([m.coef_[0] for m in coder.models_]).astype(np.float32)
    coder.intercepts_ = np.array([m.intercept_[0] for m in coder.models_])
    del coder.models_
    # Settings added since, at their defaults, so get_params and clone still work.
    for name, parameter in inspect.signature(kind).parameters.items():
        if not hasattr(coder, name):
            setattr(coder, name, parameter.default)
