"""Describing a group of comments found by theme discovery: keywords, a name and quotes.

Keywords come from class-based TF-IDF: the words most particular to the group compared
with all the others. The name is made from the first keywords, and the representative
comments are the ones nearest the group's centre, redacted before they are kept.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from analysis.text import NEGATIONS

#: Comments longer than this are quoted only if a group has too few shorter ones.
MAX_QUOTE = 300
#: Keywords are words of two or more letters, so numbers and stray letters never name a theme.
KEYWORD_PATTERN = r"(?u)\b[a-z][a-z']+\b"
#: Words too common to name a theme; negations stay out of this list on purpose.
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) - NEGATIONS | {"be", "have", "do", "get", "would"}


def keywords(lemmatised: list[str], labels: np.ndarray, k: int, n_keywords: int) -> list[list[str]]:
    """Class-based TF-IDF: each theme's words, weighted by how particular they are to it.

    Args:
        lemmatised: The grouped comments' lemmas.
        labels: Each comment's theme id (0 to ``k - 1``), or ``-1`` for "other".
        k: How many themes there are.
        n_keywords: Keywords kept per theme.

    Returns:
        Each theme's keywords, most particular first; a theme's list can be short, or
        empty, if few of its words are left once stop words are taken out.

    Examples:
        >>> texts = ["bus late", "late bus again", "kind nurse", "nurse kind"]
        >>> keywords(texts, np.array([0, 0, 1, 1]), 2, n_keywords=2)
        [['bus', 'late'], ['kind', 'nurse']]
    """
    counter = CountVectorizer(
        token_pattern=KEYWORD_PATTERN,
        stop_words=sorted(STOP_WORDS),
        min_df=2 if len(lemmatised) >= 50 else 1,
    )
    try:
        counts = counter.fit_transform(lemmatised)
    except ValueError:  # nothing but stop words
        return [[] for _ in range(k)]
    vocabulary = counter.get_feature_names_out()
    grouped = np.zeros((k, counts.shape[1]))
    for theme in range(k):
        rows = np.flatnonzero(labels == theme)
        if len(rows):
            grouped[theme] = np.asarray(counts[rows].sum(axis=0)).ravel()
    frequency = grouped / np.maximum(grouped.sum(axis=1, keepdims=True), 1)
    average = grouped.sum() / max(k, 1)
    weight = frequency * np.log1p(average / np.maximum(grouped.sum(axis=0), 1))
    return [
        [
            str(vocabulary[i])
            for i in np.argsort(-weight[theme])[:n_keywords]
            if grouped[theme, i] > 0
        ]
        for theme in range(k)
    ]


def theme_name(keywords: list[str], theme: int) -> str:
    """A short name from the first three keywords, leaving out bare "not" and "no".

    Examples:
        >>> theme_name(["not", "wait", "long", "time"], 0), theme_name([], 2)
        ('Wait, long, time', 'Theme 3')
    """
    words = [w for w in keywords if w not in {"not", "no"}][:3]
    return ", ".join(words).capitalize() if words else f"Theme {theme + 1}"


def representatives(
    texts: list[str],
    members: np.ndarray,
    similarity: np.ndarray,
    n: int,
    redactor: Callable[[str], str],
) -> list[str]:
    """A group's most typical comments: the nearest its centre, each once, redacted.

    Args:
        texts: Every grouped comment, as written.
        members: The positions in ``texts`` of the group's comments.
        similarity: Each grouped comment's similarity to its group's centre.
        n: How many comments to give at most.
        redactor: Applied to each comment given.

    Returns:
        Up to ``n`` comments, nearest the centre first, with their spacing tidied.

    Examples:
        >>> texts = ["Late  bus", "late bus", "the bus was late again"]
        >>> representatives(texts, np.array([0, 1, 2]), np.array([0.9, 0.8, 0.7]), 5, str.upper)
        ['LATE BUS', 'THE BUS WAS LATE AGAIN']
    """
    nearest = members[np.argsort(-similarity[members], kind="stable")]
    # Prefer comments short enough to read at a glance, if the theme has enough.
    short = [p for p in nearest if len(texts[p]) <= MAX_QUOTE]
    if len(short) >= n:
        nearest = np.array(short)
    chosen: list[str] = []
    seen: set[str] = set()
    for position in nearest:
        text = " ".join(texts[position].split())
        if text.lower() in seen:
            continue
        seen.add(text.lower())
        chosen.append(redactor(text))
        if len(chosen) == n:
            break
    return chosen
