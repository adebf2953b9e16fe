"""The SQLite library's search side: finding works, blurbs, the reader's state, derived scores.

A mixin of :class:`~ficsift.library.sqlite.SqliteLibrary` (it shares its connection ``db``);
kept apart so storing works and searching them stay two small modules.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, cast

import numpy as np

from ficsift.library.compile import Compiled
from ficsift.library.conditions import HasTag
from ficsift.library.facet_counts import SQL_BELOW, FacetCache, plain_cursor
from ficsift.library.finding import Finding
from ficsift.library.query import INT64_MAX, BlacklistEntry, BlacklistKind
from ficsift.library.ships import ShipSides
from ficsift.library.sqlite.compile import SqliteQuery, posting_sql
from ficsift.library.tag_keys import normalise
from ficsift.library.views import Blurb, QualityRow, ReadingState, TagView
from ficsift.library.work_columns import COLUMNS

ARCHIVE_WARNINGS = frozenset(
    {"graphic depictions of violence", "major character death", "rape/non-con", "underage",
     "no archive warnings apply", "creator chose not to use archive warnings"}
)  # fmt: skip
SNIPPET_SCAN = 300_000  # characters of a story read for its passage once one is found
_MARKED = re.compile(r"«([^»]+)»")
_LAST_CHAR = "\U0010ffff"  # sorts after every character: key < prefix + this is "starts with"
READING_STATUSES = ("want", "reading", "read", "dropped")
_TAG_GROUPS = {"fandom": "fandoms", "warning": "warnings", "category": "category",
               "relationship": "relationships", "character": "characters",
               "freeform": "freeforms"}  # fmt: skip


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _ids_json(ids: Iterable[int]) -> str:
    return json.dumps([int(i) for i in ids])


class SqliteSearch(Finding):
    @property
    def _sqlite(self) -> sqlite3.Connection:
        """The connection as what it is here (the shared mixins know it as a Connection)."""
        return cast(sqlite3.Connection, self.db)

    def _said(self, compiled: Compiled) -> SqliteQuery:
        return SqliteQuery(compiled)

    def _ship_candidates(self, ship: ShipSides) -> list[tuple[str, str]]:
        # a word of every side, found with instr on the stored, case-folded key
        clause = (
            "EXISTS (SELECT 1 FROM json_each(?) w WHERE "
            "instr(replace(n.key, char(8217), char(39)), w.value) > 0)"
        )
        rows = self.db.execute(
            "SELECT n.key, n.display FROM tag_names n WHERE n.type = 'relationship' AND "
            + " AND ".join([clause] * len(ship.words)),
            [json.dumps(words) for words in ship.words],
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def _search_rows(self) -> list[Any]:
        return (
            plain_cursor(self._sqlite)
            .execute(f"SELECT {', '.join(COLUMNS)} FROM search_rows ORDER BY id")
            .fetchall()
        )

    # -- finding -------------------------------------------------------------------------

    _stems_ready = False
    _stems_lock = threading.Lock()

    def term_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many works hold each term (quoted FTS5 strings; a phrase: its rarest word).

        The terms are stemmed by FTS5 itself (a scratch table in the connection's ``temp``
        schema, never in the library file) and looked up in the index's vocabulary.
        """
        if not terms:
            return {}
        with self._stems_lock:
            db = self.db
            if not self._stems_ready:
                db.execute(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stemmer USING fts5(x, "
                    "tokenize='porter unicode61 remove_diacritics 2')"
                )
                db.execute(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stemmed "
                    "USING fts5vocab(temp, stemmer, instance)"
                )
                db.execute(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.work_terms "
                    "USING fts5vocab(main, work_fts, row)"
                )
                self._stems_ready = True
            db.executemany(
                "INSERT INTO temp.stemmer(rowid, x) VALUES (?, ?)",
                [(n, t.strip('"')) for n, t in enumerate(terms, 1)],
            )
            try:
                stems = db.execute("SELECT doc, term FROM temp.stemmed").fetchall()
            finally:
                db.execute("DELETE FROM temp.stemmer")
            by_term: dict[int, set[str]] = defaultdict(set)
            for doc, stem in stems:
                by_term[int(doc)].add(stem)
            wanted = sorted({s for group in by_term.values() for s in group})
            counts = dict(
                db.execute(
                    "SELECT term, doc FROM temp.work_terms WHERE term IN "
                    "(SELECT value FROM json_each(?))",
                    (json.dumps(wanted),),
                ).fetchall()
            )
        return {
            t: min((int(counts.get(s, 0)) for s in by_term.get(n, ())), default=0)
            for n, t in enumerate(terms, 1)
        }

    _facet_cache: FacetCache | None = None

    def load_search_caches(self) -> None:
        """Load what makes filter-only searches fast (a long-lived process calls this)."""
        self.load_work_columns()
        generation = self.generation()
        if self._facet_cache is None or self._facet_cache.generation != generation:
            cache = FacetCache()
            cache.load(self._sqlite, generation)
            self._facet_cache = cache

    def _postings(self, condition: HasTag) -> np.ndarray:
        sql, params = posting_sql(condition)
        listed = self.db.execute(sql, params).fetchone()[0]
        # parsed in C: a tenth of the time of split() and int() per id
        return np.fromstring(listed or "", dtype=np.int64, sep=",")

    def _facets(self, matched: list[int], top: int) -> dict[str, list[tuple[str, int]]]:
        generation = self.generation()
        warm = self._facet_cache is not None and self._facet_cache.generation == generation
        if not warm and len(matched) < SQL_BELOW:
            return self._facets_sql(matched, top)  # not worth loading the cache for
        if self._facet_cache is None or self._facet_cache.generation != generation:
            cache = FacetCache()
            cache.load(self._sqlite, generation)
            self._facet_cache = cache
        return self._facet_cache.count(matched, top)

    def _facets_sql(self, matched: list[int], top: int) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for r in self.db.execute(
            "SELECT type, display, n FROM (SELECT t.type AS type, max(t.display) AS display, "
            "count(DISTINCT t.work_id) AS n, row_number() OVER (PARTITION BY t.type "
            "ORDER BY count(DISTINCT t.work_id) DESC, t.key) AS rn FROM tag_index t "
            "WHERE t.work_id IN (SELECT value FROM json_each(?)) AND t.effective = 1 "
            "AND t.inherited = 0 "
            "GROUP BY t.type, t.key) WHERE rn <= ? ORDER BY type, n DESC, display",
            (_ids_json(matched), top),
        ):
            out[r[0]].append((r[1], int(r[2])))
        return dict(out)

    # -- blurbs --------------------------------------------------------------------------

    def blurbs(self, ids: list[int]) -> dict[int, Blurb]:
        if not ids:
            return {}
        wanted = _ids_json(ids)
        tags: dict[int, dict[str, list[TagView]]] = defaultdict(lambda: defaultdict(list))
        seen: dict[int, set[tuple[str, str]]] = defaultdict(set)
        ratings: dict[int, str] = {}
        for r in self.db.execute(
            "SELECT work_id, type, key, display, origin, main, effective, confidence "
            "FROM tag_index WHERE inherited = 0 AND work_id IN (SELECT value FROM json_each(?)) "
            "ORDER BY work_id, origin, main DESC, coalesce(confidence, 1) DESC, display",
            (wanted,),
        ):
            wid, kind = int(r["work_id"]), r["type"]
            if kind == "rating":
                if r["effective"] and wid not in ratings:
                    ratings[wid] = r["display"]
                continue
            if (kind, r["key"]) in seen[wid] or (
                kind in ("warning", "category") and not r["effective"]
            ):
                continue  # the author's tag already shows it
            seen[wid].add((kind, r["key"]))
            view = TagView(r["display"], kind, r["origin"], bool(r["main"]), r["confidence"])
            group = _TAG_GROUPS.get(kind, "freeforms")
            if kind == "warning" and r["origin"] == "inferred" and r["key"] not in ARCHIVE_WARNINGS:
                group = "content_warnings"
            tags[wid][group].append(view)
        out: dict[int, Blurb] = {}
        for r in self.db.execute(
            "SELECT w.*, s.quality, r.status AS r_status, r.rating AS r_rating, r.notes AS r_notes, "
            "r.position AS r_position, r.updated_at AS r_updated, "
            "(SELECT sr.abandoned_since FROM search_rows sr WHERE sr.id = w.id) AS abandoned, "
            "(SELECT coalesce(src.url, src.locator) FROM sources src WHERE src.work_id = w.id "
            " ORDER BY src.has_text DESC, src.chapters DESC, src.read_seq DESC LIMIT 1) AS src "
            "FROM works w LEFT JOIN work_scores s ON s.work_id = w.id "
            "LEFT JOIN reading r ON r.work_id = w.id WHERE w.id IN (SELECT value FROM json_each(?))",
            (wanted,),
        ):
            wid = int(r["id"])
            groups = tags[wid]
            reading = None
            if r["r_updated"] is not None:
                reading = ReadingState(r["r_status"], r["r_rating"], r["r_notes"] or "",
                                       r["r_position"], r["r_updated"])  # fmt: skip
            out[wid] = Blurb(
                id=wid, title=r["title"] or "(untitled)", authors=json.loads(r["authors"]),
                fandoms=groups["fandoms"], rating=ratings.get(wid) or r["rating"],
                warnings=groups["warnings"], category=groups["category"],
                relationships=groups["relationships"], characters=groups["characters"],
                freeforms=groups["freeforms"], status=r["status"], words=r["words"],
                chapters=r["chapters"], chapters_total=r["chapters_total"],
                published=r["published"], updated=r["updated"], summary=r["summary"],
                language=r["language"], kudos=r["kudos"], hits=r["hits"],
                bookmarks=r["bookmarks"], comments=r["comments"], has_text=bool(r["has_text"]),
                source=r["src"] or "", quality=r["quality"], reading=reading,
                content_warnings=groups["content_warnings"], abandoned_since=r["abandoned"],
            )  # fmt: skip
        return out

    def tag_keys(self, ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
        """Each work's effective tags as (type, key, display)."""
        out: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for r in self.db.execute(
            "SELECT DISTINCT work_id, type, key, display FROM tag_index WHERE effective = 1 "
            "AND inherited = 0 "
            "AND work_id IN (SELECT value FROM json_each(?))",
            (_ids_json(ids),),
        ):
            out[int(r[0])].append((r[1], r[2], r[3]))
        return dict(out)

    def works_sharing(
        self, keys: list[tuple[str, str]], exclude: int, limit: int = 500
    ) -> list[tuple[int, list[str]]]:
        """Works having any of these (type, key) tags, with the keys they share, most first."""
        if not keys:
            return []
        rows = self.db.execute(
            "SELECT t.work_id, json_group_array(DISTINCT t.type || char(31) || t.key) "
            "FROM tag_index t JOIN json_each(?) k "
            "ON t.type = json_extract(k.value, '$[0]') AND t.key = json_extract(k.value, '$[1]') "
            "WHERE t.effective = 1 AND t.inherited = 0 AND t.work_id != ? GROUP BY t.work_id "
            "ORDER BY count(DISTINCT t.key) DESC LIMIT ?",
            (json.dumps([list(k) for k in keys]), exclude, limit),
        )
        return [(int(r[0]), json.loads(r[1])) for r in rows]

    def key_frequencies(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """How many works carry each (type, key): rarer shared tags say more."""
        if not keys:
            return {}
        rows = self.db.execute(
            "SELECT t.type, t.key, count(DISTINCT t.work_id) FROM tag_index t "
            "JOIN json_each(?) k ON t.type = json_extract(k.value, '$[0]') "
            "AND t.key = json_extract(k.value, '$[1]') WHERE t.effective = 1 AND t.inherited = 0 "
            "GROUP BY t.type, t.key",
            (json.dumps([list(k) for k in keys]),),
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def tag_names(
        self, prefix: str, tag_type: str | None = None, limit: int = 20
    ) -> list[tuple[str, str, int]]:
        """Tags whose key starts with the prefix: a range of tag_index's primary key (key
        first), so a rare tag is found as fast as a common one.  A ship's key has its sides
        sorted: it is found by its first side in that order ("tara" finds "Willow
        Rosenberg/Tara Maclay", "willow" does not)."""
        start = normalise(prefix)
        if not start or limit < 1:
            return []
        kind = "AND type = ? " if tag_type else ""
        rows = self.db.execute(
            "SELECT type, max(display), count(DISTINCT work_id) AS n FROM tag_index "
            f"WHERE key >= ? AND key < ? {kind}AND effective = 1 AND inherited = 0 "
            "GROUP BY key, type ORDER BY n DESC, key LIMIT ?",
            (start, start + _LAST_CHAR, *((tag_type,) if tag_type else ()), limit),
        )
        return [(r[0], r[1], int(r[2])) for r in rows]

    def qualities(self, ids: list[int]) -> dict[int, float]:
        """Quality scores of these works (0 where not yet scored)."""
        return {
            int(r[0]): float(r[1] or 0.0)
            for r in self.db.execute(
                "SELECT id, quality FROM search_rows WHERE id IN (SELECT value FROM json_each(?))",
                (_ids_json(ids),),
            )
        }

    def has_work(self, work_id: int) -> bool:
        return (
            0 < work_id <= INT64_MAX  # (SQLite could not even bind a larger one)
            and self.db.execute("SELECT 1 FROM works WHERE id = ?", (work_id,)).fetchone()
            is not None
        )

    def work_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM works").fetchone()[0])

    # -- the reader's state --------------------------------------------------------------

    def reading(self, work_id: int) -> ReadingState | None:
        r = self.db.execute("SELECT * FROM reading WHERE work_id = ?", (work_id,)).fetchone()
        if r is None:
            return None
        return ReadingState(r["status"], r["rating"], r["notes"], r["position"], r["updated_at"])

    def set_reading(
        self, work_id: int, *, status: str | None = None, rating: int | None = None,
        notes: str | None = None, position: str | None = None, clear_status: bool = False,
        clear_rating: bool = False,
    ) -> ReadingState:  # fmt: skip
        """Change what is given, keep the rest.  Raises ValueError for a bad value or work."""
        if status is not None and status not in READING_STATUSES:
            raise ValueError(f"status must be one of {', '.join(READING_STATUSES)}, not {status!r}")
        if rating is not None and not 1 <= rating <= 5:
            raise ValueError(f"rating must be 1 to 5, not {rating}")
        if not self.has_work(work_id):
            raise ValueError(f"no work {work_id} in the library")
        old = self.reading(work_id) or ReadingState()
        new = ReadingState(
            status=None if clear_status else (status if status is not None else old.status),
            rating=None if clear_rating else (rating if rating is not None else old.rating),
            notes=notes if notes is not None else old.notes,
            position=position if position is not None else old.position,
            updated_at=_now(),
        )
        self.db.execute(
            "INSERT INTO reading(work_id, status, rating, notes, position, updated_at) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT(work_id) DO UPDATE SET status=excluded.status, "
            "rating=excluded.rating, notes=excluded.notes, position=excluded.position, "
            "updated_at=excluded.updated_at",
            (work_id, new.status, new.rating, new.notes, new.position, new.updated_at),
        )
        return new

    def blacklist(self) -> list[BlacklistEntry]:
        return [
            BlacklistEntry(BlacklistKind(r["kind"]), r["value"], r["fandom"] or None, r["id"])
            for r in self.db.execute("SELECT * FROM blacklist ORDER BY id")
        ]

    def blacklist_add(self, entry: BlacklistEntry) -> int:
        value = " ".join(entry.value.split())
        if not value:
            raise ValueError("a blacklist entry needs a value")
        fandom = " ".join((entry.fandom or "").split())
        self.db.execute(
            "INSERT OR IGNORE INTO blacklist(kind, value, fandom, added_at) VALUES (?,?,?,?)",
            (entry.kind.value, value, fandom, _now()),
        )
        row = self.db.execute(
            "SELECT id FROM blacklist WHERE kind = ? AND value = ? AND fandom = ?",
            (entry.kind.value, value, fandom),
        ).fetchone()
        return int(row[0])

    def blacklist_remove(self, entry_id: int) -> bool:
        return self._sqlite.execute("DELETE FROM blacklist WHERE id = ?", (entry_id,)).rowcount > 0

    # -- derived: quality scores, text vectors, fitted models ------------------------------

    def quality_rows(self, missing_only: bool = False) -> list[QualityRow]:
        where = "WHERE w.id NOT IN (SELECT work_id FROM work_scores)" if missing_only else ""
        rows = self.db.execute(
            "SELECT w.id, w.kudos, w.hits, w.bookmarks, w.comments, w.words, w.chapters, "
            # a work's age for quality is from its most recent known date
            "w.status, coalesce(w.updated, w.completed, w.published) AS published, w.has_text, "
            "(SELECT display FROM tag_index t WHERE "
            "t.work_id = w.id AND t.type = 'fandom' AND t.effective = 1 AND t.inherited = 0 "
            "ORDER BY t.origin "
            f"LIMIT 1) AS fandom FROM works w {where}"
        )
        return [
            QualityRow(
                int(r["id"]),
                r["kudos"],
                r["hits"],
                r["bookmarks"],
                r["comments"],
                int(r["words"]),
                int(r["chapters"]),
                None if r["status"] == "unknown" else r["status"] == "complete",
                r["fandom"],
                r["published"],
                bool(r["has_text"]),
            )
            for r in rows
        ]

    def put_scores(self, scores: Iterable[tuple[int, float, str, str]]) -> None:
        """(work id, quality, basis, detail JSON) for each work."""
        with self._transaction():  # type: ignore[attr-defined]
            self._bump_generation()  # type: ignore[attr-defined]  # search rows change
            rows = list(scores)
            self.db.executemany(
                "INSERT OR REPLACE INTO work_scores(work_id, quality, basis, detail) "
                "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM works WHERE id = ?)",
                [(i, q, b, d, i) for i, q, b, d in rows],
            )
            self.db.executemany(
                "UPDATE search_rows SET quality = ? WHERE id = ?", [(q, i) for i, q, _, _ in rows]
            )

    def score_detail(self, work_id: int) -> tuple[float, str, dict[str, Any]] | None:
        r = self.db.execute(
            "SELECT quality, basis, detail FROM work_scores WHERE work_id = ?", (work_id,)
        ).fetchone()
        return (float(r[0]), r[1], json.loads(r[2])) if r else None

    def story_text(self, work_id: int) -> str:
        r = self.db.execute("SELECT body FROM work_text WHERE work_id = ?", (work_id,)).fetchone()
        return r[0] if r else ""

    def texts_for_vectors(
        self, model: str, missing_only: bool
    ) -> Iterator[tuple[int, str, str, str, str]]:
        """(id, title, summary, body, tags) of works with any text — a listing blurb's title,
        summary and tags are text too — lacking a vector of ``model``."""
        where = (
            "AND w.id NOT IN (SELECT work_id FROM work_vectors WHERE model = ?)"
            if missing_only
            else ""
        )
        ids = [
            int(r[0])
            for r in self.db.execute(
                f"SELECT w.id FROM works w WHERE {_HAS_ANY_TEXT} {where} ORDER BY w.id",
                (model,) if missing_only else (),
            )
        ]
        for work_id in ids:
            r = self.db.execute(
                "SELECT title, summary, body, tags FROM work_text WHERE work_id = ?", (work_id,)
            ).fetchone()
            if r:
                yield work_id, r[0] or "", r[1] or "", r[2] or "", r[3] or ""

    def put_vectors(self, model: str, vectors: Iterable[tuple[int, bytes]]) -> None:
        with self._transaction():  # type: ignore[attr-defined]
            self.db.executemany(
                "INSERT OR REPLACE INTO work_vectors(work_id, model, vector) "
                "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM works WHERE id = ?)",
                [(i, model, v, i) for i, v in vectors],
            )
            self._bump_vectors(model)

    def vectors(self, model: str) -> list[tuple[int, bytes]]:
        return [
            (int(r[0]), r[1])
            for r in self.db.execute(
                "SELECT work_id, vector FROM work_vectors WHERE model = ? ORDER BY work_id",
                (model,),
            )
        ]

    def vectors_stamp(self, model: str) -> str:
        """Changes whenever vectors of ``model`` may have changed (a cheap cache key)."""
        row = self.db.execute(
            "SELECT value FROM meta WHERE key = ?", (f"vectors:{model}",)
        ).fetchone()
        return f"{self.generation()}:{row[0] if row else 0}:{self.model_stamp(model)}"

    def _bump_vectors(self, model: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            (f"vectors:{model}",),
        )

    def vector_count(self, model: str) -> int:
        return int(
            self.db.execute(
                "SELECT count(*) FROM work_vectors WHERE model = ?", (model,)
            ).fetchone()[0]
        )

    def put_model(self, name: str, data: bytes, works: int) -> None:
        with self._transaction():  # type: ignore[attr-defined]
            self.db.execute("DELETE FROM work_vectors WHERE model = ?", (name,))
            self._bump_vectors(name)
            self.db.execute(
                "INSERT OR REPLACE INTO models(name, data, works, fitted_at) VALUES (?,?,?,?)",
                (name, data, works, _now()),
            )

    def model_stamp(self, name: str) -> str | None:
        """Changes whenever the model is refitted (for caches of what it produced)."""
        r = self.db.execute(
            "SELECT fitted_at || ':' || works || ':' || length(data) FROM models WHERE name = ?",
            (name,),
        ).fetchone()
        return r[0] if r else None

    def model(self, name: str) -> tuple[bytes, int] | None:
        r = self.db.execute("SELECT data, works FROM models WHERE name = ?", (name,)).fetchone()
        return (bytes(r[0]), int(r[1])) if r else None

    def text_work_count(self) -> int:
        """Works with any text to embed (see texts_for_vectors)."""
        return int(
            self.db.execute(f"SELECT count(*) FROM works w WHERE {_HAS_ANY_TEXT}").fetchone()[0]
        )


_HAS_ANY_TEXT = "(w.has_text = 1 OR w.title != '' OR coalesce(w.summary, '') != '')"
