"""Tests' helper: a tag ficsift guessed sure enough to hide a work, read from a built SQLite
library (so a test names no tag of its own)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def a_hiding_guess(library_dir: Path) -> tuple[str, str]:
    """A (type, tag) that ficsift guessed sure enough to hide a work whose author did not
    give it."""
    with sqlite3.connect(library_dir / "library.sqlite3") as db:
        row = db.execute(
            "SELECT g.type, g.display FROM tag_index g WHERE g.origin = 'inferred' "
            "AND g.hides = 1 AND g.inherited = 0 AND g.type IN ('character', 'fandom') "
            "AND NOT EXISTS (SELECT 1 FROM tag_index a WHERE a.key = g.key "
            "AND a.type = g.type AND a.origin = 'author') ORDER BY g.display LIMIT 1"
        ).fetchone()
    assert row is not None, "the corpus gives no sure guess to hide by"
    return row[0], row[1]
