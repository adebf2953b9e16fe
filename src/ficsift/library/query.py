"""The query: one plain data object for every way a reader narrows the library.

The CLI's options, the inline query language (:mod:`ficsift.search.parse`) and the web form all
build a :class:`Query`; exactly one place compiles it for storage
(:mod:`ficsift.library.sqlite.compile` for SQLite), the way AO3's ``WorkQuery`` builds its whole
search body in one place.  Every part can describe itself in English, so a result page can say
what it filtered.

Tag filters hold what the reader typed ("W/T", "Vampires", "Willow Rosenberg/*"); resolving
them through the ontology (synonyms, sub-tags, relationship spellings) happens when the query
is compiled (:mod:`ficsift.library.tag_keys`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ficsift.model import TagType


class Sort(StrEnum):
    RELEVANCE = "relevance"
    QUALITY = "quality"
    KUDOS = "kudos"
    HITS = "hits"
    BOOKMARKS = "bookmarks"
    COMMENTS = "comments"
    WORDS = "words"
    UPDATED = "updated"
    PUBLISHED = "published"
    TITLE = "title"


class Crossover(StrEnum):
    ANY = "any"
    EXCLUDE = "exclude"  # single-fandom works only
    ONLY = "only"  # crossovers only


class GuessHiding(StrEnum):
    """How ficsift's guessed tags act in exclusions and the blacklist."""

    HIDE = "hide"  # a guess as sure as its type's measured bar hides the work (the default)
    SHOW = "show"  # guesses hide nothing: only the author's tags do
    ONLY = "only"  # just the works that guesses alone hide (what HIDE kept from the reader)


class ReadingStatus(StrEnum):
    WANT = "want"
    READING = "reading"
    READ = "read"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class TagFilter:
    """One tag as the reader asked for it; ``type`` None means any type.

    ``*`` is a wildcard ("Vampire *", "Willow Rosenberg/*").  ``main`` asks that a
    relationship be the work's main pairing.
    """

    text: str
    type: TagType | None = None
    main: bool = False

    def describe(self) -> str:
        kind = f"{self.type.value} " if self.type else ""
        return f"{kind}“{self.text}”" + (" as the main pairing" if self.main else "")


@dataclass(frozen=True, slots=True)
class TagGroup:
    """Tags of which a work must have at least one (an OR group); one tag is a plain AND term."""

    any_of: tuple[TagFilter, ...]

    def describe(self) -> str:
        return " or ".join(t.describe() for t in self.any_of)


INT64_MAX = 2**63 - 1
"""SQLite's largest INTEGER: a bigger Python int cannot even be bound as a parameter."""


def clamp_int64(value: int) -> int:
    """An integer bound as SQLite can take it, meaning the same for any stored count."""
    return max(-INT64_MAX, min(INT64_MAX, value))


@dataclass(frozen=True, slots=True)
class Range:
    """Inclusive bounds; None is open.  Dates are ISO strings compared as text."""

    low: int | str | None = None
    high: int | str | None = None

    @property
    def is_open(self) -> bool:
        return self.low is None and self.high is None

    def describe(self, what: str) -> str:
        if self.low is not None and self.high is not None:
            return f"{what} {self.low}–{self.high}"
        if self.low is not None:
            return f"{what} ≥ {self.low}"
        return f"{what} ≤ {self.high}"


class BlacklistKind(StrEnum):
    TAG = "tag"
    AUTHOR = "author"
    WORK = "work"


@dataclass(frozen=True, slots=True)
class BlacklistEntry:
    """Something the reader never wants to see; ``fandom`` scopes it to one fandom."""

    kind: BlacklistKind
    value: str
    fandom: str | None = None
    id: int | None = None

    def describe(self) -> str:
        scope = f" in {self.fandom}" if self.fandom else ""
        return f"{self.kind.value} “{self.value}”{scope}"


@dataclass(slots=True)
class Query:
    """Everything a search can ask.  The empty query matches every work."""

    text: str = ""  # free text: words, "phrases", -negated words
    include: list[TagGroup] = field(default_factory=list)  # every group must match (AND)
    exclude: list[TagFilter] = field(default_factory=list)  # none may match
    ratings: list[str] = field(default_factory=list)  # any of (AO3 names)
    categories: list[str] = field(default_factory=list)  # any of
    complete: bool | None = None  # True complete, False in progress, None either
    # in progress and abandoned (True) or still active (False); None either (wip:abandoned)
    abandoned: bool | None = None
    series: list[str] = field(default_factory=list)  # any of (series names; * a wildcard)
    words: Range = field(default_factory=Range)
    chapters: Range = field(default_factory=Range)
    kudos: Range = field(default_factory=Range)
    published: Range = field(default_factory=Range)
    updated: Range = field(default_factory=Range)
    languages: list[str] = field(default_factory=list)  # any of
    crossover: Crossover = Crossover.ANY
    main_pairing: bool = False  # relationship filters must match the main pairing
    max_relationships: int | None = None
    has_text: bool | None = None  # True: stories with text; False: metadata-only blurbs
    author_tags_only: bool = False  # ignore inferred tags when filtering
    guesses: GuessHiding = GuessHiding.HIDE  # how guessed tags act in exclusions/the blacklist
    # HIDE from this confidence (the reader's level); None: each type's measured bar
    guess_bar: float | None = None
    reading: list[ReadingStatus] = field(default_factory=list)  # reading status any of
    hide_read: bool = False
    use_blacklist: bool = True
    blacklist: list[BlacklistEntry] = field(default_factory=list)  # filled from the library
    authors: list[str] = field(default_factory=list)  # any of
    work_ids: list[int] | None = None  # restrict to these (e.g. semantic candidates)
    sort: Sort = Sort.RELEVANCE
    semantic: bool = True  # rank free text by meaning as well as by words

    @property
    def hides_by_tags(self) -> bool:
        """Some work may be hidden by a tag: an exclusion, or a blacklisted tag in use."""
        return bool(self.exclude) or (
            self.use_blacklist and any(e.kind is BlacklistKind.TAG for e in self.blacklist)
        )

    def describe(self) -> list[str]:
        """What this query asks, one English phrase per part (the filter table says it)."""
        from ficsift.library.filters import describe

        return describe(self)
