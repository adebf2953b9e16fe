"""Passages for result snippets: where in a story the searched-for words sit closest together.

Found in Python over the stored text rather than with FTS5's ``snippet()``, which re-tokenises
a whole 300k-word body for every hit (a quarter of a second each).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_SCAN = 2_000_000  # characters of a story searched for a passage
MAX_HITS = 100  # occurrences of one term considered (a common word must not cost a whole scan)
STOPWORDS = frozenset(
    {"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "from", "with", "by",
     "as", "is", "was", "are", "were", "be", "been", "it", "its", "this", "that", "he", "she",
     "they", "his", "her", "their", "them", "him", "i", "you", "we", "me", "my", "your", "our",
     "not", "no", "so", "but", "if", "then", "than", "into", "out", "up", "about", "after"}
)  # fmt: skip


def _pattern(term: str) -> str:
    # words of a phrase may be separated by any punctuation and space, as FTS5 tokenises
    return r"\b" + r"\W+".join(re.escape(w) for w in term.split()) + r"\b"


def _occurrences(
    text: str, lowered: str, term: str, kind: int, most: int = MAX_HITS
) -> list[tuple[int, int, int]]:
    """Where a term occurs (at most ``most`` times): ``str.find`` on its first word (fast),
    then a regex check there."""
    first = term.split()[0].lower()
    check = re.compile(_pattern(term), re.IGNORECASE)
    found: list[tuple[int, int, int]] = []
    pos = 0
    while len(found) < most:
        i = lowered.find(first, pos)
        if i < 0:
            break
        m = check.match(text, i) if i == 0 or not text[i - 1].isalnum() else None
        if m:
            found.append((i, m.end(), kind))
        pos = i + len(first)
    return found


def passage(text: str, searched: Sequence[str], words: int = 24) -> str | None:
    """About ``words`` words centred on the densest cluster of the searched terms (words or
    phrases), marked «like this».

    >>> passage("A long day. Then the cellar door creaked open.", ["cellar", "door"], 6)
    '…long day. Then the «cellar» «door» creaked open.'
    """
    terms = [t for t in searched if t.lower() not in STOPWORDS] or list(searched)
    if not terms or not text:
        return None
    text = text[:MAX_SCAN]
    lowered = text.lower()
    # one term: its first occurrence is the passage, whatever follows
    most = 1 if len(terms) == 1 else MAX_HITS
    hits = sorted(
        h for k, term in enumerate(terms) for h in _occurrences(text, lowered, term, k, most)
    )
    if not hits:
        return None
    span = words * 7  # characters, roughly
    best = (0, hits[0][0], hits[0][1])  # (distinct terms, cluster start, cluster end)
    for i, (start, _, _) in enumerate(hits[:1000]):
        cluster = [h for h in hits[i : i + 20] if h[1] - start <= span]
        kinds = len({k for _, _, k in cluster})
        if kinds > best[0]:
            best = (kinds, start, max(end for _, end, _ in cluster))
            if kinds == len(terms):
                break  # no later cluster can be preferred: only more terms would be
    centre = (best[1] + best[2]) // 2
    lo = max(0, centre - span // 2)
    lo = 0 if lo == 0 else text.rfind(" ", 0, lo) + 1
    hi = text.find(" ", min(len(text), lo + span))
    hi = len(text) if hi == -1 else hi
    window = " ".join(text[lo:hi].split())
    regex = re.compile("|".join(_pattern(t) for t in terms), re.IGNORECASE)
    marked = regex.sub(lambda m: f"«{m.group(0)}»", window)
    return ("…" if lo > 0 else "") + marked + ("…" if hi < len(text) else "")
