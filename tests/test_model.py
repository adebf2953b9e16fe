"""Word counting and its memo on chapters: what every figure ficsift shows rests on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ficsift.model import Chapter, count_words


def reference_count(text: str) -> int:
    """The definition, slowly: whitespace tokens holding a letter or digit (CJK: per char)."""
    total = 0
    for token in text.split():
        cjk = [c for c in token if "\u4e00" <= c <= "\u9fff" or "\u3040" <= c <= "\u30ff"]
        total += len(cjk)
        rest = "".join(" " if c in cjk else c for c in token)
        total += sum(1 for part in rest.split() if any(c.isalnum() for c in part))
    return total


def test_counts_words_not_punctuation() -> None:
    assert count_words("Willow smiled — at Tara.") == 4
    assert count_words("* * *\n~~~\n-o-") == 1  # "-o-" has a letter
    assert count_words("_ __ ___") == 0
    assert count_words("") == 0


def test_counts_cjk_characters_as_words() -> None:
    assert count_words("她笑了 ok") == 4


@given(st.text(alphabet=st.sampled_from(list("ab1 _-—*.\n\t'é她")), max_size=60))
def test_matches_the_definition(text: str) -> None:
    assert count_words(text) == reference_count(text)


def test_chapter_recounts_when_its_text_changes() -> None:
    chapter = Chapter(title=None, text="one two three")
    assert chapter.words == 3
    chapter.text = "one two"
    assert chapter.words == 2
