"""Near-duplicate detection for stories that carry no id: a SimHash of the opening text.

The same fic saved as plain text and as HTML differs in markup, quotes and notes, but its
opening paragraphs are nearly the same words.  A 64-bit SimHash over word trigrams of the
first few thousand words changes only a few bits for such copies; split into four 16-bit
bands, any copy within 3 bits shares at least one band exactly, so candidates are found with
an indexed lookup instead of a scan.
"""

from __future__ import annotations

import hashlib
import re

OPENING_WORDS = 3000
MIN_WORDS = 120  # below this a SimHash says too little to merge on
MAX_DISTANCE = 3
BANDS = 4
_WORD_RE = re.compile(r"[^\W_]+")


def simhash(text: str) -> int | None:
    """SimHash of the opening of ``text`` as a signed 64-bit int (SQLite's INTEGER); None if short."""
    words = [w.lower() for w in _WORD_RE.findall(text[: OPENING_WORDS * 12])][:OPENING_WORDS]
    if len(words) < MIN_WORDS:
        return None
    bits = [
        format(int.from_bytes(hashlib.blake2b(f"{a} {b} {c}".encode(), digest_size=8).digest()), "064b")
        for a, b, c in zip(words, words[1:], words[2:], strict=False)
    ]
    half = len(bits) / 2
    # Column-wise counts of 1 bits, done by zip in C: a bit is set when most trigrams set it.
    value = int("".join("1" if column.count("1") > half else "0" for column in zip(*bits, strict=True)), 2)
    return value - (1 << 64) if value >= 1 << 63 else value


def bands(value: int) -> list[tuple[int, int]]:
    unsigned = value & 0xFFFFFFFFFFFFFFFF
    return [(b, unsigned >> (16 * b) & 0xFFFF) for b in range(BANDS)]


def distance(a: int, b: int) -> int:
    return ((a ^ b) & 0xFFFFFFFFFFFFFFFF).bit_count()
