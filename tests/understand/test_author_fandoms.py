"""Guesses beside the author's tags: the author says which fandom of a franchise it is, and
a guessed character who is part of one the author names is that one."""

from __future__ import annotations

import pytest

from ficsift.model import Chapter, Document, Source, TagOrigin, TagType
from ficsift.understand.infer import understand
from ficsift.understand.primer import load_primer
from tests.understand.test_cast import FRIENDS, ROMANCE


def guessed_fandoms(author_fandom: str) -> list[str]:
    doc = Document(source=Source(path="x.txt", format="text"))
    doc.chapters = [Chapter(title=None, text="\n\n".join(ROMANCE * 4 + FRIENDS * 2))]
    doc.add_tag(author_fandom, TagType.FANDOM)
    understand(doc, load_primer())
    return [t.name for t in doc.tags if t.type == TagType.FANDOM and t.origin == TagOrigin.INFERRED]


@pytest.mark.parametrize(
    "author_fandom, guessed",
    [
        ("Angel: the Series", []),  # Buffy's franchise: the author said which fandom
        ("Doctor Who", ["Buffy the Vampire Slayer"]),  # another canon's names: still said
    ],
)
def test_a_guess_of_the_franchise_the_author_tagged_is_not_added(
    author_fandom: str, guessed: list[str]
) -> None:
    assert guessed_fandoms(author_fandom) == guessed


QUILLON = [
    "Quillon said nothing for a long time. Quillon looked at the river and then at the boat.",
    "“We leave at dawn,” Quillon said, and Quillon smiled at the ferryman for the first time.",
]


@pytest.mark.parametrize(
    "tagged, canonical",
    [
        (["Quillon Vastarra"], "Quillon Vastarra"),
        (["Quillon Vastarra", "Quillon Mirren"], "Quillon"),  # two of that name: still a guess
    ],
)
def test_a_guessed_character_the_author_named_in_full(tagged: list[str], canonical: str) -> None:
    doc = Document(source=Source(path="x.txt", format="text"))
    doc.chapters = [Chapter(title=None, text="\n\n".join(QUILLON * 6))]
    doc.add_tag("Tales of the Ninth River", TagType.FANDOM)
    for name in tagged:
        doc.add_tag(name, TagType.CHARACTER)
    understand(doc, load_primer())
    guessed = [
        t for t in doc.tags if t.type == TagType.CHARACTER and t.origin == TagOrigin.INFERRED
    ]
    assert [(t.name, t.canonical) for t in guessed] == [("Quillon", canonical)]
