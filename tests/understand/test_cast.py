"""Cast, fandom and relationships from made-up story text."""

from __future__ import annotations

from ficsift.understand.cast import CastResult, find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.relationships import ROMANCE_CUES, read_relationships
from ficsift.understand.story import CastMember, StoryText


def story(*paragraphs: str) -> StoryText:
    return StoryText(chapters=["\n\n".join(paragraphs)])


ROMANCE = [
    "Willow kissed Tara slowly, her lips soft, and Tara pulled her closer in the dark of the cell.",
    "“I love you,” Willow whispered against Tara's mouth. Tara smiled and kissed her again.",
    "Later Willow lay in bed beside Tara, her hand on Tara's hip, and said nothing at all.",
]
FRIENDS = [
    "Xander handed Willow a stake. “Patrol tonight?” he asked. Willow nodded and checked the crossbow.",
    "Xander and Willow walked through Sunnydale, arguing about comic books the whole way to the Bronze.",
]


def test_fandom_cast_and_roles(primer: Primer) -> None:
    text = story(*(ROMANCE * 4), *(FRIENDS * 2), "Far away, the Master stirred in his lair.")
    result = find_cast(text, primer)
    assert [f.fandom for f in result.fandoms] == ["Buffy the Vampire Slayer"]
    names = [m.name for m in result.tagged()]
    assert set(names[:2]) == {"Willow Rosenberg", "Tara Maclay"}
    assert "Xander Harris" in names
    assert result.roles["The Master (BtVS)"] == "minor"
    willow = next(m for m in result.cast if m.name == "Willow Rosenberg")
    assert all(text.text[s:e] in {"Willow", "Wills", "Will"} for s, e in willow.mentions)


def test_everyday_word_at_sentence_start_is_not_a_name(primer: Primer) -> None:
    text = story(
        *(ROMANCE * 3),
        "Dawn broke over the hills. The dawn was cold.",
        "Will it ever end? she wondered. Nobody knew if it will.",
    )
    result = find_cast(text, primer)
    assert "Dawn Summers" not in {m.name for m in result.cast}
    willow = next(m for m in result.cast if m.name == "Willow Rosenberg")
    assert all(text.text[s:e] != "Will" for s, e in willow.mentions)


def test_a_name_in_the_disclaimer_is_not_a_character(primer: Primer) -> None:
    text = StoryText(
        chapters=["\n\n".join(ROMANCE * 3)],
        disclaimer="Buffy and Giles belong to Joss Whedon and Mutant Enemy.",
    )
    result = find_cast(text, primer)
    assert "Rupert Giles" not in {m.name for m in result.cast}
    assert any("disclaimer" in r for r in result.fandoms[0].reasons)


def test_crossover_needs_characters_of_its_own(primer: Primer) -> None:
    who = [
        "The Doctor leaned on the TARDIS console while Clara argued with Willow about magic.",
        "Clara laughed. “Twelve, you can't just take a witch from Sunnydale to Gallifrey.”",
    ]
    result = find_cast(story(*(ROMANCE * 3), *(who * 3)), primer)
    assert {f.fandom for f in result.fandoms} == {"Buffy the Vampire Slayer", "Doctor Who"}
    alone = find_cast(story(*(ROMANCE * 3), "Willow thought about the TARDIS once."), primer)
    assert [f.fandom for f in alone.fandoms] == ["Buffy the Vampire Slayer"]


def test_original_character_is_found_and_marked(primer: Primer) -> None:
    oc = [
        f"Marguerite smiled at Willow. “Again?” Marguerite asked. Willow said no. ({i})"
        for i in range(8)
    ]
    result = find_cast(story(*(ROMANCE * 2), *oc), primer)
    originals = [m for m in result.cast if m.original]
    assert [m.name for m in originals] == ["Marguerite"]
    assert originals[0].count == 16


def test_main_pairing_romantic_and_platonic(primer: Primer) -> None:
    text = story(*(ROMANCE * 4), *(FRIENDS * 3))
    cast = find_cast(text, primer).tagged()
    result = read_relationships(text, cast)
    assert result.main == ("Tara Maclay", "Willow Rosenberg")
    kinds = {frozenset((r.a, r.b)): r.kind for r in result.pairs}
    assert kinds[frozenset(("Willow Rosenberg", "Tara Maclay"))] == "/"
    assert kinds[frozenset(("Willow Rosenberg", "Xander Harris"))] == "&"
    romance = next(r for r in result.pairs if r.kind == "/")
    assert romance.evidence and all(e.text in text.text for e in romance.evidence)


def test_gen_story_has_no_main_pairing(primer: Primer) -> None:
    text = story(
        *(FRIENDS * 6), "Giles polished his glasses and told Xander to read the book again."
    )
    result = read_relationships(text, find_cast(text, primer).tagged())
    assert result.main is None
    assert all(r.kind == "&" for r in result.pairs)


def test_no_names_at_all(primer: Primer) -> None:
    text = story("The rain fell on the empty road for a long time.", "Nobody came.")
    result = find_cast(text, primer)
    assert result.fandoms == [] and result.cast == []
    assert read_relationships(text, result.tagged()).main is None


WHO = [
    "Clara leaned on the TARDIS console and watched the time rotor rise and fall.",
    "“Where to next?” Clara asked. Nobody in the control room answered her straight away.",
]


def test_a_title_names_a_character_only_within_a_known_fandom(primer: Primer) -> None:
    addressed = story(*(WHO * 3), "“Doctor, you're impossible,” said Clara.")
    cast = find_cast(addressed, primer)
    doctor = next(m for m in cast.cast if m.name == "Twelfth Doctor")
    assert [addressed.text[s:e] for s, e in doctor.mentions] == ["Doctor"]
    # Before a name it is someone's title; and alone it is no evidence of a fandom.
    titled = story(*(WHO * 3), "Clara met Doctor Foster on the stairs.")
    assert "Twelfth Doctor" not in {m.name for m in find_cast(titled, primer).cast}
    alone = story(*["“Doctor, is he going to be all right?” The nurse did not know."] * 6)
    assert find_cast(alone, primer).fandoms == []


def test_a_number_word_opening_a_sentence_is_not_a_name(primer: Primer) -> None:
    text = story(*(WHO * 3), "Twelve hours later they landed.", "Clara laughed at Twelve.")
    doctor = next(m for m in find_cast(text, primer).cast if m.name == "Twelfth Doctor")
    assert [text.text[s:e] for s, e in doctor.mentions] == ["Twelve"]


TWO_HANDER = [
    "He doesn't take Clara home straight away. He kisses her in the TARDIS, slowly, and she "
    "kisses him back, her hands in his hair.",
    "“Stay,” he says against her lips. Clara laughs and pulls him down onto the bed with her.",
    "She falls asleep on his chest. He lies awake, his hearts loud, and watches her breathe.",
]


def test_a_lead_called_he_throughout_is_found_beside_the_one_named(primer: Primer) -> None:
    text = story(*(TWO_HANDER * 4))
    cast = find_cast(text, primer)
    doctor = next(m for m in cast.cast if m.name == "Twelfth Doctor")
    assert doctor.count == 0 and len(doctor.implied) == 12
    assert cast.roles["Twelfth Doctor"] in {"main", "significant"}
    assert read_relationships(text, cast.paired()).main == ("Clara Oswin Oswald", "Twelfth Doctor")


def test_no_unnamed_lead_without_a_second_person_or_a_known_partner(primer: Primer) -> None:
    alone = story(*["Clara walked through the TARDIS and she read her book until she slept."] * 8)
    assert "Twelfth Doctor" not in {m.name for m in find_cast(alone, primer).cast}
    # Willow has no partner in the primer: a "he" beside her stays unnamed.  (Whether one first
    # name and a place say Buffy is the fandom calibration's call: she is found as Willow
    # Rosenberg or as the unknown name "Willow", and nobody else.)
    buffy = story(
        *[p.replace("Clara", "Willow").replace("TARDIS", "Bronze") for p in TWO_HANDER] * 4
    )
    cast = find_cast(buffy, primer).cast
    assert len(cast) == 1 and cast[0].name in {"Willow", "Willow Rosenberg"}
    assert not cast[0].implied


def test_swearing_is_not_romance(primer: Primer) -> None:
    rant = [
        "“Fucking hell,” Giles said. Xander swore back: “What the fuck, you fucking cunt?”",
        "Giles threw the fucking book at Xander. “Fuck off and fucking read it.”",
    ]
    text = story(*(rant * 5))
    result = read_relationships(text, find_cast(text, primer).tagged())
    assert result.main is None
    assert all(r.kind == "&" for r in result.pairs)


def test_only_a_lead_widens_the_main_pairing() -> None:
    from ficsift.understand.relationships import PairReading, _main_pairing

    readings = [
        PairReading("Willow", "Tara", 20, 10, "/"),
        PairReading("Willow", "Xander", 12, 8, "/"),
        PairReading("Tara", "Xander", 12, 8, "/"),
    ]
    assert _main_pairing(readings) == ("Tara", "Willow", "Xander")
    assert _main_pairing(readings, {"Willow", "Tara"}) == ("Tara", "Willow")
    assert _main_pairing(readings, {"Willow", "Tara", "Xander"}) == ("Tara", "Willow", "Xander")


def test_a_name_only_spoken_of_counts_less_than_one_on_the_page(primer: Primer) -> None:
    on_page = ["Xander waved at Willow.", "Xander sat down and Willow laughed."]
    about = ["“Have you seen Xander?” Willow asked.", "“Xander is late,” said Willow."]
    shown = find_cast(story(*(ROMANCE * 4), *(on_page * 2)), primer)
    spoken = find_cast(story(*(ROMANCE * 4), *(about * 2)), primer)
    assert shown.roles["Xander Harris"] == "significant"
    assert spoken.roles["Xander Harris"] == "minor"


def test_both_halves_of_the_main_pairing_are_tagged_characters(primer: Primer) -> None:
    from ficsift.model import Chapter, Document, Source, TagOrigin, TagType
    from ficsift.understand.infer import understand

    paragraphs = [
        *["Willow walked home from the Bronze alone and read her books until late."] * 6,
        "Willow kissed Tara under the stars, her lips soft. “I love you,” she whispered.",
        "Willow woke in bed with her head on Tara's shoulder, and kissed her awake.",
    ]
    text = story(*paragraphs)
    assert find_cast(text, primer).roles["Tara Maclay"] == "minor"  # named twice
    doc = Document(
        source=Source(path="x", format="text"), chapters=[Chapter(None, "\n\n".join(paragraphs))]
    )
    understand(doc, primer)
    inferred = [t for t in doc.tags if t.origin == TagOrigin.INFERRED]
    main = [t for t in inferred if t.type == TagType.RELATIONSHIP and t.main]
    assert [set(t.name.split("/")) for t in main] == [{"Tara Maclay", "Willow Rosenberg"}]
    characters = {t.name for t in inferred if t.type == TagType.CHARACTER and t.role is not None}
    assert characters == {"Tara Maclay", "Willow Rosenberg"}


def test_an_original_character_is_one_person_by_first_name_surname_or_both(
    primer: Primer,
) -> None:
    oc = [
        "Ronnie Pilfrey waved at Willow from the door of the Bronze.",
        *[f"Willow smiled, and Ronnie said nothing at all. ({i})" for i in range(4)],
        *[f"Later Willow met Pilfrey again; Pilfrey said hello. ({i})" for i in range(2)],
        "Though Ronnie had no idea why.",
    ]
    result = find_cast(story(*(ROMANCE * 2), *oc), primer)
    originals = [m for m in result.cast if m.original]
    assert [m.name for m in originals] == ["Ronnie Pilfrey"]
    # "Though Ronnie" is Ronnie: "Though" opens the sentence and is never a name mid-sentence.
    assert originals[0].count == 1 + 4 + 4 + 1


def test_a_sentence_opening_word_glued_to_a_name_is_not_part_of_it(primer: Primer) -> None:
    """ "Fortunately Brannagh", "Having Marisol": the opener is no first name, however seldom
    the story writes it in lower case, so the name's mentions are not given to it."""
    lines = [
        *[f"Marisol looked up, and Brannagh said nothing. ({i})" for i in range(5)],
        *[f"Later Marisol said hello, and Brannagh smiled by the river. ({i})" for i in range(3)],
        "Fortunately Brannagh laughed.",
        "Having Marisol there helped.",
    ]
    result = find_cast(story(*lines), primer)
    names = {m.name for m in result.cast if m.original}
    assert names == {"Marisol", "Brannagh"}
    brannagh = next(m for m in result.cast if m.name == "Brannagh")
    assert brannagh.count == 5 + 3 + 1


def test_touch_that_makes_someone_shiver_is_a_romantic_cue(primer: Primer) -> None:
    scenes = [
        "Willow stroked Tara's hair, and Tara shivered under her fingers.",
        "Tara whimpered softly when Willow's hand found hers; Willow kept stroking her wrist.",
        "Xander handed Willow a stake and asked about patrol. Willow nodded.",
    ]
    text = story(*(scenes * 4))
    result = read_relationships(text, find_cast(text, primer).tagged())
    assert result.main == ("Tara Maclay", "Willow Rosenberg")


def test_explicit_verbs_are_romantic_cues(primer: Primer) -> None:
    scenes = [
        "Willow groaned when Tara sucked at her throat.",
        "Tara groaned into the kiss; Willow's mouth was sucking a mark into her shoulder.",
        "Xander handed Willow a stake and asked about patrol. Willow nodded.",
    ]
    cues = {m.group(0).lower() for m in ROMANCE_CUES.finditer(" ".join(scenes))}
    assert {"groaned", "sucked", "sucking"} <= cues
    text = story(*(scenes * 4))
    assert read_relationships(text, find_cast(text, primer).tagged()).main == (
        "Tara Maclay",
        "Willow Rosenberg",
    )


def test_an_unplaced_lead_is_paired_with_the_title_the_story_calls_him_by(
    primer: Primer,
) -> None:
    """No fandom is known, so Marisol's partner is unknown; "the Captain" is the "he"."""
    lines = [
        f"“No,” Marisol said, and shook her head. He watched her from the door. ({i})"
        for i in range(8)
    ]
    titled = [*lines, "She had followed the Captain for years.", *lines[:2]]
    result = find_cast(story(*titled), primer)
    captain = next(m for m in result.cast if m.name == "The Captain")
    assert captain.implied and captain.original
    untitled = find_cast(story(*lines), primer)
    assert not any(m.implied for m in untitled.cast)


def test_a_name_of_a_fandom_not_chosen_may_be_the_storys_own_character(primer: Primer) -> None:
    # "Oswald" is a Doctor Who alias in the primer; here it is a butler in a Buffy story.
    butler = [
        "The tea was ready, and Oswald said nothing as he poured it for Willow and Tara.",
        "At the door Oswald nodded to Tara and took the tray back to the kitchen.",
    ]
    text = story(*(ROMANCE * 4), *(butler * 4))
    result = find_cast(text, primer)
    assert [f.fandom for f in result.fandoms] == ["Buffy the Vampire Slayer"]
    oswald = next(m for m in result.cast if m.name == "Oswald")
    assert oswald.original and oswald.count == 8


def test_a_name_that_only_opens_sentences_is_found_by_the_verb_after_it(
    primer: Primer,
) -> None:
    # Every "Ottoline" opens a sentence, so nothing but the verb after it says it is a name;
    # "Rain" opens sentences with a verb after it too, but the story also writes "the rain".
    scenes = [
        f"Ottoline wandered into the kitchen. Ottoline looked at Willow. Rain pelted the glass. ({i})"
        for i in range(8)
    ]
    result = find_cast(story(*(ROMANCE * 2), *scenes, "Willow hated the rain."), primer)
    originals = [m for m in result.cast if m.original]
    assert [m.name for m in originals] == ["Ottoline"]
    assert originals[0].count == 16


def test_an_unplaced_lead_called_the_captain_at_a_sentence_start_is_half_the_pairing(
    primer: Primer,
) -> None:
    """ "The Captain" opens the one sentence that names him; the "he" of every scene is him,
    and, though ficsift cannot place him, he may be half the main pairing."""
    lines = [
        f"“No,” Marisol said, and shook her head. He kissed her, and she kissed him back. ({i})"
        for i in range(8)
    ]
    result = find_cast(story(*lines, "The Captain had waited years for her.", *lines[:2]), primer)
    captain = next(m for m in result.cast if m.name == "The Captain")
    assert captain.implied and captain.original
    assert captain in result.paired()
    text = story(*lines, "The Captain had waited years for her.", *lines[:2])
    main = read_relationships(text, result.paired()).main
    assert main is not None and "The Captain" in main


def test_a_lead_credited_by_pronouns_is_paired_though_unplaced_and_minor() -> None:
    lead = CastMember("Marisol", None, [(0, 7)] * 9, original=True)
    he = CastMember("The Captain", None, [(20, 27)], original=True, implied=[0, 1, 2, 3])
    passing = CastMember("Bertrand", None, [(40, 48)] * 3, original=True)
    cast = CastResult([], [lead, he, passing], {"Marisol": "main"})
    assert [m.name for m in cast.paired()] == ["Marisol", "The Captain"]


def test_a_surname_with_an_apostrophe_is_one_name(primer: Primer) -> None:
    """ "Vessa Do'Tarrin" is one name (not "Vessa Do"); "Vessa's" stays a possessive."""
    lines = [
        "Vessa Do'Tarrin said nothing for a long time, and looked at the river.",
        "“We leave at dawn,” Vessa said. Vessa's boat was waiting by the pier.",
    ]
    result = find_cast(story(*(lines * 5)), primer)
    names = {m.name for m in result.cast}
    assert "Vessa Do'Tarrin" in names and not {"Vessa Do", "Vessa's"} & names
