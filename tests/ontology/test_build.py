"""The build script and its data file: header, size, determinism, and its rules on small
hand-written sources (so each rule is checked where the outcome is known exactly)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.conftest import SHARED

from ficsift.ontology import Ontology, load_ontology

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_ontology.py"
DATA = ROOT / "src" / "ficsift" / "ontology" / "data" / "ontology.zip"


def run_build(shared: Path, out: Path) -> bytes:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--shared", str(shared), "--out", str(out), "--quiet"],
        check=True,
    )
    return out.read_bytes()


def test_packaged_file_header_names_its_sources() -> None:
    with zipfile.ZipFile(DATA) as zf:
        header = json.loads(zf.read("header.json"))
    assert header["built_from"] == "scripts/build_ontology.py"
    assert header["version"] == load_ontology().version
    paths = {s["path"] for s in header["sources"]}
    assert "ontology/scourgify-ao3-2021/tags.csv" in paths
    assert "ontology/ao3-metatags-2023.csv" in paths
    assert "corpus/ao3-listings-ds9" in paths
    assert all(len(s["sha256"]) == 64 and s["licence"] for s in header["sources"])
    assert DATA.stat().st_size < 8_000_000


def test_script_docstring_names_its_sources() -> None:
    doc = SCRIPT.read_text(encoding="utf-8").split('"""')[1]
    for source in ("tags.csv", "characters.csv", "universes.csv", "ao3-metatags-2023.csv"):
        assert source in doc


# -- a miniature shared/ ------------------------------------------------------------------------

BLURB = """<li id="work_{wid}" class="work blurb group" role="article">
<h5 class="fandoms heading">{fandoms}</h5><ul class="tags commas">{chars}{rels}</ul></li>"""


def _tag(text: str) -> str:
    return f'<a class="tag" href="/tags/x/works">{text}</a>'


def _blurb(wid: int, fandoms: list[str], chars: list[str], rels: Sequence[str] = ()) -> str:
    return BLURB.format(
        wid=wid,
        fandoms=", ".join(_tag(f) for f in fandoms),
        chars="".join(f"<li class='characters'>{_tag(c)}</li>" for c in chars),
        rels="".join(f"<li class='relationships'>{_tag(r)}</li>" for r in rels),
    )


def make_shared(root: Path) -> Path:
    sc = root / "ontology" / "scourgify-ao3-2021"
    tw = root / "ontology" / "trigger-warnings"
    for d in (
        sc,
        tw,
        root / "corpus" / "ao3-listings-ds9",
        root / "corpus" / "ao3-ships-top-kudos",
    ):
        d.mkdir(parents=True)
    (root / "corpus" / "antennapedia" / "metadata").mkdir(parents=True)
    files = {
        sc / "tags.csv": "master,name,rel\nVampires,vampyres,alias\nFluff,fluffy,alias\n",
        sc / "characters.csv": "master,name,rel\n"
        "Wren Ashdown,Wren A.,alias\nMoth (Lantern Tales),Moth,alias\n"
        "Vampire Wren Ashdown,Vamp!Wren,alias\nNell Avery,Nell A.,alias\n",
        sc / "universes.csv": "master,name,rel\nLantern Tales,LT,alias\n"
        "Lantern Tales,Lantern Tales (TV),related\nVarro,Varro (Film),related\n"
        "Nell Avery,Quill Marsh - Fandom,alias\n",
        sc / "fandoms.csv": "alias,canonical\n",
        sc / "genres.csv": "master,name,rel\nFluff,fluffy,alias\n",
        sc / "tropes.csv": "variant,canonical,route\n",
        root / "ontology" / "ao3-metatags-2023.csv": "Tag Name,Metatag Name\n"
        + "".join(f"Vampire Person{i},Vampires\n" for i in range(12))
        + "Vampires,Creatures\nTam Orrel (Lantern),Lantern Crew\nMoth (Lantern Tales),Lantern Crew\n",
        root / "ontology" / "ao3-canonical-freeforms-2015.json": '{"Vampires": 40, "Fluff": 9}',
        tw / "tw-fine-open.json": '["death"]',
        tw / "tw-coarse.json": '["aggression"]',
        tw / "map-fine-to-coarse.json": '{"death": "aggression"}',
        tw / "institutional-sources-merged.csv": "Group,Labels,Merged List\n,death,death\n",
        root / "corpus" / "antennapedia" / "metadata" / "fandoms.json": '{"f:lt": '
        '{"title": "Lantern Tales"}}',
        root / "corpus" / "ao3-ships-top-kudos" / "x.csv": "fandom,relationship,taggedRel\n"
        + "Lantern Tales,Moth/Wren,Moth/Wren Ashdown\n" * 3,
    }
    blurbs = [
        _blurb(1, ["Harbor Nine"], ["Ike Dorn", "Pell Varro"], ["Ike Dorn/Pell Varro"]),
        _blurb(2, ["Harbor Nine"], ["Ike Dorn"]),
        _blurb(
            3, ["Harbor Nine", "Lantern Tales"], ["Ike Dorn", "Wren Ashdown", "Moth", "Sable Quin"]
        ),
        _blurb(4, ["Harbor Nine", "Lantern Tales"], ["Wren Ashdown", "Sable Quin"]),
        _blurb(5, ["Harbor Nine", "Lantern Tales"], ["Wren Ashdown", "Ike Dorn"]),
        *(_blurb(i, ["Harbor Nine"], ["Ike Dorn"]) for i in range(6, 10)),
    ]
    page = '<h2 class="heading"><a class="tag">Harbor Nine</a></h2><ol>' + "".join(blurbs) + "</ol>"
    files[root / "corpus" / "ao3-listings-ds9" / "p1.html"] = page
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ontology, bytes, bytes]:
    tmp = tmp_path_factory.mktemp("mini")
    shared = make_shared(tmp / "shared")
    first = run_build(shared, tmp / "a" / "o.zip")
    second = run_build(shared, tmp / "b" / "o.zip")
    return Ontology.from_path(tmp / "a" / "o.zip"), first, second


def test_build_is_deterministic_on_small_sources(mini: tuple[Ontology, bytes, bytes]) -> None:
    _onto, first, second = mini
    assert first == second


def test_build_rules_on_small_sources(mini: tuple[Ontology, bytes, bytes]) -> None:
    onto = mini[0]
    # synonyms and counts
    assert onto.canonical("VAMPYRES") == "Vampires"
    assert onto.freeform_count("vampyres") == 40
    assert onto.genre("fluffy") == "Fluff"
    # 12 of 12 "Vampire <x>" tags sit under Vampires: the rule reaches Vampire Wren Ashdown
    assert onto.meta_tags("Vamp!Wren") == ["Vampires", "Creatures"]
    assert onto.meta_tags("Vamp!Wren", inferred=False) == []
    # single-fandom works make Ike a Harbor Nine character, also in the crossovers; the ship
    # list makes Wren a Lantern Tales one (3 works + 3 ship rows), never a Harbor Nine one
    assert onto.fandoms_of_character("Ike Dorn") == {"Harbor Nine": 8}
    assert onto.fandoms_of_character("Wren Ashdown") == {"Lantern Tales": 6}
    # Sable is only ever seen in crossovers: credited where over-represented (lift 3 > 2)
    assert onto.fandoms_of_character("Sable Quin") == {"Lantern Tales": 2}
    # one work is not enough for Pell; the disambiguator alone places Moth
    assert "Lantern Tales" in onto.fandoms_of_character("Moth (Lantern Tales)")
    # fandom aliases, franchise members and the archive's slug
    assert onto.canonical("LT", "fandom") == "Lantern Tales"
    assert onto.canonical("lt", "fandom") == "Lantern Tales"
    assert onto.fandom_franchise("Lantern Tales (TV)") == "Lantern Tales"
    # relationships: the ship list's tag is the canonical spelling of its spellings
    assert onto.canonical("moth/wren", "relationship") == "Moth/Wren Ashdown"
    assert onto.canonical_relationship("wren/moth", fandom="Lantern Tales") == "Moth/Wren Ashdown"
    assert onto.canonical_relationship("Pell/Ike") == "Ike Dorn/Pell Varro"
    assert [t.fine for t in onto.trigger_labels()] == ["death"]


def test_gazetteer_on_small_sources(mini: tuple[Ontology, bytes, bytes]) -> None:
    onto = mini[0]
    people = onto.gazetteer
    # every form prose may use: full name, given name, surname, the other order
    for form in ("Ike Dorn", "Ike", "Dorn", "Dorn Ike"):
        assert [people.name(i) for i in people.people(form)] == ["Ike Dorn"]
    assert people.people("ike dorn") == ()  # prose capitalises names: forms are as written
    assert people.people("Vampires") == ()
    ike = people.people("Ike")[0]
    assert people.homes(ike) == {"Harbor Nine": 8}
    # a character known only as a meta tag is placed by its disambiguator, which opens the
    # title of one franchise's fandoms ("Lantern" → Lantern Tales)
    tam = people.people("Tam Orrel")[0]
    assert people.homes(tam) == {"Lantern Tales": 1}
    # a fandom named like a character ("Harry Potter"): its aliases are no names of hers
    assert [people.name(i) for i in people.people("Nell")] == ["Nell Avery"]
    assert people.people("Quill Marsh") == () and people.people("Quill") == ()
    # a fandom named after the one character so called, who has no other home
    assert onto.fandoms_of_character("Pell Varro") == {"Varro": 1}
    assert people.homes(people.people("Pell")[0]) == {"Varro": 1}


@pytest.mark.slow
def test_real_build_is_deterministic(tmp_path: Path) -> None:
    """Two full builds from the real shared/ give identical bytes (≈20 s each)."""
    shared = SHARED
    if not shared.exists():
        pytest.skip("shared data not found")
    assert run_build(shared, tmp_path / "a.zip") == run_build(shared, tmp_path / "b.zip")
