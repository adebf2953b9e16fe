"""Search over real stories (../shared/corpus/antennapedia/btvs), checked against the authors'
own front matter, read here independently of ficsift's readers."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ficsift.importer import import_paths
from ficsift.library import Library, SqliteLibrary
from ficsift.search import parse_query, refresh, search


def front_matter(path: Path) -> dict:  # type: ignore[type-arg]
    text = path.read_text("utf-8")
    return yaml.safe_load(text.split("\n---", 1)[0].lstrip("-\n")) or {}


def sides(pairing: str) -> frozenset[str]:
    return frozenset(s.strip().lower() for s in pairing.split("/"))


@pytest.fixture(scope="module")
def btvs(corpus: Path) -> Path:
    return corpus / "antennapedia" / "btvs"


@pytest.fixture(scope="module")
def btvs_library(tmp_path_factory: pytest.TempPathFactory, btvs: Path) -> Iterator[Library]:
    lib = SqliteLibrary(tmp_path_factory.mktemp("btvs"))
    report = import_paths(lib, [btvs], workers=1)
    assert not report.failures
    refresh(lib)
    yield lib
    lib.close()


def found_files(lib: Library, line: str) -> set[str]:
    page = search(lib, parse_query(line), limit=500)
    return {Path(h.source).name for h in page.hits}


@pytest.mark.parametrize(
    "pairing", ["giles/buffy", "giles/xander", "willow/tara", "giles/ethan", "xander/anya"]
)
def test_pairing_search_matches_the_authors_tags(
    btvs_library: Library, btvs: Path, pairing: str
) -> None:
    wanted = sides(pairing)
    tagged, main = set(), set()
    for path in btvs.glob("*.md"):
        header = front_matter(path)
        ships = [t[2:] for t in header.get("tags") or [] if str(t).startswith("p:")]
        if any(sides(s) == wanted for s in ships):
            tagged.add(path.name)
        # the author's main pairing: the one the pairing: field names, else the first listed
        named = str(header.get("pairing") or "")
        first = named if any(sides(s) == sides(named) for s in ships) else (ships or [""])[0]
        if ships and sides(first) == wanted:
            main.add(path.name)
    assert tagged, f"the corpus has {pairing} stories"
    a, b = pairing.split("/")
    # the reader's spelling, reversed: the ontology and the character names bridge it
    assert found_files(btvs_library, f'ship:"{b}/{a}" tags:author') == tagged
    assert found_files(btvs_library, f'ship:"{b}/{a}" tags:author main:yes') == main


def test_a_phrase_from_a_story_finds_that_story_first(btvs_library: Library, btvs: Path) -> None:
    rng = random.Random(7)
    paths = sorted(btvs.glob("*.md"))
    for path in rng.sample(paths, 8):
        body = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text("utf-8").split("\n---", 1)[1]))
        words = re.findall(r"\w+", body)
        start = rng.randrange(max(1, len(words) - 8))
        phrase = " ".join(words[start : start + 6])
        page = search(btvs_library, parse_query(f'"{phrase}" semantic:off'), limit=3)
        assert page.hits, phrase
        assert path.name in {Path(h.source).name for h in page.hits}, phrase


def test_rating_filter_agrees_with_front_matter(btvs_library: Library, btvs: Path) -> None:
    adult = {p.name for p in btvs.glob("*.md") if front_matter(p).get("rating") == "adult"}
    assert adult
    assert found_files(btvs_library, "rating:Explicit") == adult
