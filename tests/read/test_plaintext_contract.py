"""Bare story text through the reader contract: "Chapter N" lines followed directly by text,
FFN-style chapter-start "A/N:" notes and a closing "Final A/N:"."""

from __future__ import annotations

from ficsift.read import read_bytes
from tests.read.reader_contract import Case, ReaderContract, wild_case

SENTENCE = (
    "She walked to the window and looked out over the grey city for a long while. "  # 16 words
)


def tight_chapters(chapters: int = 6) -> bytes:
    """Headings glued to their first paragraph; paragraphs one per line, blank lines between
    some chapters only (as copy-pasted text often is)."""
    parts = []
    for n in range(1, chapters + 1):
        lines = [f"Chapter {n}"] + [SENTENCE * 3 for _ in range(4)]
        parts.append("\n".join(lines))
    return "\n\n\n".join(parts).encode()


def noted_chapter() -> bytes:
    story = "\n\n".join(SENTENCE * 2 for _ in range(5))
    return (
        "Chapter 1\n\nA/N: Thanks for all the reviews, you are lovely!\n\n"
        f"{story}\n\n* * *\n\n{story}\n\nFinal A/N: that's all, folks. Thank you for reading!\n"
    ).encode()


class TestPlainTextContract(ReaderContract):
    cases = (
        Case(
            "tight-chapters.txt",
            tight_chapters,
            {"chapters": 6, "words": 6 * 4 * 48, "chapter_titles": ["Chapter 1", "Chapter 2"]},
            reader="text",
        ),
        Case(
            "noted-chapter.txt",
            noted_chapter,
            {
                "chapters": 1,
                "words": 10 * 32,
                "words_tol": 0.0,
                "end_notes": ["that's all, folks. Thank you for reading!"],
                "text_excludes": ["A/N", "Thanks for all", "Final"],
            },
            reader="text",
        ),
        wild_case("mpmccord-fanficvsclassic/fanfic_7441657.txt", "text"),
    )


def test_opening_note_keeps_to_itself() -> None:
    doc = read_bytes("noted.txt", noted_chapter())[0]
    assert doc.chapters[0].notes == ["Thanks for all the reviews, you are lovely!"]
    assert doc.chapters[0].text.startswith("She walked")
