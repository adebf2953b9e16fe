"""Search as readers type it (issue 13): titles, stems, "most words", ships by short names,
evident status, crossovers inside a franchise, dates, facets over meaning matches, vectors for
listing blurbs.  Every library here is made by the test itself."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ficsift.library import FileRecord, SqliteLibrary
from ficsift.library.index_rows import franchise_count, shown_status
from ficsift.library.sqlite import library as sqlite
from ficsift.model import Chapter, Document, Source, Stats, Status, TagType
from ficsift.search import QuerySyntaxError, parse_query, refresh, search
from ficsift.search import engine as engine_module
from ficsift.search.semantic import VectorIndex

FILLER = (
    "The corridor hummed with the low sound of the station at night, and nobody spoke. "
    "Somewhere a door opened and closed again; the lights dimmed for the late shift. "
)


def work(
    n: int, title: str, *, summary: str = "", body: str = "", fandoms: tuple[str, ...] = (),
    ships: tuple[str, ...] = (), freeforms: tuple[str, ...] = (), status: Status = Status.UNKNOWN,
    chapters: int = 1, total: int | None = None, updated: str | None = None,
) -> Document:  # fmt: skip
    doc = Document(
        source=Source(f"test:{n}", "text" if body else "ao3-listing", work_key=f"test:{n}"),
        title=title, authors=[f"author{n}"], summary=summary or None, language="English",
        status=status, updated=updated,
        stats=Stats(chapters_posted=None if body else chapters, chapters_total=total, words=100),
        chapters=[Chapter(title=None, text=body)] * chapters if body else [],
    )  # fmt: skip
    for f in fandoms:
        doc.add_tag(f, TagType.FANDOM)
    for s in ships:
        doc.add_tag(s, TagType.RELATIONSHIP)
    for t in freeforms:
        doc.add_tag(t, TagType.FREEFORM)
    return doc


def store(lib: SqliteLibrary, docs: list[Document], name: str = "batch") -> list[int]:
    digest = hashlib.sha256(f"{name}{len(docs)}{time.time()}".encode()).hexdigest()
    results = lib.store_file(FileRecord(f"test:{name}", digest, 0, 0.0, len(docs)), docs)
    return [r.work_id for r in results]


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[SqliteLibrary]:
    library = SqliteLibrary(tmp_path / "lib")
    yield library
    library.close()


def ids(lib: SqliteLibrary, line: str, limit: int = 50) -> list[int]:
    return [h.id for h in search(lib, parse_query(line), limit=limit).hits]


# -- relevance -----------------------------------------------------------------------------


def test_a_title_typed_plainly_comes_first(lib: SqliteLibrary) -> None:
    """Blurbs full of the title's words outrank it by BM25; the exact title still wins."""
    decoys = [
        work(n, f"The Man {n}", summary="Arms and arms, man and man, the man with arms. " * 3,
             fandoms=("Star Trek: Deep Space Nine",))
        for n in range(30)
    ]  # fmt: skip
    story = work(99, "Arms and the Man", body=FILLER * 400, fandoms=("Buffy the Vampire Slayer",))
    *_, wanted = store(lib, [*decoys, story])
    for line in ("Arms and the Man", "arms and the man", "arms and the man semantic:off"):
        assert ids(lib, line)[0] == wanted


def test_words_are_stemmed(lib: SqliteLibrary) -> None:
    [one] = store(lib, [work(1, "Grief", summary="A changeling mourns the Great Link.")])
    assert ids(lib, "changelings mourning semantic:off") == [one]


def test_a_long_query_needs_most_of_its_words_not_all(lib: SqliteLibrary) -> None:
    """A remembered summary with one word no work has still finds its story."""
    target = work(1, "Hold", summary="Kira and Odo argue about justice in the security office")
    other = work(2, "Quark", summary="Quark sells contraband on the promenade to a Klingon")
    first, _ = store(lib, [target, other])
    line = "kira odo argue justice security office zyzzyva semantic:off"
    assert ids(lib, line) == [first]
    assert ids(lib, "kira zyzzyva semantic:off") == []  # short queries still need every word


def test_pasted_prose_is_words_not_filters(lib: SqliteLibrary) -> None:
    text = (
        'Note: this is a re-write of "Imitation" - Julian returns https://example.org/x '
        'scarred by the death of Garak. "So ha'
    )
    query = parse_query(text)
    assert "note" in query.text and "https" in query.text and not query.exclude
    with pytest.raises(QuerySyntaxError):
        parse_query("colour:abc")  # a short query with an unknown filter is still told so


# -- ships as readers write them ----------------------------------------------------------


SHIPS = {
    "Kira Nerys/Odo (Star Trek)": 3,
    "Jadzia Dax/Worf (Star Trek:TNG/DS9)": 2,
    "Ezri Dax/Worf (Star Trek:TNG/DS9)": 1,
    "Julian Bashir/Miles O'Brien": 2,
    "Kira Yukimura/Scott McCall": 2,
    "Julian Bashir/Elim Garak": 1,
}


@pytest.fixture
def ships(lib: SqliteLibrary) -> dict[str, set[int]]:
    docs, names = [], []
    for ship, count in SHIPS.items():
        for _ in range(count):
            docs.append(work(len(docs), f"Story {len(docs)}", ships=(ship,)))
            names.append(ship)
    return {s: {i for i, n in zip(store(lib, docs), names, strict=True) if n == s} for s in SHIPS}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ('ship:"Odo/Kira"', ["Kira Nerys/Odo (Star Trek)"]),
        ('ship:"Nerys/Odo"', ["Kira Nerys/Odo (Star Trek)"]),
        ('ship:"Dax/Worf"', ["Jadzia Dax/Worf (Star Trek:TNG/DS9)", "Ezri Dax/Worf (Star Trek:TNG/DS9)"]),
        ('ship:"Worf/Jadzia"', ["Jadzia Dax/Worf (Star Trek:TNG/DS9)"]),
        ("ship:\"Bashir/O'Brien\"", ["Julian Bashir/Miles O'Brien"]),
        ("ship:\"O’Brien/Julian\"", ["Julian Bashir/Miles O'Brien"]),
        ('ship:"Kira/Scott"', ["Kira Yukimura/Scott McCall"]),
        ('ship:"Odo/Kira"|ship:"Garak/Bashir"', ["Kira Nerys/Odo (Star Trek)", "Julian Bashir/Elim Garak"]),
    ],
)  # fmt: skip
def test_ships_by_the_names_readers_type(
    lib: SqliteLibrary, ships: dict[str, set[int]], typed: str, meant: list[str]
) -> None:
    assert set(ids(lib, typed)) == set().union(*(ships[m] for m in meant))


def test_an_or_group_of_other_filters_is_an_error() -> None:
    group = parse_query('ship:"Odo/Kira"|ship:"Dax/Worf"').include
    assert [[f.text for f in g.any_of] for g in group] == [["Odo/Kira", "Dax/Worf"]]
    with pytest.raises(QuerySyntaxError, match="one filter"):
        parse_query('ship:"Odo/Kira"|fandom:"Star Trek"')


# -- status, crossovers, dates -------------------------------------------------------------


def test_evident_status() -> None:
    assert shown_status(work(1, "One-shot", body=FILLER)) is Status.COMPLETE
    assert shown_status(work(2, "Two", body=FILLER, chapters=2)) is Status.UNKNOWN
    assert shown_status(work(3, "Done", chapters=3, total=3)) is Status.COMPLETE
    assert shown_status(work(4, "Going", chapters=2, total=5)) is Status.IN_PROGRESS
    wip = work(5, "Tagged", body=FILLER, freeforms=("Work In Progress",))
    assert shown_status(wip) is Status.IN_PROGRESS
    said = work(6, "Said", body=FILLER, status=Status.IN_PROGRESS)
    assert shown_status(said) is Status.IN_PROGRESS


def test_complete_yes_keeps_evident_one_shots(lib: SqliteLibrary) -> None:
    one_shot, _, tagged = store(
        lib,
        [work(1, "Vampire One", body="vampire willow " + FILLER),
         work(2, "Vampire Two", body="vampire willow " + FILLER, chapters=3),
         work(3, "Vampire Three", body="vampire willow " + FILLER,
              freeforms=("Work In Progress",))],
    )  # fmt: skip
    assert ids(lib, "vampire willow complete:yes") == [one_shot]
    assert ids(lib, "vampire willow complete:no") == [tagged]


def test_franchises() -> None:
    assert franchise_count(["Star Trek", "Star Trek: Deep Space Nine"]) == 1
    assert franchise_count(["Star Trek: The Next Generation", "Star Trek: Deep Space Nine"]) == 1
    assert franchise_count(["Star Trek: Deep Space Nine", "Buffy the Vampire Slayer"]) == 2
    assert franchise_count([]) == 0


def test_crossover_is_across_franchises(lib: SqliteLibrary) -> None:
    inside, across = store(
        lib,
        [work(1, "Inside", fandoms=("Star Trek", "Star Trek: Deep Space Nine")),
         work(2, "Across", fandoms=("Star Trek: Deep Space Nine", "Buffy the Vampire Slayer"))],
    )  # fmt: skip
    assert ids(lib, "crossover:no") == [inside]
    assert ids(lib, "crossover:only") == [across]
    lib.load_search_caches()  # the in-memory columns answer the same
    assert ids(lib, "crossover:no") == [inside]


def test_listing_dates_and_library_updates(lib: SqliteLibrary) -> None:
    one, many = store(
        lib,
        [work(1, "Blurb", updated="2021-05-01"),
         work(2, "Epic", updated="2021-05-01", chapters=4, status=Status.IN_PROGRESS)],
    )  # fmt: skip
    assert ids(lib, "published>=2021") == [one]  # one chapter: published on its one date
    assert set(ids(lib, "updated>=2021")) == {one, many}
    quality = {r.id: r.published for r in lib.quality_rows()}
    assert quality[one] == quality[many] == "2021-05-01"  # age from the latest known date
    # The library sees the epic grow: that is an update, for `updated:` and sort:updated.
    grown = work(2, "Epic", updated="2021-05-01", chapters=6, status=Status.IN_PROGRESS)
    store(lib, [grown], name="later")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert ids(lib, f"updated>={today}") == [many]
    assert ids(lib, "sort:updated")[0] == many


# -- meaning: every work with text, facets over every result ------------------------------


def test_listing_blurbs_get_vectors(lib: SqliteLibrary) -> None:
    docs = [
        work(n, f"Blurb {n}", summary=f"Odo grieves the Great Link, changeling number {n}.",
             fandoms=("Star Trek: Deep Space Nine",))
        for n in range(12)
    ]  # fmt: skip
    store(lib, [*docs, work(99, "Story", body=FILLER * 20)])
    refresh(lib)
    assert lib.vector_count("semantic-lsa") == lib.work_count() == 13


class _Nearest:
    """A stand-in model and index: the query's nearest works are the ones given."""

    def __init__(self, work_ids: list[int]) -> None:
        self.index = VectorIndex(np.array(work_ids), np.eye(len(work_ids), dtype=np.float32))

    def embed_query(self, text: str) -> np.ndarray:
        return np.ones(self.index.vectors.shape[1], dtype=np.float32) / 2


def test_facets_count_meaning_matches_too(
    lib: SqliteLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    worded = work(
        1, "Changeling", summary="changeling grief", fandoms=("Star Trek: Deep Space Nine",)
    )
    meant = [work(n, f"Loss {n}", summary="mourning the Link", fandoms=("Buffy the Vampire Slayer",))
             for n in range(2, 6)]  # fmt: skip
    all_ids = store(lib, [worded, *meant])
    nearest = _Nearest(all_ids)
    monkeypatch.setattr(engine_module, "_semantic", lambda _lib: (nearest, nearest.index))
    page = search(lib, parse_query("changeling grief"), facets=10)
    assert page.total == 5
    fandoms = dict(page.facets["fandom"])
    assert fandoms == {"Star Trek: Deep Space Nine": 1, "Buffy the Vampire Slayer": 4}
    assert page.facets_from == 5


# -- an older library is brought up to date on open ---------------------------------------


def test_a_schema_5_library_is_rebuilt_on_open(tmp_path: Path) -> None:
    lib = SqliteLibrary(tmp_path / "old")
    [wid] = store(lib, [work(1, "Grief", summary="A changeling mourns.", body=FILLER)])
    db = lib.db
    # What schema 5 had: one unstemmed table of five columns, no head table, no tags.
    for statement in (
        "DROP TABLE work_fts", "DROP TABLE head_fts", "DROP VIEW work_text",
        "DROP INDEX search_rows_title", "ALTER TABLE search_rows DROP COLUMN title_norm",
        "ALTER TABLE search_rows DROP COLUMN franchises", "ALTER TABLE work_facts DROP COLUMN tags",
        "CREATE VIEW work_text AS SELECT w.id AS work_id, w.title AS title, "
        "coalesce(w.summary, '') AS summary, coalesce(f.notes, '') AS notes, w.authors AS authors, "
        "'' AS body FROM works w LEFT JOIN work_facts f ON f.work_id = w.id",
        "CREATE VIRTUAL TABLE work_fts USING fts5(title, summary, notes, authors, body, "
        "content='work_text', content_rowid='work_id', tokenize='unicode61 remove_diacritics 2')",
        "INSERT INTO work_fts(work_fts) VALUES ('rebuild')",
        "UPDATE meta SET value = '5' WHERE key = 'schema_version'",
    ):  # fmt: skip
        db.execute(statement)
    assert not [r for r in db.execute("SELECT 1 FROM work_fts WHERE work_fts MATCH 'changelings'")]
    lib.close()
    lib = SqliteLibrary(tmp_path / "old")
    try:
        assert ids(lib, "changelings semantic:off") == [wid]
        assert ids(lib, "Grief semantic:off") == [wid]
        lib.db.execute("INSERT INTO work_fts(work_fts) VALUES ('integrity-check')")
        lib.db.execute("INSERT INTO head_fts(head_fts) VALUES ('integrity-check')")
        version = lib.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version[0] == sqlite.SCHEMA_VERSION
    finally:
        lib.close()


# -- a one-shot search starts light ---------------------------------------------------------


def test_the_search_command_does_not_import_reading_or_understanding() -> None:
    code = (
        "import sys, ficsift.cli; "
        "heavy = [m for m in ('ficsift.importer', 'ficsift.understand.infer', 'ficsift.read', "
        "'scipy', 'ficsift.ontology') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
