"""The reader's own state: reading status, rating, notes and the blacklist survive re-imports
and hold in every search; re-imported text is searchable at once, old text gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficsift.importer import import_paths
from ficsift.library import Library, SqliteLibrary
from ficsift.library.query import BlacklistEntry, BlacklistKind, Query
from ficsift.search import parse_query, refresh, search, similar

from .conftest import titles, write_fics


def work_id(lib: Library, title: str) -> int:
    everything = search(lib, Query(use_blacklist=False), limit=50).hits
    (hit,) = [h for h in everything if h.title == title]
    return hit.id


def test_reading_state_survives_a_changed_reimport(tmp_path: Path) -> None:
    folder = write_fics(tmp_path / "fics")
    with SqliteLibrary(tmp_path / "lib") as lib:
        import_paths(lib, [folder], workers=1)
        cellar = work_id(lib, "The Cellar Door")
        lib.set_reading(cellar, status="read", rating=5, notes="the boiler scene!")
        story = folder / "cellar.md"
        story.write_text(story.read_text("utf-8") + "\nMarmalade skies over the Bronze.\n", "utf-8")
        report = import_paths(lib, [folder], workers=1)
        assert report.counts["updated"] == 1 and not report.failures
        refresh(lib)
        assert work_id(lib, "The Cellar Door") == cellar
        state = lib.reading(cellar)
        assert state is not None
        assert (state.status, state.rating, state.notes) == ("read", 5, "the boiler scene!")
        assert titles(search(lib, parse_query("marmalade semantic:off"))) == {"The Cellar Door"}


def test_reimported_text_replaces_the_old_in_full_text(
    fresh_library: Library, tmp_path: Path
) -> None:
    lib = fresh_library
    story = tmp_path / "wip" / "story.txt"
    story.parent.mkdir()
    story.write_text("Title: Gooseberry\n\nChapter 1\n\nThe gooseberry bush grew tall.\n", "utf-8")
    import_paths(lib, [story.parent], workers=1)
    assert titles(search(lib, parse_query("gooseberry semantic:off"))) == {"Gooseberry"}
    story.write_text("Title: Gooseberry\n\nChapter 1\n\nThe quince tree grew tall.\n", "utf-8")
    import_paths(lib, [story.parent], workers=1)
    assert titles(search(lib, parse_query("quince semantic:off"))) == {"Gooseberry"}
    assert titles(search(lib, parse_query("bush semantic:off"))) == set()
    # the full-text index still agrees with the stored text (FTS5 raises if not)
    lib.db.execute("INSERT INTO work_fts(work_fts) VALUES ('integrity-check')")  # type: ignore[attr-defined]


def test_hide_read_and_reading_lists(fresh_library: Library) -> None:
    lib = fresh_library
    cellar = work_id(lib, "The Cellar Door")
    tardis = work_id(lib, "Blue Box Blues")
    lib.set_reading(cellar, status="read")
    lib.set_reading(tardis, status="want")
    assert "The Cellar Door" not in titles(search(lib, parse_query("hide:read"), limit=50))
    assert titles(search(lib, parse_query("reading:want"))) == {"Blue Box Blues"}
    assert titles(search(lib, parse_query("reading:read|want"))) == {
        "The Cellar Door",
        "Blue Box Blues",
    }
    cleared = lib.set_reading(cellar, clear_status=True)
    assert cleared.status is None
    assert "The Cellar Door" in titles(search(lib, parse_query("hide:read"), limit=50))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"status": "someday"}, "status must be"), ({"rating": 6}, "rating must be")],
)
def test_bad_reading_values_are_refused(fresh_library: Library, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fresh_library.set_reading(work_id(fresh_library, "Bleached"), **kwargs)
    assert fresh_library.reading(work_id(fresh_library, "Bleached")) is None


def test_blacklist_global_scoped_and_switchable(fresh_library: Library) -> None:
    lib = fresh_library
    everything = titles(search(lib, Query(), limit=50))
    # scoped: hide Buffy in Doctor Who works only (the crossover), not in Buffy-only works
    scoped = lib.blacklist_add(BlacklistEntry(BlacklistKind.TAG, "Buffy Summers", "Doctor Who"))
    assert titles(search(lib, Query(), limit=50)) == everything - {"Slayer in the Box"}
    lib.blacklist_remove(scoped)
    # global, by any spelling the ontology knows
    lib.blacklist_add(BlacklistEntry(BlacklistKind.TAG, "Buffy/Spike"))
    hidden = everything - {"Bleached", "The Cellar Door"}
    assert titles(search(lib, Query(), limit=50)) == hidden
    assert titles(search(lib, parse_query("blacklist:off"), limit=50)) == everything
    lib.blacklist_add(BlacklistEntry(BlacklistKind.AUTHOR, "Timelord42"))
    assert titles(search(lib, Query(), limit=50)) == hidden - {"Blue Box Blues"}
    lib.blacklist_add(BlacklistEntry(BlacklistKind.WORK, str(work_id(lib, "Card Catalogue"))))
    assert titles(search(lib, Query(), limit=50)) == hidden - {"Blue Box Blues", "Card Catalogue"}
    # the blacklist holds in "more like this" too
    cellar = work_id(lib, "The Cellar Door")
    assert "Bleached" not in titles_of(similar(lib, cellar))
    assert [e.kind for e in lib.blacklist()] == [
        BlacklistKind.TAG,
        BlacklistKind.AUTHOR,
        BlacklistKind.WORK,
    ]


def titles_of(hits: list) -> set[str]:  # type: ignore[type-arg]
    return {h.title for h in hits}


def test_similar_prefers_shared_rare_tags(fic_library: Library) -> None:
    cellar = work_id(fic_library, "The Cellar Door")
    hits = similar(fic_library, cellar, limit=4)
    assert hits, "other Buffy works share tags"
    assert cellar not in {h.id for h in hits}
    # Bleached shares Buffy/Spike and both its characters; Slayer in the Box shares Willow/Tara
    assert {hits[0].title, hits[1].title} == {"Bleached", "Slayer in the Box"}
    assert any(
        "Spike/Buffy Summers" in r or "Tara Maclay/Willow Rosenberg" in r for r in hits[0].why
    )


def test_schema_migration_reindexes_and_keeps_derived_data(tmp_path: Path) -> None:
    folder = write_fics(tmp_path / "fics")
    with SqliteLibrary(tmp_path / "lib") as lib:
        import_paths(lib, [folder], workers=1)
        refresh(lib)
        lib.set_reading(work_id(lib, "Bleached"), status="read")
        before = [(h.id, h.quality) for h in search(lib, parse_query('ship:"Buffy/Spike"')).hits]
        vectors = lib.vector_count("semantic-lsa")
        lib.db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        lib.db.execute("DELETE FROM tag_names")  # as an older library would lack it
    with SqliteLibrary(tmp_path / "lib") as lib:
        after = [(h.id, h.quality) for h in search(lib, parse_query('ship:"Buffy/Spike"')).hits]
        assert after == before and all(q is not None for _, q in after)
        assert lib.vector_count("semantic-lsa") == vectors > 0
        assert lib.reading(work_id(lib, "Bleached")).status == "read"  # type: ignore[union-attr]
        assert titles(search(lib, parse_query('ship:"Willow*/*" semantic:off'))) == {
            "The Cellar Door", "Slayer in the Box"}  # fmt: skip
        integrity = lib.db.execute("INSERT INTO work_fts(work_fts) VALUES ('integrity-check')")
        assert integrity is not None
