"""Markdown/HTML with YAML front matter: own fixtures, and every antennapedia story."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ficsift.library.index_rows import tag_rows
from ficsift.model import Status, TagType
from ficsift.read import ReadError, read_bytes

FIXTURE = """---
title: The Cell
author: someone
summary: "Willow keeps a <em>pet</em>."
notes: 'For <b>a friend</b>, who asked.'
rating: mature
pairing: willow/tara
published: 2006-06-04T12:30:00-07:00
tags:
  - c:willow
  - c:hurt!tara
  - p:willow/tara
  - f:btvs
  - genre:angst
  - vampires
---
## One

Willow *smiled* at the cell. It was **hers** now.

* * *

She left.

## Two

Tara waited <em>all</em> night.
"""


def test_front_matter_fields_and_typed_tags() -> None:
    doc = read_bytes("cell.md", FIXTURE.encode())[0]
    assert doc.title == "The Cell" and doc.authors == ["someone"]
    assert doc.summary == "Willow keeps a pet."
    assert doc.notes == ["For a friend, who asked."]
    assert doc.published == "2006-06-04T12:30:00-07:00"
    tags = {(t.type, t.name, t.label) for t in doc.tags}
    assert (TagType.CHARACTER, "willow", "c") in tags
    assert (TagType.CHARACTER, "hurt!tara", "c") in tags
    assert (TagType.RELATIONSHIP, "willow/tara", "p") in tags
    assert (TagType.FANDOM, "btvs", "f") in tags
    assert (TagType.FREEFORM, "angst", "genre") in tags
    assert (TagType.FREEFORM, "vampires", None) in tags
    assert (TagType.RATING, "mature", "rating") in tags
    assert [c.title for c in doc.chapters] == ["One", "Two"]
    assert (
        "<em>smiled</em>" in doc.chapters[0].html
        and "<strong>hers</strong>" in doc.chapters[0].html
    )
    assert "* * *" in doc.chapters[0].text


def test_invalid_yaml_falls_back_to_key_value_lines() -> None:
    text = FIXTURE.replace(
        'summary: "Willow keeps a <em>pet</em>."', "summary: Willow: keeps a pet"
    )
    doc = read_bytes("cell.md", text.encode())[0]
    assert doc.summary == "Willow: keeps a pet"
    assert doc.title == "The Cell"


def test_yaml_alias_bomb_is_refused() -> None:
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n---\nText.\n"
    with pytest.raises(ReadError, match="alias"):
        read_bytes("bomb.md", bomb.encode())


def test_unclosed_front_matter_is_a_clear_error() -> None:
    with pytest.raises(ReadError, match="front matter"):
        read_bytes("open.md", b"---\ntitle: x\nno end here\n")


def _antennapedia_files(corpus: Path) -> list[Path]:
    return sorted((corpus / "antennapedia").rglob("*.md"))


def test_every_antennapedia_story_reads_with_its_front_matter(corpus: Path) -> None:
    files = _antennapedia_files(corpus)
    assert len(files) == 164
    for path in files:
        doc = read_bytes(str(path), path.read_bytes())[0]
        # An independent reading of the front matter: the plain `key: value` lines.
        match = re.match(r"---\n(.*?)\n-{2,}[ \t]*\n", path.read_text("utf-8"), re.S)
        assert match, path
        head = match.group(1)
        title_line = re.search(r"^title:\s*(.+)$", head, re.M)
        assert title_line, path
        expected_title = title_line.group(1).strip().strip("'\"")
        assert doc.title == expected_title.replace("''", "'"), path
        rating = re.search(r"^rating:\s*(\w+)", head, re.M)
        if rating:
            assert [t.name for t in doc.tags_of(TagType.RATING)] == [rating.group(1)], path
        prefixed = re.findall(r"^\s*-\s*c:(.+)$", head, re.M)
        assert {t.name for t in doc.tags_of(TagType.CHARACTER)} == {c.strip() for c in prefixed}, (
            path
        )
        assert doc.words > 50, path
        assert "tags:" not in doc.text and "idtag" not in doc.text, path


def test_antennapedia_yaml_parses_as_the_reader_says(corpus: Path) -> None:
    path = corpus / "antennapedia" / "btvs" / "bgwx_core_four_four_nights_and_a_revelation.md"
    meta = yaml.safe_load(path.read_text("utf-8").split("---")[1])
    doc = read_bytes(str(path), path.read_bytes())[0]
    assert doc.summary == meta["summary"]
    pairings = {t[2:] for t in meta["tags"] if t.startswith("p:")}
    assert {t.name for t in doc.tags_of(TagType.RELATIONSHIP)} == pairings


def test_a_pairing_field_names_the_main_pairing_whatever_the_tag_order() -> None:
    """``pairing:`` repeats one of the ``p:`` tags listed after another: that one is main."""
    text = (
        "---\ntitle: Order\nauthor: me\npairing: giles/buffy\n"
        "tags: [p:xander/anya, p:giles/buffy]\n---\nGiles and Buffy talked all night.\n"
    )
    doc = read_bytes("order.md", text.encode())[0]
    ships = [t for t in doc.tags if t.type == TagType.RELATIONSHIP]
    assert [t.name for t in ships] == ["xander/anya", "giles/buffy"]  # one tag each, as given
    main = {row[2] for row in tag_rows(doc) if row[0] == "relationship" and row[4]}
    assert main == {"giles/buffy"}


def test_without_a_pairing_field_the_first_listed_pairing_is_main() -> None:
    text = "---\ntitle: Order\nauthor: me\ntags: [p:xander/anya, p:giles/buffy]\n---\nText.\n"
    doc = read_bytes("order.md", text.encode())[0]
    main = {row[2] for row in tag_rows(doc) if row[0] == "relationship" and row[4]}
    assert main == {"xander/anya"}


def test_a_blog_posts_front_matter_in_its_own_words() -> None:
    """A static site's post names its fields its own way: "rated", "ship", "word_count",
    "complete: true"; its "category: fic" is the blog's, no fandom."""
    text = (
        "---\nlayout: post\ntitle: Night Shift\ncategory: fic\nfandoms:\n  - Harbour Tales\n"
        "ship: Mara/Tobin\nrated: PG-13\nword_count: 1,200\ncomplete: true\n---\n\n"
        "The ferry left at dawn and she watched the harbour lights go out one by one.\n"
    )
    doc = read_bytes("night.md", text.encode())[0]
    tags = {(t.type, t.name) for t in doc.tags}
    assert tags == {
        (TagType.FANDOM, "Harbour Tales"),
        (TagType.RELATIONSHIP, "Mara/Tobin"),
        (TagType.RATING, "PG-13"),
    }
    assert doc.status == Status.COMPLETE and doc.stats.words == 1200
    unfinished = read_bytes("n.md", text.replace("complete: true", "wip: true").encode())[0]
    assert unfinished.status == Status.IN_PROGRESS
