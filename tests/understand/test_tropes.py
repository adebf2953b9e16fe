"""Freeform inference from story text (ficsift.understand.tropes), on short made-up fixtures."""

from __future__ import annotations

import re

import pytest

from ficsift.model import Tag, TagOrigin, TagType
from ficsift.ontology import load_ontology
from ficsift.understand import trope_cues
from ficsift.understand.story import CastMember, StoryText
from ficsift.understand.tropes import analyse, infer_freeforms, inventory

BTVS = "Buffy the Vampire Slayer"

CAPTIVITY = """\
The cell under the factory had no window. Tara sat on the cot with her wrists in chains, the \
shackles rubbed raw where the iron bit. Vampire Willow came down the stairs humming, her game \
face on, fangs bright in the candlelight.

"Morning, Kitty," Willow purred. She crouched by the bars and rattled the chain. "Did you miss \
me? Nobody else is coming for you. You're my prisoner now, and you'll stay my captive for as \
long as I like."

"Please," Tara whispered. "Let me go."

Willow laughed and struck a match. She held it close until Tara flinched, then pressed the \
flame to her arm. Tara screamed. The smell of burned skin filled the cell, and Willow's fangs \
gleamed as she licked her lips. She burned her again, slower, and watched the blisters rise. \
"That's for trying to escape," she said. "Torture is so much more fun when you have a soul to \
feel it with."

Later Willow clipped the leash to the collar round Tara's throat and walked her in circles \
around the dungeon, the chains dragging on the stone. Tara was a vampire too, but the soul \
made her weak, and Willow liked her weak. "Good kitty," Willow said, and locked her in again.
"""

STAKED = """\
Willow staked the vampire before it could reach Buffy. Dust settled over the grass of the \
cemetery. "Nice one," Buffy said. Willow grinned and brushed the dust off her jacket. "I've \
been practising," she said. They walked home under the stars, talking about homework and the \
party on Friday, and Willow made cocoa when they got in.
"""

FLUFF = """\
Sunday morning was soft and slow. Buffy woke up warm, curled under the blanket with Willow \
snuggled against her shoulder, and smiled at the sunshine on the ceiling. Willow giggled in \
her sleep. Buffy grinned and kissed her forehead.

They made pancakes together, laughing when the first one stuck, and Willow beamed when the \
second one came out perfect. "Best breakfast ever," she said happily. They ate on the sofa \
under a cozy blanket, sharing hot chocolate, and Buffy couldn't stop smiling.

Later they cuddled through two movies. Willow was sweet and sleepy and teased Buffy about \
crying at the cute puppy, and Buffy teased her right back, and they giggled until they could \
hardly breathe. It was a lovely, happy day, full of warmth and silly jokes and soft kisses, \
and when the sun went down they snuggled closer, content and grateful and very much in love.
"""

# French that shares cue words with English ("captive", "torture", "vampire"): the cue table is
# English, so without the language guard this would produce confident nonsense.
NON_ENGLISH = """\
Willow ouvrit la porte de la cellule. Tara, captive et prisonnière, était enchaînée au mur, \
les poignets meurtris par les chaînes. « Laisse-moi partir », murmura-t-elle. Willow, vampire \
cruelle, sourit, montra ses crocs et alluma une allumette. La torture commença. Torture, \
agonie, torture encore : Tara cria longtemps dans le noir du donjon, captive, toujours captive, \
prisonnière de la vampire. 它们在黑暗中等待着，没有人说话。
"""


def cast_of(text: str, names: dict[str, str]) -> list[CastMember]:
    """Cast members with mentions found by a plain search of one alias each."""
    out = []
    for canonical, alias in names.items():
        mentions = [(m.start(), m.end()) for m in re.finditer(rf"\b{alias}\b", text)]
        out.append(CastMember(name=canonical, fandom=BTVS, mentions=mentions, prominence=1.0))
    return out


def infer(text: str, names: dict[str, str] | None = None) -> list[Tag]:
    story = StoryText(chapters=[text])
    return infer_freeforms(story, cast_of(story.text, names or {}), [BTVS])


def by_name(tags: list[Tag]) -> dict[str, Tag]:
    return {t.name: t for t in tags}


WILLOW_TARA = {"Willow Rosenberg": "Willow", "Tara Maclay": "Tara"}


def test_captivity_story_gives_vampire_willow_captivity_and_torture() -> None:
    story = StoryText(chapters=[CAPTIVITY])
    tags = by_name(infer_freeforms(story, cast_of(story.text, WILLOW_TARA), [BTVS]))
    assert {"Vampire Willow Rosenberg", "Captivity", "Torture"} <= set(tags)
    # Evidence offsets point at the passages that carry the cues.
    captivity = " ".join(story.text[e.start : e.end] for e in tags["Captivity"].evidence)
    assert re.search(r"captive|prisoner|chain|shackle|cell", captivity)
    torture = " ".join(story.text[e.start : e.end] for e in tags["Torture"].evidence)
    assert re.search(r"burn|scream|blister|Torture", torture)
    vampire = tags["Vampire Willow Rosenberg"]
    assert any("Willow" in story.text[e.start : e.end] for e in vampire.evidence)
    assert any(
        re.search(r"[Vv]ampire Willow|fangs|game face", story.text[e.start : e.end])
        for e in vampire.evidence
    )
    for tag in tags.values():
        for e in tag.evidence:
            assert e.text == story.text[e.start : e.end].strip()


def test_character_tags_follow_the_ontology() -> None:
    """AO3 has no "Vampire Tara Maclay": nothing is invented for her, Willow keeps AO3's type."""
    tags = by_name(infer(CAPTIVITY, WILLOW_TARA))
    assert not any("Tara" in name for name in tags)
    onto = load_ontology()
    vampire = tags["Vampire Willow Rosenberg"]
    expected = TagType.CHARACTER if onto.tag_type(vampire.name) == "character" else TagType.FREEFORM
    assert vampire.type == expected
    assert "Vampires" in vampire.extra["meta"]


def test_staking_a_vampire_does_not_make_willow_one() -> None:
    tags = by_name(infer(STAKED, {"Willow Rosenberg": "Willow", "Buffy Summers": "Buffy"}))
    assert "Vampire Willow Rosenberg" not in tags
    assert "Captivity" not in tags


def test_without_willow_in_the_cast_there_is_no_willow_tag() -> None:
    tags = by_name(infer(CAPTIVITY, {"Tara Maclay": "Tara"}))
    assert "Vampire Willow Rosenberg" not in tags
    assert "Captivity" in tags


def test_fluff_story_is_fluff_and_not_angst() -> None:
    tags = by_name(infer(FLUFF, {"Willow Rosenberg": "Willow", "Buffy Summers": "Buffy"}))
    assert "Fluff" in tags
    assert "Angst" not in tags
    assert "Captivity" not in tags and "Torture" not in tags


def test_captivity_story_is_not_fluff() -> None:
    assert "Fluff" not in by_name(infer(CAPTIVITY, WILLOW_TARA))


def test_consensual_kink_is_not_captivity() -> None:
    """The same chains with a safeword and aftercare read as play: contrary cues subtract."""
    kink = (
        "She checked the chains and the cuffs. 'Safeword?' she asked. 'Red,' he said. "
        "The collar, the leash, the cell they had built in the spare room; "
        "a prisoner for the evening, her captive until he said the safeword. "
        "Afterwards came the aftercare: water, a blanket, and her arms around him. "
    ) * 3
    assert "Captivity" not in by_name(infer(kink))


def test_every_tag_is_canonical_inferred_and_has_evidence() -> None:
    onto = load_ontology()
    for text, names in ((CAPTIVITY, WILLOW_TARA), (FLUFF, WILLOW_TARA)):
        tags = infer(text, names)
        assert tags
        for tag in tags:
            assert onto.canonical(tag.name) == tag.name
            assert tag.origin == TagOrigin.INFERRED
            assert tag.type in (TagType.FREEFORM, TagType.CHARACTER)
            assert 0.5 <= (tag.confidence or 0) <= 1.0
            assert 1 <= len(tag.evidence) <= 5
            assert tag.extra["meta"] == onto.meta_tags(tag.name)[:3]
        confidences = [t.confidence or 0 for t in tags]
        assert confidences == sorted(confidences, reverse=True)


def test_cue_table_tags_are_canonical_freeforms() -> None:
    onto = load_ontology()
    assert {t.tag for t in trope_cues.TROPES} <= inventory()
    for tag in inventory():
        assert onto.canonical(tag, "freeform") == tag


@pytest.mark.parametrize("text", ["", "   \n\n  ", "Hi."])
def test_empty_or_tiny_story_gives_nothing(text: str) -> None:
    assert infer(text, WILLOW_TARA) == []


def test_non_english_text_gives_nothing_and_does_not_crash() -> None:
    tags = infer(NON_ENGLISH, WILLOW_TARA)
    assert all((t.confidence or 0) < 0.6 for t in tags)
    assert analyse(StoryText(chapters=[NON_ENGLISH])).english < 0.15


def test_long_story_needs_a_denser_scene_than_a_short_one() -> None:
    """One captivity scene in a long unrelated story is not the story's tag."""
    filler = "They went to the library and read about the history of the town. " * 2500
    story = StoryText(chapters=[filler, CAPTIVITY, filler])
    short = analyse(StoryText(chapters=[CAPTIVITY])).tropes["Captivity"]
    long = analyse(story).tropes["Captivity"]
    assert long.threshold > short.threshold
    assert long.score == pytest.approx(short.score, rel=0.3)


# Our own sentences: only what follows Willow's name says what she is ("Willow, now a vampire",
# "Willow's fangs"); no "vampire Willow" before it and no vampire cue words elsewhere.
SAID_AFTER = """\
Buffy found her at the back of the Bronze. Willow, now a vampire, smiled at her from the dark \
corner by the pool table. Willow's fangs caught the light when she laughed.

They talked for an hour about nothing. Buffy told her about school, and Willow listened with \
her head on one side, the way she always had. Willow, now a vampire, did not touch her drink.

At closing time Willow walked her to the door and said goodnight. Willow's fangs were gone \
again, and she looked like herself, only paler, and very tired.
"""


def test_what_follows_the_name_can_say_what_the_character_is() -> None:
    tags = by_name(infer(SAID_AFTER, {"Willow Rosenberg": "Willow", "Buffy Summers": "Buffy"}))
    assert "Vampire Willow Rosenberg" in tags
    assert "Vampire Buffy Summers" not in tags
