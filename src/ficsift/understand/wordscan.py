"""Scanning a story for a large word-bounded alternation, trying only plausible word starts.

Python's ``re`` has no fast skip for a pattern that opens with a word boundary: ``finditer``
tries the pattern at every character of a novel (~30 ns each, 0.35 s a pass over the shared
corpus's ten million characters), which was most of the romance cues' scan.  Every match of
such a pattern opens at a word start with one of a known set of letters ("kiss", "lover", …),
so the positions worth trying are found with numpy, a million characters at a time (word
starts whose first three letters can open some alternative), and the pattern is matched only
there: the same matches, 2x faster for the romance cues.  It pays only where few word starts
qualify: the content lexicon's phrases open with "her", "a", "he" and the like, so nearly
every word start would be tried one Python call at a time, slower than ``re`` (measured 1.3 s
against 0.9 s); that scan stays with ``re``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_BASE = len(_LETTERS) + 1  # letter codes 1..26; 0 is any other character
PREFIX = 3  # letters of an opening used to rule positions out
_PIECE_CHARS = 1 << 20  # characters scanned at a time
# Below this many characters (~18,000 words) ``finditer`` itself takes a few milliseconds, and
# a one-story command need not import numpy (0.1 s) to save them.
SHORT_TEXT = 100_000


class WordStartScan:
    """``pattern.finditer(low)``, trying ``pattern`` only where it can match.

    ``pattern`` must open every match at a word start (no word character before it, as
    ``\\b`` or ``(?<!\\w)`` followed by a letter say), and ``openings`` must hold, for each of
    its alternatives, the lower-case ASCII letters every match of that alternative opens with
    (at least its first letter).  An empty opening (an alternative whose first letter is not
    fixed) turns the filter off: every position is tried, as ``finditer`` does.
    """

    def __init__(self, pattern: re.Pattern[str], openings: Iterable[str]) -> None:
        self.pattern = pattern
        heads = {o[:PREFIX] for o in openings}
        self._filtered = bool(heads) and all(h and set(h) <= set(_LETTERS) for h in heads)
        self._heads = frozenset(heads)
        self._tables: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def finditer(self, low: str) -> Iterator[re.Match[str]]:
        if not self._filtered or len(low) < SHORT_TEXT:
            yield from self.pattern.finditer(low)
            return
        match = self.pattern.match
        last = 0
        for p in self._candidates(low):
            if p < last:
                continue  # inside the previous match, where finditer would not look
            m = match(low, p)  # (a lookbehind still sees the text before p)
            if m is not None:
                yield m
                last = max(m.end(), p + 1)

    def _candidates(self, low: str) -> list[int]:
        """Word starts whose first letters begin some opening, in order.

        A piece of the text at a time: the arrays cost ~30 bytes a character, which for a
        60 MB text would be 2 GB at once."""
        found: list[int] = []
        for first in range(0, len(low), _PIECE_CHARS):
            found += self._candidates_in(low, first, min(len(low), first + _PIECE_CHARS))
        return found

    def _candidates_in(self, low: str, first: int, stop: int) -> list[int]:
        """:meth:`_candidates` in ``low[first:stop]`` (reading a character before it, to
        tell a word start, and two after it, for an opening's letters)."""
        import numpy as np  # (not at import: a CLI command that understands nothing skips it)

        one, two, three = self._lookup_tables()
        lo = max(0, first - 1)
        piece = low[lo : stop + 2].encode("utf-32-le", "surrogatepass")
        codes = np.frombuffer(piece, dtype=np.uint32)
        word = _word_chars(codes)
        starts = np.flatnonzero(word[1:] & ~word[:-1]) + 1
        if lo == 0 and word[0]:
            starts = np.concatenate(([0], starts))
        starts = starts[starts < stop - lo]  # (the two characters after the piece are context)
        # The letter codes of each start's first three characters (padded with two
        # non-letters, so a start at the text's end reads 0s past it).
        padded = np.concatenate((codes, np.zeros(2, dtype=np.uint32)))
        c1, c2, c3 = (_letter_codes(padded[starts + k]) for k in range(3))
        pair = c1 * _BASE + c2
        plausible = one[c1] | two[pair] | three[pair * _BASE + c3]
        result: list[int] = (starts[plausible] + lo).tolist()
        return result

    def _lookup_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which one-, two- and three-letter codes open some alternative: an opening shorter
        than three letters allows any letters after it."""
        import numpy as np

        if self._tables is None:
            one = np.zeros(_BASE, dtype=bool)
            two = np.zeros(_BASE**2, dtype=bool)
            three = np.zeros(_BASE**3, dtype=bool)
            for head in self._heads:
                code = 0
                for ch in head:
                    code = code * _BASE + _LETTERS.index(ch) + 1
                (one, two, three)[len(head) - 1][code] = True
            self._tables = (one, two, three)
        return self._tables


def _letter_codes(codes: np.ndarray) -> np.ndarray:
    """Each character's letter code: 1..26 for a..z, 0 for anything else."""
    import numpy as np

    letter = codes - (ord("a") - 1)
    return np.where((codes >= ord("a")) & (codes <= ord("z")), letter, 0).astype(np.intp)


@cache
def _ascii_word_table() -> np.ndarray:
    """Which ASCII characters are word characters; index 128 (any other character, looked
    up on its own) False."""
    import numpy as np

    return np.array([chr(c).isalnum() or c == ord("_") for c in range(128)] + [False])


def _word_chars(codes: np.ndarray) -> np.ndarray:
    """Which characters are word characters as ``re``'s ``\\w`` reads a str: alphanumeric
    (``str.isalnum``, any script) or the underscore."""
    import numpy as np

    capped = np.minimum(codes, 128)
    word: np.ndarray = _ascii_word_table()[capped]
    high = np.flatnonzero(capped == 128)
    if len(high):
        distinct = np.unique(codes[high])
        # (a lone surrogate, which "surrogatepass" keeps, is no word character)
        wordy = [c for c in distinct.tolist() if chr(c).isalnum()]
        if wordy:
            word[high] = np.isin(codes[high], wordy)
    return word


def regex_opening(source: str) -> str:
    """The letters every match of the regex ``source`` opens with: its leading lower-case
    letters, less one a quantifier makes optional ("lovers?" → "lover")."""
    m = re.match(f"[{_LETTERS}]*", source)
    opening = m.group(0) if m else ""
    if source[len(opening) : len(opening) + 1] in ("?", "*", "{"):
        opening = opening[:-1]
    return opening


def phrase_opening(phrase: str) -> str:
    """The leading lower-case letters of a literal phrase."""
    m = re.match(f"[{_LETTERS}]*", phrase)
    return m.group(0) if m else ""
