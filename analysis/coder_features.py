"""What a theme coder reads: TF-IDF of word and character n-grams, and the words it cites.

Word n-grams are of the lemmas; character n-grams are of the normalised text, so that
spelling mistakes still share most of their features with the word meant. The word
features come first in every feature matrix, which is what lets :func:`top_words` read a
theme's weights for them back as the words that explain a suggestion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.char_grams import char_transform
from analysis.text import lemmatise_normalised

#: Every word counts, even one letter long ("i", "a&e" becomes "a" and "e").
WORD_PATTERN = r"(?u)\b\w+\b"


def build_vectorisers(
    word_ngrams: tuple[int, int],
    char_ngrams: tuple[int, int] | None,
    min_df: int,
    n_texts: int,
) -> tuple[TfidfVectorizer, TfidfVectorizer | None]:
    """Make the (unfitted) word and character vectorisers for this many comments.

    Args:
        word_ngrams: Range of word n-grams.
        char_ngrams: Range of character n-grams; ``None`` for no character vectoriser.
        min_df: Terms in fewer comments are ignored; only applied from ``20 * min_df``
            comments, since a small set has few repeated terms to keep.
        n_texts: How many comments the vectorisers will be fitted on.

    Returns:
        The word vectoriser, and the character vectoriser or ``None``.

    Examples:
        >>> words, chars = build_vectorisers((1, 2), None, min_df=2, n_texts=10)
        >>> words.min_df, chars
        (1, None)
    """
    min_df = min_df if n_texts >= 20 * min_df else 1
    word_vectoriser = TfidfVectorizer(
        analyzer="word",
        ngram_range=word_ngrams,
        min_df=min_df,
        sublinear_tf=True,
        token_pattern=WORD_PATTERN,
        dtype=np.float32,
    )
    char_vectoriser = (
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=char_ngrams,
            min_df=min_df,
            sublinear_tf=True,
            max_features=150_000,
            dtype=np.float32,
        )
        if char_ngrams
        else None
    )
    return word_vectoriser, char_vectoriser


def tfidf_features(
    word_vectoriser: TfidfVectorizer,
    char_vectoriser: TfidfVectorizer | None,
    normalised: list[str],
    fit: bool = False,
) -> sp.csr_matrix:
    """The feature matrix of normalised comments: word n-grams, then character n-grams.

    Args:
        word_vectoriser: Reads the comments' lemmas.
        char_vectoriser: Reads the normalised comments, or ``None``.
        normalised: Comments already read through :func:`analysis.text.normalise`.
        fit: Fit the vectorisers on these comments first.

    Returns:
        A sparse matrix with a row per comment.

    Examples:
        >>> words, chars = build_vectorisers((1, 1), (2, 3), min_df=1, n_texts=2)
        >>> tfidf_features(words, chars, ["long wait", "kind nurse"], fit=True).shape[0]
        2
    """
    lemmas = lemmatise_normalised(normalised)
    parts = [word_vectoriser.fit_transform(lemmas) if fit else word_vectoriser.transform(lemmas)]
    if char_vectoriser is not None:
        parts.append(
            char_vectoriser.fit_transform(normalised)
            if fit
            else char_transform(char_vectoriser, normalised)
        )
    return sp.hstack(parts, format="csr")


def top_words(
    words: sp.spmatrix, names: Sequence[str], weights: np.ndarray, top: int
) -> list[tuple[str, float]]:
    """The words of one comment that raised a theme's score most, strongest first.

    Args:
        words: The comment's word features, a row of one word vectoriser's output.
        names: That vectoriser's feature names.
        weights: The theme's weights for those features.
        top: How many words to give at most.

    Returns:
        ``(word, contribution)`` pairs with a positive contribution, rounded to 4 places.

    Examples:
        >>> row = sp.csr_matrix([[0.5, 0.5, 1.0]])
        >>> top_words(row, ["kind", "nurse", "wait"], np.array([2.0, 0.5, -1.0]), top=5)
        [('kind', 1.0), ('nurse', 0.25)]
    """
    row = words.tocoo()
    contributions = [
        (str(names[i]), float(v * weights[i])) for i, v in zip(row.col, row.data, strict=True)
    ]
    positive = sorted((c for c in contributions if c[1] > 0), key=lambda c: -c[1])
    return [(w, round(s, 4)) for w, s in positive[:top]]
