"""Character/relationship ↔ fandom links compiled from the AO3 listings and ship lists."""

from __future__ import annotations

import pytest

from ficsift.ontology import Ontology

BTVS = "Buffy the Vampire Slayer"
DS9 = "Star Trek: Deep Space Nine"


@pytest.mark.parametrize(
    "character",
    [
        "Willow Rosenberg",
        "Xander Harris",
        "Rupert Giles",
        "Buffy Summers",
        "Spike (BtVS)",
        "Angel (BtVS)",
        "Faith Lehane",  # only via its synonym "Faith (BtVS)" and one crossover work
        "Anya Jenkins",
        "Dawn Summers",
        "Tara Maclay",
    ],
)
def test_buffy_characters_are_linked_to_buffy(onto: Ontology, character: str) -> None:
    fandoms = onto.fandoms_of_character(character, franchise=True)
    assert fandoms.get(BTVS, 0) >= 2, fandoms
    assert character in onto.characters_of_fandom(BTVS)


@pytest.mark.parametrize(
    "character",
    ["Julian Bashir", "Elim Garak", "Kira Nerys", "Odo (Star Trek)", "Benjamin Sisko", "Quark"],
)
def test_ds9_characters_are_linked_to_ds9(onto: Ontology, character: str) -> None:
    assert onto.fandoms_of_character(character).get(DS9, 0) > 100


def test_crossovers_do_not_leak_between_fandoms(onto: Ontology) -> None:
    """Every listing work carries DS9; Buffy crossovers must not make Willow a DS9 character
    nor Bashir (tagged in eleven of them) a Buffy one."""
    assert DS9 not in onto.fandoms_of_character("Willow Rosenberg")
    assert BTVS not in onto.fandoms_of_character("Julian Bashir", franchise=True)


def test_characters_the_data_cannot_place_stay_unlinked(onto: Ontology) -> None:
    assert onto.canonical("Joyce Summers", "character") == "Joyce Summers"  # a real AO3 tag
    assert onto.fandoms_of_character("Joyce Summers") == {}


def test_franchises(onto: Ontology) -> None:
    assert onto.fandom_franchise(DS9) == "Star Trek"
    assert onto.fandom_franchise("Buffy the Vampire Slayer (TV)") == BTVS
    assert onto.fandom_franchise("Angel: the Series") == BTVS
    assert onto.fandom_franchise(BTVS) == BTVS
    assert onto.fandom_franchise("Zzqx Vorpal Glimmerwick") is None


def test_fandom_queries_accept_aliases(onto: Ontology) -> None:
    full = onto.characters_of_fandom(BTVS)
    assert onto.characters_of_fandom("BtVS") == full
    assert onto.characters_of_fandom("buffyverse") == full
    assert next(iter(full)) == "Buffy Summers"  # most evidence first
    tv_only = onto.characters_of_fandom("Buffy the Vampire Slayer (TV)")
    assert set(tv_only) < set(full)  # a member fandom is narrower than its franchise


def test_relationships_of_fandom(onto: Ontology) -> None:
    ds9 = onto.relationships_of_fandom(DS9)
    assert next(iter(ds9)) == "Julian Bashir/Elim Garak"
    assert "Jadzia Dax/Kira Nerys" in ds9
    assert onto.relationship_characters("Julian Bashir/Elim Garak") == (
        "/",
        ["Elim Garak", "Julian Bashir"],
    )
    assert onto.fandoms_of_relationship("julian bashir/elim garak").get(DS9, 0) > 1000


def test_ship_lists_link_relationships(onto: Ontology) -> None:
    assert "Supernatural" in onto.fandoms_of_relationship("Castiel/Dean Winchester")
    assert "Supernatural" in onto.fandoms_of_character("Dean Winchester")
