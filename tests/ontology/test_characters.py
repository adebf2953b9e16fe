"""Character resolution: full names, name parts, prefixes and fandom hints."""

from __future__ import annotations

import pytest

from ficsift.ontology import Ontology

BTVS = "Buffy the Vampire Slayer"
DS9 = "Star Trek: Deep Space Nine"


@pytest.mark.parametrize(
    ("text", "fandom", "expected"),
    [
        ("giles", None, "Rupert Giles"),  # surname; no other curated Giles is at stake
        ("Giles", BTVS, "Rupert Giles"),
        ("hurt!giles", None, "Rupert Giles"),  # antennapedia's c:hurt!giles
        ("ripper!giles", BTVS, "Rupert Giles"),
        ("Willow Rosenberg (mentioned)", None, "Willow Rosenberg"),
        ("willow", BTVS, "Willow Rosenberg"),
        ("xander", "btvs", "Xander Harris"),
        ("buffy", "BtVS", "Buffy Summers"),
        ("tara", BTVS, "Tara Maclay"),
        ("spike", BTVS, "Spike (BtVS)"),
        ("Angel", BTVS, "Angel (BtVS)"),
        ("faith", BTVS, "Faith Lehane"),
        ("julian", DS9, "Julian Bashir"),
        ("garak", None, "Elim Garak"),
        ("  QUARK ", DS9, "Quark (Star Trek)"),
    ],
)
def test_resolves(onto: Ontology, text: str, fandom: str | None, expected: str) -> None:
    assert onto.canonical(text, "character", fandom=fandom) == expected


@pytest.mark.parametrize(
    ("text", "fandom"),
    [
        ("Angel", None),  # Angel, Angel (BtVS), Angel (Lady and the Tramp) …
        ("willow", None),  # Willow Rosenberg, Willow Park, …
        ("xander", None),  # AO3 also has Marx | Xander
        ("spike", None),
        ("summers", BTVS),  # Buffy, Dawn and Joyce Summers
        ("Zzqx Vorpal Glimmerwick", BTVS),
    ],
)
def test_ambiguous_or_unknown_gives_none(onto: Ontology, text: str, fandom: str | None) -> None:
    assert onto.canonical(text, "character", fandom=fandom) is None


def test_initials_need_a_fandom(onto: Ontology) -> None:
    assert onto.canonical("W", "character") is None
    assert onto.canonical("W", "character", fandom=BTVS) == "Willow Rosenberg"


def test_character_aliases_come_from_the_data(onto: Ontology) -> None:
    willow = onto.character_aliases("Willow Rosenberg")
    assert {"Willow Rosenberg", "Willow", "Rosenberg", "Willow Rosenburg"} <= willow
    assert "Wills" not in willow  # no source records it
    assert {"Xander", "Harris", "Alexander Harris"} <= onto.character_aliases("xander harris")
    assert {"Angel", "Liam"} <= onto.character_aliases("Angel (BtVS)")  # AO3 name meta tags
    assert "Angel (BtVS)" not in onto.character_aliases("Angel (BtVS)")
    giles = onto.character_aliases("Rupert Giles")
    assert {"Rupert", "Giles", "Ripper"} <= giles
    assert not any("mentioned" in a.lower() for a in giles)
    assert "Starbuck" in onto.character_aliases('Kara "Starbuck" Thrace')
    assert onto.character_aliases("Zzqx Vorpal Glimmerwick") == set()


def test_an_epithet_after_the_is_no_surname() -> None:
    """ "Lurien the Watcher", "The Ripper": the word after "the" is what the character is
    called with the article, not a surname a story calls them by alone — else every "Watcher"
    of a Buffy story is evidence for Hollow Knight."""
    from ficsift.ontology._build_names import forms_of
    from ficsift.ontology._names import name_parts

    assert name_parts("Lurien the Watcher (Hollow Knight)") == ["Lurien"]
    assert "Ripper" not in name_parts("Jack | The Ripper (Identity V)")
    assert name_parts("Rupert Giles") == ["Rupert", "Giles"]
    forms = forms_of("Lurien the Watcher (Hollow Knight)")
    assert "Watcher" not in forms and {"Lurien", "Lurien the Watcher"} <= forms


def test_the_compiled_gazetteer_has_no_epithet_surnames(onto: Ontology) -> None:
    gazetteer = onto.gazetteer
    assert gazetteer.people("Lurien")
    assert not any("Lurien" in gazetteer.name(i) for i in gazetteer.people("Watcher"))


def test_an_abbreviated_saint_is_no_name(onto: Ontology) -> None:
    """ "St. John Talbot", "St. Jimmy": "St" is the abbreviation before a name (and of a
    street), never a person a story calls so — else every "St. Paul's" is evidence.  The
    name itself and its surname stay."""
    from ficsift.ontology._build_names import forms_of

    forms = forms_of("St. John Talbot")
    assert {"St. John Talbot", "Talbot"} <= forms and not {"St", "St."} & forms
    gazetteer = onto.gazetteer
    assert not gazetteer.people("St") and not gazetteer.people("St.")
    assert "St. John Talbot" in {gazetteer.name(i) for i in gazetteer.people("Talbot")}
