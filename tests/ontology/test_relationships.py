"""canonical_relationship: shorthand pairings to AO3 relationship tags."""

from __future__ import annotations

import pytest

from ficsift.ontology import Ontology

BTVS = "Buffy the Vampire Slayer"
DS9 = "Star Trek: Deep Space Nine"


@pytest.mark.parametrize(
    ("text", "fandom", "expected"),
    [
        # AO3's own spelling, as tagged on a work in the listings (surname order: Maclay first)
        ("W/T", BTVS, "Tara Maclay/Willow Rosenberg"),
        ("willow/tara", None, "Tara Maclay/Willow Rosenberg"),
        ("Willow / Tara", None, "Tara Maclay/Willow Rosenberg"),
        ("Julian/Garak", DS9, "Julian Bashir/Elim Garak"),
        ("garak/julian", "DS9", "Julian Bashir/Elim Garak"),
        ("julian bashir/elim garak", None, "Julian Bashir/Elim Garak"),
        # "&" stays platonic
        ("Julian & Garak", DS9, "Julian Bashir & Elim Garak"),
        # no Buffy/Giles tag in the data: built AO3-style, alphabetical by surname
        ("giles/buffy", None, "Rupert Giles/Buffy Summers"),
        ("hurt!giles/buffy", BTVS, "Rupert Giles/Buffy Summers"),
        ("xander/anya", None, "Xander Harris/Anya Jenkins"),
        (
            "buffy/giles/willow/xander",
            None,
            "Rupert Giles/Xander Harris/Willow Rosenberg/Buffy Summers",
        ),
        ("giles/jenny", BTVS, "Jenny Calendar/Rupert Giles"),  # a tag seen once in the listings
        ("sherlock/john", None, "Sherlock Holmes/John Watson"),
    ],
)
def test_canonical_relationship(
    onto: Ontology, text: str, fandom: str | None, expected: str
) -> None:
    assert onto.canonical_relationship(text, fandom=fandom) == expected


@pytest.mark.parametrize(
    ("text", "fandom"),
    [
        ("W/T", None),  # initials need a fandom
        ("Zzqx/Vorpal", None),
        ("Zzqx/Vorpal", BTVS),
        ("willow", None),  # not a relationship
        ("giles/giles", BTVS),
        ("a/b & c", None),  # AO3 tags use one separator kind
    ],
)
def test_unresolvable_gives_none(onto: Ontology, text: str, fandom: str | None) -> None:
    assert onto.canonical_relationship(text, fandom=fandom) is None


def test_canonical_with_relationship_type(onto: Ontology) -> None:
    assert onto.canonical("willow/tara", "relationship") == "Tara Maclay/Willow Rosenberg"
    assert onto.canonical("Garak/Bashir", "relationship") == "Julian Bashir/Elim Garak"
