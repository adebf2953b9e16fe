"""An ordinary word that opens a sentence the punctuation hid ("“My love.” Over Vosk’s
shoulder", "…, Seeing Tarrant’s name") is no part of the unknown name after it: the name is
the one the story uses alone, and a real full name ("Verity Tarrant") stays whole."""

from __future__ import annotations

from collections import defaultdict

from ficsift.understand.cast import _an_ordinary_word, _strip_sentence_openers, find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

SCENE = [
    "Vosk said nothing for a while, and Tarrant watched him from the door.",
    "Then Vosk laughed, and Tarrant shrugged and went back to the ropes.",
    "At dusk Tarrant lit the lamp while Vosk counted the coins again.",
]
# The sentence after a closing quote, and one a comma runs on into, open on ordinary words.
HIDDEN_STARTS = [
    "“My lord,” said Vosk. Then, when Tarrant did not answer, “My friend.” Over Vosk’s "
    "shoulder the sea was grey.",
    "The radio crackled back to life, Seeing Tarrant’s call sign, he picked it up.",
]


def story(*paragraphs: str) -> StoryText:
    return StoryText(chapters=["\n\n".join(paragraphs)])


def originals(primer: Primer, *paragraphs: str) -> dict[str, int]:
    result = find_cast(story(*paragraphs), primer)
    return {m.name: m.count for m in result.cast if m.original}


def test_a_hidden_sentence_start_is_no_part_of_the_name(primer: Primer) -> None:
    found = originals(primer, *(SCENE * 4), *HIDDEN_STARTS)
    assert set(found) == {"Vosk", "Tarrant"}
    # … and the mentions behind the ordinary words are theirs.
    assert found["Vosk"] == 4 * 3 + 2 and found["Tarrant"] == 4 * 3 + 2


def test_a_full_name_written_again_and_again_stays_whole(primer: Primer) -> None:
    # "Verity" is an English word too (and no AO3 character's name), but "Verity Tarrant"
    # recurs as a run mid-sentence.
    full = "Later that night Verity Tarrant said the ship would sail at dawn."
    found = originals(primer, *(SCENE * 4), full, full, full, HIDDEN_STARTS[0])
    assert set(found) == {"Vosk", "Verity Tarrant"}


def test_an_opening_word_that_is_a_name_alone_stays(primer: Primer) -> None:
    # Written as a run only once, but "Verity" is also a name on its own ("said Verity").
    once = [
        "Later that night Verity Tarrant said the ship would sail at dawn.",
        "“Not before the tide,” said Verity, and Vosk agreed.",
        HIDDEN_STARTS[0],
    ]
    found = originals(primer, *(SCENE * 4), *once)
    assert set(found) == {"Vosk", "Verity Tarrant"}


def test_an_opening_word_some_character_is_called_stays(primer: Primer) -> None:
    # Once, and "Grace" never alone; but AO3 has characters called Grace: a first name.
    once = ["Later that night Grace Tarrant said the ship would sail at dawn.", HIDDEN_STARTS[0]]
    found = originals(primer, *(SCENE * 4), *once)
    assert set(found) == {"Vosk", "Grace Tarrant"}


def test_a_word_never_a_name_is_none_with_either_apostrophe(primer: Primer) -> None:
    # "It's" is never a name; "It’s", typeset, neither, however often it opens a run.
    knock = "A knock came at the door. “Who’s there?” It’s Vosk, come back for his coat."
    found = originals(primer, *(SCENE * 4), knock, knock)
    assert set(found) == {"Vosk", "Tarrant"}


def _spans(*starts: int, length: int = 10) -> list[tuple[int, int]]:
    return [(s, s + length) for s in starts]


def test_the_spans_move_past_the_opening_word() -> None:
    counts: dict[str, list[tuple[int, int]]] = defaultdict(list)
    counts["Over Vosk"] = [(100, 109)]
    counts["Vosk"] = _spans(0, 40, length=4)
    counts["Honoroit Vosk"] = [(200, 213)]
    initial: dict[str, list[tuple[int, int]]] = defaultdict(list)
    _strip_sentence_openers(counts, initial, lambda w: w == "Over")
    assert sorted(counts["Vosk"]) == [(0, 4), (40, 44), (105, 109)]
    assert "Over Vosk" not in counts
    assert counts["Honoroit Vosk"] == [(200, 213)]  # no ordinary word: a full name


class _People:
    """AO3's names, as far as the test needs them: "Grace" is someone's name."""

    def homes(self, form: str) -> tuple[dict[str, dict[str, str]], int]:
        return ({"Some Show": {"Grace Someone": "Some Show"}}, 1) if form == "Grace" else ({}, 0)


def test_an_ordinary_word_is_one_no_character_is_called() -> None:
    lower = frozenset({"over"})
    assert _an_ordinary_word("Over", lower, None)  # the story writes "over"
    assert _an_ordinary_word("Seeing", frozenset(), None)  # English has it
    assert _an_ordinary_word("It’s", frozenset(), None)  # "It's", with either apostrophe
    assert not _an_ordinary_word("Honoroit", frozenset(), None)
    people = _People()
    assert _an_ordinary_word("Seeing", frozenset(), people)  # type: ignore[arg-type]
    assert not _an_ordinary_word("Grace", frozenset({"grace"}), people)  # type: ignore[arg-type]
