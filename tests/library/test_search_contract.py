"""The search contract on every backend (the ``library`` fixture: SQLite, then PostgreSQL):
words across fields, phrases and negation, an exact title first, ships as readers write them,
facets, snippets, and the rules that hold for every caller — the blacklist is never listed,
whoever asks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from ficsift.library import FileRecord, Library
from ficsift.library.query import (
    BlacklistEntry,
    BlacklistKind,
    GuessHiding,
    Query,
    ReadingStatus,
    Sort,
    TagFilter,
    TagGroup,
)
from ficsift.library.tag_keys import TagResolver
from ficsift.model import Chapter, Document, Source, Stats, Tag, TagOrigin, TagType
from ficsift.understand.calibration import load_calibration
from tests.library.conftest import another_handle

RESOLVER = TagResolver()
BTVS = "Buffy the Vampire Slayer"
DS9 = "Star Trek: Deep Space Nine"

# (title, author, fandom, relationship, freeforms, kudos, story) — written for these tests
WORKS = [
    ("The Cellar Door", "quillfeather", BTVS, "Tara Maclay/Willow Rosenberg",
     ["Vampire Willow Rosenberg", "Captivity"], 40,
     "Willow turned the key in the cellar door. Tara waited in the dark below the Bronze, "
     "humming a spell. The candles guttered and the chains rattled on the stone."),
    ("Patrol at Dawn", "inkwell", BTVS, "Buffy Summers/Spike",
     ["Major Character Death"], 300,
     "Spike lit a cigarette in the cemetery while Buffy staked a fledgling. Dust settled "
     "on her boots; the sun came up over Sunnydale and nobody said goodbye."),
    ("Card Catalogue", "quillfeather", BTVS, "Rupert Giles/Jenny Calendar",
     ["Fluff"], 120,
     "Giles reshelved the occult section while Jenny teased him about the card catalogue. "
     "The library smelled of dust and tea; a demon manual lay open on the counter."),
    ("Promenade", "rivet", DS9, "Kira Nerys/Odo",
     ["Slow Burn"], 900,
     "Odo watched the Promenade from his office. Kira brought him a report on the Bajoran "
     "freighter and stayed longer than the report needed. Quark grumbled at his bar."),
    ("Holosuite Nights", "rivet", DS9, "Julian Bashir/Miles O'Brien",
     ["Friendship"], 75,
     "Julian and Miles fought the Alamo again in the holosuite. Afterwards they drank at "
     "Quark's and argued about darts, the Dominion and whose turn it was to pay."),
]  # fmt: skip


def _document(n: int) -> Document:
    title, author, fandom, ship, freeforms, kudos, story = WORKS[n]
    d = Document(
        source=Source(path=f"w{n}.txt", format="text", work_key=f"test:{n}", sha256=f"s{n}"),
        title=title,
        authors=[author],
        summary=f"A story of {fandom}.",
        chapters=[Chapter(title=None, text=story, html=f"<p>{story}</p>")],
        stats=Stats(kudos=kudos),
    )
    d.add_tag(fandom, TagType.FANDOM)
    d.add_tag(ship, TagType.RELATIONSHIP)
    for tag in freeforms:
        kind = TagType.WARNING if tag == "Major Character Death" else TagType.FREEFORM
        d.add_tag(tag, kind)
    return d


@pytest.fixture
def lib(library: Library) -> Iterator[Library]:
    for n in range(len(WORKS)):
        d = _document(n)
        library.store_file(FileRecord(d.source.path, f"s{n}", 1, 0.0, 1), [d])
    yield library


def _titles(lib: Library, query: Query, **kw: object) -> list[str]:
    found = lib.find(query, RESOLVER, limit=20, **kw)  # type: ignore[arg-type]
    blurbs = lib.blurbs([i for i, _ in found.page])
    return [blurbs[i].title for i, _ in found.page]


def _words(text: str) -> Query:
    return Query(text=text, semantic=False)


def test_words_from_different_fields_find_one_work(lib: Library) -> None:
    # "Cellar" is in the title only, "guttered" in the story only
    assert _titles(lib, _words("cellar guttered")) == ["The Cellar Door"]
    assert _titles(lib, _words("quillfeather demon")) == ["Card Catalogue"]  # author + story


def test_words_are_stemmed_and_all_required(lib: Library) -> None:
    assert _titles(lib, _words("rattling chain")) == ["The Cellar Door"]
    assert _titles(lib, _words("cigarette cellar")) == []


def test_a_phrase_and_a_negated_word(lib: Library) -> None:
    assert _titles(lib, _words('"card catalogue"')) == ["Card Catalogue"]
    assert set(_titles(lib, _words("Quark"))) == {"Promenade", "Holosuite Nights"}
    assert _titles(lib, _words("Quark -darts")) == ["Promenade"]


def test_a_title_typed_plainly_comes_first(lib: Library) -> None:
    # "dust" is in two stories; the title "Patrol at Dawn" is the query
    assert _titles(lib, _words("patrol at dawn"))[0] == "Patrol at Dawn"
    assert _titles(lib, _words("promenade"))[0] == "Promenade"


def test_a_short_ship_name_finds_the_canonical_relationship(lib: Library) -> None:
    for written in ("Odo/Kira", "Kira/Odo", "Bashir/O'Brien", "willow/tara"):
        ship = Query(include=[TagGroup((TagFilter(written, TagType.RELATIONSHIP),))])
        assert len(_titles(lib, ship)) == 1, written


def test_tag_filters_exclusions_and_sorts(lib: Library) -> None:
    btvs = TagGroup((TagFilter(BTVS, TagType.FANDOM),))
    by_kudos = Query(include=[btvs], sort=Sort.KUDOS)
    assert _titles(lib, by_kudos) == ["Patrol at Dawn", "Card Catalogue", "The Cellar Door"]
    no_death = Query(include=[btvs], exclude=[TagFilter("Major Character Death")])
    assert sorted(_titles(lib, no_death)) == ["Card Catalogue", "The Cellar Door"]
    either = TagGroup((TagFilter("Fluff"), TagFilter("Slow Burn")))
    assert sorted(_titles(lib, Query(include=[either]))) == ["Card Catalogue", "Promenade"]
    wildcard = TagGroup((TagFilter("Vampire *", TagType.FREEFORM),))
    assert _titles(lib, Query(include=[wildcard])) == ["The Cellar Door"]


def test_facets_count_the_matched_works(lib: Library) -> None:
    found = lib.find(_words("dust"), RESOLVER, facets=5)
    assert found.total == 2
    assert found.facets["fandom"] == [(BTVS, 2)]
    assert sorted(found.facets["relationship"]) == [
        ("Buffy Summers/Spike", 1),
        ("Rupert Giles/Jenny Calendar", 1),
    ]


def test_a_count_alone_and_the_match_ids_agree_with_the_pages(lib: Library) -> None:
    # limit=0 counts without scoring; match_ids are every match, also past the page
    for words in ("dust", "quark", "the", "dust -cigarette", "cellar"):
        every = lib.find(_words(words), RESOLVER, limit=50)
        ids = {i for i, _ in every.page}
        assert lib.find(_words(words), RESOLVER, limit=0).total == len(ids), words
        first = lib.find(_words(words), RESOLVER, limit=1, match_ids=True)
        assert first.total == len(ids), words
        assert first.match_ids == ids, words
    assert lib.find(_words("quark"), RESOLVER, limit=0).total == 2


def test_snippets_mark_the_searched_words(lib: Library) -> None:
    found = lib.find(_words("holosuite"), RESOLVER)
    (work_id,) = [i for i, _ in found.page]
    snippet = lib.snippets([work_id], ["holosuite"])[work_id]
    assert "«holosuite»" in snippet.lower()


def test_reading_state_filters(lib: Library) -> None:
    promenade = lib.find(_words("promenade"), RESOLVER).page[0][0]
    lib.set_reading(promenade, status="read")
    read = Query(reading=[ReadingStatus.READ])
    assert _titles(lib, read) == ["Promenade"]
    assert "Promenade" not in _titles(lib, Query(hide_read=True))


# -- the blacklist holds for every caller ----------------------------------------------------


def test_a_blacklisted_tag_is_never_listed_to_a_bare_caller(lib: Library) -> None:
    everyone = len(WORKS)
    lib.blacklist_add(BlacklistEntry(BlacklistKind.TAG, "Major Character Death"))
    # a caller that never heard of the blacklist: Query() as it comes
    assert "Patrol at Dawn" not in _titles(lib, Query())
    assert "Patrol at Dawn" not in _titles(lib, _words("cemetery"))
    assert lib.find(Query(), RESOLVER).total == everyone - 1
    # the switch that shows everything is the reader's own, and shows it
    assert "Patrol at Dawn" in _titles(lib, Query(use_blacklist=False))


def test_a_blacklisted_work_and_author_are_never_listed(lib: Library) -> None:
    promenade = lib.find(_words("promenade"), RESOLVER).page[0][0]
    lib.blacklist_add(BlacklistEntry(BlacklistKind.WORK, str(promenade)))
    lib.blacklist_add(BlacklistEntry(BlacklistKind.AUTHOR, "QuillFeather"))
    shown = _titles(lib, Query(sort=Sort.TITLE))
    assert shown == ["Holosuite Nights", "Patrol at Dawn"]
    assert lib.find(Query(work_ids=[promenade]), RESOLVER).total == 0


def test_a_blacklist_scoped_to_a_fandom_hides_only_there(lib: Library) -> None:
    lib.blacklist_add(BlacklistEntry(BlacklistKind.AUTHOR, "rivet", fandom=BTVS))
    assert {"Promenade", "Holosuite Nights"} <= set(_titles(lib, Query()))
    lib.blacklist_add(BlacklistEntry(BlacklistKind.TAG, "Friendship", fandom=DS9))
    assert "Holosuite Nights" not in _titles(lib, Query())


# -- a guess hides a work only when it is sure -----------------------------------------------


def _guessed_death(lib: Library, n: int, confidence: float) -> None:
    """Store work ``n`` again with a *guessed* archive warning of this confidence."""
    d = _document(n)
    d.source.sha256 = f"s{n}-guessed"
    d.tags.append(
        Tag("Major Character Death", TagType.WARNING, TagOrigin.INFERRED, label="archive",
            confidence=confidence)
    )  # fmt: skip
    lib.store_file(FileRecord(d.source.path, d.source.sha256, 2, 1.0, 1), [d])


def test_a_noisy_guess_never_hides_a_work_and_a_sure_one_does(lib: Library) -> None:
    bar = load_calibration().exclusion_bar("warning")
    assert 0.5 < bar <= 1.0  # archive warnings: a measured or default bar a guess can reach
    _guessed_death(lib, 2, confidence=bar - 0.3)  # "Card Catalogue": a guess below the bar
    _guessed_death(lib, 4, confidence=min(1.0, bar + 0.05))  # "Holosuite Nights": above
    death = TagFilter("Major Character Death")
    # filtering *for* the tag reads every guess: it finds, it does not hide
    assert set(_titles(lib, Query(include=[TagGroup((death,))]))) == {
        "Patrol at Dawn", "Card Catalogue", "Holosuite Nights",
    }  # fmt: skip
    # an exclusion and the blacklist hide by the author's tag and the sure guess only
    assert sorted(_titles(lib, Query(exclude=[death]))) == [
        "Card Catalogue", "Promenade", "The Cellar Door",
    ]  # fmt: skip
    lib.blacklist_add(BlacklistEntry(BlacklistKind.TAG, "Major Character Death"))
    assert sorted(_titles(lib, Query())) == ["Card Catalogue", "Promenade", "The Cellar Door"]


def test_a_search_counts_the_works_guesses_alone_hide_and_links_to_them(lib: Library) -> None:
    from ficsift.search.engine import search

    bar = load_calibration().exclusion_bar("warning")
    _guessed_death(lib, 2, confidence=bar - 0.3)  # "Card Catalogue": too unsure to hide
    _guessed_death(lib, 4, confidence=min(1.0, bar + 0.05))  # "Holosuite Nights": hidden
    no_death = Query(exclude=[TagFilter("Major Character Death")], use_blacklist=False)
    # "Patrol at Dawn" carries the author's own warning: hidden in every mode
    assert sorted(_titles(lib, no_death)) == ["Card Catalogue", "Promenade", "The Cellar Door"]
    assert _titles(lib, replace(no_death, guesses=GuessHiding.ONLY)) == ["Holosuite Nights"]
    assert sorted(_titles(lib, replace(no_death, guesses=GuessHiding.SHOW))) == [
        "Card Catalogue", "Holosuite Nights", "Promenade", "The Cellar Door",
    ]  # fmt: skip
    assert search(lib, no_death).hidden_by_guesses == 1
    # the reader's own level: from that confidence a guess hides ("Card Catalogue"'s too)
    sure_enough = replace(no_death, guess_bar=bar - 0.35)
    assert sorted(_titles(lib, sure_enough)) == ["Promenade", "The Cellar Door"]
    assert search(lib, sure_enough).hidden_by_guesses == 2
    quark = replace(no_death, text="quark", semantic=False)  # words read the in-memory columns
    assert _titles(lib, quark) == ["Promenade"]
    assert _titles(lib, replace(quark, guesses=GuessHiding.ONLY)) == ["Holosuite Nights"]
    assert search(lib, quark).hidden_by_guesses == 1
    assert search(lib, replace(no_death, author_tags_only=True)).hidden_by_guesses == 0
    # a blacklisted tag alike, and a search that hides nothing by tags counts nothing
    assert search(lib, Query()).hidden_by_guesses == 0
    lib.blacklist_add(BlacklistEntry(BlacklistKind.TAG, "Major Character Death"))
    page = search(lib, Query())
    assert page.total == 3 and page.hidden_by_guesses == 1
    assert page.to_json()["hidden_by_guesses"] == 1
    assert _titles(lib, Query(guesses=GuessHiding.ONLY, blacklist=lib.blacklist())) == [
        "Holosuite Nights"
    ]


def test_author_tag_counts_teach_fandoms_and_partners(lib: Library) -> None:
    d = _document(0)
    d.source.sha256 = "s0-cast"
    d.add_tag("Willow Rosenberg", TagType.CHARACTER)
    lib.store_file(FileRecord(d.source.path, d.source.sha256, 2, 1.0, 1), [d])
    characters, ships = lib.author_tag_counts()
    assert characters == [(BTVS, "Willow Rosenberg", 1)]
    assert ("Kira Nerys/Odo", 1) in ships and len(ships) == len(WORKS)


def test_the_in_memory_facet_cache_counts_what_sql_counts(lib: Library) -> None:
    from ficsift.library.sql.finding import Finding

    assert isinstance(lib, Finding)
    ids = [i for i, _ in lib.find(Query(), RESOLVER, limit=50).page]
    cache = lib._load_facet_cache(lib.generation())
    for subset in (ids, ids[:2], []):
        assert cache.count(subset, 50) == lib._facets_sql(subset, 50)
    assert cache.count(ids, 50)["fandom"] == [(BTVS, 3), (DS9, 2)]


def test_a_servers_caches_lag_an_import_but_never_a_library_at_rest(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``snapshot_lag`` (a server), an import's batches in another process leave the
    in-memory caches answering for the library as it was, for at most that long; a write
    outside a batch (the refresh that ends every import) is answered exactly at once."""
    from ficsift.library.sql import finding

    lib.snapshot_lag = 30.0
    lib.load_search_caches()
    slayer = Query(include=[TagGroup((TagFilter(BTVS, TagType.FANDOM),))])
    assert lib.find(slayer, RESOLVER).total == 3
    writer = another_handle(lib)
    try:
        new = _document(0)
        new.source = Source(path="new.txt", format="text", work_key="test:new", sha256="n")
        new.title = "Another Cellar"
        with writer.batch():
            writer.store_file(FileRecord("new.txt", "n", 1, 0.0, 1), [new])
        assert lib.find(slayer, RESOLVER).total == 3  # the caches before, as a snapshot
        assert lib.find(slayer, RESOLVER, facets=5).facets["fandom"][0] == (BTVS, 3)
        lib.snapshot_lag = 0.0  # a command's: the library as it is
        assert lib.find(slayer, RESOLVER).total == 4
        lib.snapshot_lag = 30.0
        assert lib.find(slayer, RESOLVER).total == 3
        clock = time.monotonic() + 31  # past the lag: the exact answer
        monkeypatch.setattr(finding.time, "monotonic", lambda: clock)
        assert lib.find(slayer, RESOLVER).total == 4
        monkeypatch.undo()
        lib.load_search_caches()
        assert lib.find(slayer, RESOLVER).total == 4
        with writer.batch():
            new.source = Source(path="new2.txt", format="text", work_key="test:new2", sha256="m")
            writer.store_file(FileRecord("new2.txt", "m", 1, 0.0, 1), [new])
        assert lib.find(slayer, RESOLVER).total == 4
        writer.put_scores([])  # a write outside a batch, as the refresh ending an import
        assert lib.find(slayer, RESOLVER).total == 5
        assert lib.find(slayer, RESOLVER, facets=5).facets["fandom"][0] == (BTVS, 5)
    finally:
        writer.close()
