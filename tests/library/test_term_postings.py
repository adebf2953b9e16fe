"""The term postings score text queries exactly as FTS5's statement does.

Real files (the Buffy stories of ``antennapedia``, a few DS9 listing pages) in a SQLite
library: random queries of words from their own text — short, long ("most words"), with an
excluded word, with filters — are answered twice, from the term postings in memory and by
the FTS5 statement, and must agree on the total, the page in order, the scores, the exact
titles, the facets and the set of matches.  Then the postings are kept up to date: an
import's batch brings its works in; a changed and a new work that wait (search falls back to
FTS5) come in with a refresh, and merging the segments changes no answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficsift.importer import import_paths
from ficsift.library import SqliteLibrary
from ficsift.library.query import Query
from ficsift.library.sql import term_postings
from ficsift.library.tag_keys import TagResolver
from ficsift.library.views import Found
from ficsift.search import refresh
from ficsift.search.parse import parse_query
from tests.search.conftest import write_fics

RESOLVER = TagResolver()
WORD = re.compile(r"[A-Za-z]{3,}")


def _sources(corpus: Path) -> list[Path]:
    pages = sorted((corpus / "ao3-listings-ds9").rglob("*.htm*"))[:4]
    return [corpus / "antennapedia" / "btvs", *pages]


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[SqliteLibrary]:
    library = SqliteLibrary(tmp_path_factory.mktemp("postings"))
    report = import_paths(library, _sources(corpus), workers=0)
    assert not report.failures
    refresh(library)
    library.load_search_caches()
    yield library
    library.close()


@pytest.fixture(scope="module")
def words(lib: SqliteLibrary) -> list[str]:
    """Words of the library's own titles, summaries and stories, common and rare."""
    seen: dict[str, int] = {}
    for (text,) in lib.db.execute(
        "SELECT title || ' ' || summary || ' ' || substr(body, 1, 3000) FROM work_text"
    ):
        for w in WORD.findall(text):
            seen[w.lower()] = seen.get(w.lower(), 0) + 1
    ranked = sorted(seen, key=lambda w: (-seen[w], w))
    return ranked[:60] + ranked[200:260] + ranked[-60:]


def _answers(lib: SqliteLibrary, query: Query) -> tuple[Found, Found, bool]:
    used = []
    scores = lib._text_scores

    def recorded(compiled, columns):  # type: ignore[no-untyped-def]
        out = scores(compiled, columns)
        used.append(out is not None)
        return out

    lib._text_scores = recorded  # type: ignore[method-assign]
    try:
        memory = lib.find(query, RESOLVER, limit=40, facets=5, match_ids=True)
    finally:
        del lib._text_scores
    lib._text_scores = lambda compiled, columns: None  # type: ignore[method-assign]
    try:
        statement = lib.find(query, RESOLVER, limit=40, facets=5, match_ids=True)
    finally:
        del lib._text_scores
    return memory, statement, any(used)


def _same(memory: Found, statement: Found, what: str) -> None:
    assert memory.total == statement.total, what
    assert [i for i, _ in memory.page] == [i for i, _ in statement.page], what
    for (_, a), (_, b) in zip(memory.page, statement.page, strict=True):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), what
    assert memory.exact == statement.exact, what
    assert memory.facets == statement.facets, what
    assert memory.match_ids == statement.match_ids, what


def _query(text: str) -> Query:
    return replace(parse_query(text), semantic=False)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_postings_and_fts5_give_the_same_answers(
    lib: SqliteLibrary, words: list[str], data: st.DataObject
) -> None:
    chosen = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=8, unique=True))
    text = " ".join(chosen)
    if data.draw(st.booleans()):
        text += " -" + data.draw(st.sampled_from(words))
    text += data.draw(
        st.sampled_from(["", " rating:General|Teen", ' -"Major Character Death"', " words>2000"])
    )
    memory, statement, used = _answers(lib, _query(text))
    _same(memory, statement, text)
    assert used, f"the postings did not answer {text!r}"


def test_a_phrase_is_left_to_fts5(lib: SqliteLibrary, words: list[str]) -> None:
    memory, statement, used = _answers(lib, _query(f'"{words[0]} {words[1]}"'))
    _same(memory, statement, "phrase")
    assert not used


def test_a_known_title_comes_first_from_the_postings(lib: SqliteLibrary) -> None:
    # A title of plain words (no phrase, no word FTS5 splits in two), chosen by its text:
    # import order, and so ids, follow the file system's listing order.
    plain = re.compile(r"[A-Za-z]+( [A-Za-z]+)+")
    titles = sorted(t for (t,) in lib.db.execute("SELECT title FROM works") if plain.fullmatch(t))
    assert titles, "no title of plain words among the real files"
    title = titles[0]
    memory, statement, used = _answers(lib, _query(title))
    assert used and memory.page
    assert memory.page[0][0] in memory.exact
    _same(memory, statement, title)


def _all_same(lib: SqliteLibrary, texts: list[str]) -> None:
    for text in texts:
        memory, statement, _ = _answers(lib, _query(text))
        _same(memory, statement, text)


def _library_with_postings(tmp_path: Path) -> tuple[SqliteLibrary, Path, list[str]]:
    folder = write_fics(tmp_path / "fics")
    lib = SqliteLibrary(tmp_path / "lib")
    import_paths(lib, [folder], workers=0)
    assert lib.refresh_text_index() == 5  # the first import's works: tokenized at its end
    lib.load_search_caches()
    texts = ["cellar", "buffy spike", "willow tara cemetery dawn dust", "doctor -rose", "sand"]
    _all_same(lib, texts)
    stamp, waiting = lib.term_postings.state()
    assert stamp is not None and not waiting
    return lib, folder, texts


def _rewrite(folder: Path) -> Path:
    """A story rewritten and one added."""
    cellar = folder / "cellar.md"
    cellar.write_text(cellar.read_text().replace("boiler", "furnace and sand"))
    (folder / "tardis2.md").write_text(
        (folder / "tardis.md").read_text().replace("Blue Box Blues", "Violet Sand")
    )
    return cellar


def test_works_an_import_stores_come_in_with_its_batch(tmp_path: Path) -> None:
    lib, folder, texts = _library_with_postings(tmp_path)
    _rewrite(folder)
    import_paths(lib, [folder], workers=0)
    stamp, waiting = lib.term_postings.state()
    assert stamp is not None and not waiting  # refreshed in the batch's own transaction
    assert lib.refresh_text_index() == 0
    lib.load_search_caches()
    assert lib.find(_query("furnace"), RESOLVER).total == 1
    _all_same(lib, [*texts, "furnace", "violet sand"])
    lib.close()


def test_changed_and_new_works_wait_then_come_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, folder, texts = _library_with_postings(tmp_path)

    # the batch's refresh fails (a full disk, a bug): the files are stored all the same,
    # their works wait, and search answers with FTS5 until a refresh brings them in
    def broken(postings: object, progress: object = None) -> int:
        raise RuntimeError("no room")

    monkeypatch.setattr(term_postings.Postings, "refresh", broken)
    cellar = _rewrite(folder)
    report = import_paths(lib, [folder], workers=0)
    assert report.counts.get("added") == 1 and not report.failures, report
    monkeypatch.undo()
    lib.load_search_caches()
    assert lib.term_postings.state()[1] is True
    _all_same(lib, [*texts, "furnace"])
    assert lib.find(_query("furnace"), RESOLVER).total == 1  # FTS5 answers
    assert lib.refresh_text_index() == 2
    lib.load_search_caches()
    assert lib.term_postings.state()[1] is False
    assert lib.find(_query("furnace"), RESOLVER).total == 1
    _all_same(lib, [*texts, "furnace", "violet sand"])

    # past the segment limit the smaller segments are merged into one
    monkeypatch.setattr(term_postings, "MAX_SEGMENTS", 1)
    cellar.write_text(cellar.read_text().replace("furnace", "brazier"))
    import_paths(lib, [folder], workers=0)
    assert lib.refresh_text_index() == 0
    lib.load_search_caches()
    # the largest segment and the merged rest (older entries of the re-stored work gone)
    segments = lib.db.execute("SELECT count(DISTINCT segment) FROM term_postings").fetchone()[0]
    assert segments == 2
    assert lib.find(_query("furnace"), RESOLVER).total == 0
    assert lib.find(_query("brazier"), RESOLVER).total == 1
    _all_same(lib, [*texts, "brazier", "violet sand"])
    lib.close()


def test_tiered_merges_leave_the_largest_segment_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, folder, texts = _library_with_postings(tmp_path)
    largest = lib.db.execute("SELECT max(segment) FROM term_docs").fetchone()[0]
    monkeypatch.setattr(term_postings, "MAX_SEGMENTS", 2)
    cellar = folder / "cellar.md"
    for word in ("furnace", "brazier", "hearth"):  # one work re-stored: a segment each
        cellar.write_text(re.sub(r"boiler|furnace|brazier", word, cellar.read_text()))
        import_paths(lib, [folder], workers=0)
    segments = dict(
        lib.db.execute("SELECT segment, count(*) FROM term_docs GROUP BY segment").fetchall()
    )
    assert len(segments) <= 2
    assert segments.get(largest) == 4  # the four works never re-stored, never rewritten
    lib.load_search_caches()
    assert lib.find(_query("hearth"), RESOLVER).total == 1
    assert lib.find(_query("furnace"), RESOLVER).total == 0
    _all_same(lib, [*texts, "hearth", "brazier"])
    lib.close()


def test_a_first_full_build_past_the_segment_limit_is_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_fics(tmp_path / "fics")
    lib = SqliteLibrary(tmp_path / "lib")
    import_paths(lib, [folder], workers=0)
    monkeypatch.setattr(term_postings, "SEGMENT_POSTINGS", 1)  # a segment per batch
    monkeypatch.setattr(term_postings, "BATCH_WORKS", 1)  # ... of one work
    monkeypatch.setattr(term_postings, "MAX_SEGMENTS", 2)
    assert lib.refresh_text_index() == 5
    segments = lib.db.execute("SELECT count(DISTINCT segment) FROM term_postings").fetchone()[0]
    assert segments == 1  # five of one work each: merged, as a search reads every segment
    lib.load_search_caches()
    _all_same(lib, ["cellar", "buffy spike", "doctor -rose", "sand"])
    lib.close()
