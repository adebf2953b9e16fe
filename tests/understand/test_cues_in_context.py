"""A cue word is read in its sentence: a bed slept in and one's own lips are no romance; the
same words between two people still are."""

from __future__ import annotations

import pytest

from ficsift.understand.cast import find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.relationships import _no_romance_here, read_relationships
from ficsift.understand.story import StoryText


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("She fell asleep on her narrow bed before midnight.", "bed"),
        ("Giles was asleep in the other bed, one arm over the side.", "bed"),
        ("She rolled out of bed when she woke, and padded over.", "bed"),
        ("The Doctor ran his tongue over his lips. Quite satisfying.", "tongue"),
        ("The Doctor ran his tongue over his lips. Quite satisfying.", "lips"),
        ("Willow bit her lower lip and looked away.", "lip"),
        ("She bit her lip and looked away.", "lip"),
        ("Giles pursed his lips at the mess.", "lips"),
    ],
)
def test_cues_about_sleep_or_ones_own_mouth_are_no_romance(sentence: str, word: str) -> None:
    assert _no_romance_here(sentence, *_span(sentence, word))


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("She pulled him down onto the bed and kissed him.", "bed"),
        ("He ran his tongue over her lips, slowly.", "tongue"),
        ("He ran his tongue over her lips, slowly.", "lips"),
        ("Tara bit Willow's lip, gently, and laughed.", "lip"),
        ("She bit his lower lip, gently, and laughed.", "lip"),
        ("His lips found hers in the dark.", "lips"),
    ],
)
def test_the_same_words_between_two_people_are_romance(sentence: str, word: str) -> None:
    assert not _no_romance_here(sentence, *_span(sentence, word))


def _span(sentence: str, word: str) -> tuple[int, int]:
    start = sentence.index(word)
    return start, start + len(word)


def test_a_story_of_naps_and_nerves_has_no_couple(primer: Primer) -> None:
    # Our own sentences: Buffy nurses a sick Giles.  Every cue word is sleep or his own mouth.
    scene = (
        "Giles was asleep in the bed by the window when Buffy came in with the soup. "
        "Buffy sat down beside the bed and waited for him to wake. "
        "Giles woke, pursed his lips at the soup, and ran his tongue over his lips."
    )
    text = StoryText(chapters=["\n\n".join([scene] * 6)])
    result = read_relationships(text, find_cast(text, primer).tagged())
    assert result.main is None
    assert {(p.a, p.b) for p in result.pairs}  # they do share the scenes, as friends
    assert all(p.kind == "&" for p in result.pairs)
