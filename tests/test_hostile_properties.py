"""Arbitrary text through the whole pipeline: read, understand, make storable, store.

The readers have property tests of their own; these run what follows them too, where a
hostile file once cost minutes (a 100,000-pair ``Pairing:`` field) or the neighbours' storage
(a 25-digit figure raising OverflowError in the writer).  Every example must read in bounded
time and either fail as one clean ReadError or be stored so the library stays consistent.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ficsift.library import FileRecord, Outcome, SqliteLibrary
from ficsift.library.query import INT64_MAX
from ficsift.library.storable import storable
from ficsift.model import MAX_TAGS_PER_TYPE, Chapter, Document, Source, Stats, TagType
from ficsift.read import RawFile, ReadError, read_file
from ficsift.understand import understand

LABELS = ["Title", "Author", "Pairing", "Pairings", "Rating", "Fandom", "Characters", "Tags",
          "Warnings", "Category", "Summary", "Notes", "Words", "Kudos", "Hits", "Chapters",
          "Status", "Published", "Updated", "Language", "Series", "Disclaimer"]  # fmt: skip
FRAGMENTS = ["[/]", "[bold]", "[link=javascript:alert(1)]x[/link]", "[sic] and [i]x", ":smile:",
             "<div", "<div>", "</p>", "<script>alert(1)</script>", "&amp;", "&#0;", "{{x}}", "---",
             "***", "* * *", "Chapter 1", "Chapter 99999999999999999999", "1/?", "W/T", "/", ",",
             "|", "\\", "\u202e", "\ufeff", "\x00", "\r", "\t", "e\u0301", "她笑了", "🙂"]  # fmt: skip
HUGE_INT = st.integers(2**63 - 2, 10**40) | st.integers(-(10**40), -1)
HUGE = HUGE_INT.map(str) | st.sampled_from(
    ["1e400", "-5", "9" * 5000, "1,000,000,000,000,000,000,000"]
)
VALUE = st.one_of(
    st.text(max_size=60),
    HUGE,
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=8).map("".join),
    st.lists(st.text(alphabet="ABCxyz ", min_size=1, max_size=6), max_size=40).map(
        lambda names: ", ".join(f"{a}/{b}" for a, b in itertools.pairwise(names))
    ),
)
LINE = st.one_of(
    st.builds(lambda label, value: f"{label}: {value}", st.sampled_from(LABELS), VALUE),
    st.sampled_from(FRAGMENTS),
    st.text(max_size=200),
    st.just("Willow smiled at Tara across the library table, and the candle burned low."),
)
FILES = st.tuples(
    st.lists(LINE, max_size=25).map("\n".join), st.sampled_from([".txt", ".md", ".html"])
)
_names = itertools.count()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteLibrary]:
    lib = SqliteLibrary(tmp_path_factory.mktemp("hostile"))
    # understanding's tables are built once, outside any example's time bound
    understand(Document(Source("warm-up", "text"), chapters=[Chapter(None, "Willow smiled.")]))
    yield lib
    lib.close()


def test_arbitrary_text_is_understood_and_stored_consistently(library: SqliteLibrary) -> None:
    works: set[int] = set(range(1, library.work_count() + 1))

    @settings(
        max_examples=150,
        deadline=timedelta(seconds=10),  # generous: an example takes well under a second
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(FILES, st.sampled_from(Stats.__slots__), st.none() | st.integers() | HUGE_INT)
    def check(file: tuple[str, str], figure: str, value: int | None) -> None:
        """``figure``/``value``: what a reader that missed a bad number would give the
        writer (the readers check figures; the writer must not trust that they all do)."""
        text, suffix = file
        raw = RawFile(f"/hostile/{next(_names)}{suffix}", text.encode("utf-8"))
        try:
            docs = read_file(raw)
        except ReadError as exc:
            event("refused")
            assert str(exc) and "\n" not in str(exc)  # a refusal is one clean line
            return
        event("stored")
        for doc in docs:
            understand(doc)
            if value is not None:
                setattr(doc.stats, figure, value)
        items = [storable(doc) for doc in docs]
        record = FileRecord(raw.path, raw.sha256, len(raw.data), 1.0, len(items))
        stored = library.store_file(record, items)  # never raises, whatever the text held
        assert len(stored) == len(docs)
        for doc, result in zip(docs, stored, strict=True):
            works.add(result.work_id)
            work = library.get(result.work_id)
            assert work is not None and library.has_work(result.work_id)
            if result.outcome is Outcome.ADDED:
                assert work.document.title == doc.title
                assert work.document.text == doc.text
            figures = work.document.stats.to_json()
            assert all(0 <= v <= INT64_MAX for v in figures.values())
            if value is not None and result.outcome is Outcome.ADDED:
                assert figures.get(figure) == (value if 0 <= value <= INT64_MAX else None)
            for kind in TagType:
                assert len(doc.tags_of(kind)) <= 2 * MAX_TAGS_PER_TYPE + 50  # author + inferred
        assert library.file_record(raw.path) is not None
        assert library.work_count() == len(works) == library.stats().works
        assert {r.id for r in library.rows(limit=len(works) + 1)} == works

    check()
    integrity = library.db.execute("PRAGMA integrity_check").fetchone()[0]
    assert integrity == "ok"


def test_a_pairing_field_of_100000_pairs_costs_seconds(tmp_path: Path) -> None:
    """1.4 MB of "Pairing: A/B, C/D, …" took 108 s+ (add_tag looked through every tag per
    tag); what one field gives is capped, with a note."""
    pairs = ", ".join(f"Person{n}/Other{n}" for n in range(100_000))
    text = f"Title: Many\nPairing: {pairs}\n\n" + "Willow smiled at Tara. " * 200
    started = time.perf_counter()
    (doc,) = read_file(RawFile(str(tmp_path / "many.txt"), text.encode()))
    understand(doc)
    elapsed = time.perf_counter() - started
    assert elapsed < 20, f"{elapsed:.1f} s"
    ships = [t for t in doc.tags_of(TagType.RELATIONSHIP) if t.origin == "author"]
    assert len(ships) == MAX_TAGS_PER_TYPE and ships[0].name == "Person0/Other0"
    assert any("relationship tags" in note for note in doc.extra["warnings"])
