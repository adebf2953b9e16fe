"""Meta/sub tag inheritance, checked against the rows of ao3-metatags-2023.csv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ficsift.ontology import Ontology


@pytest.fixture(scope="module")
def metatag_rows(shared: Path) -> list[tuple[str, str]]:
    with (shared / "ontology" / "ao3-metatags-2023.csv").open(encoding="utf-8") as fh:
        return [(c, p) for c, p in list(csv.reader(fh))[1:]]


def test_vampire_willow_rosenberg_has_no_row_in_aos_list(
    onto: Ontology, metatag_rows: list[tuple[str, str]]
) -> None:
    """The real data: AO3's 2023 list has no meta tag for this (character) tag at all."""
    assert not [r for r in metatag_rows if r[0] == "Vampire Willow Rosenberg"]
    assert ("Vampires", "Mythical Beings & Creatures") in metatag_rows
    assert onto.meta_tags("Vampire Willow Rosenberg", inferred=False) == []


def test_vampire_willow_rosenberg_inherits_through_the_inferred_vampires_link(
    onto: Ontology,
) -> None:
    """≥80 % of AO3's metatagged "Vampire <name>" tags sit under Vampires, so the build links
    this one there too (stored apart, as inferred), and Vampires' own chain follows."""
    assert onto.meta_tags("Vampire Willow Rosenberg") == ["Vampires", "Mythical Beings & Creatures"]
    assert onto.meta_tags("vamp!willow") == ["Vampires", "Mythical Beings & Creatures"]


def test_explicit_chain_matches_the_csv(
    onto: Ontology, metatag_rows: list[tuple[str, str]]
) -> None:
    rows = {p for c, p in metatag_rows if c == "Vampire Hermione Granger"}
    assert rows == {"Vampires", "Mythical Beings & Creatures"}
    # nearest first: Vampires is itself under Mythical Beings & Creatures
    assert onto.meta_tags("Vampire Hermione Granger", inferred=False) == [
        "Vampires",
        "Mythical Beings & Creatures",
    ]
    assert onto.meta_tags("Vampires") == ["Mythical Beings & Creatures"]


def test_character_name_meta_tags(onto: Ontology) -> None:
    chain = onto.meta_tags("Vampire Xander Harris", inferred=False)
    assert chain.index("Xander Harris") < chain.index("Xander")  # Xander Harris → Xander
    assert set(chain) == {"Xander Harris", "Xander", "Harris"}


def test_sub_tags_are_transitive(onto: Ontology) -> None:
    vampires = onto.sub_tags("Vampires")
    assert {"Vampire Willow Rosenberg", "Vampire Hermione Granger", "Hunted Vampires"} <= vampires
    assert "Vampire Willow Rosenberg" not in onto.sub_tags("Vampires", inferred=False)
    creatures = onto.sub_tags("mythical beings & creatures")
    assert {"Vampires", "Vampire Willow Rosenberg", "Werewolves"} <= creatures
    assert "Mythical Beings & Creatures" not in creatures
    assert onto.sub_tags("Vampire Willow Rosenberg") == set()
