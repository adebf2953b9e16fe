"""The library contract on every backend (the ``library`` fixture: SQLite, then PostgreSQL):
storing, unchanged re-adds, WIP updates, merging copies of one work, batches.  Tests marked
SQLite-only test its batch's replay, which the PostgreSQL backend does not have."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ficsift.library import BatchLost, FileRecord, Library, Outcome, SqliteLibrary
from ficsift.library.query import BlacklistEntry, BlacklistKind, Query
from ficsift.library.sql import derived_data
from ficsift.library.tag_keys import TagResolver
from ficsift.model import Chapter, Document, Source, Stats, Status, Tag, TagOrigin, TagType

WORDS = [
    "Willow",
    "lit",
    "a",
    "match",
    "and",
    "held",
    "it",
    "close",
    "to",
    "the",
    "bars",
    "while",
    "Tara",
    "watched",
    "her",
    "from",
    "the",
    "corner",
    "of",
    "the",
    "cell",
    "the",
    "candle",
    "guttered",
    "somewhere",
    "above",
    "them",
    "music",
    "from",
    "the",
    "Bronze",
    "leaked",
    "down",
    "Xander",
    "laughed",
    "at",
    "nothing",
    "Angel",
    "stayed",
    "quiet",
    "chains",
    "rattled",
    "against",
    "the",
    "stone",
    "floor",
]


def chapter(n: int, words: int = 300) -> Chapter:
    rng = random.Random(n)  # varied but reproducible prose
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    return Chapter(title=f"Chapter {n}", text=body, html=f"<p>{body}</p>")


def doc(
    path: str, chapters: int = 1, work_key: str | None = None, fmt: str = "text", **kw: object
) -> Document:
    d = Document(
        source=Source(path=path, format=fmt, work_key=work_key, sha256=f"sha-{path}-{chapters}"),
        title="Kitty",
        authors=["someone"],
        chapters=[chapter(i + 1) for i in range(chapters)],
        **kw,  # type: ignore[arg-type]
    )
    d.add_tag("Buffy the Vampire Slayer", TagType.FANDOM)
    d.add_tag("Tara Maclay/Willow Rosenberg", TagType.RELATIONSHIP)
    return d


def store(lib: Library, d: Document, path: str | None = None) -> Outcome:
    record = FileRecord(path or d.source.path, d.source.sha256 or "", 1, 0.0, 1)
    return lib.store_file(record, [d])[0].outcome


def test_store_and_get_round_trip(library: Library) -> None:
    original = doc(
        "a.txt", chapters=2, notes=["A/N"], disclaimer="Not mine.", status=Status.IN_PROGRESS
    )
    original.tags.append(
        Tag("Vampire Willow Rosenberg", TagType.FREEFORM, TagOrigin.INFERRED, confidence=0.9)
    )
    assert store(library, original) == Outcome.ADDED
    stored = library.get(1)
    assert stored is not None
    got = stored.document
    assert got.title == "Kitty" and got.notes == ["A/N"] and got.disclaimer == "Not mine."
    assert [c.title for c in got.chapters] == ["Chapter 1", "Chapter 2"]
    assert got.chapters[1].text == original.chapters[1].text
    assert got.words == original.words and got.status == Status.IN_PROGRESS
    assert {(t.name, t.origin) for t in got.tags} == {(t.name, t.origin) for t in original.tags}
    assert library.file_record("a.txt") is not None


def test_same_document_again_is_unchanged(library: Library) -> None:
    assert store(library, doc("a.txt")) == Outcome.ADDED
    assert store(library, doc("a.txt")) == Outcome.UNCHANGED
    assert library.stats().works == 1


def test_wip_update_records_new_chapters(library: Library) -> None:
    assert store(library, doc("wip.txt", chapters=1)) == Outcome.ADDED
    result = library.store_file(
        FileRecord("wip.txt", "sha-2", 1, 1.0, 1), [doc("wip.txt", chapters=3)]
    )[0]
    assert result.outcome == Outcome.UPDATED and result.detail == "1 → 3 chapters"
    stored = library.get(result.work_id)
    assert stored is not None and len(stored.document.chapters) == 3
    assert [(u.chapters_before, u.chapters_after) for u in stored.updates] == [(1, 3)]
    assert library.stats().works == 1


def test_same_work_key_from_two_formats_is_one_work(library: Library) -> None:
    html = doc("fic.html", chapters=2, work_key="ao3:123", fmt="ao3-html")
    listing = Document(
        source=Source(path="page.html", format="ao3-listing", work_key="ao3:123"),
        title="Kitty",
        stats=Stats(kudos=120, hits=2000, chapters_posted=2),
    )
    listing.add_tag("Captivity", TagType.FREEFORM)
    assert store(library, html) == Outcome.ADDED
    assert store(library, listing) == Outcome.MERGED
    assert library.stats().works == 1
    merged = library.get(1)
    assert merged is not None
    assert merged.document.stats.kudos == 120  # stats from the listing
    assert len(merged.document.chapters) == 2  # text from the download
    assert "Captivity" in {t.name for t in merged.document.tags}  # tags united
    assert len(merged.sources) == 2


def test_near_duplicate_text_without_ids_is_one_work(library: Library) -> None:
    a = doc("fic.txt", chapters=2)
    b = doc("fic-copy.html", chapters=2, fmt="html")
    b.chapters[0].text = b.chapters[0].text.replace("Willow", "Wil", 3)  # a few edits
    assert store(library, a) == Outcome.ADDED
    assert store(library, b) == Outcome.MERGED
    assert library.stats().works == 1


def test_different_stories_stay_apart(library: Library) -> None:
    a = doc("a.txt")
    b = doc("b.txt")
    other = "Xander counted the stakes twice and then a third time, because Giles would ask. "
    b.chapters = [Chapter(title=None, text=other * 40)]
    store(library, a)
    assert store(library, b) == Outcome.ADDED
    assert library.stats().works == 2


def test_many_documents_from_one_file(library: Library) -> None:
    blurbs = [
        Document(
            source=Source(path="page.html", format="ao3-listing", work_key=f"ao3:{i}"),
            title=f"W{i}",
        )
        for i in range(20)
    ]
    results = library.store_file(FileRecord("page.html", "x", 1, 0.0, 20), blurbs)
    assert [r.outcome for r in results] == [Outcome.ADDED] * 20
    again = library.store_file(FileRecord("page.html", "x", 1, 0.0, 20), blurbs)
    assert {r.outcome for r in again} == {Outcome.UNCHANGED}
    assert library.stats().works == 20


def test_a_failed_file_in_a_batch_leaves_the_others_stored(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside ``batch()`` each file is still all-or-nothing: the one that fails mid-way
    leaves nothing (not even its first document), the files around it are kept."""
    lib = library
    real = type(lib)._store_document  # type: ignore[attr-defined]

    def failing(self: Library, locator: str, file_path: str, item: object, now: str) -> object:
        if file_path == "bad.txt" and locator.endswith("#1"):
            raise OSError("disk I/O error")
        return real(self, locator, file_path, item, now)

    monkeypatch.setattr(type(lib), "_store_document", failing)

    def story(path: str, seed: int) -> Document:
        d = doc(path)
        d.chapters = [chapter(seed)]  # a different story each: nothing merges
        return d

    with pytest.raises(OSError), lib.batch():
        store(lib, story("before.txt", 10))
        bad = [story("bad.txt", 20), story("bad2.txt", 30)]
        lib.store_file(FileRecord("bad.txt", "sha-bad", 1, 0.0, 2), bad)
    with lib.batch():
        store(lib, story("after.txt", 40))
    assert lib.file_record("before.txt") is not None
    assert lib.file_record("after.txt") is not None
    assert lib.file_record("bad.txt") is None
    assert lib.stats().works == 2  # bad.txt's first document was rolled back with it
    assert lib.find(Query(), TagResolver()).total == 2  # and its index rows too
    assert lib.tag_names("buffy") == [("fandom", "Buffy the Vampire Slayer", 2)]


def test_a_failure_in_a_batch_keeps_the_batch_earlier_writes_and_touches(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch is rolled back and its earlier writes replayed: a file touched (its mtime
    moved) and a file stored before the failure both survive it, in the same batch."""
    lib = library
    store(lib, doc("old.txt"))
    real = type(lib)._store_document  # type: ignore[attr-defined]

    def failing(self: Library, locator: str, *args: object) -> object:
        if locator == "bad.txt":
            raise OSError("disk I/O error")
        return real(self, locator, *args)

    monkeypatch.setattr(type(lib), "_store_document", failing)
    first = doc("first.txt")
    first.chapters = [chapter(50)]
    bad = doc("bad.txt")
    bad.chapters = [chapter(60)]
    with pytest.raises(OSError), lib.batch():
        lib.touch_file(FileRecord("old.txt", "sha-old.txt", 1, 99.0, 1))
        added = lib.store_file(FileRecord("first.txt", "sha-first", 1, 0.0, 1), [first])
        lib.store_file(FileRecord("bad.txt", "sha-bad", 1, 0.0, 1), [bad])
    record = lib.file_record("old.txt")
    assert record is not None and record.mtime == 99.0
    assert lib.file_record("first.txt") is not None and lib.file_record("bad.txt") is None
    assert lib.get(added[0].work_id) is not None  # the same id as before the replay
    assert lib.stats().works == 2


# -- SQLite only: its batch is one transaction, replayed after a failed file ----------------


@pytest.fixture
def sqlite_library(tmp_path: Path) -> Iterator[SqliteLibrary]:
    lib = SqliteLibrary(tmp_path / "lib")
    yield lib
    lib.close()


def test_sqlite_only_other_writes_are_refused_inside_a_batch(
    sqlite_library: SqliteLibrary,
) -> None:
    """SQLite replays a batch's writes after a failure: a write it could not replay is
    refused inside one rather than silently lost."""
    lib = sqlite_library
    added = lib.store_file(FileRecord("a.txt", "sha-a", 1, 0.0, 1), [doc("a.txt")])
    with pytest.raises(RuntimeError), lib.batch():
        lib.put_scores([(added[0].work_id, 0.5, "kudos", "{}")])  # a replay would lose it


def test_sqlite_only_a_batch_that_cannot_be_replayed_is_lost_as_a_whole(
    sqlite_library: SqliteLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed write costs that file alone only while the batch's earlier writes can be
    made again; when they cannot (the disk failed), BatchLost says the whole batch is gone,
    so the importer stops instead of counting files that are not stored."""
    lib = sqlite_library
    real = SqliteLibrary._store_document
    failing_paths = {"bad.txt"}

    def failing(self: SqliteLibrary, locator: str, *args: object) -> object:
        if locator in failing_paths:
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, locator, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteLibrary, "_store_document", failing)
    first, bad = doc("first.txt"), doc("bad.txt")
    bad.chapters = [chapter(70)]
    with pytest.raises(BatchLost), lib.batch():
        lib.store_file(FileRecord("first.txt", "sha-first", 1, 0.0, 1), [first])
        failing_paths.add("first.txt")  # its replay fails too
        lib.store_file(FileRecord("bad.txt", "sha-bad", 1, 0.0, 1), [bad])
    assert lib.file_record("first.txt") is None and lib.stats().works == 0
    failing_paths.clear()
    store(lib, doc("later.txt"))  # the library is still usable
    assert lib.stats().works == 1


# -- what front ends read, the reader's state, derived data: the same on every backend -----


def two_works(lib: Library) -> tuple[int, int]:
    a = doc("a.txt", chapters=2, work_key="ao3:1")
    a.add_tag("Hurt/Comfort", TagType.FREEFORM)
    b = doc("b.txt", work_key="ao3:2")
    b.chapters = [chapter(90)]
    b.tags = [t for t in b.tags if t.type != TagType.RELATIONSHIP]
    first = lib.store_file(FileRecord("a.txt", "sha-a", 1, 0.0, 1), [a])[0].work_id
    second = lib.store_file(FileRecord("b.txt", "sha-b", 1, 0.0, 1), [b])[0].work_id
    return first, second


def test_listing_and_stats(library: Library) -> None:
    first, second = two_works(library)
    rows = library.rows()
    assert [r.id for r in rows] == [first, second]
    assert rows[0].fandoms == ["Buffy the Vampire Slayer"] and rows[0].chapters == 2
    stats = library.stats()
    assert (stats.works, stats.with_text, stats.sources, stats.files) == (2, 2, 2, 2)
    assert stats.by_fandom == [("Buffy the Vampire Slayer", 2)] and stats.size_bytes > 0
    assert library.work_count() == 2 and library.has_work(first) and not library.has_work(99)
    crossover = doc("x.txt", work_key="ao3:3")
    crossover.chapters = [chapter(91)]
    crossover.tags = []
    crossover.add_tag("Star Trek: Deep Space Nine", TagType.FANDOM)
    crossover.add_tag("Doctor Who", TagType.FANDOM)
    store(library, crossover)
    assert library.rows(1, 2)[0].fandoms == ["Doctor Who", "Star Trek: Deep Space Nine"]


def test_blurbs_tag_keys_and_shared_tags(library: Library) -> None:
    first, second = two_works(library)
    blurbs = library.blurbs([first, second, 2**64])
    assert set(blurbs) == {first, second}
    assert [t.name for t in blurbs[first].relationships] == ["Tara Maclay/Willow Rosenberg"]
    assert [t.name for t in blurbs[first].freeforms] == ["Hurt/Comfort"]
    assert blurbs[first].source == "a.txt" and blurbs[first].chapters == 2
    keys = library.tag_keys([first])[first]
    assert ("freeform", "hurt/comfort", "Hurt/Comfort") in keys
    fandom = next((k[0], k[1]) for k in keys if k[0] == "fandom")
    freeform = ("freeform", "hurt/comfort")
    sharing = library.works_sharing([fandom, freeform], exclude=second)
    assert [(w, sorted(k)) for w, k in sharing] == [
        (first, sorted([f"{fandom[0]}\x1f{fandom[1]}", "freeform\x1fhurt/comfort"]))
    ]
    assert library.key_frequencies([fandom, freeform]) == {fandom: 2, freeform: 1}
    assert library.tag_names("hurt") == [("freeform", "Hurt/Comfort", 1)]
    facets = library.facet_counts([first, second], top=5)
    assert facets["fandom"] == [("Buffy the Vampire Slayer", 2)]
    assert facets["freeform"] == [("Hurt/Comfort", 1)]


def test_reading_state_and_blacklist(library: Library) -> None:
    first, _ = two_works(library)
    assert library.reading(first) is None
    library.set_reading(first, status="reading", rating=4)
    state = library.set_reading(first, notes="good", clear_rating=True)
    assert (state.status, state.rating, state.notes) == ("reading", None, "good")
    assert library.reading(first) == state
    with pytest.raises(ValueError, match="status must be"):
        library.set_reading(first, status="skimmed")
    entry = BlacklistEntry(BlacklistKind.TAG, "  Major   Character Death ")
    entry_id = library.blacklist_add(entry)
    assert library.blacklist_add(entry) == entry_id  # once
    assert [(e.value, e.id) for e in library.blacklist()] == [("Major Character Death", entry_id)]
    assert library.blacklist_remove(entry_id) and not library.blacklist_remove(entry_id)


def test_scores_and_vectors_are_dropped_when_a_work_changes(library: Library) -> None:
    first, second = two_works(library)
    library.put_scores([(first, 0.8, "kudos", '{"k": 1}'), (second, 0.2, "kudos", "{}")])
    assert library.qualities([first, second]) == {first: 0.8, second: 0.2}
    assert library.score_detail(first) == (0.8, "kudos", {"k": 1})
    assert [r.id for r in library.quality_rows(missing_only=True)] == []
    library.put_model("tfidf", b"model-bytes", 2)
    stamp = library.vectors_stamp("tfidf")
    library.put_vectors("tfidf", [(first, b"\x00\x01"), (second, b"\x02")])
    assert library.vectors("tfidf") == [(first, b"\x00\x01"), (second, b"\x02")]
    assert library.vector_count("tfidf") == 2 and library.vectors_stamp("tfidf") != stamp
    assert library.model("tfidf") == (b"model-bytes", 2)
    assert library.text_work_count() == 2
    texts = {t[0]: t for t in library.texts_for_vectors("tfidf", missing_only=False)}
    assert texts[second][3] == chapter(90).text == library.story_text(second)
    stamp = library.vectors_stamp("tfidf")
    new_work = doc("new.txt", work_key="ao3:3")
    new_work.chapters = [chapter(40)]
    third = library.store_file(FileRecord("new.txt", "sha-new", 1, 1.0, 1), [new_work])[0].work_id
    assert library.vectors_stamp("tfidf") == stamp  # a new work has no vector to change
    grown = doc("a.txt", chapters=3, work_key="ao3:1")  # a WIP's new chapter
    library.store_file(FileRecord("a.txt", "sha-a3", 1, 1.0, 1), [grown])
    assert library.vectors_stamp("tfidf") != stamp  # its vector is gone: caches are stale
    assert library.score_detail(first) is None and library.qualities([first]) == {first: 0.0}
    assert sorted(r.id for r in library.quality_rows(missing_only=True)) == [first, third]
    assert [i for i, _ in library.vectors("tfidf")] == [second]
    missing = [t[0] for t in library.texts_for_vectors("tfidf", missing_only=True)]
    assert sorted(missing) == [first, third]


def test_vectors_come_a_page_at_a_time_by_id_every_one_once(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_works(library)
    third = library.store_file(
        FileRecord("c.txt", "sha-c", 1, 1.0, 1), [doc("c.txt", work_key="ao3:9")]
    )[0].work_id
    monkeypatch.setattr(derived_data, "VECTORS_PER_PAGE", 2)
    library.put_vectors("lsa", [(third, b"\x03"), (first, b"\x01"), (second, b"\x02")])
    pages = list(library.vector_pages("lsa"))
    assert [len(p) for p in pages] == [2, 1]
    assert [row for page in pages for row in page] == library.vectors("lsa")
    assert [i for page in pages for i, _ in page] == sorted([first, second, third])
    assert list(library.vector_pages("none")) == []


def test_a_refitted_model_changes_its_stamp(library: Library) -> None:
    assert library.model_stamp("lsa") is None
    library.put_model("lsa", b"first-fit", 5)
    first = library.model_stamp("lsa")
    assert first is not None and first.endswith(":5:9")  # fitted_at : works : bytes
    library.put_model("lsa", b"a longer second fit", 6)
    second = library.model_stamp("lsa")
    assert second is not None and second != first and second.endswith(":6:19")
    assert library.model("lsa") == (b"a longer second fit", 6)
