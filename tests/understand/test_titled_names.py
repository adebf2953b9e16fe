"""A fandom the primer does not know, placed by AO3's names alone: a character AO3 calls by an
article and a title ("The Doctor (Doctor Who)") is "the Doctor" in prose, and a group tag
("TARDIS(es)") is evidence of the fandom but no one to tag."""

from __future__ import annotations

from ficsift.ontology import load_ontology
from ficsift.understand.calibration import load_calibration
from ficsift.understand.cast import find_cast
from ficsift.understand.fandoms import Knowledge, addressed_forms, titled_forms
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

# Our own sentences; the names are AO3's canonical ones.
STORY = " ".join(
    [
        "The Doctor leaned on the console of the TARDIS and frowned at Clara.",
        "“You touched something,” the Doctor said.",
        "Clara laughed and shook her head. “I never touch anything.”",
        "The TARDIS hummed under them, and the Doctor pulled a lever.",
        "Clara watched the Doctor fuss over the controls for an hour.",
        "“Where are we going?” Clara asked, and the Doctor only grinned.",
    ]
    * 3
)


def test_the_title_of_a_character_is_found_after_its_article() -> None:
    text = "The Doctor ran. Then the Doctor stopped. Doctor Watson waved; the Doctor Who fans sang."
    found = titled_forms(text, {"Doctor"})
    assert list(found) == ["the Doctor"]
    assert [text[s:e] for s, e in found["the Doctor"]] == ["Doctor", "Doctor"]
    assert titled_forms(text, {"Doctor"}, taken={text.index("Doctor")})["the Doctor"] == [
        (text.index("the Doctor") + 4, text.index("the Doctor") + 10)
    ]


def test_titled_characters_have_homes() -> None:
    knowledge = Knowledge(Primer({}, load_ontology()), load_ontology())
    homes, people = knowledge.homes("the Doctor")
    assert people >= 1
    assert "Doctor Who" in homes
    assert knowledge.homes("Doctor") == ({}, 0)


def test_a_fandom_the_primer_does_not_know_is_placed_by_its_cast(primer: Primer) -> None:
    # The primer less its Doctor Who entry: the fandom is known from AO3's ontology only.
    primer = Primer({k: v for k, v in primer.fandoms.items() if k != "Doctor Who"}, load_ontology())
    result = find_cast(StoryText([STORY]), primer, load_calibration())
    assert [f.fandom for f in result.fandoms] == ["Doctor Who"]
    names = {m.name for m in result.tagged()}
    assert "Clara Oswin Oswald" in names
    assert any(n.startswith("The Doctor") for n in names)
    assert not any("TARDIS" in n for n in names)


# Clara is named throughout; the Doctor twice, then only "he".
TWO_HANDER = "\n\n".join(
    [
        "The Doctor was waiting in the TARDIS when Clara came back.",
        "Clara shook her head. “You could have warned me.”",
        "He shrugged and went on fiddling with the console.",
        "Clara sat on the steps and watched him work.",
        "He did not look up; he only smiled at the screen.",
        "Clara folded her arms. “Well?”",
        "He handed her a cup of tea and sat beside her.",
        "Clara drank it and leaned on his shoulder.",
        "He was quiet for a long time, and she let him be.",
        "Clara laughed at last, and he laughed with her.",
        "Later the Doctor set the coordinates, and Clara held on.",
        "He flew them somewhere new, as he always did.",
    ]
    * 2
)


def test_the_hardly_named_lead_of_an_unknown_fandom_is_its_titled_character(
    primer: Primer,
) -> None:
    primer = Primer({k: v for k, v in primer.fandoms.items() if k != "Doctor Who"}, load_ontology())
    result = find_cast(StoryText([TWO_HANDER]), primer, load_calibration())
    doctor = next(m for m in result.cast if m.name.startswith("The Doctor"))
    assert doctor.implied  # the "he" paragraphs are his
    assert result.roles[doctor.name] in {"main", "significant"}


def test_a_title_said_to_someones_face_is_found() -> None:
    text = '"Doctor." Make up your mind, Doctor, she thought. Doctor Watson came. A doctor, Doctor Who.'
    found = addressed_forms(text, {"Doctor"})
    assert [text[s:e] for s, e in found["the Doctor"]] == ["Doctor", "Doctor"]
    assert addressed_forms(text, {"Master"}) == {}


# The Doctor is only spoken to: "the Doctor" never appears, "Doctor" only as an address.
ADDRESSED = " ".join(
    [
        "Clara Oswald stepped out of the TARDIS into the snow and turned round.",
        "“Doctor, come and look at this,” Clara called.",
        "He came out slowly, hands in his pockets, and looked at the sky as Clara did.",
        "“It is only snow, Clara.” He sighed. “Only snow on a planet of Daleks.”",
        "“Don't be grumpy, Doctor.” Clara took his arm and they walked on together.",
    ]
    * 3
)


def test_the_fandom_said_a_title_said_to_his_face_names_the_character(primer: Primer) -> None:
    primer = Primer({k: v for k, v in primer.fandoms.items() if k != "Doctor Who"}, load_ontology())
    result = find_cast(StoryText([ADDRESSED]), primer, load_calibration())
    assert [f.fandom for f in result.fandoms] == ["Doctor Who"]
    doctor = [m for m in result.cast if m.name.startswith("The Doctor")]
    assert doctor and len(doctor[0].mentions) == 6
