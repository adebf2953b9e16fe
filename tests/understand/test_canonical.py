"""Author tags to AO3 canonical tags, keeping the author's spelling as the name."""

from __future__ import annotations

import pytest

from ficsift.model import Document, Source, TagType
from ficsift.understand.canonical import canonicalise
from ficsift.understand.primer import Primer


def doc_with(*tags: tuple[str, TagType]) -> Document:
    doc = Document(source=Source(path="x", format="text"))
    for name, kind in tags:
        doc.add_tag(name, kind)
    return doc


@pytest.mark.parametrize(
    "name, kind, expected",
    [
        ("W/T", TagType.RELATIONSHIP, "Tara Maclay/Willow Rosenberg"),
        ("willow/tara", TagType.RELATIONSHIP, "Tara Maclay/Willow Rosenberg"),
        ("giles/buffy", TagType.RELATIONSHIP, "Buffy Summers/Rupert Giles"),
        ("hurt!giles", TagType.CHARACTER, "Rupert Giles"),
        ("giles", TagType.CHARACTER, "Rupert Giles"),
        ("Angel", TagType.CHARACTER, "Angel (BtVS)"),
        ("adult", TagType.RATING, "Explicit"),
        ("PG-13", TagType.RATING, "Teen And Up Audiences"),
        ("gen", TagType.CATEGORY, "Gen"),
        ("None", TagType.WARNING, "No Archive Warnings Apply"),
        ("none apply", TagType.WARNING, "No Archive Warnings Apply"),
        ("hurt/comfort", TagType.FREEFORM, "Hurt/Comfort"),
        ("VampWillow", TagType.FREEFORM, "Vampire Willow Rosenberg"),
    ],
)
def test_author_tags_in_a_buffy_fic(
    primer: Primer, name: str, kind: TagType, expected: str
) -> None:
    doc = doc_with(("btvs", TagType.FANDOM), (name, kind))
    canonicalise(doc, primer)
    fandom, tag = doc.tags
    assert fandom.canonical == "Buffy the Vampire Slayer"
    if kind == TagType.RELATIONSHIP:  # AO3's side order is the tag's own: compare the sides
        assert tag.canonical is not None and set(tag.canonical.split("/")) == set(
            expected.split("/")
        )
    else:
        assert tag.canonical == expected
    assert tag.name == name  # the author's spelling stays


def test_unresolvable_tag_keeps_no_canonical(primer: Primer) -> None:
    doc = doc_with(
        ("btvs", TagType.FANDOM),
        ("zzyzx qqq", TagType.CHARACTER),
        ("no such tag at all zz", TagType.FREEFORM),
    )
    canonicalise(doc, primer)
    assert [t.canonical for t in doc.tags[1:]] == [None, None]


def test_a_crossover_character_filed_under_one_fandom_still_resolves() -> None:
    from ficsift.understand.canonical import resolve_character
    from ficsift.understand.primer import load_primer

    primer = load_primer()
    # "Twelve" in a story filed only under The Thick of It is still the Twelfth Doctor …
    assert resolve_character("twelve", ["The Thick of It"], primer) == "Twelfth Doctor"
    # … but a name the work's fandom has keeps its meaning there, and an unknown one stays so.
    assert resolve_character("malcolm", ["The Thick of It"], primer) == "Malcolm Tucker"
    assert resolve_character("pilfrey", ["Doctor Who"], primer) is None


@pytest.mark.parametrize(
    "name, fandom, expected",
    [
        ("Harry P.", "Harry Potter - J. K. Rowling", "Harry Potter"),
        ("Ginny W.", "Harry Potter - J. K. Rowling", "Ginny Weasley"),
        ("Naruto U.", "Naruto", "Uzumaki Naruto"),  # AO3 writes the family name first
        ("Harry P./Boy-Who-Lived", "Harry Potter - J. K. Rowling", "Harry Potter"),
        ("R. Giles", "Buffy the Vampire Slayer", "Rupert Giles"),
        # A family's initial names no one ("R. Weasley": Ron, Rose, …); a wrong initial no one.
        ("R. Weasley", "Harry Potter - J. K. Rowling", None),
        ("Harry Q.", "Harry Potter - J. K. Rowling", None),
    ],
)
def test_fanfiction_net_names_of_characters(name: str, fandom: str, expected: str | None) -> None:
    """FanFiction.net's "Harry P.", "Naruto U." and "Clark K./Kal-El" are AO3's characters of
    the work's fandom when one alone answers to the name and initial."""
    from ficsift.understand.primer import load_primer

    doc = doc_with((fandom, TagType.FANDOM), (name, TagType.CHARACTER))
    canonicalise(doc, load_primer())
    assert doc.tags[1].canonical == expected and doc.tags[1].name == name
