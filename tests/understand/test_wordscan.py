"""The word-start scan finds exactly what ``finditer`` finds, trying far fewer positions."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ficsift.understand import wordscan
from ficsift.understand.wordscan import WordStartScan, phrase_opening, regex_opening

# Alternatives opening with one, two, three and more fixed letters, an optional letter, and a
# phrase that runs across words.
ALTERNATIVES = ["a(?:h|w)+", "in love", "kis(?:s|ses)", "lovers?", "fianc[ée]e?", "x-rated"]
PATTERN = re.compile(rf"(?<!\w)(?:{'|'.join(ALTERNATIVES)})(?!\w)")
PIECES = [
    "ah", "aww", "in love", "kiss", "kisses", "lover", "lovers", "fiancée", "x-rated", "x",
    "akiss", "ékiss", "kiss_", "_kiss", "ωlover", "in", "love", "the", " ", "\n", ".", "—",
    "’", "İ", "她", "\ud800",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _every_text_is_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordscan, "SHORT_TEXT", 0)  # these texts are short: scan them anyway


def scan_spans(scan: WordStartScan, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in scan.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16), st.text(max_size=4))
def test_same_matches_as_finditer_on_any_text(pieces: list[str], noise: str) -> None:
    text = noise.join(pieces)
    scan = WordStartScan(PATTERN, map(regex_opening, ALTERNATIVES))
    assert scan_spans(scan, text) == [m.span() for m in PATTERN.finditer(text)]


@pytest.mark.parametrize("piece", [1, 2, 5, 1 << 20])
@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16))
def test_a_text_read_in_pieces_gives_the_same_matches(piece: int, pieces: list[str]) -> None:
    text = " ".join(pieces)
    scan = WordStartScan(PATTERN, map(regex_opening, ALTERNATIVES))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wordscan, "_PIECE_CHARS", piece)
        assert scan_spans(scan, text) == [m.span() for m in PATTERN.finditer(text)]


def test_only_word_starts_that_open_an_alternative_are_tried() -> None:
    scan = WordStartScan(PATTERN, map(regex_opening, ALTERNATIVES))
    text = "the kiss, and the ångström kiss; akiss in"
    # kiss, "and" and "akiss" (an "a…" alternative may open them), kiss, "in"
    assert scan._candidates(text) == [4, 10, 27, 33, 39]
    assert scan_spans(scan, text) == [(4, 8), (27, 31)]


def test_an_alternative_without_fixed_letters_tries_everywhere() -> None:
    pattern = re.compile(r"(?<!\w)(?:kiss|\d+ kisses)(?!\w)")
    scan = WordStartScan(pattern, ["kiss", ""])
    text = "3 kisses and a kiss"
    assert scan_spans(scan, text) == [(0, 8), (15, 19)]


def test_openings() -> None:
    assert [regex_opening(a) for a in ALTERNATIVES] == ["a", "in", "kis", "lover", "fianc", "x"]
    assert regex_opening("(?:fuck) him") == ""
    assert phrase_opening("kiss* her") == "kiss"
    assert phrase_opening("hard-on") == "hard"
