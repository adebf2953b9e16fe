"""FanFicFare's HTML and TXT outputs, generated at test time from its offline test1.com site
(no network: test1.com is FanFicFare's built-in fake archive)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from ficsift.read import read_bytes
from tests.read.reader_contract import Case, ReaderContract

FANFICFARE = Path(sys.executable).parent / "fanficfare"
# What test1.com states for story 12 (FanFicFare's adapter_test1 fixture).
EXPECT = {
    "title": "Test Story Title 12",
    "authors": ["Test Author aa"],
    "fandoms": [
        "Furbie",
        "Harry Potter",
        "Magical Girl Lyrical Nanoha",
        "Once Upon a Time (TV)",
        "Puella Magi Madoka Magica/魔法少女まどか★マギカ",
    ],
    "freeforms": ["Comedy", "Fantasy", "Noir", "Sci-Fi"],
    "characters": ["Bob Smith", "Fred Smythe", "George Johnson"],
    "relationships": [
        "Harry Potter & Hermione Granger",
        "Harry Potter/Ginny Weasley",
        "Harry Potter/Ginny Weasley/Albus Dumbledore",
    ],
    "warnings": ["Swearing", "Violence"],
    "rating": "Tweenie",
    "status": "complete",
    "published": "1975-03-15",
    "updated": "1975-04-15",
    "series": "魔法少女まどか★マギカ",
    "chapters": 9,
    "chapter_titles": [
        "Prologue tests:[bare amp(&) qt(') amp(&) gt(>) lt(<) ATnT(AT&T) L(£) Onna(女)]",
        "Chapter 1, Xenos on Cinnabar",
    ],
    "summary_prefix": "Description tests:[bare amp(&)",
    "stats": {"words": 123456, "chapters_posted": 9},
    "text_excludes": ["TABLE OF CONTENTS", "Packaged:", "End file."],
}


@cache
def generated(fmt: str) -> bytes:
    """test1.com story 12 as FanFicFare writes it in ``fmt`` (in a directory removed after)."""
    with tempfile.TemporaryDirectory(prefix="ficsift-ffo-") as tmp:
        out = Path(tmp)
        home = out / "home"
        env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
        subprocess.run(
            [str(FANFICFARE), "-f", fmt, "http://test1.com?sid=12"],
            cwd=out, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        (path,) = out.glob(f"*.{fmt}")
        return path.read_bytes()


class TestFanFicFareOutputsContract(ReaderContract):
    cases = (
        Case("test1-12.html", lambda: generated("html"), EXPECT, reader="fanficfare-html"),
        Case("test1-12.txt", lambda: generated("txt"), EXPECT, reader="fanficfare-text"),
    )


def test_series_position_and_story_link() -> None:
    doc = read_bytes("test1-12.txt", generated("txt"))[0]
    assert [(s.name, s.part) for s in doc.series] == [("魔法少女まどか★マギカ", 12)]
    assert doc.source.url == "http://test1.com?sid=12"
    html = read_bytes("test1-12.html", generated("html"))[0]
    assert [c.words for c in html.chapters] == [c.words for c in doc.chapters]


def test_text_output_notes_apart_and_wrapped_lines_joined() -> None:
    """FanFicFare's text output wraps at 78 columns and keeps a chapter's opening note and
    disclaimer as the author typed them: the note and disclaimer leave the story, and the
    wrapped lines of a paragraph are one paragraph again."""
    wrapped = (
        "The station at King's Cross smelled of diesel and wet wool, and Hermione stood\n"
        "under the departures board with her bag held in both hands like it might try\n"
        "to escape."
    )
    text = (
        "\n\n\nThe Long Way Home\n\nby quillfeather\n\n\n\nCategory: Harry Potter\n"
        "Packaged: 2026-12-08 01:56:44\nRating: T\n\n\n\nTABLE OF CONTENTS\n\n\n1. The Platform\n\n\n\n"
        "        1. The Platform\n\n\nA/N: My first fic in years, so be gentle!\n\n"
        "Disclaimer: I don't own Harry Potter.\n\n* * *\n\n" + f"{wrapped}\n\n" * 4 + "End file.\n"
    )
    doc = read_bytes("long.txt", text.encode())[0]
    assert doc.source.format == "fanficfare-text"
    assert doc.disclaimer == "Disclaimer: I don't own Harry Potter."
    assert doc.chapters[0].notes == ["My first fic in years, so be gentle!"]
    assert doc.chapters[0].text.startswith("The station") and "\n" not in doc.text.split("\n\n")[0]
    assert doc.text.count("escape.") == 4
