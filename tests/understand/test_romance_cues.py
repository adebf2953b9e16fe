"""The fast romance-cue scan finds exactly what the documented pattern finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ficsift.understand.relationships import ROMANCE_CUES, romance_cue_spans

PIECES = [
    "Willow KISSED Tara", "kiss", "Kissing", "in HER arms", "İstanbul", "fucked him", "FUCK me",
    "她吻了他", "キス", "bed", "Bedroom", "gay", " ", "\n", ".", "fiancée", "FIANCÉE", "lips",
]  # fmt: skip


def spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in ROMANCE_CUES.finditer(text)]


def test_same_spans_as_the_pattern_on_mixed_case_and_scripts() -> None:
    text = "İ Willow KISSED Tara in HER arms. 她吻了他，脸红了。 Kissing in bed, FIANCÉE. Bedroom."
    assert romance_cue_spans(text) == spans(text)
    assert [text[a:b] for a, b in romance_cue_spans(text)] == [
        "KISSED", "in HER arms", "吻", "脸红", "Kissing", "bed", "FIANCÉE",
    ]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.text(max_size=20))
def test_same_spans_as_the_pattern_on_any_text(pieces: list[str], noise: str) -> None:
    text = noise.join(pieces)
    assert romance_cue_spans(text) == spans(text)


def test_an_oath_is_no_sex_act() -> None:
    text = '"Fuck him," Malcolm said. "Fuck her and fuck me too." Later he was fucking him slowly.'
    assert [text[a:b] for a, b in romance_cue_spans(text)] == ["fucking him"]
