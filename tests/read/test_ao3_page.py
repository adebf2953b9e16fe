"""AO3 work pages saved from the browser: whole works, one chapter, logged in and out, and the
AO3 pages that hold no work (a deleted work's 404, the log-in page a locked work shows)."""

from __future__ import annotations

import pytest

from ficsift.model import Status, TagType
from ficsift.read import ReadError, read_bytes
from tests.read.reader_contract import Case, ReaderContract, wild_case

PARA = "The lighthouse keeper counted the ships again, because counting kept the dark away. "


def tags(kind: str, names: list[str]) -> str:
    links = "".join(f'<li><a class="tag" href="/tags/{n}/works">{n}</a></li>' for n in names)
    return f'<dt class="{kind} tags">{kind}:</dt><dd class="{kind} tags"><ul class="commas">{links}</ul></dd>'


def work_page(chapters: int = 3, total: str = "?", summary: bool = True) -> bytes:
    """An AO3 work page as the site serves it: chrome around the meta, preface and chapters."""
    meta = (
        '<dl class="work meta group">'
        + tags("rating", ["Mature"])
        + tags("warning", ["No Archive Warnings Apply"])
        + tags("category", ["F/M", "Gen"])
        + tags("fandom", ["Lighthouse Tales", "Sea Stories"])
        + tags("relationship", ["Keeper/Sailor"])
        + tags("character", ["Keeper", "Sailor"])
        + tags("freeform", ["Slow Burn", "Storms"])
        + '<dt class="language">Language:</dt><dd class="language" lang="en">English</dd>'
        + '<dt class="series">Series:</dt><dd class="series"><span class="series"><span class="position">'
        'Part 2 of <a href="/series/77">Keeper Stories</a></span><a class="previous" href="/works/1">'
        "&#8592; Previous Work</a></span></dd>"
        + '<dt class="stats">Stats:</dt><dd class="stats"><dl class="stats">'
        '<dt class="published">Published:</dt><dd class="published">2020-01-02</dd>'
        '<dt class="status">Updated:</dt><dd class="status">2020-03-04</dd>'
        '<dt class="words">Words:</dt><dd class="words">1,234</dd>'
        f'<dt class="chapters">Chapters:</dt><dd class="chapters">{chapters}/{total}</dd>'
        '<dt class="comments">Comments:</dt><dd class="comments">12</dd>'
        '<dt class="kudos">Kudos:</dt><dd class="kudos">345</dd>'
        '<dt class="bookmarks">Bookmarks:</dt><dd class="bookmarks"><a href="#">6</a></dd>'
        '<dt class="hits">Hits:</dt><dd class="hits">7,890</dd></dl></dd></dl>'
    )
    preface = (
        '<div class="preface group"><h2 class="title heading">The Keeper</h2>'
        '<h3 class="byline heading"><a rel="author" href="/users/tidewriter">tidewriter</a></h3>'
        + (
            '<div class="summary module"><h3 class="heading">Summary:</h3>'
            '<blockquote class="userstuff"><p>A keeper and a sailor.</p></blockquote></div>'
            if summary
            else ""
        )
        + '<div class="notes module"><h3 class="heading">Notes:</h3>'
        '<blockquote class="userstuff"><p>For the storm prompt.</p></blockquote></div></div>'
    )
    body = "".join(
        f'<div class="chapter" id="chapter-{n}"><div class="chapter preface group">'
        f'<h3 class="title"><a href="/works/9/chapters/{n}">Chapter {n}</a>: Night {n}</h3>'
        f'<div id="notes" class="notes module"><blockquote class="userstuff"><p>Note {n}.</p></blockquote></div></div>'
        f'<div class="userstuff module" role="article"><h3 class="landmark heading">Chapter Text</h3>'
        + f"<p>{PARA * 4}</p>"
        * 5
        + f'</div><div class="chapter preface group"><div class="end notes module" id="chapter_{n}_endnotes">'
        f'<blockquote class="userstuff"><p>End {n}.</p></blockquote></div></div></div>'
        for n in range(1, chapters + 1)
    )
    page = (
        "<!DOCTYPE html><html><head><title>The Keeper - tidewriter [Archive of Our Own]</title></head>"
        '<body><div id="header" class="region"><h1 class="heading">Archive of Our Own beta</h1>'
        '<ul class="primary navigation"><li>Fandoms</li><li>Browse</li></ul></div>'
        f'<div id="main" class="works-show region"><div class="wrapper">{meta}</div>'
        f'<div id="workskin">{preface}<div id="chapters">{body}</div>'
        '<div class="afterword preface group"><div id="work_endnotes" class="end notes module">'
        '<blockquote class="userstuff"><p>Thanks for reading.</p></blockquote></div></div></div>'
        '<div id="kudos"><p>tidefan, gullwing, and 343 more users left kudos on this work!</p></div>'
        '<div id="feedback"><h3>Comments</h3><p>'
        + "Loved it so much, please write more! "
        * 30
        + "</p></div></div>"
        '<div id="footer" class="region"><p>Organization for Transformative Works</p></div></body></html>'
    )
    return page.encode()


def no_work_page(main_class: str, text: str) -> bytes:
    return (
        '<html><head><title>Archive of Our Own</title></head><body><div id="header">Archive of Our Own</div>'
        f'<div id="main" class="{main_class} region"><h2>{text}</h2><p>{PARA}</p></div></body></html>'
    ).encode()


class TestAo3PageContract(ReaderContract):
    cases = (
        Case(
            "generated multi-chapter work page",
            lambda: work_page(),
            {
                "title": "The Keeper",
                "authors": ["tidewriter"],
                "fandoms": ["Lighthouse Tales", "Sea Stories"],
                "relationships": ["Keeper/Sailor"],
                "characters": ["Keeper", "Sailor"],
                "freeforms": ["Slow Burn", "Storms"],
                "warnings": ["No Archive Warnings Apply"],
                "category": ["F/M", "Gen"],
                "rating": "Mature",
                "language": "English",
                "status": "in-progress",
                "chapters": 3,
                "words": 3 * 5 * 4 * 13,
                "chapter_titles": [
                    "Chapter 1: Night 1",
                    "Chapter 2: Night 2",
                    "Chapter 3: Night 3",
                ],
                "published": "2020-01-02",
                "updated": "2020-03-04",
                "series": "Keeper Stories",
                "summary_prefix": "A keeper and a sailor.",
                "notes": ["For the storm prompt."],
                "end_notes": ["Thanks for reading."],
                "stats": {
                    "kudos": 345,
                    "hits": 7890,
                    "bookmarks": 6,
                    "comments": 12,
                    "words": 1234,
                },
                "text_excludes": [
                    "kudos",
                    "Loved it",
                    "Organization for Transformative",
                    "Chapter Text",
                ],
            },
            reader="ao3-page",
        ),
        Case(
            "generated AO3 404.html",
            lambda: no_work_page("system errors error-404", "Error 404"),
            no_story=True,
            error_words="does not exist",
        ),
        Case(
            "generated log-in page.html",
            lambda: no_work_page("sessions-new system session", "Log in"),
            no_story=True,
        ),
        wild_case("fujowebdev-ao3js/works_17793689_index.html", "ao3-page"),
        wild_case("fujowebdev-ao3js/works_29046888_index.html", "ao3-page"),
        wild_case("fujowebdev-ao3js/works_323217_index.html", "ao3-page"),
        wild_case("fujowebdev-ao3js/works_4491333_index.html", "ao3-page"),
        wild_case("fujowebdev-ao3js/works_48582418_chapters_122861680.html", "ao3-page"),
        wild_case("fujowebdev-ao3js/works_923647_index.html", "ao3-page"),
        wild_case("nianeyna-ao3downloader/explicitWorkLoggedIn.html", "ao3-page"),
        wild_case("nianeyna-ao3downloader/markedForLater.html", "ao3-page"),
        wild_case("aerialabhorsen-ff_scrape/archiveofourown/good_story.html", "ao3-page"),
        wild_case("nianeyna-ao3downloader/deletedWork.html"),
        wild_case("nianeyna-ao3downloader/lockedWorkLoggedOut.html"),
    )


def test_chapter_notes_and_end_notes_stay_with_their_chapter() -> None:
    doc = read_bytes("keeper.html", work_page(chapters=2, total="2"))[0]
    assert [c.notes for c in doc.chapters] == [["Note 1."], ["Note 2."]]
    assert [c.end_notes for c in doc.chapters] == [["End 1."], ["End 2."]]
    assert doc.status == Status.COMPLETE
    assert [s.part for s in doc.series] == [2]


def test_later_chapter_page_takes_its_chapter_summary() -> None:
    page = work_page(chapters=1, total="4", summary=False).replace(
        b'<div id="notes" class="notes module">',
        b'<div class="summary module"><blockquote class="userstuff"><p>Only this chapter.</p></blockquote></div>'
        b'<div id="notes" class="notes module">',
    )
    doc = read_bytes("one-chapter.html", page)[0]
    assert doc.summary == "Only this chapter." and doc.status == Status.IN_PROGRESS
    assert doc.tags_of(TagType.RATING)[0].name == "Mature"


def test_page_without_the_workskin_wrapper() -> None:
    """Saved with the creator's style off, a page may lack div#workskin: same fields."""
    doc = read_bytes(
        "noskin.html", work_page().replace(b'<div id="workskin">', b'<div id="noskin">')
    )[0]
    assert (doc.title, doc.authors, doc.summary) == (
        "The Keeper",
        ["tidewriter"],
        "A keeper and a sailor.",
    )
    assert len(doc.chapters) == 3 and doc.end_notes == ["Thanks for reading."]


def test_several_series() -> None:
    second = (
        b'<span class="series"><span class="position">Part 5 of <a href="/series/78">Storm Cycle</a>'
        b"</span></span></dd>"
    )
    page = work_page().replace(b"</span></dd>", b"</span>" + second, 1)
    doc = read_bytes("series.html", page)[0]
    assert [(s.name, s.part) for s in doc.series] == [("Keeper Stories", 2), ("Storm Cycle", 5)]


def test_hidden_work_redirect_names_the_flash_message() -> None:
    page = no_work_page("splash region", "Welcome").replace(
        b'<div id="main"',
        b'<div class="flash error">Sorry, you don&#39;t have permission to access the page.</div><div id="main"',
    )
    with pytest.raises(
        ReadError, match=r"no work on this page: AO3 says .Sorry, you don't have permission"
    ):
        read_bytes("hidden.html", page)


def test_stats_run_together_warn_of_nothing() -> None:
    """AO3 serves the stats with no space between label and value ("Published:2020-01-02
    Updated:…"): each is read from its own dt/dd, and nothing is reported dropped."""
    doc = read_bytes("keeper.html", work_page())[0]
    assert (doc.published, doc.updated, doc.stats.words, doc.stats.hits) == (
        "2020-01-02",
        "2020-03-04",
        1234,
        7890,
    )
    assert "warnings" not in doc.extra and "fields" not in doc.extra


def test_series_as_pages_since_2021_word_it() -> None:
    """ "Part 3 of the <a>Name</a> series": the part is read with or without "the"."""
    page = work_page().replace(
        b'Part 2 of <a href="/series/77">Keeper Stories</a></span>',
        b'Part 3 of the <a href="/series/77">Keeper Stories</a> series</span>',
    )
    doc = read_bytes("series.html", page)[0]
    assert [(s.name, s.part) for s in doc.series] == [("Keeper Stories", 3)]
