"""Shared helpers for the benchmarks: finding the data, timing, memory and reporting."""

from __future__ import annotations

import math
import os
import random
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Where the benchmark data lives: HEARD_BENCHMARK_DATA, or the shared folder beside the repo.
DATA = Path(os.environ.get("HEARD_BENCHMARK_DATA", ROOT.parent / "shared" / "benchmarks"))
FFT = DATA / "nhs-fft-v6" / "comments.csv"
FFT_SOURCE = (
    "NHS Friends and Family Test comments, framework v6 (The-Strategy-Unit/pxtextmining, MIT)"
)
MIN_THEME_COUNT = 10


def load_fft() -> tuple[list[str], pd.DataFrame]:
    """Return the coded FFT comments that have text, and their theme columns (0/1).

    Themes are the columns after ``Comment sentiment`` with at least ten coded comments.
    """
    if not FFT.exists():
        sys.exit(f"The benchmark data is missing: {FFT}. Set HEARD_BENCHMARK_DATA.")
    frame = pd.read_csv(FFT)
    frame = frame[frame["FFT answer"].fillna("").str.strip() != ""].reset_index(drop=True)
    columns = list(frame.columns[list(frame.columns).index("Comment sentiment") + 1 :])
    labels = frame[columns].fillna(0).astype(float).gt(0).astype(int)
    labels = labels.loc[:, labels.sum() >= MIN_THEME_COUNT]
    return frame["FFT answer"].astype(str).tolist(), labels


@contextmanager
def timer() -> Iterator[list[float]]:
    """Measure wall-clock seconds: ``with timer() as t: ...; t[0]``."""
    result = [0.0]
    started = time.perf_counter()
    try:
        yield result
    finally:
        result[0] = time.perf_counter() - started


def peak_memory_mb() -> float:
    """The peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def perturbed(texts: list[str], n: int, seed: int = 42) -> Iterator[str]:
    """The texts repeated to n, each copy lightly changed (case, a dropped or doubled word).

    A generator, so a million comments can go straight to a file without being held.
    """
    rng = random.Random(seed)  # noqa: S311 - repeatable noise, not security
    made = 0
    while made < n:
        for text in texts:
            words = text.split()
            if len(words) > 3 and rng.random() < 0.5:
                i = rng.randrange(len(words))
                words = (
                    words[:i] + words[i + 1 :]
                    if rng.random() < 0.5
                    else [*words[:i], words[i], *words[i:]]
                )
            changed = " ".join(words)
            yield changed.lower() if rng.random() < 0.3 else changed
            made += 1
            if made == n:
                return


def perturb(texts: list[str], n: int, seed: int = 42) -> list[str]:
    """:func:`perturbed` as a list."""
    return list(perturbed(texts, n, seed))


def load_average() -> str:
    """The load average, to print beside timings: on two cores it moves them a lot."""
    return "Load average: {:.2f} {:.2f} {:.2f} (1, 5, 15 min), {} cores".format(
        *os.getloadavg(), os.cpu_count()
    )


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}x" if peer and not math.isnan(peer) else "n/a"


def verdict(checks: list[tuple[str, bool]]) -> int:
    """Print each target as PASS or FAIL; return the exit code (1 if any failed)."""
    print("\nTargets:")
    for name, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    failed = [name for name, ok in checks if not ok]
    print("\nResult:", "FAIL" if failed else "PASS")
    return 1 if failed else 0
