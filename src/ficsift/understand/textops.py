"""Whole-story text operations that several analysers need, done once per story.

Understanding scans one story several times (cues for tropes, the content lexicon, names);
this keeps such scans cheap: lower-casing that keeps offsets aligned, so a case-sensitive
pattern can scan the lower-cased text and its matches point into the original.
"""

from __future__ import annotations

from functools import lru_cache

# The language shows in a story's opening: language checks read this much of it (~5,000 words).
LANGUAGE_SAMPLE_CHARS = 30_000


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
