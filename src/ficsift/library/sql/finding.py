"""Finding works, the same on every backend: a compiled query, its page, count and facets.

A backend mixes this in beside its own rendering of a compiled query (``_said``), its tag
postings and search rows (for the in-memory columns of filter-only queries), its facet
counts, its term frequencies and the relationship names a reader's ship may mean; what a
query means and how a page, a total and facets are made of it is decided here once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ficsift import derived_cache
from ficsift.library.compile import Compiled, QueryCompiler
from ficsift.library.conditions import HasTag
from ficsift.library.passages import passage
from ficsift.library.query import BlacklistEntry, Query, Sort, TagFilter
from ficsift.library.ships import ShipSides, ship_keys, ship_sides
from ficsift.library.sql.facet_counts import (
    FACET_FORMAT,
    FACET_NAMES,
    FACET_WORKS,
    SQL_BELOW,
    FacetCache,
)
from ficsift.library.sql.store_core import Connection
from ficsift.library.tag_keys import KeyMatch, TagResolver, is_relationship_text
from ficsift.library.views import FACET_DEPTH, Found
from ficsift.library.work_columns import COLUMNS, WorkColumns
from ficsift.model import TagType

SNIPPET_SCAN = 100_000  # characters of a story read for its passage once one is found
SNIPPET_ENOUGH = 3  # searched terms a passage shows for the search to stop reading the story
# A word query in a process that has not loaded the in-memory columns (a one-shot command)
# loads them first in a library this small (~5 ms per 1,000 works), so it ranks from the
# term postings as a server does, and alike on both backends; a larger library's command
# is answered by the backend's own full text (FTS5's bm25, PostgreSQL's ts_rank).
RANK_FROM_POSTINGS_BELOW = 20_000
_MARKED = re.compile(r"«([^»]+)»")


class SaidQuery(Protocol):
    """A compiled query as one backend's statements."""

    def ranked_sql(self) -> tuple[str, list[Any]]: ...

    def matching_sql(self, columns: str = "w.id") -> tuple[str, list[Any]]: ...


class Finding:
    db: Connection

    if TYPE_CHECKING:  # other mixins give these (declared here, not shadowed)

        def blacklist(self) -> list[BlacklistEntry]: ...

        def _facets_sql(self, matched: list[int], top: int) -> dict[str, list[tuple[str, int]]]: ...

    # -- how current the in-memory caches must be --------------------------------------------

    if TYPE_CHECKING:  # SearchBackend's and WorkStorage's (see there)
        snapshot_lag: float

        def cache_identity(self) -> str | None: ...

        def work_count(self) -> int: ...

    def current_enough(self, cache_generation: str | None, generation: str) -> bool:
        """Whether caches loaded at ``cache_generation`` may answer now (see
        ``SearchBackend.snapshot_lag``)."""
        if cache_generation == generation:
            return True
        if cache_generation is None or self.snapshot_lag <= 0 or self._at_rest(generation):
            return False
        # how long these caches have been behind, as this handle saw it
        behind: dict[str, float] = self.__dict__.setdefault("_behind_since", {})
        now = time.monotonic()
        since = behind.setdefault(cache_generation, now)
        if len(behind) > 16:
            behind.clear()
            behind[cache_generation] = since
        return now - since <= self.snapshot_lag

    # -- what each backend supplies ------------------------------------------------------

    def _said(self, compiled: Compiled) -> SaidQuery:
        raise NotImplementedError

    def _postings(self, condition: HasTag) -> np.ndarray:
        """The ids of the works a tag condition finds (repeats allowed)."""
        raise NotImplementedError

    def _ship_candidates(self, ship: ShipSides) -> Iterable[tuple[str, str]]:
        """Relationship names (key, display) holding a word of every side of the ship."""
        raise NotImplementedError

    def _facet_rows(self, statement: str) -> Iterable[Sequence[Any]]:
        """The rows of one of :mod:`~ficsift.library.sql.facet_counts`' statements, as plain
        tuples."""
        return self.db.execute(statement)

    # -- facets: counted in memory once a process holds the cache, in SQL before ------------

    _facet_cache: FacetCache | None = None

    def _facets(self, matched: list[int], top: int) -> dict[str, list[tuple[str, int]]]:
        generation = self.generation()
        cache = self._facet_cache
        if cache is None or not self.current_enough(cache.generation, generation):
            if len(matched) < SQL_BELOW or (cache is not None and self.snapshot_lag > 0):
                # not worth loading the cache for; or a server reloads it in the background
                return self._facets_sql(matched, top)
            cache = self._load_facet_cache(generation)
        return cache.count(matched, top)

    def _load_facet_cache(self, generation: str) -> FacetCache:
        # Kept in the user's cache folder for this library and generation, as the vectors
        # are: reading every work's tags as rows of strings is most of a server's warm-up
        # (2.6 of 4.4 s at 100k works), and a restart finds the library unchanged.
        identity = self.cache_identity()
        entry = "facets-" + derived_cache.make_key(identity or "")[:12]
        key = derived_cache.make_key("facets", FACET_FORMAT, identity or "", generation)
        cache = None
        kept = derived_cache.read(entry, key) if identity else None
        if kept is not None:
            try:
                cache = FacetCache.from_bytes(kept, generation)
            except ValueError:
                cache = None  # damaged: built again below
        if cache is None:
            cache = FacetCache()
            works = list(self._facet_rows(FACET_WORKS))  # before the names: see load
            cache.load(works, self._facet_rows(FACET_NAMES), generation)
            payload = cache.to_bytes() if identity and derived_cache.writable() else None
            if payload is not None:
                derived_cache.write(entry, key, payload)
        self._facet_cache = cache
        return cache

    def load_search_caches(self) -> None:
        """Load what makes searches fast (a long-lived process calls this, and again after
        another process's import moved the generation)."""
        self.load_work_columns()
        generation = self.generation()
        if self._facet_cache is None or self._facet_cache.generation != generation:
            self._load_facet_cache(generation)

    def term_frequencies(self, terms: list[str]) -> dict[str, int]:
        raise NotImplementedError

    def widely_used_tags(self, share: float, most: int) -> list[tuple[str, str]]:
        cache = self._facet_cache
        return cache.widely_used(share, most) if cache is not None else []

    def _at_rest(self, generation: str) -> bool:
        """Whether the library's last write was not an import's batch (see store_core)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'settled'").fetchone()
        return row is not None and str(row[0]) == generation

    def generation(self) -> str:
        """Bumped by every stored file: derived in-memory caches compare it."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return str(row[0]) if row else "0"

    # -- finding -------------------------------------------------------------------------

    def find(
        self, query: Query, resolver: TagResolver, *, offset: int = 0, limit: int = 20,
        facets: int = 0, count_facets: bool = True, match_ids: bool = False,
    ) -> Found:  # fmt: skip
        """Works matching ``query``: a page of (id, score) in order, the total, facet counts.

        The page is a top-k sort (``LIMIT``), the total a plain count: neither sorts or
        materialises every match.  Facets count the best :data:`FACET_DEPTH` matches, which
        is every match but for the broadest searches of a large library (``Found`` says so).
        ``count_facets=False`` gives those matches' ids (``Found.facet_ids``) uncounted, for a
        caller that adds works of its own (meaning search) before counting.  ``match_ids``
        asks for the ids of every match (``Found.match_ids``) of a query with words, found
        by the same scan that counts them.
        """
        if query.use_blacklist and not query.blacklist:
            # the reader's blacklist holds for every caller, whether it remembered it or not
            query = replace(query, blacklist=self.blacklist())
        compiled = self.compiler(resolver).compile(query)
        if compiled.match is not None and self._work_columns is None:
            self._load_columns_if_small()
        columns = self._work_columns
        if columns is not None and not self.current_enough(columns.generation, self.generation()):
            columns = None  # the SQL path answers for the library as it is
        if compiled.match is None and columns is not None and columns.supports(compiled.conditions):
            depth = FACET_DEPTH if facets else 0
            page, matches, best = columns.find(
                compiled.conditions, compiled.sort, offset, limit, depth
            )
            found = Found(matches, page)
            if facets and matches:
                self._count_facets(found, best, facets, count_facets)
            return found
        if (
            compiled.match is not None
            and compiled.sort is Sort.RELEVANCE
            and compiled.series is None
            and columns is not None
            and columns.supports(compiled.conditions)
        ):
            scored = self._text_scores(compiled, columns)
            if scored is not None:
                return self._found_in_memory(
                    compiled, columns, scored, offset, limit, facets, count_facets, match_ids
                )
        said = self._said(compiled)
        ranked, params = said.ranked_sql()
        total: int | None = None
        matched: list[int] | None = None
        # The page may walk a sort index and stop early; the count scans narrow rows.  (FTS5's
        # bm25() cannot sit beside a window count, so text queries count apart too.)  A count
        # alone (limit 0) scores nothing: BM25 of every match was most of its cost.
        rows = (
            self.db.execute(ranked + " LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
            if limit > 0
            else []
        )
        page = [(int(r[0]), float(r[1] or 0.0)) for r in rows]
        if offset == 0 and len(page) < limit:
            total = len(page)
            matched = [i for i, _ in page]
        if total is None:
            sql, count_params = said.matching_sql("w.id")
            if facets or match_ids:
                # the matches' ids, not just their number: facets and the caller reuse them
                matched = [r[0] for r in self.db.execute(sql, count_params)]
                total = len(matched)
            else:
                total = self.db.execute(
                    f"SELECT count(*) FROM ({sql}) AS m", count_params
                ).fetchone()[0]
        found = Found(total, page, exact={int(r[0]) for r in rows if r[2]})
        if match_ids and matched is not None:
            found.match_ids = frozenset(matched)
        if facets and total:
            if total > FACET_DEPTH:  # the best matches, in the query's order
                sql, params = f"SELECT id FROM ({ranked} LIMIT ?) AS m", [*params, FACET_DEPTH]
                best = [r[0] for r in self.db.execute(sql, params)]
            else:
                assert matched is not None
                best = matched
            self._count_facets(found, best, facets, count_facets)
        return found

    def _text_scores(
        self, compiled: Compiled, columns: WorkColumns
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, scores) of every work the words match, scored as the backend's ranked
        statement scores them, from postings in memory; None: the statement must answer."""
        return None

    def _found_in_memory(
        self, compiled: Compiled, columns: WorkColumns, scored: tuple[np.ndarray, np.ndarray],
        offset: int, limit: int, facets: int, count_facets: bool, match_ids: bool,
    ) -> Found:  # fmt: skip
        """A text query's page, total and facets from every match's score: the ranked
        statement's order (an exact title first, then score, then id), filters from the
        in-memory columns."""
        rows, scores = scored
        allowed = columns.matching(compiled.conditions)[rows]
        rows, scores = rows[allowed], scores[allowed]
        ids = columns.ids[rows]
        assert compiled.text is not None
        titled = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM search_rows WHERE title_norm = ?", (compiled.text.title,)
            )
        ]
        exact = np.isin(ids, np.array(titled, dtype=np.int64))
        order = np.lexsort((ids, -scores, ~exact))
        shown = order[offset : offset + limit] if limit > 0 else order[:0]
        page = [(int(ids[i]), float(scores[i])) for i in shown]
        found = Found(int(ids.size), page, exact={int(ids[i]) for i in shown if exact[i]})
        if match_ids:
            found.match_ids = frozenset(ids.tolist())
        if facets and ids.size:
            self._count_facets(found, ids[order[:FACET_DEPTH]].tolist(), facets, count_facets)
        return found

    def _count_facets(self, found: Found, ids: list[int], top: int, count: bool) -> None:
        found.facets_from = len(ids)
        if count:
            found.facets = self._facets(ids, top)
        else:
            found.facet_ids = ids

    def facet_counts(self, ids: list[int], top: int) -> dict[str, list[tuple[str, int]]]:
        """Tag counts over these works: each type's ``top`` tags, most works first."""
        return self._facets(ids, top) if ids else {}

    def compiler(self, resolver: TagResolver) -> QueryCompiler:
        """The query compiler, told what only the library knows: how rare each word is and
        which of its relationship tags a ship as readers write it means."""
        return QueryCompiler(
            resolver,
            self._known_frequencies,
            lambda f: self.tag_match(f, resolver, sub_tags=False),
        )

    def _known_frequencies(self, terms: list[str]) -> dict[str, int]:
        """:meth:`term_frequencies`, remembered until the library changes: a hybrid search
        compiles its words twice (its page, then its check of the works only the meaning
        found), and a reader pages through one query; each lookup walks every term's posting
        list (~10 ms for a long query at 100k works)."""
        generation = self.generation()
        if self._frequency_generation != generation or len(self._frequencies) > 256:
            self._frequencies = {}
            self._frequency_generation = generation
        key = tuple(terms)
        found = self._frequencies.get(key)
        if found is None:
            found = self._frequencies[key] = self.term_frequencies(terms)
        return found

    _frequencies: dict[tuple[str, ...], dict[str, int]] = {}  # noqa: RUF012 - replaced per instance
    _frequency_generation: str | None = None

    def tag_match(self, f: TagFilter, resolver: TagResolver, *, sub_tags: bool = True) -> KeyMatch:
        """The index keys a tag filter finds: the resolver's, and for a relationship written
        as readers write it ("Odo/Kira") the library's relationship tags it names."""
        match = resolver.match(f.text, f.type, sub_tags=sub_tags)
        if f.type not in (None, TagType.RELATIONSHIP) or not is_relationship_text(f.text):
            return match
        if "*" in f.text:
            return match
        generation = self.generation()
        if self._ship_cache_generation != generation:
            self._ship_cache = {}
            self._ship_cache_generation = generation
        found = self._ship_cache.get(f.text)
        if found is None:
            ship = ship_sides(f.text, resolver)
            found = frozenset() if ship is None else ship_keys(ship, self._ship_candidates(ship))
            self._ship_cache[f.text] = found
        if not found - match.keys:
            return match
        return KeyMatch(match.keys | found, match.patterns)

    _ship_cache: dict[str, frozenset[str]] = {}  # noqa: RUF012 - replaced per instance
    _ship_cache_generation: str | None = None

    _work_columns: WorkColumns | None = None
    _checked_size = False

    def load_work_columns(self) -> None:
        """Load what makes filter-only searches fast (a long-lived process calls this)."""
        generation = self.generation()
        if self._work_columns is None or self._work_columns.generation != generation:
            self._work_columns = WorkColumns(self._search_rows(), self._postings, generation)

    def _load_columns_if_small(self) -> None:
        if not self._checked_size:  # once per handle: a count each search costs more
            self._checked_size = True  # than it saves
            if self.work_count() < RANK_FROM_POSTINGS_BELOW:
                self.load_work_columns()

    def _search_rows(self) -> Sequence[Sequence[Any]]:
        """Every search row's :data:`~ficsift.library.work_columns.COLUMNS`, by id."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM search_rows ORDER BY id"
        return self.db.execute(sql).fetchall()

    def snippets(self, ids: list[int], terms: list[str], words: int = 24) -> dict[int, str]:
        """The passage of each work's text where the searched terms cluster most.

        Chapter by chapter, stopping at the first whose passage shows every term (of a long
        query, :data:`SNIPPET_ENOUGH`; its words seldom meet in one passage, and reading on
        for them was most of a 10k-work hybrid search): a 300k-word epic is rarely read to
        the end.
        """
        if not ids or not terms:
            return {}
        wanted = min(len(set(terms)), SNIPPET_ENOUGH)
        out = {}
        for work_id in ids:
            best: tuple[int, str] | None = None
            budget = SNIPPET_SCAN
            for (text,) in self.db.execute(
                "SELECT c.text FROM chapters c JOIN works w ON c.source_id = w.text_source_id "
                "WHERE w.id = ? ORDER BY c.idx",
                (work_id,),
            ):
                found = passage(text, terms, words)
                if found and (best is None or found.count("«") > best[0]):
                    best = (found.count("«"), found)
                    if len(set(_MARKED.findall(found))) >= wanted:
                        break
                budget -= len(text)
                if budget <= 0 and best is not None:
                    break  # good enough: a passage from the first part of a long story
            if best:
                out[work_id] = best[1]
        return out
