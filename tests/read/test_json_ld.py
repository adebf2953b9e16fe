"""A page's schema.org description of its work (``application/ld+json``): a work's page
that holds none of its story becomes a metadata-only work; a page with the story takes only
the author from it.  Our own pages, shaped as Wattpad's and Royal Road's are."""

from __future__ import annotations

import json

import pytest

from ficsift.read import read_bytes
from ficsift.read.base import ReadError

PARA = "Willow walked the long way home through the cemetery, counting the stones as she went. "


def page(description: object, body: str, title: str = "Lanterns - Wren Hollis - Site") -> bytes:
    script = json.dumps(description) if not isinstance(description, str) else description
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>"
        f'<script type="application/ld+json">{script}</script></head><body>{body}</body></html>'
    ).encode()


STORY_PAGE = {
    "@context": "http://schema.org",
    "@type": "Article",
    "headline": "Lanterns",
    "author": {"name": "Wren Hollis", "url": "https://example.org/user/wren"},
    "datePublished": "2024-04-27",
    "dateModified": "2024-05-02T10:00:00+00:00",
    "description": "A lamplighter and a thief share one long winter night.",
    "keywords": "lamplighter,winter,slowburn,eBooks,reading,stories,fiction",
    "url": "https://example.org/story/123-lanterns",
    "interactionStatistic": 2**70,
}
CHROME = "<h1>Lanterns</h1><div><a href='/tags/winter'>winter</a> <a href='/p/1'>Part one</a></div>"


def test_a_work_page_without_its_story_is_read_as_metadata_only() -> None:
    doc = read_bytes("lanterns.html", page(STORY_PAGE, CHROME))[0]
    assert doc.title == "Lanterns" and doc.authors == ["Wren Hollis"]
    assert doc.summary == STORY_PAGE["description"]
    assert doc.published == "2024-04-27" and (doc.updated or "").startswith("2024-05-02T10:00")
    assert not doc.chapters and not doc.has_text
    assert [t.name for t in doc.tags] == ["lamplighter", "winter", "slowburn"]
    assert doc.extra["urls"] == ["https://example.org/story/123-lanterns"]


def test_a_page_with_the_story_keeps_it_and_takes_the_author() -> None:
    body = "<h1>Part one</h1><div class='story'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    doc = read_bytes("part.html", page(STORY_PAGE, body))[0]
    assert doc.words > 150 and "cemetery" in doc.text
    assert doc.authors == ["Wren Hollis"]


def test_a_graph_of_descriptions_is_searched_for_the_work() -> None:
    graph = {"@graph": [{"@type": "WebSite", "name": "Site"}, {**STORY_PAGE, "@type": ["Book"]}]}
    doc = read_bytes("lanterns.html", page(graph, CHROME))[0]
    assert doc.title == "Lanterns" and not doc.has_text


@pytest.mark.parametrize(
    "script",
    [
        "{not json",
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"@type": "WebSite", "name": "Site"}),
        json.dumps({"@type": [{"@type": "Book"}, ["Book"]], "name": "Site"}),
    ],
)
def test_a_broken_or_foreign_description_is_none(script: str) -> None:
    # With no description of a work, the page is what its HTML holds: here, no story.
    with pytest.raises(ReadError):
        read_bytes("lanterns.html", page(script, "<p></p>"))


def test_fields_that_are_not_strings_are_not_read() -> None:
    odd = {"@type": "Book", "name": 12, "author": [None, 3, {"name": ["x"]}], "keywords": [2**70]}
    doc = read_bytes("lanterns.html", page(odd, CHROME, title="Lanterns"))[0]
    assert doc.title == "Lanterns" and not doc.authors and not doc.tags and not doc.has_text


def test_a_book_page_with_no_prose_container_is_metadata_only() -> None:
    """Royal Road's fiction page: a Book description (its summary written as HTML, its genres
    as links to the site's search) and a page of chrome, chapter lists and reviews with no
    element holding its prose."""
    book = {
        "@type": "Book",
        "name": "Lanterns",
        "author": {"@type": "Person", "name": "Wren Hollis"},
        "description": "<p>A lamplighter and a thief.</p><p><strong>One winter.</strong></p>",
        "genre": ["https://example.org/fictions?genre=fantasy", "Slow Burn"],
    }
    chrome = "".join(
        f"<div><span>Chapter {n}</span> <span>{n} days ago</span> <span>Likes {n}</span></div>"
        for n in range(60)
    )
    doc = read_bytes("fiction.html", page(book, chrome))[0]
    assert doc.title == "Lanterns" and doc.authors == ["Wren Hollis"] and not doc.has_text
    assert doc.summary == "A lamplighter and a thief.\n\nOne winter."
    assert [t.name for t in doc.tags] == ["Slow Burn"]
