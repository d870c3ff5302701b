"""Theme discovery against human coders, and against a peer baseline.

Data: real NHS Friends and Family Test comments coded by people (see common.FFT_SOURCE).
Agreement is the normalised mutual information (NMI) between the discovered themes and
each comment's first human theme ("other" counts as one group). The peer baseline is plain
TF-IDF, LSA (100 dimensions), normalisation and k-means with 40 clusters.

Targets: NMI >= 0.45 with between 8 and 40 themes; 100,000 comments (the file repeated
with light perturbation) in <= 120 s and <= 2 GB.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from common import FFT_SOURCE, load_fft, peak_memory_mb, perturb, ratio, timer, verdict
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import normalized_mutual_info_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

from analysis.discovery import ThemeDiscovery

SEED = 42


def peer_labels(texts: list[str]) -> np.ndarray:
    pipeline = make_pipeline(
        TfidfVectorizer(), TruncatedSVD(100, random_state=SEED), Normalizer(copy=False)
    )
    return KMeans(40, random_state=SEED, n_init=1).fit_predict(pipeline.fit_transform(texts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="Comments for the speed test.")
    args = parser.parse_args()

    texts, frame = load_fft()
    labels = frame.to_numpy()
    # A comment's first human theme; comments with none of the benchmark themes form one group.
    first = np.where(labels.any(axis=1), labels.argmax(axis=1), -1)
    print(f"Data: {FFT_SOURCE}")
    print(f"{len(texts)} comments; first human theme from {frame.shape[1]} themes\n")

    with timer() as ours_time:
        found = ThemeDiscovery(random_state=SEED).fit(texts)
    with timer() as peer_time:
        theirs = peer_labels(texts)
    ours = normalized_mutual_info_score(first, found.labels_)
    peer = normalized_mutual_info_score(first, theirs)
    n_themes = len(found.themes_)
    other = int((found.labels_ == -1).sum())

    print(f"{'':<28} {'Heard':>8} {'peer':>8} {'ratio':>8}")
    print(f"{'NMI with first theme':<28} {ours:>8.3f} {peer:>8.3f} {ratio(ours, peer):>8}")
    print(f"{'themes':<28} {n_themes:>8} {40:>8}")
    print(f"{'seconds':<28} {ours_time[0]:>8.1f} {peer_time[0]:>8.1f}")
    print(f"{'in other':<28} {other:>8}")
    print("\nLargest themes:")
    for theme in found.themes_[:10]:
        print(f"  {theme.size:>5}  {theme.name:<40} {', '.join(theme.keywords[:6])}")

    many = perturb(texts, args.scale, seed=SEED)
    with timer() as scale_time:
        ThemeDiscovery(random_state=SEED).fit(many)
    memory = peak_memory_mb()
    print(f"\n{len(many)} comments: {scale_time[0]:.0f} s, peak memory {memory:.0f} MB")

    return verdict(
        [
            (f"NMI {ours:.3f} >= 0.45", ours >= 0.45),
            (f"{n_themes} themes, between 8 and 40", 8 <= n_themes <= 40),
            (f"{len(many)} comments in {scale_time[0]:.0f} s <= 120 s", scale_time[0] <= 120),
            (f"peak memory {memory:.0f} MB <= 2048 MB", memory <= 2048),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
