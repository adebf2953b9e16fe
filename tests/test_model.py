"""Word counting and its memo on chapters (what every figure ficsift shows rests on), and
adding tags (linear, capped: a hostile field must not cost minutes)."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from ficsift.model import (
    MAX_TAGS_PER_TYPE,
    Chapter,
    Document,
    Source,
    Tag,
    TagOrigin,
    TagType,
    count_words,
)


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


def test_add_tag_is_linear_and_capped_per_type() -> None:
    doc = Document(Source("many.txt", "text"))
    started = time.perf_counter()
    for n in range(100_000):  # quadratic, this was minutes
        doc.add_tag(f"Person{n}/Other{n}", TagType.RELATIONSHIP)
        doc.add_tag(f"Trope {n % 300}", TagType.FREEFORM)  # repeats: found, not added
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{elapsed:.1f} s for 200,000 add_tag calls"
    assert len(doc.tags_of(TagType.RELATIONSHIP)) == MAX_TAGS_PER_TYPE
    assert len(doc.tags_of(TagType.FREEFORM)) == 300
    assert doc.extra["warnings"] == [
        f"more than {MAX_TAGS_PER_TYPE} relationship tags: the rest were dropped"
    ]
    assert doc.add_tag("Person0/Other0", TagType.RELATIONSHIP, label="Pairing") is doc.tags[0]
    assert doc.tags[0].label == "Pairing"  # a known tag is still found past the cap


def test_add_tag_sees_tags_added_to_the_list_directly() -> None:
    """Readers append and extend ``tags`` and understanding replaces the list: add_tag's
    index must follow every one of those, never adding a (type, name) twice."""
    doc = Document(Source("x.txt", "text"))
    doc.add_tag("Willow", TagType.CHARACTER)
    doc.tags.append(Tag("Tara", TagType.CHARACTER))
    doc.tags.extend([Tag("Vampires", TagType.FREEFORM), Tag("Angst", TagType.FREEFORM)])
    assert doc.add_tag("Tara", TagType.CHARACTER) is doc.tags[1]
    assert doc.add_tag("Angst", TagType.FREEFORM) is doc.tags[3]
    doc.tags = [Tag("Buffy", TagType.CHARACTER)]  # replaced: Willow is gone
    assert doc.add_tag("Willow", TagType.CHARACTER) is doc.tags[1]
    doc.tags[1] = Tag("Xander", TagType.CHARACTER)  # changed in place
    assert doc.add_tag("Xander", TagType.CHARACTER) is doc.tags[1]
    doc.tags.append(Tag("Dawn", TagType.CHARACTER, origin=TagOrigin.INFERRED))
    assert doc.add_tag("Dawn", TagType.CHARACTER) is doc.tags[3]  # an author tag beside it
    assert [(t.name, t.origin) for t in doc.tags].count(("Dawn", TagOrigin.AUTHOR)) == 1
