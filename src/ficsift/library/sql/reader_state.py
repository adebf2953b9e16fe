"""The reader's own state — reading status, rating, notes, the blacklist — in SQL both
backends take (see :mod:`ficsift.library.sql.store_core` for the connection it talks to).
Never changed by an import."""

from __future__ import annotations

from ficsift.library.query import BlacklistEntry, BlacklistKind
from ficsift.library.sql.store_core import Connection, in_valid_range, now_text
from ficsift.library.views import ReadingState

READING_STATUSES = ("want", "reading", "read", "dropped")


class ReaderState:
    db: Connection

    def has_work(self, work_id: int) -> bool:
        return (
            in_valid_range(work_id)
            and self.db.execute("SELECT 1 FROM works WHERE id = ?", (work_id,)).fetchone()
            is not None
        )

    def reading(self, work_id: int) -> ReadingState | None:
        if not in_valid_range(work_id):
            return None
        r = self.db.execute(
            "SELECT status, rating, notes, position, updated_at FROM reading WHERE work_id = ?",
            (work_id,),
        ).fetchone()
        return ReadingState(r[0], r[1], r[2], r[3], r[4]) if r else None

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
            updated_at=now_text(),
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
            BlacklistEntry(BlacklistKind(r[0]), r[1], r[2] or None, int(r[3]))
            for r in self.db.execute("SELECT kind, value, fandom, id FROM blacklist ORDER BY id")
        ]

    def blacklist_add(self, entry: BlacklistEntry) -> int:
        value = " ".join(entry.value.split())
        if not value:
            raise ValueError("a blacklist entry needs a value")
        fandom = " ".join((entry.fandom or "").split())
        self.db.execute(
            "INSERT INTO blacklist(kind, value, fandom, added_at) VALUES (?,?,?,?) "
            "ON CONFLICT DO NOTHING",
            (entry.kind.value, value, fandom, now_text()),
        )
        row = self.db.execute(
            "SELECT id FROM blacklist WHERE kind = ? AND value = ? AND fandom = ?",
            (entry.kind.value, value, fandom),
        ).fetchone()
        return int(row[0])

    def blacklist_remove(self, entry_id: int) -> bool:
        if not in_valid_range(entry_id):
            return False
        existed = self.db.execute(
            "DELETE FROM blacklist WHERE id = ? RETURNING id", (entry_id,)
        ).fetchall()
        return bool(existed)
