"""Roles by presence across the story, family pairs, and the couple of a long slow burn."""

from __future__ import annotations

from ficsift.understand.cast import find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.relationships import (
    ROMANCE_CUES,
    PairReading,
    _dominant,
    _family,
    read_relationships,
)
from ficsift.understand.story import StoryText


def story(*paragraphs: str) -> StoryText:
    return StoryText(chapters=["\n\n".join(paragraphs)])


LEADS = "Giles sorted the books and Buffy sharpened a stake, talking about the week. Giles laughed."


def test_a_friend_in_every_scene_is_significant_though_seldom_named(primer: Primer) -> None:
    # Xander drops by once in every stretch of the story: 10 mentions against ~100 of the leads.
    paragraphs = []
    for _ in range(10):
        paragraphs += [LEADS] * 5
        paragraphs.append("Xander wandered in, ate a doughnut and wandered out again.")
    result = find_cast(story(*paragraphs), primer)
    assert result.roles["Xander Harris"] == "significant"


def test_a_busy_guest_in_one_chapter_is_minor(primer: Primer) -> None:
    # Xander named as often as a significant character (a sixth of Giles), all in chapter 5.
    visit = "Xander wandered in, Xander ate a doughnut and Xander wandered out."
    chapters = ["\n\n".join([LEADS] * 4) for _ in range(8)]
    chapters[4] += "\n\n" + "\n\n".join([visit] * 4)
    result = find_cast(StoryText(chapters=chapters), primer)
    assert result.roles["Xander Harris"] == "minor"


def test_characters_of_one_surname_are_family() -> None:
    assert _family("Buffy Summers", "Dawn Summers")
    assert _family("Mary Crawley", "Sybil Crawley")
    assert not _family("Buffy Summers", "Rupert Giles")
    assert not _family("Angel (BtVS)", "Spike (BtVS)")  # one-word names tell nothing
    assert not _family("Friedrich IV", "Erwin Josef II")  # a regnal number is no surname


def test_sisters_sharing_every_scene_are_not_a_couple(primer: Primer) -> None:
    # (In Sunnydale: two first names alone no longer say which canon this is, and only the
    # canon says they are sisters.)
    hug = (
        "Buffy hugged Dawn and kissed her cheek, then Dawn sat on the bed in Sunnydale and Buffy "
        "sat beside her."
    )
    text = story(*([hug] * 8))
    result = read_relationships(text, find_cast(text, primer).tagged())
    assert result.main is None
    assert [r.kind for r in result.pairs] == ["&"]


def test_a_long_slow_burn_outweighs_a_passing_romance() -> None:
    readings = [
        PairReading("Willow", "Oz", 40, 6, "/"),
        PairReading("Giles", "Xander", 600, 45, "&"),  # rate 0.075: under the bar, yet the couple
    ]
    assert _dominant(readings) is readings[1]
    readings[1].romance_cues = 15  # not far ahead of the romantic pair: it stays platonic
    assert _dominant(readings) is None
    readings[1].romance_cues = 45
    readings[1].shared_windows = 2000  # cues spread too thin over the story: friends
    assert _dominant(readings) is None


def test_a_quiet_courtship_is_a_romance(primer: Primer) -> None:
    scenes = [
        "Giles had been courting Xander for a month now, in his own slow way.",
        "They walked hand in hand along the pier, and Xander said nothing at all.",
        "Later Giles held him close in his arms, their fingers intertwined, and they talked.",
        "On the bus home they sat palm to palm, hands laced, watching the lights go by.",
        "Willow waved at Xander from across the road and went back to her homework.",
    ]
    cues = {m.group(0).lower() for m in ROMANCE_CUES.finditer(" ".join(scenes))}
    assert {"courting", "hand in hand", "in his arms", "held him close", "palm to palm"} <= cues
    assert "hands laced" in cues
    text = story(*(scenes * 3))
    result = read_relationships(text, find_cast(text, primer).tagged())
    assert result.main == ("Rupert Giles", "Xander Harris")


TALK = [
    LEADS,
    "Giles poured the tea and Buffy took a cup. Giles sat down across from her.",
    "“Dawn wants the big room,” Buffy said. Giles laughed and shook his head.",
    "They talked about the school for Dawn, and about the new job.",
]


def test_a_character_only_talked_about_is_minor(primer: Primer) -> None:
    # Dawn is named as often as a significant character, but never says or does anything.
    result = find_cast(story(*(TALK * 6)), primer)
    assert result.roles["Dawn Summers"] == "minor"
    on_page = [*TALK[:3], "Dawn came in and dropped her bag."]  # as often, but on the page
    result = find_cast(story(*(on_page * 6)), primer)
    assert result.roles["Dawn Summers"] == "significant"


def test_an_original_characters_rank_is_not_part_of_the_name(primer: Primer) -> None:
    scenes = [
        "Rear Admiral Vosk said nothing. Buffy looked at him and waited.",
        "Vosk said it again, more slowly. Buffy nodded and Vosk turned away.",
        "Captain Vosk, they called him on the ship; Vosk said he preferred it.",
    ]
    result = find_cast(story(*(scenes * 3)), primer)
    # (Buffy, whose fandom the story never settles, may be an unplaced name beside him.)
    originals = [m for m in result.cast if m.original and m.name != "Buffy"]
    assert [m.name for m in originals] == ["Vosk"]
    assert originals[0].count == 5 * 3


def test_a_name_does_not_run_on_into_the_next_paragraph(primer: Primer) -> None:
    # A line that ends on a name ("said Pellow") and the next that opens with one ("Buffy").
    scenes = ["Buffy waved, and Pellow nodded.", "“Come in,” said Pellow", "Buffy came in."] * 3
    result = find_cast(story(*scenes), primer)
    originals = {m.name for m in result.cast if m.original}
    assert "Pellow" in originals
    assert not any("Pellow" in n and "Buffy" in n for n in originals)


def test_the_romance_bar_grows_with_the_story(primer: Primer) -> None:
    together = [
        "Giles and Buffy walked through the cemetery, talking about the new Slayer.",
        "Buffy kissed Giles at the gate before she went home.",
        *["Giles and Buffy sat in the library and read old books about demons."] * 3,
    ]
    padding = "The town was quiet that week; rain fell on the roofs and the streets were empty."
    short = story(*(together * 2))  # ~150 words: two kisses in ten scenes are a romance
    medium = story(*(together * 2), *([padding] * 60))  # ~1,100 words: still enough
    long = story(*(together * 2), *([padding] * 300))  # the same, lost in ~5,000 words
    assert read_relationships(medium, find_cast(medium, primer).tagged()).main is not None
    assert read_relationships(short, find_cast(short, primer).tagged()).main == (
        "Buffy Summers",
        "Rupert Giles",
    )
    assert read_relationships(long, find_cast(long, primer).tagged()).main is None


def test_gender_comes_from_gestures_to_ones_own_body() -> None:
    from ficsift.understand.pronouns import read_genders
    from ficsift.understand.story import CastMember

    text = (
        "Clara pressed his hand. Clara covered his mouth. Clara ran her fingers through his hair. "
        "Clara shook her head. Clara rolled her eyes. Giles cleared his throat. Giles pushed his "
        "glasses up his nose."
    )
    members = []
    for name in ("Clara", "Giles"):
        spans = []
        pos = text.find(name)
        while pos != -1:
            spans.append((pos, pos + len(name)))
            pos = text.find(name, pos + 1)
        members.append(CastMember(name=name, fandom=None, mentions=spans))
    read_genders(text, members)
    assert [m.gender for m in members] == ["f", "m"]


def test_gestures_are_read_whatever_their_case() -> None:
    from ficsift.understand.pronouns import read_genders
    from ficsift.understand.story import CastMember

    # A shouted line and a title-cased one say "his" as surely as plain prose.
    text = "Vosk SHOOK HIS HEAD. Vosk Cleared His Throat. Vosk rolled his eyes."
    spans = [(i, i + 4) for i in range(len(text)) if text.startswith("Vosk", i)]
    vosk = CastMember(name="Vosk", fandom=None, mentions=spans)
    read_genders(text, [vosk])
    assert vosk.gender == "m"
    # … and the votes count every one of them: two "her" in capitals outweigh one "his"
    text = "Mira SHOOK HER HEAD. Mira Cleared Her Throat. Mira rolled his eyes."
    spans = [(i, i + 4) for i in range(len(text)) if text.startswith("Mira", i)]
    mira = CastMember(name="Mira", fandom=None, mentions=spans)
    read_genders(text, [mira])
    assert mira.gender == "f"


def test_a_canon_name_in_passing_does_not_make_original_fiction_fan_fiction(
    primer: Primer,
) -> None:
    scenes = [
        "Torvald said the harbour was closed. Merrin laughed and Torvald shrugged.",
        "Merrin looked at the ships, and Torvald walked her down to the water.",
    ]
    visit = "Later that week Kestrel came by the inn with news of the roads."
    aside = "Merrin had once read a comic about a girl called Buffy, years ago."
    # Buffy named four times would make a fandom of a short story; here, beside Torvald's 120,
    # it makes none.  (This story was "Original Work"; the text cannot tell original fiction
    # from fan fiction of an unknown fandom, so no fandom is said now.)
    result = find_cast(story(*(scenes * 40), *([visit] * 20), *([aside] * 4)), primer)
    assert result.fandoms == []
    # The story's own people are its cast: Kestrel, named a sixth as often as Torvald, counts.
    assert result.roles["Kestrel"] == "significant"
    # Beside a canon's cast, the same unknown name would have to stand out more.
    giles = "Torvald had once read a comic about Giles and Buffy and Willow, years ago."
    canon = find_cast(story(*(scenes * 40), *([visit] * 20), *([giles] * 120)), primer)
    assert canon.fandoms[0].fandom == "Buffy the Vampire Slayer"
    assert canon.roles["Kestrel"] == "minor"


def test_a_stray_capitalised_word_before_a_name_does_not_split_the_person(primer: Primer) -> None:
    scenes = [
        "Buffy met Iri Maedes at the docks. Then Iri said hello, and Iri smiled at Buffy.",
        "Buffy waved, and Iri waved back. Later Iri sat with Buffy.",
    ]
    stray = "Expecting Iri to argue, Buffy said nothing."
    result = find_cast(story(*(scenes * 4), stray), primer)
    # (One first name, Buffy, no longer says the fandom: she is an unknown name here too.)
    assert [m.name for m in result.cast if m.original and "Iri" in m.name] == ["Iri Maedes"]


def test_a_script_names_its_people_in_capitals(primer: Primer) -> None:
    lines = [
        "INT. THE LIBRARY - NIGHT",
        "GILES is shelving books. BUFFY comes in, soaked.",
        "BUFFY",
        "Patrol was a bust.",
        "GILES",
        "(Handing her a towel.) Tea?",
        "BUFFY",
        "Please.",
    ]
    result = find_cast(story(*(lines * 3)), primer)
    assert {m.name for m in result.tagged()} == {"Buffy Summers", "Rupert Giles"}
    giles = next(m for m in result.cast if m.name == "Rupert Giles")
    text = story(*(lines * 3)).text
    assert {text[s:e] for s, e in giles.mentions} == {"GILES"}  # offsets into the story as written
    # Capitals in prose that is no script are shouting, not names.
    shouting = ["Buffy said, “I WILL NOT go to the Bronze.” Giles sighed."] * 6
    assert "Willow Rosenberg" not in {m.name for m in find_cast(story(*shouting), primer).cast}


def test_the_curated_primer_knows_a_characters_other_spellings() -> None:
    from ficsift.understand.primer import load_primer

    full = load_primer()
    assert [c.name for c in full.by_alias["Evangeline"]] == ["Evangelin Mittermeyer"]


def test_one_cue_word_over_and_over_is_one_fact(primer: Primer) -> None:
    sickroom = [
        "Giles sat on the end of the bed while Buffy slept. The bed creaked under him.",
        "Buffy woke and pushed the blankets off the bed. Giles moved the bed nearer the fire.",
        "Giles brought soup, and Buffy ate it in bed while he read aloud from the bed's foot.",
    ]
    padding = "Outside the rain went on and on, and the street lamps came on one by one at dusk."
    text = story(*sickroom, *([padding] * 100))  # ~1,800 words: two or three cues are enough
    assert read_relationships(text, find_cast(text, primer).tagged()).main is None
    kisses = [p.replace("the bed", "a kiss").replace("in bed", "kissing") for p in sickroom]
    text = story(*kisses, *([padding] * 100))
    assert read_relationships(text, find_cast(text, primer).tagged()).main is not None


def test_every_doctor_is_the_doctor_and_the_companion_tells_which() -> None:
    from ficsift.understand.primer import load_primer

    full = load_primer()
    scenes = [
        "Zoe woke in the TARDIS. The Doctor was sitting at the end of her bed with his recorder.",
        "“You were dreaming,” said the Doctor. Zoe frowned at him and pulled on her boots.",
    ]
    result = find_cast(story(*(scenes * 3)), full)
    assert "Second Doctor" in {m.name for m in result.tagged()}
    assert "Twelfth Doctor" not in {m.name for m in result.cast}
