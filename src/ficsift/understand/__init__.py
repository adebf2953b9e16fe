"""Stage 2: understanding the story itself (fandom, characters, pairings, tags, warnings).

``understand(doc)`` adds inferred tags (with confidence and evidence) beside the author's and
canonicalises the author's tags against AO3's ontology; see :mod:`ficsift.understand.infer`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ficsift.understand.infer import understand

__all__ = ["understand"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the search path reads understand.canonical and .primer without
    # paying for the whole inference stack (a one-shot `ficsift search` starts faster).
    if name == "understand":
        from ficsift.understand.infer import understand

        return understand
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
