"""What theme discovery reads: TF-IDF features, and word vectors learned from the comments.

Word n-grams (of the lemmas) and character n-grams (of the normalised text) are weighted
by TF-IDF. The word vectors come from positive pointwise mutual information of words used
in the same comment, reduced by SVD, so that words that keep the same company ("kind",
"friendly", "polite") get similar vectors.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

WORD_PATTERN = r"(?u)\b\w+\b"


def fit_vectorisers(
    normalised: list[str], lemmatised: list[str]
) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """Fit the word and character TF-IDF vectorisers on the comments to be grouped.

    Args:
        normalised: The comments, read through :func:`analysis.text.normalise`.
        lemmatised: The same comments' lemmas, for the word vectoriser.

    Returns:
        The word vectoriser (unigrams and bigrams) and the character vectoriser.

    Examples:
        >>> words, chars = fit_vectorisers(["long wait", "kind nurse"], ["long wait", "kind nurse"])
        >>> sorted(words.vocabulary_)[:3]
        ['kind', 'kind nurse', 'long']
    """
    min_df = 2 if len(normalised) >= 50 else 1
    word_vectoriser = TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=min_df,
        sublinear_tf=True,
        max_features=200_000,
        token_pattern=WORD_PATTERN,
        dtype=np.float32,
    ).fit(lemmatised)
    char_vectoriser = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=min_df,
        sublinear_tf=True,
        max_features=200_000,
        dtype=np.float32,
    ).fit(normalised)
    for vectoriser in (word_vectoriser, char_vectoriser):
        # Every term min_df dropped, kept only for inspection: large, and never needed.
        vectoriser.stop_words_ = None
    return word_vectoriser, char_vectoriser


def single_words(vectoriser: TfidfVectorizer) -> np.ndarray:
    """The columns of a fitted word vectoriser that are single words, in column order.

    Examples:
        >>> words, _ = fit_vectorisers(["long wait"], ["long wait"])
        >>> single_words(words).tolist()
        [0, 2]
    """
    vocabulary = vectoriser.vocabulary_
    return np.array(sorted(i for term, i in vocabulary.items() if " " not in term), dtype=np.int64)


def fit_word_vectors(counts: sp.csr_matrix, random_state: int | None) -> np.ndarray | None:
    """Word vectors from positive PMI of words used in the same comment, reduced by SVD.

    The co-occurrence matrix is at most (single words)², whatever the comments' length.
    Context counts are smoothed (power 0.75), as in word2vec and GloVe, so that rare
    words do not get inflated associations.

    Args:
        counts: The comments' single-word features, a row per comment.
        random_state: Seed for the SVD.

    Returns:
        One unit vector per word (a row per column of ``counts``), or ``None`` when there
        are too few words, or too few associations, to learn them from.

    Examples:
        >>> counts = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 1]]))
        >>> fit_word_vectors(counts, random_state=0).shape
        (4, 3)
    """
    present = counts.astype(bool).astype(np.float32)
    together = present.T @ present
    together.setdiag(0)  # a word is not its own company
    together = together.tocoo()
    together.eliminate_zeros()
    dimensions = min(100, together.shape[0] - 1)
    if dimensions < 2 or not together.nnz:
        return None
    total = together.data.sum()
    word = np.asarray(together.sum(axis=1)).ravel() / total
    context = word**0.75 / (word**0.75).sum()
    pmi = np.log(together.data / total / (word[together.row] * context[together.col]))
    keep = pmi > 0
    positive = sp.csr_matrix(
        (pmi[keep], (together.row[keep], together.col[keep])), shape=together.shape
    )
    if positive.nnz < 2:
        return None
    svd = TruncatedSVD(dimensions, random_state=random_state)
    vectors = svd.fit_transform(positive) / np.sqrt(np.maximum(svd.singular_values_, 1e-12))
    return normalize(vectors).astype(np.float32)


def centre_similarity(vectors: np.ndarray, model: KMeans, assigned: np.ndarray) -> np.ndarray:
    """The cosine similarity of each vector to the centre of the group it was put in.

    Args:
        vectors: Unit-length vectors, a row per comment.
        model: The fitted k-means.
        assigned: The group of each vector.

    Returns:
        One similarity per comment.
    """
    centres = normalize(model.cluster_centers_)
    return np.einsum("ij,ij->i", vectors, centres[assigned])
