"""Whole-story text operations that several analysers need, done once per story.

Understanding scans one story several times (cues for tropes, the content lexicon, names);
this keeps such scans cheap: lower-casing that keeps offsets aligned, so a case-sensitive
pattern can scan the lower-cased text and its matches point into the original.
"""

from __future__ import annotations

import bisect
import gzip
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

import ahocorasick

from ficsift.model import count_words

# Ranks and forms of address before a name: "Rear Admiral Bronner", "Captain Leigh".
TITLE_WORDS = frozenset(
    ["Admiral", "Rear", "Vice", "Fleet", "Captain", "Commander", "Commodore", "Colonel",
     "General", "Major", "Lieutenant", "Sergeant", "Corporal", "Private", "Marshal", "Officer",
     "Count", "Countess", "Duke", "Duchess", "Baron", "Baroness", "Marquis", "Earl", "Prince",
     "Princess", "King", "Queen", "Emperor", "Empress", "Lord", "Lady", "Sir", "Dame",
     "Doctor", "Professor", "Inspector", "Detective", "Constable", "Agent", "Father", "Brother",
     "Sister", "Uncle", "Aunt", "Mister", "Master", "Herr", "Frau", "Fraulein", "Fräulein",
     "Madame", "Monsieur", "Mademoiselle", "Senator", "Minister", "Chancellor", "Guildmaster"]
)  # fmt: skip

# The language shows in a story's opening: language checks read this much of it (~2,000
# words; the share of common English words there is within 0.03 of the first 5,000 words' in
# every story of the shared corpus, and far from the bars: English 0.2-0.35, the bars 0.15).
LANGUAGE_SAMPLE_CHARS = 12_000
_WORD_RE = re.compile(r"\w+")


def common_word_share(text: str, common: frozenset[str]) -> float:
    """The share of the words of ``text``'s opening that are ``common`` (lower-case) words:
    how English a story reads ("the", "and", "was" make up a fifth of English prose)."""
    words, counts = _opening_words(text)
    return sum(counts.get(w, 0) for w in common) / max(1, words)


@lru_cache(maxsize=2)  # the story being understood: the content lexicon and the tropes ask
def _opening_words(text: str) -> tuple[int, Counter[str]]:
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    return count_words(sample), Counter(_WORD_RE.findall(sample.lower()))


@lru_cache(maxsize=2)  # the story being understood, lower-cased once for its three scans
def lower_aligned(text: str) -> str:
    """``text.lower()`` with every offset unchanged.

    Scanning lower-cased text with a case-sensitive pattern is 2.4x faster than a
    case-insensitive scan of the original (Python's ``re`` folds every character it tries).
    A few characters lower-case to two ("İ" → "i̇"); those are left as they are.
    """
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low


def grouped_alternation(alternatives: Iterable[str]) -> str:
    """One regex group matching what ``a|b|c…`` matches, where every alternative begins with a
    literal letter: the alternatives grouped by that letter, so Python's ``re`` tries one group
    at a position, not every alternative (2x faster over a novel; the order within a letter,
    which decides what matches first, is kept)."""
    by_letter: dict[str, list[str]] = {}
    for alternative in alternatives:
        first = alternative[:1]
        if not first.isalpha():
            raise ValueError(f"alternative does not begin with a letter: {alternative!r}")
        by_letter.setdefault(first, []).append(alternative[1:])
    groups = "|".join(f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in by_letter.items())
    return f"(?=[{''.join(by_letter)}])(?:{groups})"


def words_present(text: str, words: Iterable[str]) -> set[str]:
    """Which of ``words`` occur in ``text`` as whole words, case-sensitively.

    A word of letters and digits only is one of the text's maximal runs of them (one regex
    pass, a set lookup each); the few with an apostrophe or a hyphen are found in one
    Aho-Corasick pass (asking for each with ``str.find`` scans the whole text once per word
    *absent* from it; matching every word so would visit each "he" inside "the")."""
    wanted = {w for w in words if w}
    plain = {w for w in wanted if w.isalnum()}
    found = plain & set(_ALNUM_RUN_RE.findall(text)) if plain else set()
    rest = wanted - plain
    return found | _whole_words_in(text, rest) if rest else found


# A maximal run of letters and digits: \w is exactly str.isalnum() plus "_".
_ALNUM_RUN_RE = re.compile(r"[^\W_]+")


def _whole_words_in(text: str, wanted: set[str]) -> set[str]:
    automaton = ahocorasick.Automaton()
    for w in wanted:
        automaton.add_word(w, w)
    automaton.make_automaton()
    found: set[str] = set()
    n = len(text)
    for end, w in automaton.iter(text):
        if w in found:
            continue
        start = end - len(w) + 1
        if (start == 0 or not text[start - 1].isalnum()) and (
            end + 1 == n or not text[end + 1].isalnum()
        ):
            found.add(w)
            if len(found) == len(wanted):
                break
    return found


# Dialogue: a quotation in double quotes, curly or straight, within one line.
QUOTED_RE = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"")
Quoted = tuple[tuple[int, ...], tuple[int, ...]]  # quoted_spans: the starts, the ends


@lru_cache(maxsize=2)  # the story being understood: the cast and the content lexicon both ask
def quoted_spans(text: str) -> Quoted:
    """The starts and the ends of ``text``'s quotations (:data:`QUOTED_RE`), in order."""
    spans = [m.span() for m in QUOTED_RE.finditer(text)]
    return tuple(a for a, _ in spans), tuple(b for _, b in spans)


def in_quotes(quoted: Quoted, pos: int) -> bool:
    """Is offset ``pos`` inside one of the quotations ``quoted`` (:func:`quoted_spans`)?"""
    starts, ends = quoted
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and pos < ends[i]


_CAPITALISED_RE = re.compile(r"[A-Z][\w'’-]*")


TOKEN_CHUNK = 1 << 20  # characters split at a time (a novel's every token at once is ~10x it)


def distinct_tokens(text: str) -> set[str]:
    """The distinct whitespace-separated tokens of ``text``.  ``set(text.split())`` would hold
    a 20 MB novel's 3.6 million tokens in one list first (~250 MB): the text is split a slice
    at a time, each cut at a space or line break, which no token spans."""
    tokens: set[str] = set()
    start, n = 0, len(text)
    while start < n:
        end = start + TOKEN_CHUNK
        if end < n:
            cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            if cut <= start:  # one token longer than a slice: cut after it
                space = _SPACE_RE.search(text, end)
                cut = space.start() if space else n
            end = cut
        tokens.update(text[start:end].split())
        start = end
    return tokens


_SPACE_RE = re.compile(r"\s")


@lru_cache(maxsize=2)  # the story being understood: asked by the cast's several readings
def lower_words(text: str) -> frozenset[str]:
    """Every capitalised word of ``text`` that the text also writes in lower case ("will"
    beside "Will", "dawn" beside "Dawn"), lower-cased: one pass for all the questions the
    cast asks ("is this name also an ordinary word here?")."""
    # A word never spans whitespace, so the text's distinct whitespace-separated tokens hold
    # every word and every whole-word boundary it has: scanning them once each, not a novel's
    # every repetition, is 2.5x faster.
    tokens = distinct_tokens(text)
    lowered = {w.lower() for w in _CAPITALISED_RE.findall(" ".join(tokens))}
    # A word written bare ("will") is a token of its own; one with punctuation beside it
    # ("will," "(will") is inside a token that is not all letters: only those are searched.
    bare = lowered & tokens
    rest = lowered - bare
    if not rest:
        return frozenset(bare)
    mixed = " ".join(t for t in tokens if not t.isalnum())
    return frozenset(bare | words_present(mixed, rest))


@cache
def english_words() -> frozenset[str]:
    """The English word list, lower case (``data/words-en.txt.gz``, built by
    ``scripts/build_wordlist.py``): understanding tells ordinary words from names with it, the
    quality score measures a story's spelling."""
    data = resources.files("ficsift.understand").joinpath("data/words-en.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())
