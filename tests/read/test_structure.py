"""The plain-text structure finder: headings, notes, disclaimers, scene breaks, status."""

from __future__ import annotations

import pytest

from ficsift.model import Status
from ficsift.read.fields import parse_count
from ficsift.read.structure import chapter_heading, is_scene_break, split_story, text_blocks

PROSE = (
    "Willow set the candle down and looked at the door of the cell for a long moment. "
    "Somewhere above them the Bronze was loud, but down here there was only dripping water. "
)


def story(paragraphs: int = 6) -> str:
    return "\n\n".join(PROSE * 2 for _ in range(paragraphs))


@pytest.mark.parametrize(
    "line",
    [
        "Chapter 1",
        "Chapter 2",
        "CHAPTER TWELVE",
        "Chapter Two: The Cell",
        "Chapter 3 - Kitty",
        "Chapter Twenty-One",
        "Ch. 4",
        "Part III",
        "Part Three: Aftermath",
        "~*~ 3 ~*~",
        "-3-",
        "* 12 *",
        "Prologue",
        "Epilogue: Ten Years Later",
        "## Chapter 5",
    ],
)
def test_chapter_headings_in_their_common_spellings(line: str) -> None:
    assert chapter_heading(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "Part of me wanted to stay with her, but the sun was coming up.",
        "Chapter one of her life was over, and she knew it, and she hated it.",
        "I",
        "3",
        "Willow smiled.",
        "Partly cloudy.",
        "Prologues are for people who cannot start a story properly, she thought sourly.",
    ],
)
def test_prose_is_not_a_heading(line: str) -> None:
    assert chapter_heading(line) is None


@pytest.mark.parametrize("line", ["***", "* * *", "~~~", "-o-", "oOo", "- - - - -", "xXx", "#"])
def test_scene_breaks(line: str) -> None:
    assert is_scene_break(line)


@pytest.mark.parametrize("line", ["Oh.", "No!", "...and then", "Willow"])
def test_short_lines_are_not_scene_breaks(line: str) -> None:
    assert not is_scene_break(line)


def test_wip_with_notes_disclaimer_and_one_chapter() -> None:
    text = (
        "I always have trouble finding the good ones, so here is mine. Reviews make me write faster!\n\n"
        "I can't promise how frequent the updates will be, but I have a plan for this.\n\n"
        "Disclaimer: I do not own Buffy. It belongs to Joss Whedon and Mutant Enemy.\n\n"
        "Chapter 1\n\n" + story()
    )
    parts = split_story(text_blocks(text))
    assert len(parts.notes) == 2
    assert parts.notes[0].startswith("I always have trouble")
    assert parts.disclaimer is not None and parts.disclaimer.startswith(
        "Disclaimer: I do not own Buffy"
    )
    assert len(parts.chapters) == 1
    assert parts.chapters[0].title == "Chapter 1"
    chapter_text = parts.chapters[0].text
    assert "Disclaimer" not in chapter_text and "updates" not in chapter_text
    assert parts.chapters[0].words == len(story().split())
    assert parts.status == Status.IN_PROGRESS


def test_chapters_scene_breaks_and_end_note() -> None:
    text = "\n\n".join(
        [
            "Chapter One: Kitty",
            story(2),
            "***",
            story(1),
            "Chapter Two: Puppy",
            "A/N: thanks to my beta for the help with this one",
            story(3),
            "~*~ 3 ~*~",
            story(2),
            "A/N: That's all for now, thanks for reading!",
            "The End",
        ]
    )
    parts = split_story(text_blocks(text))
    assert [c.title for c in parts.chapters] == ["Chapter One: Kitty", "Chapter Two: Puppy", "3"]
    assert "* * *" in parts.chapters[0].text  # a scene break stays a scene break
    assert parts.chapters[1].notes == ["thanks to my beta for the help with this one"]
    assert parts.end_notes == ["That's all for now, thanks for reading!"]
    assert "The End" not in parts.chapters[-1].text
    assert parts.status == Status.COMPLETE


def test_table_of_contents_is_not_chapters() -> None:
    text = "\n\n".join(["Chapter 1", "Chapter 2", "Chapter 1", story(2), "Chapter 2", story(2)])
    parts = split_story(text_blocks(text))
    assert len(parts.chapters) == 2
    assert all(c.words > 50 for c in parts.chapters)


def test_headers_become_fields_and_story_without_headings() -> None:
    text = "\n\n".join(
        [
            "Title: Kitty",
            "Author: someone",
            "Rating: M",
            "Pairing: W/T",
            "Summary: Willow keeps a pet.",
            story(3),
            "To be continued...",
        ]
    )
    parts = split_story(text_blocks(text))
    assert ("title", "Kitty") in parts.fields
    assert ("pairing", "W/T") in parts.fields
    assert len(parts.chapters) == 1 and parts.chapters[0].title is None
    assert parts.chapters[0].text.startswith("Willow set the candle")
    assert parts.status == Status.IN_PROGRESS


def test_single_newline_paragraphs_are_split() -> None:
    text = "Chapter 1\nFirst paragraph here.\nSecond paragraph here.\nChapter 2\nThird."
    parts = split_story(text_blocks(text))
    assert [c.title for c in parts.chapters] == ["Chapter 1", "Chapter 2"]
    assert parts.chapters[0].text == "First paragraph here.\n\nSecond paragraph here."


def test_long_unlabelled_opening_before_first_heading_is_story() -> None:
    text = "\n\n".join([story(8), "Chapter 2", story(2)])
    parts = split_story(text_blocks(text))
    assert parts.notes == []
    assert len(parts.chapters) == 2 and parts.chapters[0].title is None


def test_multi_paragraph_notes_set_off_by_scene_breaks() -> None:
    text = "\n\n".join(
        [
            "Chapter 1: Kitty",
            "A/N: This one took a while.",
            "Thanks to everyone who reviewed the last chapter, you are the best.",
            "~~~",
            story(3),
            "***",
            story(1),
            "***",
            "A/N: chapter title is from a song.",
            *[f"Note paragraph {i} about the writing of this." for i in range(12)],
            "***",
            "Author's note: the whole fic's end note.",
            "More about the fic.",
        ]
    )
    parts = split_story(text_blocks(text))
    chapter = parts.chapters[0]
    assert chapter.notes == [
        "This one took a while.",
        "Thanks to everyone who reviewed the last chapter, you are the best.",
    ]
    assert "Note paragraph" not in chapter.text and "reviewed" not in chapter.text
    assert chapter.text.count("* * *") == 1  # the story's own scene break stays
    assert parts.end_notes[0] == "chapter title is from a song."
    assert parts.end_notes[-1] == "More about the fic."
    assert chapter.words == len(story(4).split())


def test_a_typed_scene_break_closes_the_opening_note() -> None:
    """An author's note, then "~*~*~" or "· · ·": the note is no story, nor the break a note."""
    story = "She opened the door and the cold came in with her, snow still on her boots. " * 4
    for note, rule in [
        ("Sorry this took forever, exams have been brutal. Enjoy!", "· · ·"),
        ("A/N: thank you for the reviews!", "~*~*~*~"),
    ]:
        parts = split_story(text_blocks(f"{note}\n\n{rule}\n\n{story}\n\n{story}"))
        assert parts.notes == [note.removeprefix("A/N: ")] or parts.notes == [note]
        assert parts.chapters[0].text.startswith("She opened the door")


def test_a_personal_pages_title_byline_and_what_follows_the_end() -> None:
    """A title line over "by Starlight" heads the story (its title and author, no note), and
    the links, counter and webring after "~ To Be Continued ~" are the page's, not the
    story's."""
    story = "The Moon Kingdom was never quiet at night, and Serenity liked it that way. " * 5
    text = (
        f"Silver Requiem\nby Starlight\n\n{story}\n\n{story}\n\n~ To Be Continued ~\n\n"
        "Back to my Fanfics | Home | Sign my Guestbook!\n\nYou are visitor number 1234\n\n"
        "This site is a member of the Sailor Moon Fanfic Webring"
    )
    parts = split_story(text_blocks(text))
    assert ("title", "Silver Requiem") in parts.fields and ("author", "Starlight") in parts.fields
    assert parts.notes == [] and "Webring" not in parts.chapters[0].text
    assert parts.chapters[0].text.endswith("that way.") and parts.status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    "stated, count", [("5k+", 5000), ("1.2k", 1200), ("3M", 3_000_000), ("k", None), ("5kk", None)]
)
def test_a_figure_the_site_rounds(stated: str, count: int | None) -> None:
    """ "Words: 5k+" (FanFiction.net's mobile pages): the site's rounding, kept as a figure."""
    assert parse_count(stated) == count


def test_a_curly_apostrophed_note_and_lines_wrapped_at_a_width() -> None:
    """ "Author’s Note:" as a word processor types it is a note; a paragraph wrapped at a
    width is one line again, a verse's short lines stay lines."""
    wrapped = (
        "The planetarium opened in March, and by April Xander Harris was its only\n"
        "night watchman, which said something about the planetarium and something about\n"
        "Xander."
    )
    verse = "Salt and iron,\nline and ring,\nhold the door."
    parts = split_story(
        text_blocks(f"Author’s Note: thanks to my beta!\n\n* * *\n\n{wrapped}\n\n{verse}")
    )
    assert parts.notes == ["thanks to my beta!"]
    first, second = parts.chapters[0].text.split("\n\n")
    assert "\n" not in first and first.endswith("Xander.") and second == verse


def test_a_disclaimer_after_the_opening_note_and_a_links_way_back_at_the_end() -> None:
    """A chapter opening "A/N: …" then "Disclaimer: …" with no rule between: both are notes.
    A saved page's "Back to the Fic Archive" after the last note is no story, nor a note —
    but a story's own last line "Back to square one." stays."""
    story = "The station smelled of diesel and wet wool, and Hermione waited by the board. " * 4
    text = (
        "Chapter 1: The Platform\n\nA/N: be gentle!\n\nDisclaimer: I don't own Harry Potter.\n\n"
        f"{story}\n\nBack to square one.\n\n* * *\n\nA/N: thanks for reading!\n\n"
        "Back to the Fic Archive"
    )
    parts = split_story(text_blocks(text))
    (chapter,) = parts.chapters
    assert chapter.notes == ["be gentle!", "Disclaimer: I don't own Harry Potter."]
    assert chapter.text.startswith("The station") and chapter.text.endswith("Back to square one.")
    assert parts.end_notes == ["thanks for reading!"]


def test_an_unlabelled_opening_note_asking_for_votes() -> None:
    """ "please vote and comment" before a typed break (Wattpad's habit) is a note."""
    story = "The first boat was made from a page of my maths homework, folded twice. " * 4
    note = "hi everyone!! this is my first story on here so please vote and comment ❤"
    parts = split_story(text_blocks(f"{note}\n\n*****\n\n{story}"))
    assert parts.notes == [note] and parts.chapters[0].text.startswith("The first boat")


@pytest.mark.parametrize(
    "heading",
    ["Kapitel 2: Schneefall", "Capítulo 3 - La noche", "Глава 5. Снег", "第3章 雪", "Prólogo"],
)
def test_chapter_headings_in_other_languages(heading: str) -> None:
    """A fic in German, Spanish, Russian, Chinese… splits at its own word for "chapter"; a
    sentence opening with it ("Teil des Problems war …") does not."""
    assert chapter_heading(heading) == heading
    assert chapter_heading("Teil 2 des Plans war einfach.") is None
