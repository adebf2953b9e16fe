"""The SQLite library: storing, unchanged re-adds, WIP updates, merging copies of one work."""

from __future__ import annotations

import random
import sqlite3

import pytest

from ficsift.library import BatchLost, FileRecord, Library, Outcome, SqliteLibrary
from ficsift.library.query import Query
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
    real = SqliteLibrary._store_document

    def failing(
        self: SqliteLibrary, locator: str, file_path: str, item: object, now: str
    ) -> object:
        if file_path == "bad.txt" and locator.endswith("#1"):
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, locator, file_path, item, now)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteLibrary, "_store_document", failing)

    def story(path: str, seed: int) -> Document:
        d = doc(path)
        d.chapters = [chapter(seed)]  # a different story each: nothing merges
        return d

    with pytest.raises(sqlite3.OperationalError), lib.batch():
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


def test_a_failure_in_a_batch_keeps_the_batch_earlier_writes_and_touches(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch is rolled back and its earlier writes replayed: a file touched (its mtime
    moved) and a file stored before the failure both survive it, in the same batch."""
    lib = library
    store(lib, doc("old.txt"))
    real = SqliteLibrary._store_document

    def failing(self: SqliteLibrary, locator: str, *args: object) -> object:
        if locator == "bad.txt":
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, locator, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteLibrary, "_store_document", failing)
    first = doc("first.txt")
    first.chapters = [chapter(50)]
    bad = doc("bad.txt")
    bad.chapters = [chapter(60)]
    with pytest.raises(sqlite3.OperationalError), lib.batch():
        lib.touch_file(FileRecord("old.txt", "sha-old.txt", 1, 99.0, 1))
        added = lib.store_file(FileRecord("first.txt", "sha-first", 1, 0.0, 1), [first])
        lib.store_file(FileRecord("bad.txt", "sha-bad", 1, 0.0, 1), [bad])
    record = lib.file_record("old.txt")
    assert record is not None and record.mtime == 99.0
    assert lib.file_record("first.txt") is not None and lib.file_record("bad.txt") is None
    assert lib.get(added[0].work_id) is not None  # the same id as before the replay
    assert lib.stats().works == 2
    with pytest.raises(RuntimeError), lib.batch():
        lib.put_scores([(added[0].work_id, 0.5, "kudos", "{}")])  # a replay would lose it


def test_a_batch_that_cannot_be_replayed_is_lost_as_a_whole(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed write costs that file alone only while the batch's earlier writes can be
    made again; when they cannot (the disk failed), BatchLost says the whole batch is gone,
    so the importer stops instead of counting files that are not stored."""
    lib = library
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
