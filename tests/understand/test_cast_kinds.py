"""A capitalised word the story mostly writes after an article ("the Bijin", "a Chikara", "the
Council") is a kind, a rank or a body of the story's world, not one of its people; a person's
name keeps its place in the cast though the story sometimes gives it an article."""

from __future__ import annotations

from ficsift.ontology import load_ontology
from ficsift.understand.calibration import load_calibration
from ficsift.understand.cast import find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

# An original story: "Ilsa" is a woman, "Varrow" one of a people (and once, in a taunt, "a
# Ilsa" is said of her).
SCENE = [
    "Ilsa said nothing when the Varrow came down the stair.",
    "The Varrow laughed, and Ilsa watched it cross the hall.",
    "A Varrow never sleeps, Ilsa thought, and the Varrow smiled as if it knew.",
    "Varrow looked at her.",
]
TAUNT = "Nobody wants a Ilsa in the house, the steward said, and Ilsa smiled."


def _originals(text: str, primer: Primer) -> set[str]:
    return {m.name for m in find_cast(StoryText(chapters=[text]), primer).cast if m.original}


def test_a_word_mostly_after_an_article_is_no_character(primer: Primer) -> None:
    found = _originals("\n\n".join(SCENE * 4 + [TAUNT]), primer)
    assert "Ilsa" in found
    assert "Varrow" not in found


def test_the_same_word_without_articles_is_a_character(primer: Primer) -> None:
    bare = [
        line.replace("the Varrow", "Varrow")
        .replace("The Varrow", "Varrow")
        .replace("A Varrow", "Varrow")
        for line in SCENE
    ]
    found = _originals("\n\n".join(bare * 4), primer)
    assert {"Ilsa", "Varrow"} <= found


def test_a_title_ao3_gives_a_character_still_names_a_person() -> None:
    # No fandom said (a bare primer, AO3's ontology only): "the Doctor" is always written
    # after its article, as the kinds above are, but AO3 has characters it calls so.
    bare = Primer({}, load_ontology())
    lines = [
        "The kettle boiled, and the Doctor said nothing at all for a while.",
        "Later the Doctor smiled at the window, and the rain kept on.",
        "Nobody asked where the Doctor had been, and the Doctor looked at the floor.",
    ]
    result = find_cast(StoryText(chapters=["\n\n".join(lines * 4)]), bare, load_calibration())
    assert any("Doctor" in m.name for m in result.cast), [m.name for m in result.cast]
