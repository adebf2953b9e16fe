"""A library indexed before ``tag_index.hides`` existed gets it on open from one UPDATE, on
both backends: the author's tags hide, a guess only above the strictest bar of its type."""

from __future__ import annotations

from ficsift.library import FileRecord, Library, SqliteLibrary
from ficsift.library.sql.store_core import upgrade_hiding_bars
from ficsift.model import Chapter, Document, Source, Tag, TagOrigin, TagType
from tests.library.conftest import reopened


def test_an_older_library_gets_hides_without_a_reindex(library: Library) -> None:
    bar = upgrade_hiding_bars()["warning"]
    doc = Document(Source("w.txt", "text", work_key="test:1", sha256="s"), title="W",
                   chapters=[Chapter(None, "Words of a story. " * 20)])  # fmt: skip
    doc.add_tag("Graphic Depictions Of Violence", TagType.WARNING)
    for name, confidence in (("Major Character Death", bar - 0.2), ("Underage", min(1, bar))):
        doc.tags.append(Tag(name, TagType.WARNING, TagOrigin.INFERRED, label="archive",
                            confidence=confidence))  # fmt: skip
    library.store_file(FileRecord("w.txt", "s", 1, 0.0, 1), [doc])
    older = "7" if isinstance(library, SqliteLibrary) else "2"
    library.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (older,))
    library.db.execute("UPDATE tag_index SET hides = 1")  # as the column's default left it
    library.db.execute("UPDATE works SET title = 'not re-indexed'")  # a re-index would undo it
    lib = reopened(library)
    try:
        hides = dict(
            lib.db.execute("SELECT key, hides FROM tag_index WHERE inherited = 0").fetchall()
        )
        assert hides["graphic depictions of violence"] == 1
        assert hides["major character death"] == 0
        assert hides["underage"] == 1
        assert lib.db.execute("SELECT title FROM works").fetchone()[0] == "not re-indexed"
    finally:
        lib.close()
