"""Active learning: how well the coder codes after people label the comments it picks.

Data: real NHS Friends and Family Test comments coded by people (see common.FFT_SOURCE).
A fifth of the comments (seed 42) is held out for scoring; the rest is the pool that
"people" label from, their labels being the human codes already in the file.

Each run starts from the same 100 random comments of the pool, then adds 100 at a time
up to 1,000. At every step the theme coder (default settings, as the product retrains)
is trained on the labelled comments, on every theme with at least three of them and not
on all of them, and scored by micro-F1 on the held-out comments over every benchmark
theme, a theme it could not learn yet counting as never suggested. Heard picks the next
100 with analysis.learning.pick_uncertain over the coder's confidences on the rest of the
pool; the peer baseline picks them at random. Both are run from three seed sets and
averaged, two runs side by side (--jobs); --quick is one seed set up to 500 labels.

Targets: with 500 and with 1,000 labelled comments, micro-F1 picking by uncertainty >=
micro-F1 picking at random.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from common import FFT_SOURCE, load_fft, ratio, timer, verdict
from joblib import Parallel, delayed
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from analysis.coder import MIN_POSITIVES, ThemeCoder
from analysis.learning import pick_uncertain

SEED = 42
START = 100
BATCH = 100
BUDGET = 1_000
TARGETS = (500, 1_000)

#: Chooses ``n`` positions in the unlabelled pool: (model or None, pool texts, n, rng).
Picker = Callable[[ThemeCoder | None, list[str], int, np.random.Generator], np.ndarray]


def by_uncertainty(
    coder: ThemeCoder | None, texts: list[str], n: int, rng: np.random.Generator
) -> np.ndarray:
    if coder is None:  # nothing learned yet, so nothing to be unsure of
        return by_chance(coder, texts, n, rng)
    return pick_uncertain(coder.predict_proba(texts), coder.thresholds_, n)


def by_chance(
    coder: ThemeCoder | None, texts: list[str], n: int, rng: np.random.Generator
) -> np.ndarray:
    return rng.choice(len(texts), size=min(n, len(texts)), replace=False)


def train(texts: list[str], labels: np.ndarray) -> tuple[ThemeCoder | None, np.ndarray]:
    """Train on the learnable themes; return the coder and the columns it learned."""
    counts = labels.sum(axis=0)
    learnable = np.flatnonzero((counts >= MIN_POSITIVES) & (counts < len(texts)))
    if not len(learnable):
        return None, learnable
    coder = ThemeCoder(random_state=SEED).fit(
        texts, labels[:, learnable], themes=[str(j) for j in learnable]
    )
    return coder, learnable


def score(
    coder: ThemeCoder | None, learnable: np.ndarray, texts: list[str], truth: np.ndarray
) -> float:
    predicted = np.zeros_like(truth)
    if coder is not None:
        predicted[:, learnable] = coder.predict(texts)
    return float(f1_score(truth, predicted, average="micro", zero_division=0))


class Split(NamedTuple):
    """The pool people label from and the held-out comments that score the coder."""

    pool: list[str]
    pool_labels: np.ndarray
    test: list[str]
    test_labels: np.ndarray


def learning_curve(
    pick: Picker, split: Split, seed: int, budget: int
) -> tuple[dict[int, float], float]:
    """Micro-F1 after each batch, keyed by how many are labelled, and the run's seconds."""
    rng = np.random.default_rng(seed)
    labelled = [int(i) for i in rng.choice(len(split.pool), size=START, replace=False)]
    curve: dict[int, float] = {}
    with timer() as t:
        while True:
            texts = [split.pool[i] for i in labelled]
            coder, learnable = train(texts, split.pool_labels[labelled])
            curve[len(labelled)] = score(coder, learnable, split.test, split.test_labels)
            if len(labelled) >= budget:
                break
            taken = set(labelled)
            rest = [i for i in range(len(split.pool)) if i not in taken]
            n = min(BATCH, budget - len(labelled))
            chosen = pick(coder, [split.pool[i] for i in rest], n, rng)
            labelled += [rest[j] for j in chosen]
    return curve, t[0]


def summary(curves: list[dict[int, float]]) -> dict[int, tuple[float, float, float]]:
    """(mean, lowest, highest) micro-F1 over the seed sets, for each labelled count."""
    figures = {}
    for n in curves[0]:
        values = [curve[n] for curve in curves]
        figures[n] = (float(np.mean(values)), min(values), max(values))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="Seed sets per arm (default 3).")
    parser.add_argument("--quick", action="store_true", help="One seed set, up to 500 labels.")
    parser.add_argument("--jobs", type=int, default=2, help="Runs side by side (default 2).")
    args = parser.parse_args()
    seeds = 1 if args.quick else args.seeds
    budget = 500 if args.quick else BUDGET

    texts, frame = load_fft()
    labels = frame.to_numpy()
    pool_at, test_at = train_test_split(np.arange(len(texts)), test_size=0.2, random_state=SEED)
    split = Split(
        [texts[i] for i in pool_at], labels[pool_at], [texts[i] for i in test_at], labels[test_at]
    )
    print(f"Data: {FFT_SOURCE}")
    print(
        f"{len(texts)} comments, {frame.shape[1]} themes with >= 10 coded comments; "
        f"pool {len(split.pool)}, held out {len(split.test)}"
    )
    print(f"Start {START}, batches of {BATCH} up to {budget}, {seeds} seed set(s) per arm\n")

    arms: dict[str, Picker] = {"uncertainty": by_uncertainty, "random": by_chance}
    runs = [(name, SEED + s) for name in arms for s in range(seeds)]
    with timer() as t:
        results = Parallel(n_jobs=args.jobs)(
            delayed(learning_curve)(arms[name], split, seed, budget) for name, seed in runs
        )
    curves: dict[str, list[dict[int, float]]] = {name: [] for name in arms}
    seconds = dict.fromkeys(arms, 0.0)
    for (name, _), (curve, took) in zip(runs, results, strict=True):
        curves[name].append(curve)
        seconds[name] += took
    print(f"{len(runs)} runs in {t[0]:.0f} s, {args.jobs} at a time", end="; ")
    print(", ".join(f"{name} {took:.0f} s in all" for name, took in seconds.items()))

    ours, peer = summary(curves["uncertainty"]), summary(curves["random"])
    print(f"\n{'labelled':>8}  {'uncertainty micro-F1':>22}  {'random micro-F1':>22}  {'ratio':>6}")
    for n, (mean, low, high) in ours.items():
        peer_mean, peer_low, peer_high = peer[n]
        print(
            f"{n:>8}  {mean:>7.3f} ({low:.3f}-{high:.3f})  "
            f"{peer_mean:>7.3f} ({peer_low:.3f}-{peer_high:.3f})  {ratio(mean, peer_mean):>6}"
        )
    print("(mean of the seed sets, with the lowest and highest in brackets)")

    return verdict(
        [
            (
                f"{n} labels: uncertainty {ours[n][0]:.3f} >= random {peer[n][0]:.3f}",
                ours[n][0] >= peer[n][0],
            )
            for n in TARGETS
            if n <= budget
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
