"""The storage contract, in four small parts, and :class:`Library`, which is all of them.

:class:`WorkStorage` stores and lists works; :class:`SearchBackend` finds them and reads
what a result shows; :class:`ReaderStateStore` keeps the reader's own marks and blacklist;
:class:`DerivedStore` keeps what the search stage derives (scores, vectors, models).  SQLite
(:mod:`ficsift.library.sqlite`) and PostgreSQL (:mod:`ficsift.library.postgresql`) implement
them all; one contract suite (``tests/library``) runs on both.  A caller that needs one part
takes that part.

A *work* is one story; a *source* is one place it was read from (a file, a zip member, a
blurb on a listing page).  A work may have several sources — the same fic as AO3 HTML and as
EPUB — and its shown fields are merged from them (see :mod:`ficsift.library.merge`).

Front ends and the import pipeline speak only to :class:`Library`; nothing outside this
package knows a table name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ficsift.library.query import BlacklistEntry, Query, TagFilter
from ficsift.library.storable import StorableDocument
from ficsift.library.tag_keys import KeyMatch, TagResolver
from ficsift.library.views import Blurb, Found, QualityRow, ReadingState
from ficsift.model import Document


class Outcome(StrEnum):
    ADDED = "added"  # a new work
    MERGED = "merged"  # a new source of a work already in the library
    UPDATED = "updated"  # a known source or work changed (e.g. new chapters)
    UNCHANGED = "unchanged"


class BatchLost(RuntimeError):
    """A write inside :meth:`Library.batch` failed and the batch's earlier writes could not
    be made again (the disk failed): none of the batch is stored, and the import must stop
    (a re-run redoes it).  Any other exception from ``store_file`` cost that file alone."""


@dataclass(slots=True)
class StoreResult:
    outcome: Outcome
    work_id: int
    detail: str = ""


@dataclass(slots=True)
class FileRecord:
    """What the library remembers about a file it read completely."""

    path: str
    sha256: str
    size: int
    mtime: float
    documents: int


@dataclass(slots=True)
class WorkUpdate:
    at: str
    source_path: str
    chapters_before: int
    chapters_after: int
    words_before: int
    words_after: int


@dataclass(slots=True)
class SourceInfo:
    id: int
    path: str
    format: str
    url: str | None
    sha256: str | None
    added_at: str
    updated_at: str


@dataclass(slots=True)
class StoredWork:
    """A work as the library shows it: the merged document plus library bookkeeping."""

    id: int
    document: Document
    sources: list[SourceInfo] = field(default_factory=list)
    updates: list[WorkUpdate] = field(default_factory=list)
    added_at: str = ""
    modified_at: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, **self.document.to_json()}
        out["source"] = self.sources[0].path if self.sources else out["source"]["path"]
        out["sources"] = [
            {
                "path": s.path,
                "format": s.format,
                "url": s.url,
                "added": s.added_at,
                "updated": s.updated_at,
            }
            for s in self.sources
        ]
        out["updates"] = [
            {"at": u.at, "source": u.source_path, "chapters": [u.chapters_before, u.chapters_after],
             "words": [u.words_before, u.words_after]}
            for u in self.updates
        ]  # fmt: skip
        out["added"] = self.added_at
        out["modified"] = self.modified_at
        return out


@dataclass(slots=True)
class WorkRow:
    """One line of a listing (``ficsift list``): no text, no tags beyond fandoms."""

    id: int
    title: str
    authors: list[str]
    fandoms: list[str]
    rating: str | None
    words: int
    chapters: int
    status: str
    has_text: bool
    format: str


@dataclass(slots=True)
class LibraryStats:
    works: int
    with_text: int
    sources: int
    files: int
    words: int
    by_fandom: list[tuple[str, int]]
    by_rating: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    by_format: list[tuple[str, int]]
    size_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "works": self.works,
            "with_text": self.with_text,
            "sources": self.sources,
            "files": self.files,
            "words": self.words,
            "by_fandom": dict(self.by_fandom),
            "by_rating": dict(self.by_rating),
            "by_status": dict(self.by_status),
            "by_format": dict(self.by_format),
            "size_bytes": self.size_bytes,
        }


class WorkStorage(ABC):
    """Where works live.  Every write is atomic per file: a crash never leaves half a file."""

    @abstractmethod
    def file_record(self, path: str) -> FileRecord | None:
        """What was stored for ``path`` the last time it was read completely."""

    @abstractmethod
    def touch_file(self, record: FileRecord) -> None:
        """Remember a file whose content is unchanged (its mtime moved)."""

    @abstractmethod
    def store_file(
        self, record: FileRecord, documents: Sequence[Document | StorableDocument]
    ) -> list[StoreResult]:
        """Store every document read from one file, atomically, and remember the file.

        Documents may come already made :func:`~ficsift.library.storable.storable` (in a
        reader process): the writer then only writes.
        """

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Make the ``store_file`` calls inside durable together, at the end (bulk imports).

        Each call stays all-or-nothing: one that fails leaves nothing behind and the others
        are still kept (it raises, and later calls can go on), unless the library raises
        :class:`BatchLost`.  A crash loses the whole unfinished batch, which a re-run redoes.
        """
        yield

    @abstractmethod
    def get(self, work_id: int) -> StoredWork | None: ...

    @abstractmethod
    def rows(self, limit: int = 50, offset: int = 0) -> list[WorkRow]: ...

    @abstractmethod
    def stats(self) -> LibraryStats: ...

    @abstractmethod
    def author_tag_counts(self) -> tuple[list[tuple[str, str, int]], list[tuple[str, int]]]:
        """What the authors' own tags teach (:mod:`ficsift.understand.learned`): (fandom,
        character, works of that one fandom tagging the character) and (relationship,
        works tagging it)."""

    @abstractmethod
    def close(self) -> None: ...


class SearchBackend(ABC):
    """Finding works (a :class:`Query` compiled in one place per backend) and reading what a
    result shows.  The reader's blacklist holds inside :meth:`find` for every caller."""

    # Seconds the in-memory search structures (columns, facet counts, text postings) may go
    # on answering while another process stores works.  A server sets it and reloads them
    # in the background, as a near-real-time searcher does: an import beside it then costs
    # its readers neither the slower SQL path nor a reload inside a search, and a stored
    # work is found within a reload's time (and past this many seconds behind, the exact
    # SQL path answers).  0 (a command): always the library as it is.
    snapshot_lag: float = 0.0

    def load_search_caches(self) -> None:  # noqa: B027 - optional: a backend may have none
        """Load in-memory search structures now (a server, once it starts)."""

    def widely_used_tags(self, share: float, most: int) -> list[tuple[str, str]]:
        """(type, display) of the tags at least ``share`` of the works carry, the most used
        first, at most ``most`` (from the loaded search structures; none before them)."""
        return []

    def refresh_text_index(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Bring derived full-text structures up to date with the works' text (the
        ``index`` step); the number of works brought in.  A backend whose database ranks
        its full text alone has nothing to do."""
        return 0

    @abstractmethod
    def find(
        self, query: Query, resolver: TagResolver, *, offset: int = 0, limit: int = 20,
        facets: int = 0, count_facets: bool = True, match_ids: bool = False,
    ) -> Found:  # fmt: skip
        """Works matching ``query``, ordered by its sort; facet counts when ``facets`` > 0
        (``count_facets=False``: the ids they would count, in ``Found.facet_ids``);
        ``match_ids``: every match's id too (``Found.match_ids``), when the words found them."""

    @abstractmethod
    def facet_counts(self, ids: list[int], top: int) -> dict[str, list[tuple[str, int]]]:
        """Tag counts over these works: each type's ``top`` tags, most works first."""

    @abstractmethod
    def tag_match(self, f: TagFilter, resolver: TagResolver, *, sub_tags: bool = True) -> KeyMatch:
        """The index keys a tag filter finds (the resolver's and the library's own)."""

    @abstractmethod
    def snippets(self, ids: list[int], terms: list[str], words: int = 24) -> dict[int, str]:
        """Each work's passage where the searched terms (words or phrases) cluster most."""

    @abstractmethod
    def blurbs(self, ids: list[int]) -> dict[int, Blurb]: ...

    @abstractmethod
    def tag_keys(self, ids: list[int]) -> dict[int, list[tuple[str, str, str]]]: ...

    @abstractmethod
    def works_sharing(
        self, keys: list[tuple[str, str]], exclude: int, limit: int = 500
    ) -> list[tuple[int, list[str]]]: ...

    @abstractmethod
    def key_frequencies(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]: ...

    @abstractmethod
    def tag_names(
        self, prefix: str, tag_type: str | None = None, limit: int = 20
    ) -> list[tuple[str, str, int]]:
        """(type, name, works) of the tags whose name starts with ``prefix`` (any case), the
        most used first: every tag the library has, however rare (autocomplete)."""

    @abstractmethod
    def qualities(self, ids: list[int]) -> dict[int, float]: ...

    @abstractmethod
    def has_work(self, work_id: int) -> bool:
        """Whether the library has this work (without loading it)."""

    @abstractmethod
    def work_count(self) -> int: ...


class ReaderStateStore(ABC):
    """The reader's own state: never changed by an import."""

    @abstractmethod
    def reading(self, work_id: int) -> ReadingState | None: ...

    @abstractmethod
    def set_reading(
        self, work_id: int, *, status: str | None = None, rating: int | None = None,
        notes: str | None = None, position: str | None = None, clear_status: bool = False,
        clear_rating: bool = False,
    ) -> ReadingState: ...  # fmt: skip

    @abstractmethod
    def blacklist(self) -> list[BlacklistEntry]: ...

    @abstractmethod
    def blacklist_add(self, entry: BlacklistEntry) -> int: ...

    @abstractmethod
    def blacklist_remove(self, entry_id: int) -> bool: ...


class DerivedStore(ABC):
    """Derived by the search stage: dropped whenever a work changes."""

    @abstractmethod
    def quality_rows(self, missing_only: bool = False) -> list[QualityRow]: ...

    @abstractmethod
    def put_scores(self, scores: Iterable[tuple[int, float, str, str]]) -> None: ...

    @abstractmethod
    def score_detail(self, work_id: int) -> tuple[float, str, dict[str, Any]] | None: ...

    @abstractmethod
    def story_text(self, work_id: int) -> str: ...

    @abstractmethod
    def texts_for_vectors(
        self, model: str, missing_only: bool
    ) -> Iterator[tuple[int, str, str, str, str]]:
        """(id, title, summary, body, tags) of works with any text lacking a vector."""

    @abstractmethod
    def put_vectors(self, model: str, vectors: Iterable[tuple[int, bytes]]) -> None: ...

    @abstractmethod
    def vectors(self, model: str) -> list[tuple[int, bytes]]: ...

    @abstractmethod
    def vector_pages(self, model: str) -> Iterator[list[tuple[int, bytes]]]:
        """The vectors of :meth:`vectors` by id, a page of rows at a time (a reader of a
        large library holds one page, not every row, beside what it makes of them)."""

    @abstractmethod
    def vector_count(self, model: str) -> int: ...

    @abstractmethod
    def vectors_stamp(self, model: str) -> str: ...

    def cache_identity(self) -> str | None:
        """A name for this library under which data derived from it may be kept outside it
        (the user's cache folder), or ``None`` when it has none.  Another library — a copy,
        or one made anew in the same place — has another name."""
        return None

    @abstractmethod
    def put_model(self, name: str, data: bytes, works: int) -> None: ...

    @abstractmethod
    def model(self, name: str) -> tuple[bytes, int] | None: ...

    @abstractmethod
    def model_stamp(self, name: str) -> str | None: ...

    @abstractmethod
    def text_work_count(self) -> int: ...


class Library(WorkStorage, SearchBackend, ReaderStateStore, DerivedStore):
    """A whole library: every part of the contract, as each backend gives it."""

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
