"""The fast text operations find what their plain definitions find, on any text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ficsift.model import count_words
from ficsift.understand import textops
from ficsift.understand.content import _KILLED_RES
from ficsift.understand.epithets import _EPITHET_RE
from ficsift.understand.textops import (
    common_word_share,
    distinct_tokens,
    grouped_alternation,
    lower_aligned,
    lower_words,
)

PIECES = [
    "Will", "will", "Dawn", "dawn", "O'Brien", "o'brien", "Mary-Kate", "mary-kate", "the",
    "The", "killed Buffy", "unkilled Anya", "slew Glory", "the vampire", "The Vampire",
    "breathe vampire", "the other witch", "the red-headed witch", "the witch's", "İ", "_",
    " ", "  ", "\n", ".", ",", "—", "’", "'", "-", "她", "Ω",
]  # fmt: skip
texts = st.builds(
    lambda pieces, noise: noise.join(pieces),
    st.lists(st.sampled_from(PIECES), max_size=14),
    st.text(max_size=6),
)


def test_grouped_alternation_keeps_the_order_that_decides_the_match() -> None:
    grouped = re.compile(grouped_alternation(["kiss", "kissed", "sex", "shag"]))
    plain = re.compile("kiss|kissed|sex|shag")
    text = "kissed, sex and a shag; kissing"
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert grouped.match("kissed").group(0) == "kiss"  # the first alternative wins, as in a|b


def test_grouped_alternation_refuses_what_it_cannot_group() -> None:
    with pytest.raises(ValueError, match="begin with a letter"):
        grouped_alternation(["kiss", "(?:fuck) him"])


@settings(max_examples=200, deadline=None)
@given(texts)
def test_lower_words_are_the_capitalised_words_also_written_in_lower_case(text: str) -> None:
    capitalised = {w.lower() for w in re.findall(r"[A-Z][\w'’-]*", text)}
    expected = {w for w in capitalised if re.search(rf"(?<![^\W_]){re.escape(w)}(?![^\W_])", text)}
    assert lower_words(text) == expected


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(min_value=1, max_value=12))
def test_distinct_tokens_split_a_slice_at_a_time_are_the_texts_tokens(
    text: str, chunk: int
) -> None:
    """Slices of any size, cut at a space or line break, give the tokens of the whole."""
    saved = textops.TOKEN_CHUNK
    textops.TOKEN_CHUNK = chunk
    try:
        assert distinct_tokens(text) == set(text.split())
    finally:
        textops.TOKEN_CHUNK = saved


@settings(max_examples=200, deadline=None)
@given(texts)
def test_common_word_share_counts_whole_words_of_the_opening(text: str) -> None:
    common = frozenset({"the", "will", "dawn"})
    hits = len(re.findall(r"\b(?:the|will|dawn)\b", text.lower()))
    assert common_word_share(text, common) == pytest.approx(hits / max(1, count_words(text)))


@settings(max_examples=200, deadline=None)
@given(texts)
def test_epithets_start_at_a_word_boundary(text: str) -> None:
    low = lower_aligned(text)
    plain = re.compile(r"\bthe" + _EPITHET_RE.pattern.removeprefix(r"the(?<!\wthe)"))
    assert [m.groups() for m in _EPITHET_RE.finditer(low)] == [
        m.groups() for m in plain.finditer(low)
    ]


@settings(max_examples=200, deadline=None)
@given(texts)
def test_killings_are_the_verbs_as_whole_words_before_a_name(text: str) -> None:
    plain = re.compile(r"\b(killed|murdered|executed|slew|beheaded|strangled) ([A-Z][a-z]+)\b")
    found = sorted((m.start(), m.groups()) for p in _KILLED_RES for m in p.finditer(text))
    assert found == [(m.start(), m.groups()) for m in plain.finditer(text)]
