"""What a work contributes to the search index, computed from its merged document alone.

Every backend indexes these values (tag keys with their meta tags, the facts and search row
filters read, the full-text fields), so the backends cannot disagree on what a work *is*;
how they are written is each backend's own (``sqlite/text_index.py``, ``postgresql/``).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from ficsift.library.tag_keys import ao3_rating_name, language_key, normalise, tag_key
from ficsift.model import Document, RelationshipKind, Status, Tag, TagOrigin, TagType
from ficsift.understand.abandonment import abandonment
from ficsift.understand.calibration import acts_on

if TYPE_CHECKING:
    from ficsift.ontology import Ontology


def _ontology() -> Ontology | None:
    """The AO3 ontology, loaded on first use (a reader process indexing works; never a
    search that only reads the index)."""
    from ficsift.understand.primer import load_primer

    return load_primer().ontology


# SQLite's lower() (which made title keys before): ASCII letters only.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
INHERITING = (TagType.FANDOM, TagType.CHARACTER, TagType.FREEFORM)  # types with meta tags
_KINDS = {t.value for t in INHERITING}
NO_WARNINGS_USED = "creator chose not to use archive warnings"
_ONE_SIDED = (TagType.RATING, TagType.CATEGORY)


def _effective(tag: Tag, author_types: dict[TagType, set[str]]) -> bool:
    """Whether filters read this tag: the author's word wins for rating/category/warnings."""
    if tag.origin == TagOrigin.AUTHOR:
        return True
    given = author_types.get(tag.type)
    if tag.type in _ONE_SIDED:
        return not given
    if tag.type == TagType.WARNING:
        return not given or given <= {NO_WARNINGS_USED}
    return True


TagRow = tuple[str, str, str, str, int, int, float | None, int, int]
"""A tag_index row less its work id: type, key, display, origin, main, effective,
confidence, inherited, hides.  Computed from the document alone, so a reader process can
make it."""


def tag_rows(doc: Document) -> list[TagRow]:
    tags = doc.tags
    # Only the author's ratings, categories and warnings decide whether an inferred tag is
    # effective (see _effective), so only those are normalised.
    author_types: dict[TagType, set[str]] = {}
    author_ships = []
    for t in tags:
        if t.origin is _AUTHOR:
            if t.type in _JUDGED:
                author_types.setdefault(t.type, set()).add(normalise(t.canonical or t.name))
            elif t.type is _RELATIONSHIP:
                author_ships.append(t)
    # The author's main pairing: the one a "Pairing:" field named, else the first listed.
    first_author_ship = next((t for t in author_ships if t.main), None) or next(
        iter(author_ships), None
    )
    rows: dict[tuple[str, str, str], TagRow] = {}
    for t in tags:
        kind, origin = _VALUE[t.type], _VALUE[t.origin]
        name = t.canonical or (ao3_rating_name(t.name) if t.type is _RATING else t.name)
        key, metas = _index_entries(name, kind, bool(t.canonical))
        if not key:
            continue
        main = kind == "relationship" and (
            t is first_author_ship or (t.origin is not _AUTHOR and t.main)
        )
        effective = 1 if t.origin is _AUTHOR else int(_effective(t, author_types))
        hides = 1 if t.origin is _AUTHOR else int(acts_on(t))
        row = (kind, key, name, origin, int(main), effective, t.confidence, 0, hides)
        old = rows.get((key, kind, origin))
        if old is None or old[7] or (main and not old[4]):
            rows[(key, kind, origin)] = row
        for meta_key, meta_kind, ancestor in metas:
            if (meta_key, meta_kind, origin) not in rows:  # a tag the work has itself wins
                rows[(meta_key, meta_kind, origin)] = (
                    meta_kind, meta_key, ancestor, origin, 0, effective, t.confidence, 1, hides
                )  # fmt: skip
    return list(rows.values())


_AUTHOR, _RELATIONSHIP, _RATING = TagOrigin.AUTHOR, TagType.RELATIONSHIP, TagType.RATING
_JUDGED = frozenset((*_ONE_SIDED, TagType.WARNING))


# Enum ``.value`` is a descriptor call: a dict is 10x cheaper, and tag rows are made by the
# million on a big import.
_VALUE: dict[TagType | TagOrigin, str] = {e: e.value for e in (*TagType, *TagOrigin)}


@lru_cache(maxsize=65536)
def _index_entries(
    display: str, kind: str, canonical: bool
) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """A tag's index key and its meta tags' (key, type, name): the same for every work."""
    key = tag_key(display, kind)
    if not canonical or kind not in _KINDS:
        return key, ()
    return key, tuple((tag_key(a, k), k, a) for a, k in meta_tags(display, kind))


@lru_cache(maxsize=65536)
def meta_tags(canonical: str, kind: str) -> tuple[tuple[str, str], ...]:
    """A canonical tag's meta tags (all ancestors) with their types, from the ontology."""
    onto = _ontology()
    if onto is None:
        return ()
    out = []
    for ancestor in onto.meta_tags(canonical):
        ancestor_kind = onto.tag_type(ancestor) or kind
        out.append((ancestor, ancestor_kind if ancestor_kind in _KINDS else kind))
    return tuple(out)


_WORDS_RE = re.compile(r"\w+")


def title_norm(text: str) -> str:
    """A title's words, case-folded: what an exact title match compares (the query too)."""
    return " ".join(_WORDS_RE.findall(text.casefold()))


# Tags full text searches: what the author tagged, and the fandoms ficsift found (a story's
# characters and ships are in its text already; guessed tropes are not the author's words).
_SEARCHED_TYPES = (TagType.FANDOM, TagType.RELATIONSHIP, TagType.CHARACTER, TagType.FREEFORM)


def tags_text(doc: Document) -> str:
    names: dict[str, None] = {}
    for t in doc.tags:
        if t.type in _SEARCHED_TYPES and (t.origin is _AUTHOR or t.type is TagType.FANDOM):
            names[t.name] = None
            if t.canonical and t.canonical != t.name:
                names[t.canonical] = None
    return "\n".join(names)


_WIP_TAGS = frozenset({"work in progress", "wip", "in progress", "ongoing", "unfinished"})


def shown_status(doc: Document) -> Status:
    """The status filters and blurbs use: the source's or the text's word, else what the
    work evidently is — chapters x/x is complete, fewer posted than planned is not, an
    author's "Work In Progress" tag is in progress, and a lone chapter (a one-shot; the
    text's "to be continued" cues were read by the understanding stage) is complete."""
    if doc.status is not Status.UNKNOWN:
        return doc.status
    if any(
        t.type is TagType.FREEFORM and t.origin is _AUTHOR and normalise(t.name) in _WIP_TAGS
        for t in doc.tags
    ):
        return Status.IN_PROGRESS
    posted, total = shown_chapters(doc), doc.stats.chapters_total
    if total:
        return Status.COMPLETE if posted >= total else Status.IN_PROGRESS
    if posted == 1:
        return Status.COMPLETE
    return Status.UNKNOWN


@lru_cache(maxsize=8192)
def _fandom_family(fandom: str) -> frozenset[str]:
    """The fandom, its franchise and its meta tags (and theirs): two fandoms sharing any are
    one franchise ("Star Trek: The Next Generation" and "Star Trek: Deep Space Nine")."""
    onto = _ontology()
    family = {normalise(fandom)}
    if onto is None:
        return frozenset(family)
    for name in (fandom, *onto.meta_tags(fandom)):
        family.add(normalise(name))
        franchise = onto.fandom_franchise(name)
        if franchise:
            family.add(normalise(franchise))
    return frozenset(family)


def franchise_count(fandoms: list[str]) -> int:
    """How many franchises these fandoms span: groups of fandoms linked by shared family."""
    groups: list[set[str]] = []
    for fandom in dict.fromkeys(fandoms):
        family = set(_fandom_family(fandom))
        joined = [g for g in groups if g & family]
        for g in joined:
            family |= g
            groups.remove(g)
        groups.append(family)
    return len(groups)


def shown_chapters(doc: Document) -> int:
    """The chapter count a work shows: its chapters, else what its source stated."""
    return len(doc.chapters) or doc.stats.chapters_posted or 0


def _count(doc: Document, tag_type: TagType, romantic_only: bool = False) -> int:
    """Distinct tags of a type, the author's when the author gave any."""
    tags = doc.tags_of(tag_type, TagOrigin.AUTHOR) or doc.tags_of(tag_type, TagOrigin.INFERRED)
    if romantic_only:
        tags = [
            t
            for t in tags
            if t.origin == TagOrigin.AUTHOR or t.kind is not RelationshipKind.PLATONIC
        ]
    return len({tag_key(t.canonical or t.name, t.type) for t in tags})


def shown_rating(tag: Tag) -> str:
    """A rating tag in AO3's words, whatever the source wrote ("adult" is Explicit): the
    stored document keeps the source's spelling; the index, counts and blurbs show AO3's."""
    return tag.canonical or ao3_rating_name(tag.name)


def effective_rating(doc: Document) -> str | None:
    tags = doc.tags_of(TagType.RATING, TagOrigin.AUTHOR) or doc.tags_of(
        TagType.RATING, TagOrigin.INFERRED
    )
    return shown_rating(tags[0]) if tags else None


FTS_COLUMNS = ("title", "authors", "summary", "tags", "notes", "body")
HEAD_COLUMNS = FTS_COLUMNS[:4]


class WorkValues(NamedTuple):  # a NamedTuple: see storable.py
    """What a document contributes to its work's rows, computed from the document alone (in
    a reader process on import, so the one writer only writes): the works row's shown
    fields, the facts row, the search row, the full-text entry less its body, tag rows."""

    work_key: str | None
    works: tuple[object, ...]  # the works row's fields, in WORKS_COLUMNS order
    facts: tuple[object, ...]  # language, fandoms, relationships, rating, notes, tags
    search: tuple[object, ...]  # search_rows less id and quality, in SEARCH_COLUMNS order
    fts: tuple[str, str, str, str, str]  # FTS_COLUMNS less the body
    tag_rows: list[TagRow]
    series: tuple[tuple[str, str, int | None], ...] = ()  # (key, name, part): work_series


WORKS_COLUMNS = (
    "title", "authors", "summary", "language", "rating", "status", "words", "chapters",
    "chapters_total", "published", "updated", "completed", "kudos", "hits", "bookmarks",
    "comments", "has_text", "format",
)  # fmt: skip
SEARCH_COLUMNS = (
    "status", "words", "chapters", "kudos", "hits", "bookmarks", "comments", "has_text",
    "published", "updated", "title_key", "language", "fandoms", "relationships", "rating",
    "title_norm", "franchises", "abandoned_since",
)  # fmt: skip


def work_values(doc: Document) -> WorkValues:
    notes = "\n".join([*doc.notes, *doc.end_notes])
    authors = json.dumps(doc.authors, ensure_ascii=False)
    ratings = doc.tags_of(TagType.RATING)
    language, rating = language_key(doc.language), effective_rating(doc)
    fandoms = _count(doc, TagType.FANDOM)
    relationships = _count(doc, TagType.RELATIONSHIP, romantic_only=True)
    words, chapters, stats = doc.words, shown_chapters(doc), doc.stats
    status = shown_status(doc).value
    updated = next((d for d in (doc.updated, doc.completed, doc.published) if d is not None), None)
    # A listing blurb's date is its last update; a one-chapter work was published then too.
    published = doc.published or (updated if chapters <= 1 else None)
    tags = tags_text(doc)
    fandom_tags = doc.tags_of(TagType.FANDOM, TagOrigin.AUTHOR) or doc.tags_of(
        TagType.FANDOM, TagOrigin.INFERRED
    )
    franchises = franchise_count([t.canonical or t.name for t in fandom_tags])
    # The day a work in progress counts as abandoned (whether it is depends on today, so
    # the date is stored and compared at query time: wip:abandoned, wip:active).
    stalled = abandonment(doc)
    abandoned_since = stalled.since.isoformat() if stalled and stalled.since else None
    return WorkValues(
        work_key=doc.source.work_key,
        works=(
            doc.title or "", authors, doc.summary, doc.language,
            shown_rating(ratings[0]) if ratings else None, status, words, chapters,
            stats.chapters_total, doc.published, doc.updated, doc.completed, stats.kudos,
            stats.hits, stats.bookmarks, stats.comments, int(doc.has_text), doc.source.format,
        ),
        facts=(language, fandoms, relationships, rating, notes, tags),
        search=(
            status, words, chapters, stats.kudos, stats.hits, stats.bookmarks,
            stats.comments, int(doc.has_text),
            None if published is None else published[:10],
            None if updated is None else updated[:10], (doc.title or "").translate(_ASCII_LOWER),
            language, fandoms, relationships, tag_key(rating, TagType.RATING) if rating else None,
            title_norm(doc.title or ""), franchises, abandoned_since,
        ),
        fts=(doc.title or "", authors, doc.summary or "", tags, notes),
        tag_rows=tag_rows(doc),
        series=tuple((normalise(s.name), s.name, s.part) for s in doc.series if s.name.strip()),
    )  # fmt: skip
