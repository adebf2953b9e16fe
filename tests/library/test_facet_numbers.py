"""Every tag name has a number and every work lists its own effective tags' numbers
(``search_rows.facet_tags``): the in-memory facet counts read a row per work from them.
They follow a work re-indexed with other tags, and a library made before they existed gets
them on open, on both backends, without a re-index."""

from __future__ import annotations

from ficsift.library import FileRecord, Library, SqliteLibrary
from ficsift.library.sql.finding import Finding
from ficsift.model import Chapter, Document, Source, TagType
from tests.library.conftest import reopened


def _work(n: int, sha: str, fandom: str, characters: list[str]) -> Document:
    doc = Document(Source(f"w{n}.txt", "text", work_key=f"test:{n}", sha256=sha),
                   title=f"W{n}", chapters=[Chapter(None, "Words of a story. " * 20)])  # fmt: skip
    doc.add_tag(fandom, TagType.FANDOM)
    for name in characters:
        doc.add_tag(name, TagType.CHARACTER)
    return doc


def _store(lib: Library, doc: Document) -> None:
    lib.store_file(FileRecord(doc.source.path, doc.source.sha256 or "", 1, 0.0, 1), [doc])


def _counts(lib: Library) -> dict[str, list[tuple[str, int]]]:
    """The in-memory counts over every work, checked against SQL's."""
    assert isinstance(lib, Finding)
    ids = [int(r[0]) for r in lib.db.execute("SELECT id FROM works ORDER BY id").fetchall()]
    counts = lib._load_facet_cache(lib.generation()).count(ids, 20)
    assert counts == lib._facets_sql(ids, 20)
    return counts


def test_a_re_indexed_work_is_counted_under_its_new_tags(library: Library) -> None:
    _store(library, _work(1, "a", "Firefly", ["Kaylee Frye", "Simon Tam"]))
    _store(library, _work(2, "b", "Firefly", ["Kaylee Frye"]))
    assert _counts(library)["character"] == [("Kaylee Frye", 2), ("Simon Tam", 1)]
    _store(library, _work(1, "a2", "Firefly", ["River Tam"]))  # the same work, read anew
    assert _counts(library)["character"] == [("Kaylee Frye", 1), ("River Tam", 1)]
    numbers = [r[0] for r in library.db.execute("SELECT number FROM tag_names").fetchall()]
    assert None not in numbers and len(set(numbers)) == len(numbers)


def test_an_older_library_gets_its_numbers_on_open_without_a_reindex(library: Library) -> None:
    _store(library, _work(1, "a", "Firefly", ["Kaylee Frye", "Simon Tam"]))
    _store(library, _work(2, "b", "Farscape", ["Aeryn Sun"]))
    older = "8" if isinstance(library, SqliteLibrary) else "5"
    library.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (older,))
    library.db.execute("UPDATE tag_names SET number = NULL")  # as the added column left them
    library.db.execute("UPDATE search_rows SET facet_tags = NULL")
    library.db.execute("UPDATE works SET title = 'not re-indexed'")  # a re-index would undo it
    lib = reopened(library)
    try:
        assert (
            lib.db.execute("SELECT count(*) FROM tag_names WHERE number IS NULL").fetchone()[0] == 0
        )
        assert _counts(lib)["fandom"] == [("Farscape", 1), ("Firefly", 1)]
        assert lib.db.execute("SELECT min(title) FROM works").fetchone()[0] == "not re-indexed"
        # a name first seen after the upgrade gets a number of its own
        _store(lib, _work(3, "c", "Firefly", ["Jayne Cobb", "Kaylee Frye"]))
        assert _counts(lib)["character"][0] == ("Kaylee Frye", 2)
        assert ("Jayne Cobb", 1) in _counts(lib)["character"]
    finally:
        lib.close()
