"""The issue's example: a plain-text chapter where vampire Willow keeps vampire Tara chained.

The narration calls Willow "the vampire" and "the red-headed vampire", Tara "the other
vampire"; the author's note says "VampWillow", "VampTara" and "W/T".  The story below was
written for this test (no real fic is copied).
"""

from __future__ import annotations

import pytest

from ficsift.model import Chapter, Document, Source, Tag, TagOrigin, TagType
from ficsift.understand import understand
from ficsift.understand.epithets import resolve_epithets
from ficsift.understand.notes import read_notes
from ficsift.understand.story import CastMember, StoryText
from ficsift.understand.textops import lower_aligned

STORY = [
    "The cell under the Bronze had no window. Water ran down the stone, and the chain bolted to the far wall rattled whenever Tara moved, so she tried not to move.",
    "Willow came down the stairs at sunset, humming. The red-headed vampire carried a candle in one hand and a box of matches in the other, and she smiled with all her teeth.",
    '"Morning, sweetie," she said. "Sleep well?"',
    'Tara pulled against the shackles on her wrists. The iron had worn the skin raw, and dried blood crusted the cuffs. "Let me go, Willow. Please. This isn\'t you."',
    "\"Oh, it's totally me. New and improved.\" The vampire crouched beside her, struck a match and held it close until the flame licked at Tara's forearm. Tara screamed. The smell of burnt flesh filled the cell, and the blisters rose and split. Willow struck another match, and another, and burned her again, slowly, along the old wounds, until blood and pus ran down to the floor.",
    '"You know what I like best?" Willow whispered. "You can\'t die of it. We can keep playing forever."',
    "The other vampire bared her fangs, and her eyes went yellow with hunger and hate, but the chains held. She had not fed in four days. Her ribs showed through her torn shirt, and her lips were cracked and bleeding.",
    "Later the red-headed vampire unlocked the collar from the wall and clipped a leash to it. She dragged her prisoner up the stairs and out into the alley behind the club, and walked her through the dark streets of Sunnydale like a dog, jerking the leash whenever Tara stumbled. Tara fell on the gravel and cut her knees open. Willow laughed and kicked her in the ribs until something cracked.",
    '"Heel," Willow said.',
    "Back in the cell the vampire chained her captive to the wall again and tortured her until dawn, with matches and a knife and a bucket of holy water, while Tara begged her to stop. Blood pooled on the floor. The other vampire did not beg by morning. She only stared at the wall, and Willow kissed her bloody mouth and said she would be back tomorrow night.",
    "Tara counted the links of the chain. There were forty-one. She counted them again.",
]
NOTE = "A/N: VampWillow and VampTara, dark W/T. AU where Willow never got her soul back."


def chapter(note: str | None = NOTE) -> Document:
    return Document(
        source=Source(path="cell.txt", format="text"),
        notes=[note] if note else [],
        chapters=[Chapter(title=None, text="\n\n".join(STORY))],
    )


def inferred(doc: Document) -> dict[str, Tag]:
    return {t.name: t for t in doc.tags if t.origin == TagOrigin.INFERRED}


@pytest.fixture(scope="module")
def understood() -> dict[str, Tag]:
    return inferred(understand(chapter()))


@pytest.mark.parametrize(
    "name",
    [
        "Vampire Willow Rosenberg",
        "Vampire Tara Maclay",
        "Captivity",
        "Torture",
        "Graphic Depictions Of Violence",
    ],
)
def test_the_example_gets_its_tags(understood: dict[str, Tag], name: str) -> None:
    assert name in understood
    assert understood[name].evidence


def test_the_example_is_rated_mature_or_explicit(understood: dict[str, Tag]) -> None:
    ratings = [t.name for t in understood.values() if t.type == TagType.RATING]
    assert ratings and ratings[0] in {"Mature", "Explicit"}


def test_the_note_is_evidence_of_the_ship_and_the_states(understood: dict[str, Tag]) -> None:
    ship = understood["Tara Maclay/Willow Rosenberg"]
    assert ship.main
    assert any("W/T" in e.reason for e in ship.evidence)
    assert any("VampWillow" in e.reason for e in understood["Vampire Willow Rosenberg"].evidence)
    assert "Alternate Universe" in understood


def test_the_epithets_alone_make_both_vampires() -> None:
    # Without the note, the narration's "the red-headed vampire" / "the other vampire" do it.
    tags = inferred(understand(chapter(note=None)))
    assert {"Vampire Willow Rosenberg", "Vampire Tara Maclay"} <= set(tags)


def test_epithets_resolve_to_the_character_they_stand_for() -> None:
    text = (
        "Willow came down the stairs. The red-headed vampire smiled at Tara. "
        "Tara looked away. The vampire laughed. The other vampire bared her fangs. "
        "Later the red-headed vampire left, and the vampire Spike came in."
    )
    members = [
        CastMember(name=n, fandom=None, mentions=[(i, i + len(n)) for i in _find(text, n)])
        for n in ("Willow", "Tara", "Spike")
    ]
    got = [
        (text[e.start : e.end], members[e.member].name)
        for e in resolve_epithets(text, lower_aligned(text), members)
    ]
    assert got == [
        ("The red-headed vampire", "Willow"),
        ("The vampire", "Willow"),
        ("The other vampire", "Tara"),
        ("the red-headed vampire", "Willow"),
    ]  # "the vampire Spike" is Spike's own mention, not an epithet


def test_note_shorthand_needs_the_story_cast() -> None:
    cast = [
        CastMember(name="Willow Rosenberg", fandom="x"),
        CastMember(name="Tara Maclay", fandom="x"),
    ]
    reading = read_notes(
        StoryText(chapters=["x"], notes=["A/N: W/T, H/C, VampWillow, vamp!Xander"]), cast
    )
    assert [(a.name, b.name) for (a, b), _ in reading.ships] == [
        ("Willow Rosenberg", "Tara Maclay")
    ]
    assert [(p, m.name) for p, m, _ in reading.states] == [("Vampire", "Willow Rosenberg")]
    assert reading.alternate_universe is None


def _find(text: str, name: str) -> list[int]:
    out, i = [], text.find(name)
    while i != -1:
        out.append(i)
        i = text.find(name, i + 1)
    return out
