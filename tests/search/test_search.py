"""Searching a library: tags through the ontology, exclusions, main pairing, text, filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficsift.library import Library
from ficsift.library.query import Query, Sort
from ficsift.search import parse_query, search

from .conftest import titles


def find(lib: Library, line: str, **options: object) -> set[str]:
    query = parse_query(line, is_tag=lambda p: p in {"Major Character Death"})
    for key, value in options.items():
        setattr(query, key, value)
    return titles(search(lib, query, limit=50))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # spellings and order of a relationship all reach AO3's canonical tag
        ('ship:"Willow/Tara"', {"The Cellar Door", "Slayer in the Box"}),
        ('ship:"Tara/Willow"', {"The Cellar Door", "Slayer in the Box"}),
        ('ship:"Tara Maclay/Willow Rosenberg"', {"The Cellar Door", "Slayer in the Box"}),
        # a meta tag finds its sub-tags: VampWillow → Vampire Willow Rosenberg → Vampires
        ("tag:Vampires", {"The Cellar Door"}),
        ('tag:"Vampire Willow Rosenberg"', {"The Cellar Door"}),
        # the main pairing, not a background one
        ('ship:"Buffy/Spike" main:yes', {"Bleached"}),
        ('ship:"Buffy/Spike"', {"Bleached", "The Cellar Door"}),
        # wildcards: any romantic relationship with Willow in it, in either order
        ('ship:"Willow Rosenberg/*"', {"The Cellar Door", "Slayer in the Box"}),
        ("character:Giles", {"Card Catalogue"}),
        ('fandom:"Doctor Who"', {"Blue Box Blues", "Slayer in the Box"}),
        ("crossover:only", {"Slayer in the Box"}),
        ("category:Gen", {"Card Catalogue"}),
        ("rating:Explicit", {"The Cellar Door"}),
        ("complete:no", {"Blue Box Blues"}),
        ("author:quillfeather", {"The Cellar Door", "Card Catalogue"}),
        ("cellar boiler", {"The Cellar Door"}),
        ('"two suns"', {"Blue Box Blues"}),
    ],
)
def test_includes(fic_library: Library, line: str, expected: set[str]) -> None:
    assert find(fic_library, line, semantic=False) == expected


def test_exclusions(fic_library: Library) -> None:
    everything = find(fic_library, "")
    assert len(everything) == 5
    assert find(fic_library, '-ship:"Buffy/Spike"') == everything - {"Bleached", "The Cellar Door"}
    assert find(fic_library, '-"Major Character Death"') == everything - {"Bleached"}
    assert find(fic_library, "crossover:no") == everything - {"Slayer in the Box"}
    assert find(fic_library, "cellar -boiler", semantic=False) == set()


def test_or_groups_and_and(fic_library: Library) -> None:
    assert find(fic_library, 'ship:"Buffy/Spike"|"Doctor/Rose"') == {
        "Bleached", "The Cellar Door", "Blue Box Blues"}  # fmt: skip
    assert find(fic_library, 'ship:"Buffy/Spike" ship:"Willow/Tara"') == {"The Cellar Door"}


def test_unknown_tag_matches_nothing(fic_library: Library) -> None:
    assert find(fic_library, 'tag:"Quidditch World Cup Fluff"') == set()


def test_max_relationships_drops_multi_ship_works(fic_library: Library) -> None:
    assert "The Cellar Door" not in find(fic_library, "ships<=1")
    assert "Bleached" in find(fic_library, "ships<=1")


def test_author_tags_only_ignores_inferred(fic_library: Library) -> None:
    inferred: list[tuple[str, str, int]] = []  # (type, name, work) the author did not give
    for hit in search(fic_library, Query(), limit=50).hits:
        groups = [hit.fandoms, hit.relationships, hit.characters, hit.freeforms]
        author = {(t.type, t.name) for g in groups for t in g if t.origin == "author"}
        inferred += [(t.type, t.name, hit.id) for g in groups for t in g
                     if t.origin == "inferred" and (t.type, t.name) not in author]  # fmt: skip
    assert inferred, "ficsift infers tags the authors did not give"
    for kind, name, work_id in inferred:
        loose = search(fic_library, parse_query(f'{kind}:"{name}"'), limit=50).hits
        strict = search(fic_library, parse_query(f'{kind}:"{name}" tags:author'), limit=50).hits
        assert work_id in {h.id for h in loose}
        assert work_id not in {h.id for h in strict}


def test_results_explain_themselves(fic_library: Library) -> None:
    page = search(fic_library, parse_query('tag:Vampires ship:"Willow*/*"'), limit=5)
    (hit,) = page.hits
    assert any("Vampire Willow Rosenberg" in reason for reason in hit.why)
    assert hit.source.endswith("cellar.md")
    page = search(fic_library, parse_query("boiler"), limit=5)
    assert page.hits[0].snippet and "«boiler»" in page.hits[0].snippet


def test_facets_count_the_result_set(fic_library: Library) -> None:
    page = search(fic_library, parse_query('fandom:"Buffy the Vampire Slayer"'), facets=20)
    fandoms = dict(page.facets["fandom"])
    assert fandoms["Buffy the Vampire Slayer"] == page.total == 4
    assert fandoms.get("Doctor Who") == 1
    ships = dict(page.facets["relationship"])
    assert ships["Tara Maclay/Willow Rosenberg"] == 2


@pytest.mark.parametrize("sort", [Sort.WORDS, Sort.TITLE, Sort.QUALITY, Sort.UPDATED])
def test_sorts(fic_library: Library, sort: Sort) -> None:
    hits = search(fic_library, Query(sort=sort), limit=50).hits
    if sort is Sort.WORDS:
        values = [h.words for h in hits]
        assert values == sorted(values, reverse=True)
    elif sort is Sort.TITLE:
        values = [h.title.lower() for h in hits]
        assert values == sorted(values)
    elif sort is Sort.QUALITY:
        scores = [h.quality or 0 for h in hits]
        assert scores == sorted(scores, reverse=True)
    assert len(hits) == 5


def test_pagination_is_stable(fic_library: Library) -> None:
    whole = [h.id for h in search(fic_library, Query(sort=Sort.TITLE), limit=5).hits]
    pages = [h.id for o in range(0, 5, 2)
             for h in search(fic_library, Query(sort=Sort.TITLE), offset=o, limit=2).hits]  # fmt: skip
    assert pages == whole


@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE works; --",
        'tag:"x\') OR 1=1 --"',
        "NEAR(a b) OR * AND ^title:x",
        '"unbalanced AND (',
        "ship:[*]/?*",
        "\x00\x01 ☃ 🦇 \u202e",
    ],
)
def test_hostile_queries_are_data_not_sql(fic_library: Library, hostile: str) -> None:
    """User text is bound as parameters and quoted for FTS5: it can only fail to match."""
    try:
        query = parse_query(hostile, is_tag=lambda p: False)
    except ValueError:
        return  # a clear syntax error is a fine answer too
    search(fic_library, query, limit=5)
    assert len(titles(search(fic_library, Query(), limit=50))) == 5


def test_in_memory_facet_counts_agree_with_sql(fic_library: Library) -> None:
    from ficsift.library.sql.facet_counts import FacetCache
    from ficsift.library.sqlite.search import SqliteSearch

    assert isinstance(fic_library, SqliteSearch)
    ids = [h.id for h in search(fic_library, Query(use_blacklist=False), limit=50).hits]
    from ficsift.library.sql.facet_counts import FACET_NAMES, FACET_WORKS

    cache = FacetCache()
    works = list(fic_library._facet_rows(FACET_WORKS))
    cache.load(works, fic_library._facet_rows(FACET_NAMES), fic_library.generation())
    for subset in (ids, ids[:2], []):
        assert cache.count(subset, 50) == fic_library._facets_sql(subset, 50)


def test_generation_moves_with_every_stored_file(fresh_library: Library, tmp_path: Path) -> None:
    from ficsift.importer import import_paths
    from ficsift.library.sqlite.search import SqliteSearch

    assert isinstance(fresh_library, SqliteSearch)
    before = fresh_library.generation()
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "x.txt").write_text("Title: X\n\nChapter 1\n\nWords enough.\n", "utf-8")
    import_paths(fresh_library, [tmp_path / "new"], workers=1)
    assert fresh_library.generation() != before
