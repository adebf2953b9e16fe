"""The records that flow through ficsift: what a reader gives and what the library keeps.

A reader turns one file into one or more :class:`Document` objects (an AO3 listing page holds
twenty works; a story file holds one).  Everything downstream — understanding, the library,
search, the web app — consumes these records, never a reader's private structures.

Tags are typed and carry their origin, so an author's "W/T" and ficsift's inferred
``Tara Maclay/Willow Rosenberg`` can sit side by side and be told apart.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class TagType(StrEnum):
    """AO3's tag types (plus the fixed-vocabulary ones AO3 shows as symbols)."""

    FANDOM = "fandom"
    RELATIONSHIP = "relationship"
    CHARACTER = "character"
    FREEFORM = "freeform"
    WARNING = "warning"
    RATING = "rating"
    CATEGORY = "category"


class TagOrigin(StrEnum):
    AUTHOR = "author"  # given by the source file, spelled as the source spells it
    INFERRED = "inferred"  # found by ficsift in the story text


class Status(StrEnum):
    COMPLETE = "complete"
    IN_PROGRESS = "in-progress"
    UNKNOWN = "unknown"


class RelationshipKind(StrEnum):
    ROMANTIC = "romantic"  # AO3's "/"
    PLATONIC = "platonic"  # AO3's "&"


class CastRole(StrEnum):
    """How much of the story a character carries (the understanding stage decides)."""

    MAIN = "main"
    SIGNIFICANT = "significant"
    MINOR = "minor"


@dataclass(slots=True)
class Evidence:
    """A passage that supports an inferred tag: character offsets into the story text."""

    start: int
    end: int
    text: str
    chapter: int | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "chapter": self.chapter,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Tag:
    """One tag of one work.

    ``name`` is exactly what the source gave for author tags.  ``canonical`` is the AO3
    canonical spelling once the ontology has resolved it (None when unknown).
    ``label`` keeps a source's own type label when it had one ("genre", "kink",
    "Additional Tags") so nothing the author typed is lost by mapping to :class:`TagType`.
    """

    name: str
    type: TagType
    origin: TagOrigin = TagOrigin.AUTHOR
    label: str | None = None
    canonical: str | None = None
    confidence: float | None = None
    evidence: list[Evidence] = field(default_factory=list)
    # A relationship: the work's main pairing (the author's "Pairing:" field or ficsift's
    # reading), and whether it is romantic or platonic; a character: its part in the story.
    main: bool = False
    kind: RelationshipKind | None = None
    role: CastRole | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "source": self.origin.value}
        if self.main:
            out["main"] = True
        if self.kind is not None:
            out["kind"] = self.kind.value
        if self.role is not None:
            out["role"] = self.role.value
        if self.label:
            out["label"] = self.label
        if self.canonical and self.canonical != self.name:
            out["canonical"] = self.canonical
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 3)
        if self.evidence:
            out["evidence"] = [e.to_json() for e in self.evidence]
        out.update(self.extra)
        return out


@dataclass(slots=True)
class Chapter:
    """One chapter: its story text (plain, for analysis) and sanitised HTML (for reading)."""

    title: str | None
    text: str
    html: str = ""
    notes: list[str] = field(default_factory=list)  # chapter notes before the text
    end_notes: list[str] = field(default_factory=list)  # chapter notes after the text
    summary: str | None = None
    # Counting is a full pass over the text and understanding asks many times: remember the
    # count for the text it was made from (a reassigned text is counted again).
    _counted_text: str | None = field(default=None, init=False, repr=False, compare=False)
    _count: int = field(default=0, init=False, repr=False, compare=False)

    @property
    def words(self) -> int:
        if self._counted_text is not self.text:
            self._count = count_words(self.text)
            self._counted_text = self.text
        return self._count


@dataclass(slots=True)
class Stats:
    """Numbers a source reports about a work (AO3 blurb/preface stats)."""

    words: int | None = None  # as the source states it (story words are counted separately)
    chapters_posted: int | None = None
    chapters_total: int | None = None  # None for AO3's "x/?"
    kudos: int | None = None
    hits: int | None = None
    bookmarks: int | None = None
    comments: int | None = None
    collections: int | None = None
    reviews: int | None = None  # FanFiction.net and archive pages
    favs: int | None = None
    follows: int | None = None

    def to_json(self) -> dict[str, Any]:
        # __slots__ lists the fields in order (dataclasses.fields() is slow: one stored
        # record per work on an import)
        return {k: v for k in self.__slots__ if (v := getattr(self, k)) is not None}


@dataclass(slots=True)
class SeriesRef:
    name: str
    part: int | None = None
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "part": self.part, "url": self.url}


@dataclass(slots=True)
class Source:
    """Where a document came from.

    ``path`` names the file; for a member of a zip it is ``archive.zip!member/path``.
    ``work_key`` is a stable identity across formats when the source knows one
    (``ao3:29811993`` from an AO3 URL), so the same fic as HTML and EPUB is one work.
    """

    path: str
    format: str
    url: str | None = None
    work_key: str | None = None
    sha256: str | None = None
    size: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "url": self.url,
            "work_key": self.work_key,
            "sha256": self.sha256,
            "size": self.size,
        }


@dataclass(slots=True)
class Document:
    """One work as read from one source, before or after understanding."""

    source: Source
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    summary: str | None = None
    notes: list[str] = field(default_factory=list)  # author's notes before the story
    end_notes: list[str] = field(default_factory=list)  # author's notes after the story
    disclaimer: str | None = None
    chapters: list[Chapter] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    language: str | None = None
    series: list[SeriesRef] = field(default_factory=list)
    published: str | None = None  # ISO date (YYYY-MM-DD) or datetime as the source gives it
    updated: str | None = None
    completed: str | None = None
    status: Status = Status.UNKNOWN
    stats: Stats = field(default_factory=Stats)
    extra: dict[str, Any] = field(default_factory=dict)  # source fields with no home above
    # add_tag's index of the author tags (see _TagIndex)
    _tag_index: _TagIndex | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def has_text(self) -> bool:
        return any(c.text and not c.text.isspace() for c in self.chapters)

    @property
    def text(self) -> str:
        """The story text only: chapters joined, no notes, no disclaimer."""
        return "\n\n".join(c.text for c in self.chapters)

    @property
    def words(self) -> int:
        """Story words counted from the text; the source's figure when there is no text."""
        if self.has_text:
            return sum(c.words for c in self.chapters)
        return self.stats.words or 0

    def tags_of(self, tag_type: TagType, origin: TagOrigin | None = None) -> list[Tag]:
        return [
            t for t in self.tags if t.type == tag_type and (origin is None or t.origin == origin)
        ]

    def add_tag(self, name: str, tag_type: TagType, label: str | None = None) -> Tag | None:
        """Add an author tag unless the same (type, name) is already there; the tag.  None
        for an empty name, and once the type has MAX_TAGS_PER_TYPE author tags (a note in
        ``extra["warnings"]`` says so).  A label the tag lacked is kept from the later
        mention."""
        name = " ".join(name.split())
        if not name:
            return None
        index = self._tag_index
        if index is None or not index.covers(self.tags):
            index = self._tag_index = _TagIndex(self.tags)
        found = index.by_name.get((tag_type, name))
        if found is not None:
            found.label = found.label or label
            return found
        if index.per_type.get(tag_type, 0) >= MAX_TAGS_PER_TYPE:
            if tag_type not in index.dropped:
                index.dropped.add(tag_type)
                note = f"more than {MAX_TAGS_PER_TYPE} {tag_type.value} tags: the rest were dropped"
                warnings = self.extra.setdefault("warnings", [])
                if note not in warnings:
                    warnings.append(note)
            return None
        tag = Tag(name=name, type=tag_type, label=label)
        self.tags.append(tag)
        index.covers(self.tags)
        return tag

    def to_json(self) -> dict[str, Any]:
        """The ``analyze``/``show`` JSON contract (see README)."""

        def group(tag_type: TagType) -> list[dict[str, Any]]:
            return [t.to_json() for t in self.tags if t.type == tag_type]

        return {
            "title": self.title,
            "authors": self.authors,
            "summary": self.summary,
            "notes": self.notes,
            "end_notes": self.end_notes,
            "disclaimer": self.disclaimer,
            "fandoms": group(TagType.FANDOM),
            "relationships": group(TagType.RELATIONSHIP),
            "characters": group(TagType.CHARACTER),
            "tags": group(TagType.FREEFORM),
            "warnings": group(TagType.WARNING),
            "rating": group(TagType.RATING),
            "category": group(TagType.CATEGORY),
            "language": self.language,
            "series": [s.to_json() for s in self.series],
            "words": self.words,
            "chapters": [
                {"title": c.title, "words": c.words, "notes": c.notes, "end_notes": c.end_notes}
                for c in self.chapters
            ],
            "status": self.status.value,
            "published": self.published,
            "updated": self.updated,
            "completed": self.completed,
            "stats": self.stats.to_json(),
            "has_text": self.has_text,
            "cast": self.extra.get("cast", []),
            "status_inferred": self.extra.get("status_inferred"),
            "source": self.source.to_json(),
        }


MAX_TAGS_PER_TYPE = 500
"""Author tags of one type a document keeps (AO3 allows 75 tags in all): a field listing
100,000 pairings is a hostile file, not a story's metadata."""


class _TagIndex:
    """A document's author tags by (type, name) and their count per type, kept beside its
    tag list.  Looking through the list for each new tag made a ``Pairing:`` field of
    100,000 pairs cost minutes.  Readers and understanding also change the list directly
    (append, extend, replace it), so the index knows which list it covers and how far, and
    catches up with what was appended since."""

    __slots__ = ("by_name", "dropped", "last", "per_type", "size", "tags")

    def __init__(self, tags: list[Tag]) -> None:
        self.tags = tags
        self.size = 0
        self.last: Tag | None = None  # tags[size - 1] when indexed
        self.by_name: dict[tuple[TagType, str], Tag] = {}
        self.per_type: dict[TagType, int] = {}
        self.dropped: set[TagType] = set()
        self.covers(tags)

    def covers(self, tags: list[Tag]) -> bool:
        """Index what was appended to ``tags``; False when it is another list, or this one
        changed other than at its end (the index must be made again)."""
        if tags is not self.tags or len(tags) < self.size:
            return False
        if self.size and tags[self.size - 1] is not self.last:
            return False
        by_name, per_type = self.by_name, self.per_type
        for n in range(self.size, len(tags)):
            tag = tags[n]
            if tag.origin == TagOrigin.AUTHOR and (tag.type, tag.name) not in by_name:
                by_name[(tag.type, tag.name)] = tag
                per_type[tag.type] = per_type.get(tag.type, 0) + 1
        self.size = len(tags)
        self.last = tags[-1] if tags else None
        return True


_CJK_CHARS = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002a6df"
)


@functools.cache
def _cjk_re() -> re.Pattern[str]:
    """Compiled at first use: its wide ranges take ~5 ms to compile, which every command
    importing this module (a one-shot search) would otherwise pay."""
    return re.compile(f"[{_CJK_CHARS}]")


# A token with no letter or digit ("—", "*", "_"), found with its leading space rather than a
# look-behind at every character: half the time over a novel.
_NO_WORD_TOKEN_RE = re.compile(r"\s(?:[^\w\s]|_)+(?=\s)")


def count_words(text: str) -> int:
    """Words as AO3 counts them closely enough: whitespace-separated runs with a letter/digit.

    CJK text has no spaces, so each CJK character counts as a word (AO3 does the same).

    >>> count_words("Willow smiled — at Tara.")
    4
    >>> count_words("她笑了 ok")
    4
    """
    if len(text) > _COUNT_PIECE:
        # A piece at a time, cut at whitespace: split() of a whole 60 MB text made a string
        # per word, 12 million of them (700 MB) at once.
        total, start, n = 0, 0, len(text)
        while start < n:
            cut = _SPACE_RE.search(text, min(start + _COUNT_PIECE, n))
            end = cut.start() if cut else n
            total += _count_piece(text[start:end])
            start = end
        return total
    return _count_piece(text)


_COUNT_PIECE = 1 << 20
_SPACE_RE = re.compile(r"\s")


def _count_piece(text: str) -> int:
    cjk = 0
    if not text.isascii() and (cjk_re := _cjk_re()).search(text):
        cjk = len(cjk_re.findall(text))
        text = cjk_re.sub(" ", text)
    # All tokens, less those made only of punctuation ("—", "* * *"): two C-speed passes.
    return cjk + len(text.split()) - len(_NO_WORD_TOKEN_RE.findall(f" {text} "))
