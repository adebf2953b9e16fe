"""An unknown name joins the cast of a short story only if it recurs at the story's pace."""

from __future__ import annotations

from ficsift.understand.cast import find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

# Two leads the story is about, in every scene; names no primer or AO3 tag has.
SCENE = (
    "Vessarine said the boat would hold, and Ombrick laughed at her. The river was high and "
    "brown after the rain, and the two of them worked on the ropes until the light went. "
    "Ombrick looked at the sky. Vessarine turned back to the knots."
)
FILLER = (
    "the water ran past the pilings all afternoon, carrying branches and foam down toward "
    "the weir, and nobody on the bank paid it any mind at all."
)
VISIT = "Tobble walked down to the landing, waved once and went home again."


def _story(scenes: int, filler: int, visits: int) -> StoryText:
    paragraphs: list[str] = []
    for i in range(scenes):
        paragraphs.append(SCENE)
        paragraphs += [FILLER] * filler
        if i % max(1, scenes // visits) == 0 and paragraphs.count(VISIT) < visits:
            paragraphs.append(VISIT)
    return StoryText(chapters=["\n\n".join(paragraphs)])


def test_a_passer_by_in_a_longer_story_is_not_cast(primer: Primer) -> None:
    # ~3,000 words: the leads named ~40 times each, Tobble 8 times across the story (enough
    # mentions, a person's verbs, a fifth of the leads' share): someone met in passing.
    text = _story(scenes=20, filler=4, visits=8)
    assert 2500 < len(text.text.split()) < 4000
    result = find_cast(text, primer)
    tagged = {m.name for m in result.tagged()}
    assert {"Vessarine", "Ombrick"} <= tagged
    assert "Tobble" not in {m.name for m in result.cast}


def test_the_same_visits_in_a_short_story_make_a_cast_member(primer: Primer) -> None:
    # ~600 words with the same eight visits: Tobble is a third of the story's names.
    text = _story(scenes=8, filler=0, visits=8)
    assert len(text.text.split()) < 800
    result = find_cast(text, primer)
    assert "Tobble" in {m.name for m in result.tagged()}
