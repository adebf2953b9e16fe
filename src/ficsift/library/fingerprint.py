"""Near-duplicate detection for stories that carry no id: sampled shingles of the opening.

The same fic saved as plain text and as HTML differs in markup, quotes and a few words, but
its opening is nearly the same run of words.  Every word 5-gram of the first few thousand
words is hashed and the hashes divisible by :data:`SAMPLE` are kept as *anchors* (content-
defined sampling: an edit only changes the anchors it touches, unlike a SimHash, where 1%
of changed words flipped up to 5 of 64 bits in our measurements).  Two texts are copies when
most of the smaller text's anchors are found in the other (containment), which also holds
when one copy is a longer download of the same WIP.
"""

from __future__ import annotations

import re
import zlib

OPENING_WORDS = 4000
SHINGLE = 5
SAMPLE = 32  # keep ~1/32 of the shingles: ~125 anchors for a 4,000-word opening
MIN_ANCHORS = 4  # fewer than this says too little to merge on
MIN_CONTAINMENT = 0.6
_WORD_RE = re.compile(r"[^\W_]+")


def anchors(text: str) -> set[int]:
    """Anchor hashes of ``text``'s opening (32-bit unsigned ints)."""
    words = [w.lower() for w in _WORD_RE.findall(text[: OPENING_WORDS * 12])][:OPENING_WORDS]
    # crc32 is stable across processes and runs (unlike hash()) and C-fast; 32 bits are plenty
    # for a sample of ~100 shingles per work.
    hashes = (
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
        for i in range(len(words) - SHINGLE + 1)
    )
    out = {h for h in hashes if h % SAMPLE == 0}
    return out if len(out) >= MIN_ANCHORS else set()


def containment(shared: int, mine: int, theirs: int) -> float:
    """Share of the smaller anchor set found in the other."""
    smaller = min(mine, theirs)
    return shared / smaller if smaller else 0.0
