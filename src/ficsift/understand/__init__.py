"""Stage 2: understanding the story itself (fandom, characters, pairings, tags, warnings).

``understand(doc)`` adds inferred tags (with confidence and evidence) beside the author's and
canonicalises the author's tags against AO3's ontology; see :mod:`ficsift.understand.infer`.
"""

from ficsift.understand.infer import understand

__all__ = ["understand"]
