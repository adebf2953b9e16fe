"""Synonym, alias, case and whitespace handling against real rows of the source CSVs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ficsift.ontology import Ontology, TagKind

Rows = Callable[[str], list[list[str]]]


@pytest.mark.parametrize(
    ("synonym", "canonical"),
    [
        ("BuckyNat week", "#BuckyNat Week"),
        ("Drunken Kisses Challenge", "#DrunkenKissesChallenge Fest"),
        ("#SO MUCH ANGST", "Angst"),
        ("Alpha Xander", "Alpha Xander Harris"),
    ],
)
def test_freeform_synonyms_from_tags_csv(
    onto: Ontology, scourgify_rows: Rows, synonym: str, canonical: str
) -> None:
    assert [canonical, synonym, "alias"] in scourgify_rows("tags.csv")
    assert onto.canonical(synonym, "freeform") == canonical
    assert onto.canonical(synonym.upper()) == canonical
    assert onto.tag_type(synonym) == "freeform"


@pytest.mark.parametrize(
    ("synonym", "canonical"),
    [
        ("Faith (BtVS)", "Faith Lehane"),
        ("Tara McClay", "Tara Maclay"),
        ("Alexander Harris", "Xander Harris"),
        ("Ripper (BtVS)", "Rupert Giles"),
        ("Bashir", "Julian Bashir"),
        ("Garak", "Elim Garak"),
        ("Odo", "Odo (Star Trek)"),
        ("Vamp!Willow", "Vampire Willow Rosenberg"),
    ],
)
def test_character_synonyms_from_characters_csv(
    onto: Ontology, scourgify_rows: Rows, synonym: str, canonical: str
) -> None:
    assert [canonical, synonym, "alias"] in scourgify_rows("characters.csv")
    assert onto.canonical(synonym, "character") == canonical
    assert onto.canonical(synonym) == canonical
    assert onto.tag_type(synonym) == "character"
    assert synonym in onto.synonyms(canonical)


def test_case_whitespace_and_accents_do_not_matter(onto: Ontology) -> None:
    assert onto.canonical("  faith   (btvs) ") == "Faith Lehane"
    assert onto.canonical("HURT/COMFORT") == "Hurt/Comfort"
    assert onto.canonical("hurt/comfort", "freeform") == "Hurt/Comfort"


def test_almost_every_source_synonym_resolves(onto: Ontology, scourgify_rows: Rows) -> None:
    """Regression guard over all rows: short names shared by many characters may be None."""
    checks: list[tuple[str, TagKind, float]] = [
        ("tags.csv", "freeform", 0.995),
        ("characters.csv", "character", 0.98),
    ]
    for name, kind, floor in checks:
        rows = scourgify_rows(name)
        ok = sum(1 for master, syn, _rel in rows if onto.canonical(syn, kind) == master.strip())
        assert ok / len(rows) >= floor, (name, ok / len(rows))


def test_unknown_names_give_none(onto: Ontology) -> None:
    kinds: list[TagKind | None] = [None, "freeform", "character", "fandom", "relationship"]
    for kind in kinds:
        assert onto.canonical("Zzqx Vorpal Glimmerwick", kind) is None
    assert onto.tag_type("Zzqx Vorpal Glimmerwick") is None
    assert onto.synonyms("Zzqx Vorpal Glimmerwick") == set()
    assert onto.meta_tags("Zzqx Vorpal Glimmerwick") == []


def test_tag_types(onto: Ontology) -> None:
    assert onto.tag_type("Vampires") == "freeform"
    assert onto.tag_type("Willow Rosenberg") == "character"
    assert onto.tag_type("Julian Bashir/Elim Garak") == "relationship"
    assert onto.tag_type("Buffy the Vampire Slayer") == "fandom"


def test_fandom_aliases(onto: Ontology) -> None:
    assert onto.canonical("BtVS", "fandom") == "Buffy the Vampire Slayer"
    assert onto.canonical("buffyverse", "fandom") == "Buffy the Vampire Slayer"
    assert onto.canonical("btvs", "fandom") == "Buffy the Vampire Slayer"  # antennapedia's f:btvs


def test_freeform_counts_come_from_the_2015_snapshot(onto: Ontology, shared: Path) -> None:
    path = shared / "ontology" / "ao3-canonical-freeforms-2015.json"
    counts = json.loads(path.read_text(encoding="utf-8"))
    assert onto.freeform_count("hurt/comfort") == counts["Hurt/Comfort"]
    assert onto.freeform_count("Vampire Willow") == counts["Vampire Willow"]
    assert onto.freeform_count("BuckyNat week") == counts["#BuckyNat Week"]
    assert onto.freeform_count("Zzqx Vorpal Glimmerwick") is None


def test_genres_and_trigger_labels(onto: Ontology) -> None:
    assert onto.genre("A lot of action") == "Action"
    assert onto.genre("#SO MUCH ANGST") == "Angst"
    labels = onto.trigger_labels()
    assert len(labels) == 36
    assert len({t.coarse for t in labels}) == 7
    assert set(onto.trigger_coarse_labels()) == {t.coarse for t in labels}
    by_fine = {t.fine: t for t in labels}
    assert by_fine["self-harm"].coarse == "mental-health"
    assert by_fine["homophobia"].coarse == "discrimination"
    assert "Heterosexism" in by_fine["homophobia"].terms
