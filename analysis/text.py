"""Shared preprocessing: normalisation, tokens and lemmas for every analysis component.

Comments from children and parents are short and messy: text speak, missing apostrophes,
stretched words ("sooo"), emoji. Every component reads text through this module so that
they all see the same words. Negations are kept as words ("not", "no", "never"), because
"not listened to" and "listened to" mean opposite things.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

#: Text speak and apostrophe-less contractions, mapped to plain words.
TEXT_SPEAK: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "why",
    "n": "and",
    "im": "i am",
    "ive": "i have",
    "id": "i would",
    "ill": "i will",
    "dont": "do not",
    "dnt": "do not",
    "wnt": "want",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "werent": "were not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "aint": "is not",
    "idk": "i do not know",
    "dunno": "do not know",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "kinda": "kind of",
    "cuz": "because",
    "coz": "because",
    "cos": "because",
    "bc": "because",
    "b4": "before",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thank you",
    "gr8": "great",
    "l8r": "later",
    "2day": "today",
    "2moro": "tomorrow",
    "tmrw": "tomorrow",
    "ppl": "people",
    "luv": "love",
    "tbh": "to be honest",
    "imo": "in my opinion",
    "btw": "by the way",
    "msg": "message",
    "appt": "appointment",
    "appts": "appointments",
    "dr": "doctor",
    "drs": "doctors",
    "mum": "mum",
    "sch": "school",
    "skool": "school",
    "nite": "night",
    "tho": "though",
    "thru": "through",
    "wiv": "with",
    "wid": "with",
    "bcoz": "because",
    "nvr": "never",
    "evry1": "everyone",
    "every1": "everyone",
    "some1": "someone",
    "sum1": "someone",
    "no1": "no one",
    "any1": "anyone",
}

#: Words that turn the meaning of what follows around.
NEGATIONS = frozenset(
    {"not", "no", "never", "nobody", "nothing", "nowhere", "neither", "nor", "without", "none"}
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_CONTRACTIONS = [
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"\bain't\b"), "is not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"\bi'm\b"), "i am"),
]
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
# Short words people stretch ("sooo", "nooo") whose doubled form is also in the word list.
_SHORT_WORDS = frozenset({"so", "me", "no", "we", "he", "hi", "oh", "go", "ok", "yes", "ya"})
#: A cap on how much of one comment is analysed, so that a pasted 100 KB essay cannot stall
#: a request. Far longer than any real answer.
MAX_CHARS = 20_000


def normalise(text: object) -> str:
    """Return lower-case text with contractions, text speak and stretched words made plain.

    Args:
        text: Any value; ``None``, ``NaN`` and non-strings become an empty string.

    Returns:
        A single-spaced, lower-case string of words.

    Examples:
        >>> normalise("I dont like it, it's sooo boring!!")
        'i do not like it it is so boring'
    """
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_APOSTROPHES).lower()
    text = text.replace("it's", "it is").replace("that's", "that is").replace("he's", "he is")
    text = text.replace("she's", "she is").replace("there's", "there is")
    for pattern, plain in _CONTRACTIONS:
        text = pattern.sub(plain, text)
    words = []
    for word in _WORD.findall(text):
        word = word.replace("'s", "").replace("'", "")
        word = _unstretch(word)
        words.append(TEXT_SPEAK.get(word, word))
    return " ".join(words)


def _unstretch(word: str) -> str:
    # "sooo" -> "so", "helllp" -> "help", but "good" and "too" stay as they are.
    if not _STRETCHED.search(word):
        return word
    double = _STRETCHED.sub(r"\1\1", word)
    single = _STRETCHED.sub(r"\1", word)
    if single in _SHORT_WORDS:
        return single
    known = vocabulary()
    if double in known or double in TEXT_SPEAK:
        return double
    if single in known or single in TEXT_SPEAK:
        return single
    return double


def tokens(text: object) -> list[str]:
    """Return the normalised words of a text.

    Examples:
        >>> tokens("Can't wait!")
        ['can', 'not', 'wait']
    """
    return normalise(text).split()


def lemmas(text: object) -> list[str]:
    """Return the lemma of each normalised word, using spaCy's English lookup table.

    Examples:
        >>> lemmas("The nurses were listening")
        ['the', 'nurse', 'be', 'listen']
    """
    table = lemma_table()
    return [table.get(word, word) for word in tokens(text)]


def lemmatise_all(texts: Iterable[object]) -> list[str]:
    """Return each text as a space-joined string of lemmas (ready for a vectoriser)."""
    return lemmatise_normalised(normalise(text) for text in texts)


def lemmatise_normalised(normalised: Iterable[str]) -> list[str]:
    """Return each already normalised text as a space-joined string of lemmas.

    The same as :func:`lemmatise_all` for text that :func:`normalise` made, without
    normalising it a second time, which took most of the time.

    Args:
        normalised: Texts returned by :func:`normalise`.

    Returns:
        Each text's lemmas, joined by single spaces.

    Examples:
        >>> lemmatise_normalised([normalise("The nurses were listening")])
        ['the nurse be listen']
    """
    table = lemma_table()
    return [" ".join(table.get(word, word) for word in text.split()) for text in normalised]


@lru_cache(maxsize=1)
def nlp() -> Any:
    """Return the shared spaCy pipeline.

    A trained English pipeline is used if one is installed; otherwise ``spacy.blank("en")``
    with the lookup lemmatiser from spacy-lookups-data. Nothing is ever downloaded.
    """
    import spacy

    for name in ("en_core_web_sm", "en_core_web_md"):
        if spacy.util.is_package(name):
            return spacy.load(name, exclude=["ner", "parser"])
    pipeline = spacy.blank("en")
    pipeline.add_pipe("lemmatizer", config={"mode": "lookup"})
    pipeline.initialize()
    return pipeline


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """Return spaCy's English lemma lookup table (from spacy-lookups-data) as a dict."""
    from spacy.util import load_language_data, registry

    # The same table the lookup lemmatiser uses, read directly because spaCy's own Table
    # keeps only hashes of its keys.
    words: dict[str, str] = dict(load_language_data(registry.lookups.get("en")["lemma_lookup"]))
    # A few forms this domain needs that the table lacks.
    words.update({"cannot": "can", "kids": "kid"})
    return words


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Return the English words the lemma table knows, as inflected forms or lemmas."""
    table = lemma_table()
    return frozenset(table) | frozenset(table.values())
