"""Theme discovery: propose candidate themes from comments nobody has coded yet.

:class:`ThemeDiscovery` groups comments that talk about the same thing and describes each
group so that a participation worker can decide whether it is a theme:

* a short name and keywords, from class-based TF-IDF (the words most particular to the
  group compared with all the others);
* three to five representative comments (the ones nearest the group's centre), redacted;
* its size.

How it works: every comment is read through :mod:`analysis.text` (normalised and
lemmatised); word and character n-grams are weighted by TF-IDF and reduced with latent
semantic analysis. Beside that, each comment gets the TF-IDF-weighted average of vectors
for its words, learned from the comments themselves (positive pointwise mutual information
of words used in the same comment, reduced by SVD): words that keep the same company, such
as "kind", "friendly" and "polite", get similar vectors, so "the driver was friendly" and
"a very kind crew" can meet without sharing a word. k-means groups the two joined.
Comments that sit far from every group's centre, or that have no words at all, go into
"other" (label ``-1``) rather than being forced into a theme. Given the same
``random_state``, the same comments always give the same themes.

The fitted model then places any other comments (:meth:`ThemeDiscovery.predict`), a batch
at a time if there are many (:meth:`ThemeDiscovery.predict_batches`): fit on a sample of a
large set, then give every comment its theme with memory that stays bounded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

from analysis.batches import BATCH_SIZE, batched
from analysis.char_grams import char_transform
from analysis.discovery_descriptions import keywords, representatives, theme_name
from analysis.discovery_vectors import (
    centre_similarity,
    fit_vectorisers,
    fit_word_vectors,
    single_words,
)
from analysis.redaction import redact
from analysis.text import lemmatise_normalised, normalise

OTHER = -1
MIN_THEMES, MAX_THEMES = 8, 40


@dataclass(frozen=True)
class DiscoveredTheme:
    """A candidate theme."""

    id: int
    name: str
    keywords: list[str]
    size: int
    representatives: list[str] = field(default_factory=list)


class ThemeDiscovery:
    """Group comments into candidate themes.

    Args:
        n_themes: How many themes to find; ``None`` chooses from the number of comments
            (between 8 and 40 for a few hundred comments or more, fewer for a handful).
        random_state: Seed, so the same comments give the same themes.
        redactor: Applied to each representative comment before it is stored; defaults
            to :func:`analysis.redaction.redact`.
        n_keywords: Keywords kept per theme.
        n_representatives: Representative comments per theme (at most five).
        other_quantile: The share of comments furthest from their theme's centre that go
            into "other".

    Attributes:
        labels_: The theme id of each comment, or ``-1`` for "other".
        themes_: The :class:`DiscoveredTheme` objects, largest first.
        word_vectoriser_, char_vectoriser_, reducer_, clusterer_: The fitted steps, which
            :meth:`predict` uses to place new comments (``reducer_`` is ``None`` when there
            were too few distinct comments to reduce).
        single_words_: The columns of ``word_vectoriser_`` that are single words.
        word_vectors_: One unit vector per single word, in ``single_words_`` order, or
            ``None`` when there were too few words to learn them from.
        other_cut_: Comments less similar than this to their group's centre are "other".

    Examples:
        >>> texts = ["the bus was late", "late bus again", "bus never on time",
        ...          "kind nurse", "the nurse was kind", "lovely kind nurses"] * 3
        >>> found = ThemeDiscovery(n_themes=2, random_state=0).fit(texts)
        >>> sorted(t.size for t in found.themes_)
        [9, 9]
        >>> len(set(found.labels_[:3].tolist()))
        1
    """

    def __init__(
        self,
        n_themes: int | None = None,
        random_state: int | None = 0,
        redactor: Callable[[str], str] | None = None,
        n_keywords: int = 8,
        n_representatives: int = 5,
        other_quantile: float = 0.05,
    ) -> None:
        self.n_themes = n_themes
        self.random_state = random_state
        self.redactor = redactor
        self.n_keywords = n_keywords
        self.n_representatives = max(1, min(n_representatives, 5))
        self.other_quantile = other_quantile

    def fit(self, texts: Iterable[object]) -> ThemeDiscovery:
        """Find the themes in ``texts``; see :attr:`labels_` and :attr:`themes_`.

        Raises:
            ValueError: If there are fewer than two comments with words in them, or
                ``n_themes`` is below 2.
        """
        raw = ["" if not isinstance(t, str) else t for t in texts]
        normalised = [normalise(t) for t in raw]
        lemmatised = lemmatise_normalised(normalised)
        index = np.flatnonzero([bool(text.strip()) for text in normalised])
        if len(index) < 2:
            raise ValueError("There need to be at least two comments with words in them.")
        if self.n_themes is not None and self.n_themes < 2:
            raise ValueError("Ask for at least two themes.")
        # Never more themes than there are different comments (30 copies of "ok" is one).
        distinct = len({normalised[i] for i in index})
        k = min(self.n_themes or self.choose_n_themes(len(index)), distinct)

        lemmas = [lemmatised[i] for i in index]
        vectors = self._fit_vectors([normalised[i] for i in index], lemmas, distinct)
        assigned, similarity = self._cluster(vectors, k)
        n_found = self._number_themes(assigned, k, index, len(raw))
        self.themes_ = self._describe(
            [raw[i] for i in index], lemmas, self.labels_[index], similarity, n_found
        )
        return self

    def _cluster(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Group the vectors with k-means, and put those furthest from their centre in "other".

        Returns each vector's group (or ``-1``) and its similarity to its group's centre.
        """
        model = KMeans(n_clusters=k, random_state=self.random_state, n_init=3)
        assigned = model.fit_predict(vectors)
        similarity = centre_similarity(vectors, model, assigned)
        self.clusterer_ = model
        self.other_cut_ = -np.inf
        if len(similarity) >= 20 and self.other_quantile > 0:
            self.other_cut_ = float(np.quantile(similarity, self.other_quantile))
            assigned = np.where(similarity < self.other_cut_, OTHER, assigned)
        return assigned, similarity

    def _number_themes(self, assigned: np.ndarray, k: int, index: np.ndarray, n: int) -> int:
        """Set :attr:`labels_`, numbering the themes largest first; return how many there are.

        Renumbering keeps theme ids stable and readable.
        """
        sizes = np.bincount(assigned[assigned != OTHER], minlength=k)
        order = [int(c) for c in np.argsort(-sizes, kind="stable") if sizes[c] > 0]
        renumber = {old: new for new, old in enumerate(order)}
        labels = np.full(n, OTHER, dtype=int)
        labels[index] = [renumber.get(int(c), OTHER) for c in assigned]
        self.labels_ = labels
        # What each k-means group became: its theme id, or "other" if nobody was left in it.
        self.theme_of_group_ = np.array([renumber.get(c, OTHER) for c in range(k)], dtype=int)
        return len(order)

    def _describe(
        self,
        raw: list[str],
        lemmatised: list[str],
        labels: np.ndarray,
        similarity: np.ndarray,
        n_themes: int,
    ) -> list[DiscoveredTheme]:
        """Describe each theme of the grouped comments: name, keywords, size and quotes."""
        words = keywords(lemmatised, labels, n_themes, self.n_keywords)
        redactor = self.redactor or redact
        themes = []
        for theme in range(n_themes):
            members = np.flatnonzero(labels == theme)
            quotes = representatives(raw, members, similarity, self.n_representatives, redactor)
            themes.append(
                DiscoveredTheme(
                    id=theme,
                    name=theme_name(words[theme], theme),
                    keywords=words[theme],
                    size=len(members),
                    representatives=quotes,
                )
            )
        return themes

    def fit_predict(self, texts: Iterable[object]) -> np.ndarray:
        """Fit and return :attr:`labels_`."""
        return self.fit(texts).labels_

    def predict(self, texts: Iterable[object]) -> np.ndarray:
        """Give each comment the theme whose centre it is nearest, or ``-1`` for "other".

        A comment is placed exactly as :meth:`fit` placed the comments it learned from:
        given those same comments, this returns :attr:`labels_`. Comments with no words,
        and comments further from their nearest centre than fit's "other" cut, get ``-1``.

        Raises:
            ValueError: If the model has not been fitted.

        Examples:
            >>> texts = ["the bus was late", "late bus again", "bus never on time",
            ...          "kind nurse", "the nurse was kind", "lovely kind nurses"] * 3
            >>> found = ThemeDiscovery(n_themes=2, random_state=0).fit(texts)
            >>> bus, nurse = found.labels_[0], found.labels_[3]
            >>> found.predict(["late bus", "kind nurses", ""]).tolist() == [bus, nurse, -1]
            True
        """
        self._check_fitted()
        normalised = [normalise(t) if isinstance(t, str) else "" for t in texts]
        labels = np.full(len(normalised), OTHER, dtype=int)
        index = np.flatnonzero([bool(text.strip()) for text in normalised])
        if not len(index):
            return labels
        used = [normalised[i] for i in index]
        vectors = self._vectors(used, lemmatise_normalised(used))
        assigned = self.clusterer_.predict(vectors)
        similarity = centre_similarity(vectors, self.clusterer_, assigned)
        themes = self.theme_of_group_[assigned]
        labels[index] = np.where(similarity < self.other_cut_, OTHER, themes)
        return labels

    def predict_batches(
        self, texts: Iterable[object], batch_size: int = BATCH_SIZE
    ) -> Iterator[np.ndarray]:
        """Place comments a batch at a time, reading ``texts`` lazily, so memory stays bounded.

        Returns:
            An iterator of label arrays, one per batch, that join up to :meth:`predict`.

        Raises:
            ValueError: If the model has not been fitted, or ``batch_size`` is below 1.
        """
        self._check_fitted()
        return (self.predict(batch) for batch in batched(texts, batch_size))

    @staticmethod
    def choose_n_themes(n_comments: int) -> int:
        """The default number of themes for this many comments.

        Roughly one theme per 150 comments, kept between 8 and 40; small sets get about
        one theme per three comments so that each theme has a few members.

        Examples:
            >>> [ThemeDiscovery.choose_n_themes(n) for n in (12, 60, 1000, 6000, 100000)]
            [4, 8, 8, 40, 40]
        """
        if n_comments < 3 * MIN_THEMES:
            return max(2, n_comments // 3)
        return max(MIN_THEMES, min(MAX_THEMES, math.ceil(n_comments / 150)))

    def _fit_vectors(
        self, normalised: list[str], lemmatised: list[str], distinct: int
    ) -> np.ndarray:
        self.word_vectoriser_, self.char_vectoriser_ = fit_vectorisers(normalised, lemmatised)
        features = self._features(normalised, lemmatised)
        dimensions = min(200, features.shape[1] - 1, distinct - 1)
        self.reducer_ = (
            TruncatedSVD(dimensions, random_state=self.random_state).fit(features)
            if dimensions >= 2
            else None
        )
        self.single_words_ = single_words(self.word_vectoriser_)
        self.word_vectors_ = fit_word_vectors(features[:, self.single_words_], self.random_state)
        return self._vectors(normalised, lemmatised, features)

    def _features(self, normalised: list[str], lemmatised: list[str]) -> sp.csr_matrix:
        words = self.word_vectoriser_.transform(lemmatised)
        chars = char_transform(self.char_vectoriser_, normalised)
        return sp.hstack([words, chars], format="csr")

    def _vectors(
        self, normalised: list[str], lemmatised: list[str], features: sp.csr_matrix | None = None
    ) -> np.ndarray:
        """Unit-length vectors for k-means: the TF-IDF features, reduced by LSA if fitted,
        joined with equal weight to the average of the comment's word vectors.

        Fit places its own comments with ``transform`` too, not ``fit_transform`` (which
        differs from it slightly), so that :meth:`predict` repeats fit exactly.
        """
        if features is None:
            features = self._features(normalised, lemmatised)
        if self.reducer_ is None:
            reduced = normalize(features.toarray())
        else:
            reduced = normalize(self.reducer_.transform(features))
        if self.word_vectors_ is None:
            return reduced
        meaning = normalize(features[:, self.single_words_] @ self.word_vectors_)
        return normalize(np.hstack([reduced, meaning]))

    def _check_fitted(self) -> None:
        if not hasattr(self, "clusterer_"):
            raise ValueError("Find the themes first: call fit.")
