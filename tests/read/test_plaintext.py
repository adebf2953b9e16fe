"""Plain-text fics in every encoding they arrive in, and what is not a fic at all."""

from __future__ import annotations

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)
import pytest

from ficsift.model import Status, TagType
from ficsift.read import ReadError, read_bytes

STORY = (
    "Disclaimer: I don’t own these characters.\n\n"
    "Chapter 1\n\n"
    "“Don’t,” Tara said. Willow’s café was closed — naïve of her to hope otherwise.\n\n"
    "She waited by the door until the sun came up over the cemetery and the town woke."
)


@pytest.mark.parametrize(
    "encoding, prefix",
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("cp1252", b""),
    ],
)
def test_encodings_decode_to_the_same_story(encoding: str, prefix: bytes) -> None:
    data = prefix + STORY.encode(encoding)
    doc = read_bytes("fic.txt", data)[0]
    assert doc.chapters[0].text.startswith("“Don’t,” Tara said. Willow’s café")
    assert doc.disclaimer == "Disclaimer: I don’t own these characters."


def test_latin1_without_smart_quotes() -> None:
    text = STORY.replace("“", '"').replace("”", '"').replace("’", "'").replace("—", "-")
    doc = read_bytes("fic.txt", text.encode("latin-1"))[0]
    assert "café" in doc.text and "naïve" in doc.text


def test_mojibake_is_repaired() -> None:
    # What a browser or editor makes of UTF-8 read as Windows-1252 (ftfy's sloppy codec
    # keeps the five bytes cp1252 leaves undefined, as they do).
    broken = STORY.encode("utf-8").decode("sloppy-windows-1252")
    doc = read_bytes("fic.txt", broken.encode("utf-8"))[0]
    assert "Don’t" in doc.text and "café" in doc.text
    assert "â€" not in doc.text


def test_word_count_is_story_only() -> None:
    doc = read_bytes("fic.txt", STORY.encode())[0]
    tokens = doc.chapters[0].text.split()
    assert doc.words == sum(1 for t in tokens if any(ch.isalnum() for ch in t))  # "—" is no word
    assert doc.words < len(STORY.split())


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\n\t ", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 3000, "PNG image is not supported"),
        (b"\x00\x01\x02" * 3000, "binary"),
    ],
)
def test_not_a_fic(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError, match=reason):
        read_bytes("junk.txt", data)


def test_status_unknown_without_cues() -> None:
    doc = read_bytes("fic.txt", b"Willow smiled at Tara across the table, and the night went on.")[
        0
    ]
    assert doc.status == Status.UNKNOWN
    assert doc.title == "fic"


BODY = "Taylor woke in a corridor that went on for a mile in both directions, and listened. " * 6


def test_a_header_under_a_bare_title_line() -> None:
    """A title line with the header's labelled lines under it: the title, then the fields —
    no note; "Warhammer 40,000" is one fandom, not two."""
    text = (
        f"The Long Patrol\nAuthor: Tessellate\nFandom: Worm, Warhammer 40,000\nRating: T\n\n{BODY}"
    )
    doc = read_bytes("patrol.txt", text.encode())[0]
    assert doc.title == "The Long Patrol" and doc.authors == ["Tessellate"] and doc.notes == []
    assert [t.name for t in doc.tags_of(TagType.FANDOM)] == ["Worm", "Warhammer 40,000"]


def test_a_story_copied_from_fanfiction_net() -> None:
    """The page's title over "By: author", and its profile line "Rated: Fiction T - English -
    … - Words: 1,634 - …" read as the page's own fields are."""
    text = (
        "The Long Way Home\nBy: quillfeather\n\n"
        "Rated: Fiction T - English - Romance/Hurt/Comfort - Harry P., Hermione G. - Chapters: 3"
        " - Words: 1,634 - Reviews: 12 - Favs: 30 - Follows: 41 - Published: Jan 2, 2015 - "
        f"Status: Complete - id: 11234567\n\n{BODY}"
    )
    doc = read_bytes("copied.txt", text.encode())[0]
    assert doc.title == "The Long Way Home" and doc.authors == ["quillfeather"]
    assert [t.name for t in doc.tags_of(TagType.RATING)] == ["Teen And Up Audiences"]
    assert doc.language == "English" and doc.stats.words == 1634 and doc.stats.favs == 30
    assert doc.status == Status.COMPLETE and doc.text.startswith("Taylor woke")


def test_a_markdown_story() -> None:
    """ "# Title" and "**Author:** name" lines are the title and fields, not notes."""
    text = (
        f"# Paper Boats\n\n**Author:** inkandrain\n**Rating:** Teen\n**Summary:** Boats.\n\n{BODY}"
    )
    doc = read_bytes("boats.md", text.encode())[0]
    assert doc.title == "Paper Boats" and doc.authors == ["inkandrain"]
    assert doc.summary == "Boats." and doc.notes == [] and doc.text.startswith("Taylor woke")


def test_markdown_emphasis_and_a_thank_you_after_the_last_break() -> None:
    """In a Markdown story "*really*" is the word, "***" still a break; a short thank-you
    after the last break ("*thank you all so much for 10k reads!!*") is an end note."""
    text = f"# Boats\n\n{BODY}\n\nShe *really* did.\n\n***\n\n{BODY}\n\n* * *\n\n*thank you all so much for 10k reads!!*"
    doc = read_bytes("boats.md", text.encode())[0]
    assert "She really did." in doc.text and "*" not in doc.text.replace("* * *", "")
    assert doc.end_notes == ["thank you all so much for 10k reads!!"]
    assert doc.text.rstrip().endswith("listened.")
