"""What front ends read of stored works besides search results — blurbs, tag keys, tags
shared with a work, tag-name autocomplete — in SQL both backends take (the connection and
the dialect of :mod:`ficsift.library.sql.store_core`)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import ClassVar

from ficsift.library.sql.store_core import TEXT_SOURCE_ORDER, Connection, Dialect, in_valid_range
from ficsift.library.tag_keys import normalise
from ficsift.library.views import Blurb, ReadingState, TagView

ARCHIVE_WARNINGS = frozenset(
    {"graphic depictions of violence", "major character death", "rape/non-con", "underage",
     "no archive warnings apply", "creator chose not to use archive warnings"}
)  # fmt: skip
_TAG_GROUPS = {"fandom": "fandoms", "warning": "warnings", "category": "category",
               "relationship": "relationships", "character": "characters",
               "freeform": "freeforms"}  # fmt: skip
_LAST_CHAR = "\U0010ffff"  # sorts after every character: key < prefix + this is "starts with"


def _ids(ids: list[int]) -> list[int]:
    return [int(i) for i in ids if in_valid_range(int(i))]


class WorkReads:
    db: Connection
    dialect: ClassVar[Dialect]

    def _in(self, column: str) -> str:
        return self.dialect.in_list.format(column)

    def work_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM works").fetchone()[0])

    def blurbs(self, ids: list[int]) -> dict[int, Blurb]:
        if not ids:
            return {}
        wanted = self.dialect.list_param(_ids(ids))
        tags: dict[int, dict[str, list[TagView]]] = defaultdict(lambda: defaultdict(list))
        seen: dict[int, set[tuple[str, str]]] = defaultdict(set)
        ratings: dict[int, str] = {}
        for wid, kind, key, display, origin, main, effective, confidence in self.db.execute(
            "SELECT work_id, type, key, display, origin, main, effective, confidence "
            f"FROM tag_index WHERE inherited = 0 AND {self._in('work_id')} "
            "ORDER BY work_id, origin, main DESC, coalesce(confidence, 1) DESC, display",
            (wanted,),
        ):
            wid = int(wid)
            if kind == "rating":
                if effective and wid not in ratings:
                    ratings[wid] = display
                continue
            if (kind, key) in seen[wid] or (kind in ("warning", "category") and not effective):
                continue  # the author's tag already shows it
            seen[wid].add((kind, key))
            view = TagView(display, kind, origin, bool(main), confidence)
            group = _TAG_GROUPS.get(kind, "freeforms")
            if kind == "warning" and origin == "inferred" and key not in ARCHIVE_WARNINGS:
                group = "content_warnings"
            tags[wid][group].append(view)
        out: dict[int, Blurb] = {}
        for r in self.db.execute(
            "SELECT w.id, w.title, w.authors, w.rating, w.status, w.words, w.chapters, "
            "w.chapters_total, w.published, w.updated, w.summary, w.language, w.kudos, w.hits, "
            "w.bookmarks, w.comments, w.has_text, s.quality, r.status, r.rating, r.notes, "
            "r.position, r.updated_at, "
            "(SELECT sr.abandoned_since FROM search_rows sr WHERE sr.id = w.id), "
            "(SELECT coalesce(src.url, src.locator) FROM sources src WHERE src.work_id = w.id "
            f" ORDER BY {TEXT_SOURCE_ORDER} LIMIT 1) "
            "FROM works w LEFT JOIN work_scores s ON s.work_id = w.id "
            f"LEFT JOIN reading r ON r.work_id = w.id WHERE {self._in('w.id')}",
            (wanted,),
        ):
            wid = int(r[0])
            groups = tags[wid]
            reading = None
            if r[22] is not None:
                reading = ReadingState(r[18], r[19], r[20] or "", r[21], r[22])
            out[wid] = Blurb(
                id=wid, title=r[1] or "(untitled)", authors=json.loads(r[2]),
                fandoms=groups["fandoms"], rating=ratings.get(wid) or r[3],
                warnings=groups["warnings"], category=groups["category"],
                relationships=groups["relationships"], characters=groups["characters"],
                freeforms=groups["freeforms"], status=r[4], words=int(r[5]),
                chapters=int(r[6]), chapters_total=r[7], published=r[8], updated=r[9],
                summary=r[10], language=r[11], kudos=r[12], hits=r[13], bookmarks=r[14],
                comments=r[15], has_text=bool(r[16]), source=r[24] or "", quality=r[17],
                reading=reading, content_warnings=groups["content_warnings"],
                abandoned_since=r[23],
            )  # fmt: skip
        return out

    def tag_keys(self, ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
        """Each work's effective tags as (type, key, display)."""
        out: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for r in self.db.execute(
            "SELECT DISTINCT work_id, type, key, display FROM tag_index WHERE effective = 1 "
            f"AND inherited = 0 AND {self._in('work_id')}",
            (self.dialect.list_param(_ids(ids)),),
        ):
            out[int(r[0])].append((r[1], r[2], r[3]))
        return dict(out)

    def _keys_table(self, keys: list[tuple[str, str]]) -> tuple[str, list[str]]:
        """(type, key) pairs as a table ``k(type, key)`` both databases read, and its values."""
        rows = " UNION ALL ".join(["SELECT ? AS type, ? AS key"] * len(keys))
        return f"({rows}) k", [part for pair in keys for part in pair]

    def works_sharing(
        self, keys: list[tuple[str, str]], exclude: int, limit: int = 500
    ) -> list[tuple[int, list[str]]]:
        """Works having any of these (type, key) tags, with the keys they share (``type``
        U+001F ``key``), most shared first."""
        if not keys:
            return []
        table, values = self._keys_table(keys)
        shared: dict[int, list[str]] = {}
        for work_id, kind, key in self.db.execute(
            "WITH hits AS (SELECT DISTINCT t.work_id, t.type, t.key FROM tag_index t "
            f"JOIN {table} ON t.type = k.type AND t.key = k.key "
            "WHERE t.effective = 1 AND t.inherited = 0 AND t.work_id != ?), "
            "best AS (SELECT work_id, count(*) AS n FROM hits GROUP BY work_id "
            "ORDER BY n DESC, work_id LIMIT ?) "
            "SELECT h.work_id, h.type, h.key FROM hits h JOIN best b ON b.work_id = h.work_id "
            "ORDER BY b.n DESC, h.work_id",
            (*values, exclude if in_valid_range(exclude) else 0, limit),
        ):
            shared.setdefault(int(work_id), []).append(f"{kind}\x1f{key}")
        return list(shared.items())

    def key_frequencies(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """How many works carry each (type, key): rarer shared tags say more."""
        if not keys:
            return {}
        table, values = self._keys_table(keys)
        rows = self.db.execute(
            f"SELECT t.type, t.key, count(DISTINCT t.work_id) FROM tag_index t JOIN {table} "
            "ON t.type = k.type AND t.key = k.key WHERE t.effective = 1 AND t.inherited = 0 "
            "GROUP BY t.type, t.key",
            values,
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
                f"SELECT id, quality FROM search_rows WHERE {self._in('id')}",
                (self.dialect.list_param(_ids(ids)),),
            )
        }

    def _facets_sql(self, matched: list[int], top: int) -> dict[str, list[tuple[str, int]]]:
        """The ``top`` most frequent tags of each type among the matched works, counted in SQL."""
        out: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for r in self.db.execute(
            # the name's display as tag_names keeps it, as the in-memory counts show it
            "SELECT r.type, n.display, r.n FROM (SELECT t.type AS type, t.key AS key, "
            "count(DISTINCT t.work_id) AS n, row_number() OVER (PARTITION BY t.type "
            "ORDER BY count(DISTINCT t.work_id) DESC, t.key) AS rn FROM tag_index t "
            f"WHERE {self._in('t.work_id')} AND t.effective = 1 AND t.inherited = 0 "
            "GROUP BY t.type, t.key) r JOIN tag_names n ON n.type = r.type AND n.key = r.key "
            "WHERE r.rn <= ? ORDER BY r.type, r.n DESC, n.display",
            (self.dialect.list_param(_ids(matched)), top),
        ):
            out[r[0]].append((r[1], int(r[2])))
        return dict(out)

    def author_tag_counts(self) -> tuple[list[tuple[str, str, int]], list[tuple[str, int]]]:
        characters = self.db.execute(
            "SELECT s.fandom, t.display, count(*) FROM tag_index t JOIN ("
            "  SELECT work_id, max(display) AS fandom FROM tag_index WHERE type = 'fandom' "
            "  AND origin = 'author' AND inherited = 0 GROUP BY work_id HAVING count(*) = 1"
            ") s ON s.work_id = t.work_id WHERE t.type = 'character' AND t.origin = 'author' "
            "AND t.inherited = 0 GROUP BY s.fandom, t.display"
        ).fetchall()
        ships = self.db.execute(
            "SELECT display, count(*) FROM tag_index WHERE type = 'relationship' "
            "AND origin = 'author' AND inherited = 0 GROUP BY display"
        ).fetchall()
        return (
            [(str(f), str(c), int(n)) for f, c, n in characters],
            [(str(r), int(n)) for r, n in ships],
        )
