"""A full name ficsift cannot place in a fandom still gets AO3's tag when one AO3 character
alone has it, in the same word order ("Clara Oswald" → "Clara Oswin Oswald"); a name AO3
writes in the other order keeps the story's own (its family name tells relatives apart)."""

from __future__ import annotations

from ficsift.ontology import load_ontology
from ficsift.understand.calibration import load_calibration
from ficsift.understand.cast import find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

# Our own sentences.  Nothing else in them points to a fandom.
STORY = "\n\n".join(
    [
        "Clara Oswald walked home from the school in the rain, her bag over her head.",
        "The flat was cold. Clara Oswald put the kettle on and stood by the window.",
        "Clara Oswald marked essays until midnight, and most of them were terrible.",
        "In the morning Clara Oswald said goodbye to the cat and went out again.",
        "Madara Uchiha sat on the wall across the road, watching the traffic go by.",
        "Madara Uchiha said nothing to anyone all day, and nobody asked him to.",
        "At dusk Madara Uchiha climbed down and walked away towards the river.",
    ]
)


def test_an_unplaced_full_name_gets_the_ao3_tag_only_in_its_own_order(primer: Primer) -> None:
    bare = Primer({}, load_ontology())  # no curated fandom: nothing can be placed by the primer
    result = find_cast(StoryText([STORY]), bare, load_calibration())
    assert not result.fandoms
    names = {m.name: m for m in result.cast}
    assert "Clara Oswin Oswald" in names and names["Clara Oswin Oswald"].original, list(names)
    assert names["Clara Oswin Oswald"].count == 4
    assert "Clara Oswald" not in names
    assert "Madara Uchiha" in names and "Uchiha Madara" not in names, list(names)


def test_a_syllable_joined_by_a_hyphen_finds_the_ao3_tag(primer: Primer) -> None:
    # AO3 writes "Yang Wenli"; stories often write "Yang Wen-li".  A hyphen between capitals
    # ("Jean-Luc") is a name's own and is never dropped.
    story = "\n\n".join(
        [
            "Yang Wen-li walked home from the office in the rain, his cap over his eyes.",
            "The flat was cold. Yang Wen-li put the kettle on and stood by the window.",
            "Yang Wen-li read history until midnight, and most of it was terrible.",
            "In the morning Yang Wen-li said goodbye to the cat and went out again.",
        ]
    )
    bare = Primer({}, load_ontology())
    result = find_cast(StoryText([story]), bare, load_calibration())
    names = {m.name: m for m in result.cast}
    assert "Yang Wenli" in names and names["Yang Wenli"].count == 4, list(names)
    assert "Yang Wen-li" not in names


def test_a_name_several_characters_share_goes_to_the_one_ao3_tags_most() -> None:
    """With no curated fandom, "Hermione Granger" is AO3's Hermione Granger (tagged on
    thousands of works), not "Hermione Granger (established)" (one), and "Draco" is Draco
    Malfoy: a fandom's aliases ("Draco - Fandom") are no names of the character who shares
    the fandom's name."""
    story = "\n\n".join(
        [
            "Harry Potter ran down the corridor of the castle with his wand out.",
            'Hermione Granger caught up with him at the stairs. "Harry, wait," she said.',
            "Draco Malfoy was waiting at the top, smirking, and Harry stopped dead.",
            '"Potter," Draco said. Hermione rolled her eyes and pushed past them both.',
            "Harry looked at Draco for a long moment before he followed Hermione up.",
            "Later Hermione said Draco was only trying to help, and Harry laughed at her.",
        ]
    )
    bare = Primer({}, load_ontology())
    result = find_cast(StoryText([story]), bare, load_calibration())
    names = {m.name: m.count for m in result.cast}
    assert "Hermione Granger" in names and "Hermione Granger (established)" not in names, names
    assert names.get("Draco Malfoy", 0) >= 4, names
    assert not [n for n in names if "|" in n], names  # "Harry" is no "Tom Riddle | Harry Potter"
