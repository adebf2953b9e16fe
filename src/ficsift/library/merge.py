"""One work from several sources: which source gives the text, the stats, the tags.

Rules, each because a reader would expect it:

- the text comes from the source with the most chapters (the newest download of a WIP),
  ties going to the most recently read;
- stats (kudos, hits…) come from the most recently read other source that has any (a fresh
  listing page knows more than an old download), else from the text source;
- descriptive fields (title, summary, dates, language) come from the text source first,
  then from any other source that has them;
- author tags are the union over sources (same type and name once); inferred tags are kept
  from the text source only, since they were inferred from that text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ficsift.model import Document, Stats, Status, TagOrigin


def text_source_rank(has_text: bool, chapters: int, read_seq: int) -> tuple[bool, int, int]:
    """Sort key: the highest-ranked source gives the work its text."""
    return (has_text, chapters, read_seq)


def merge_documents(main: Document, others: Sequence[Document]) -> Document:
    """The work as a reader sees it.

    ``main`` is the text source (see :func:`text_source_rank`); ``others`` are the work's
    other sources, most recently read first.
    """
    if not others:
        return main
    merged = dataclasses.replace(main, tags=list(main.tags), stats=dataclasses.replace(main.stats))

    for field in (
        "title",
        "summary",
        "disclaimer",
        "language",
        "published",
        "updated",
        "completed",
    ):
        if not getattr(merged, field):
            for other in others:
                if getattr(other, field):
                    setattr(merged, field, getattr(other, field))
                    break
    if not merged.authors:
        merged.authors = next((list(o.authors) for o in others if o.authors), [])
    if not merged.series:
        merged.series = next((list(o.series) for o in others if o.series), [])

    fresh = next((d.stats for d in [*others, main] if _has_engagement(d.stats)), None)
    if fresh is not None and fresh is not main.stats:
        merged.stats = _combine_stats(fresh, merged.stats)

    seen = {(t.type, t.name) for t in merged.tags if t.origin == TagOrigin.AUTHOR}
    for other in others:
        for tag in other.tags:
            if tag.origin == TagOrigin.AUTHOR and (tag.type, tag.name) not in seen:
                seen.add((tag.type, tag.name))
                merged.tags.append(tag)

    if merged.status == Status.UNKNOWN:
        merged.status = next(
            (o.status for o in others if o.status != Status.UNKNOWN), Status.UNKNOWN
        )
    return merged


def _has_engagement(stats: Stats) -> bool:
    return any(v is not None for v in (stats.kudos, stats.hits, stats.bookmarks, stats.comments))


def _combine_stats(fresh: Stats, base: Stats) -> Stats:
    out = dataclasses.replace(base)
    for name in ("kudos", "hits", "bookmarks", "comments", "collections"):
        setattr(out, name, getattr(fresh, name))
    for name in ("words", "chapters_posted", "chapters_total"):
        if getattr(out, name) is None:
            setattr(out, name, getattr(fresh, name))
    return out
