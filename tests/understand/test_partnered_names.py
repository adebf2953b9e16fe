"""A character AO3 places in no fandom, found by the partner AO3 ships her with: "Jenny"
beside Rupert Giles is Jenny Calendar (``Jenny Calendar/Rupert Giles``), once the story's
fandom is known from AO3's names alone (the primer's Buffy entry left out)."""

from __future__ import annotations

from ficsift.ontology import load_ontology
from ficsift.understand.calibration import load_calibration
from ficsift.understand.cast import find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

# Our own sentences; the names are AO3's.
WITH_GILES = [
    "Rupert Giles polished his glasses and looked up from the book when Jenny came in.",
    "Buffy Summers dropped her bag on the library table and sighed at both of them.",
    "Jenny smiled at Giles across the table and asked whether the Slayer had eaten.",
    "Giles said that Buffy never ate before patrol, and Jenny laughed at him.",
    "Willow Rosenberg came in behind Buffy with an armful of printouts.",
    "Jenny took the printouts from Willow and spread them out beside Giles.",
]


def _cast(primer: Primer, paragraphs: list[str]) -> set[str]:
    without_buffy = Primer(
        {k: v for k, v in primer.fandoms.items() if "Buffy" not in k}, load_ontology()
    )
    result = find_cast(StoryText(["\n\n".join(paragraphs * 2)]), without_buffy, load_calibration())
    assert [f.fandom for f in result.fandoms] == ["Buffy the Vampire Slayer"]
    return {m.name for m in result.cast}


def test_the_ontology_keeps_the_partners_of_characters_it_cannot_place() -> None:
    gazetteer = load_ontology().gazetteer
    (jenny,) = [i for i in gazetteer.people("Jenny Calendar")]
    assert not gazetteer.homes(jenny)
    assert "Rupert Giles" in {gazetteer.name(p) for p in gazetteer.partners(jenny)}


def test_a_name_beside_the_partner_ao3_ships_her_with_is_that_character(primer: Primer) -> None:
    assert "Jenny Calendar" in _cast(primer, WITH_GILES)


def test_without_the_partner_the_name_stays_unplaced(primer: Primer) -> None:
    # The same scene with Giles gone (his lines given to Xander): "Jenny" is no one ficsift
    # can place, so she is not Jenny Calendar.
    without = [
        p.replace("Rupert Giles", "Xander Harris").replace("Giles", "Xander") for p in WITH_GILES
    ]
    names = _cast(primer, without)
    assert "Jenny Calendar" not in names
    assert "Xander Harris" in names


# "Jenny" opens one sentence, and _cast says the story twice: two mentions, each a capital a
# sentence gives any word ("Clear.", "Break it up"), which alone would not make a name.
JENNY_OPENS = [
    "Rupert Giles polished his glasses and looked up from the book when the door opened.",
    "Buffy Summers dropped her bag on the library table and sighed at both of them.",
    "Jenny smiled at Giles across the table and asked whether the Slayer had eaten.",
    "Giles said that Buffy never ate before patrol, and Willow Rosenberg laughed at him.",
]


def test_a_partner_named_only_to_open_sentences_is_still_found(primer: Primer) -> None:
    assert "Jenny Calendar" in _cast(primer, JENNY_OPENS)


def test_a_partner_name_the_story_also_writes_as_a_word_is_not(primer: Primer) -> None:
    story = [*JENNY_OPENS, "The old spinning jenny stood in the corner of the library, unused."]
    assert "Jenny Calendar" not in _cast(primer, story)


# Told close to Giles: "she" is in every scene and named twice; "the Master" is a foe recalled.
# Our own sentences.
CLOSE_TO_GILES = [
    "Rupert Giles hovered by the bed. Giles rubbed his eyes. She laughed at him from the pillows.",
    "Jenny said she was quite well, and told him to stop fussing over her.",
    "He sat beside her and she took his hand, and he kissed her fingers one by one.",
    "She asked him whether Buffy Summers had closed the Hellmouth, and he said that she had.",
    "Giles thought of Willow Rosenberg and Xander Harris in the library, and of how near she"
    " had come to it.",
    "She pulled him down beside her and he held her until she slept.",
    "Jenny woke at dawn and found him still watching her, and she kissed him.",
    "The Master had been dust for a day; Giles did not think of him again.",
]


def test_the_she_of_every_scene_is_the_partner_ao3_ships_the_lead_with(primer: Primer) -> None:
    """The primer knows nothing of Buffy here, so Giles has no curated partner: the one AO3
    ships him with whom the story names (Jenny Calendar) takes the paragraphs of "she", not
    a title the story happens to use ("the Master")."""
    implied = _implied(primer, CLOSE_TO_GILES)
    assert list(implied) == ["Jenny Calendar"]
    assert len(implied["Jenny Calendar"]) >= 8


def test_a_shipped_partner_named_less_than_another_is_not_the_she(primer: Primer) -> None:
    """The ontology holds few of a character's ships (none of Buffy with Giles): where the
    story names someone more than the partner AO3 ships him with, the "she" is not hers."""
    buffy_more = [
        p.replace("Jenny said", "Then Buffy said")
        .replace("Jenny woke", "At dawn Giles woke")
        .replace(" he ", " Giles ")
        for p in CLOSE_TO_GILES
    ]
    buffy_more.append("Giles wondered whether Jenny had gone back to the school.")
    implied = _implied(primer, buffy_more)
    assert "Jenny Calendar" not in implied
    # Nor is it "the Master": Giles is a "he" (he rubs his eyes), and a title only a man holds
    # is no "she" beside him.  The story's "she" stays unnamed.
    assert implied == {}


def _implied(primer: Primer, paragraphs: list[str]) -> dict[str, list[int]]:
    without_buffy = Primer(
        {k: v for k, v in primer.fandoms.items() if "Buffy" not in k}, load_ontology()
    )
    text = StoryText(["\n\n".join(paragraphs * 2)])
    result = find_cast(text, without_buffy, load_calibration())
    assert [f.fandom for f in result.fandoms] == ["Buffy the Vampire Slayer"]
    return {m.name: m.implied for m in result.cast if m.implied}
