"""Archive story pages: eFiction story index pages and other archives' info pages (metadata
only: the story is behind a link), and LiveJournal/Dreamwidth header blocks (typed fields)."""

from __future__ import annotations

import time

from ficsift.model import TagType
from ficsift.read import read_bytes
from tests.read.page_parts import labelled_header
from tests.read.reader_contract import Case, ReaderContract, wild_case

PARA = "The ferry left at dawn and she watched the harbour lights go out one by one behind her. "


def efiction_index() -> bytes:
    chapters = "".join(
        f'<p><b>{n}. <a href="viewstory.php?sid=77&amp;chapter={n}">Chapter {n}: Harbour</a></b> by '
        f"<a href='viewuser.php?uid=5'>Quill Wright</a> ({n},000 words)</p>"
        for n in range(1, 6)
    )
    return (
        "<html><head><title>Ferry Lights by Quill Wright</title>"
        '<link rel="alternate" type="application/rss+xml" title="Sea Shanty FanFiction Archive RSS Feed" href="rss.php">'
        '</head><body><div id="header"><div id="sitename">Sea Shanty FanFiction Archive</div></div>'
        '<div id="menu"><ul><li><a href="index.php">Home</a></li><li><a href="search.php">Search</a></li></ul></div>'
        '<div id="pagetitle"><a href="viewstory.php?sid=77">Ferry Lights</a> by '
        '<a href="viewuser.php?uid=5">Quill Wright</a></div>'
        '<div class="block"><div class="content"><span class="label">Summary: </span><p>A ferry, a harbour and '
        'a long goodbye.</p><br /><span class="label">Rated:</span> PG-13 - Teens<br />'
        "<span class=\"label\">Categories:</span> <a href='browse.php?catid=1'>Angst</a><br />"
        '<span class="label">Characters: </span> <a>Mara</a>, <a>Tobin</a><br />'
        "<span class='label'>Pairings: </span> <a>Mara/Tobin</a><br />"
        '<span class="label">Chapters: </span> 5 <span class="label">Completed:</span> Yes <br />'
        '<span class="label">Word count:</span> 15,000 <span class="label">Read:</span> 2,000<br />'
        '<span class="label"> Published: </span>March 29, 2009 <span class="label">Updated:</span> March 04, 2012'
        f'</div></div><div class="block"><div class="title">Story Chapters</div><div class="content">{chapters}'
        "</div></div></body></html>"
    ).encode()


def lj_post() -> bytes:
    return (
        "<html><head><title>fic: Night Shift - someuser</title></head><body>"
        "<div class='entry-content'><b>Title:</b> Night Shift<br><b>Author:</b> someuser<br>"
        "<b>Fandom:</b> The Sentinel<br><b>Pairing:</b> Jim/Blair<br><b>Rating:</b> PG-13<br>"
        "<b>Word count:</b> 1,200<br><b>Summary:</b> Jim works late.<br>"
        "<b>Notes:</b> For the prompt 'rain'.<br><br>"
        + f"<p>{PARA * 4}</p>" * 8
        + "</div><div class='comments'><p>Lovely!</p></div></body></html>"
    ).encode()


class TestStoryInfoContract(ReaderContract):
    cases = (
        Case(
            "generated efiction index.html",
            efiction_index,
            {
                "title": "Ferry Lights",
                "authors": ["Quill Wright"],
                "fandoms": ["Sea Shanty"],
                "characters": ["Mara", "Tobin"],
                "relationships": ["Mara/Tobin"],
                "freeforms": ["Angst"],
                "rating": "PG-13",
                "status": "complete",
                "chapters": 0,
                "max_story_words": 50,
                "published": "2009-03-29",
                "updated": "2012-03-04",
                "summary_prefix": "A ferry, a harbour",
                "stats": {"words": 15000, "chapters_posted": 5},
            },
            reader="html",
        ),
        Case(
            "generated lj post.html",
            lj_post,
            {
                "title": "Night Shift",
                "authors": ["someuser"],
                "fandoms": ["The Sentinel"],
                "relationships": ["Jim/Blair"],
                "rating": "PG-13",
                "summary_prefix": "Jim works late.",
                "notes": ["For the prompt 'rain'."],
                "chapters": 1,
                "words": 8 * 4 * 18,
                "stats": {"words": 1200},
                "text_excludes": ["Title:", "Rating:", "Lovely!"],
            },
        ),
        Case(
            "generated not-found page.html",
            lambda: (
                b"<html><head><title>Not Found</title></head><body><nav>Home</nav>"
                b"<p>Sorry, we could not find that.</p></body></html>"
            ),
            no_story=True,
        ),
        Case(
            "generated efiction error.html",
            lambda: (
                b"<html><head><title>Sea Shanty Archive</title></head><body><div id='menu'>Home</div>"
                b"<div class='errortext'>That story does not exist on this archive.</div></body></html>"
            ),
            no_story=True,
        ),
        Case(
            "generated bot check.html",
            lambda: (
                b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
                b"<h1>Checking your browser before accessing archive.example.</h1>"
                b"<p>This process is automatic. Your browser will redirect shortly.</p>"
                b"<p>DDoS protection by Cloudflare</p></body></html>"
            ),
            no_story=True,
        ),
        Case(
            "generated rate limit.html",
            lambda: b"<html><head></head><body>Retry later\n</body></html>",
            no_story=True,
        ),
        wild_case("aerialabhorsen-ff_scrape/fanficauthors/good_story.html", "html"),
        wild_case("aerialabhorsen-ff_scrape/animationsource/good_story.html", "html"),
        wild_case("aerialabhorsen-ff_scrape/hpfanficarchive/good_story.html", "html"),
    )


def test_story_page_with_an_info_block_keeps_its_text() -> None:
    """A story page that states its fields and holds the story is no index page."""
    page = lj_post().replace(b"<b>Word count:</b> 1,200<br>", b"<b>Word count:</b> 580<br>")
    doc = read_bytes("post.html", page)[0]
    assert doc.words > 500 and doc.tags_of(TagType.RATING)[0].name == "PG-13"


def test_efiction_chapter_page_title_without_byline() -> None:
    """An eFiction chapter page holds the story: its "#pagetitle" gives title and author,
    and " by Author" stays out of the title."""
    page = (
        "<html><head><title>Ferry Lights by Quill Wright</title></head><body><div id='pagetitle'>"
        "<a href='viewstory.php?sid=77'>Ferry Lights</a> by <a href='viewuser.php?uid=5'>Quill Wright</a></div>"
        "<div id='story'>" + f"<p>{PARA * 8}</p>" * 12 + "</div></body></html>"
    ).encode()
    doc = read_bytes("chapter.html", page)[0]
    assert (doc.title, doc.authors) == ("Ferry Lights", ["Quill Wright"])
    assert doc.words == 12 * 8 * 18


def test_a_drabble_is_no_error_page() -> None:
    """Short is not missing: a hundred-word story without an error notice is read."""
    page = (
        b"<html><head><title>Tiny</title></head><body><p>"
        + b"She smiled at the sea. " * 20
        + b"</p></body></html>"
    )
    assert read_bytes("tiny.html", page)[0].words == 100


def test_header_block_above_a_long_story_is_read_quickly() -> None:
    """Only the page's leading markup is searched for an information block: a 3 MB story
    page still gives its header's fields (time bound generous: ~0.15 s here)."""
    chapter = f"<p>{PARA * 5}</p>" * 60
    page = (
        "<html><head><title>Long</title></head><body><nav>Home</nav><div class='hdr'>"
        "<p>Title: Long Haul</p><p>Rating: PG</p><p>Fandom: Harbour Tales</p></div><div>"
        + "".join(f"<h2>Chapter {n}</h2>{chapter}" for n in range(1, 120))
        + "</div></body></html>"
    ).encode()
    started = time.perf_counter()
    doc = read_bytes("long.html", page)[0]
    assert time.perf_counter() - started < 10
    assert len(doc.chapters) == 119 and doc.title == "Long Haul"
    assert [t.name for t in doc.tags_of(TagType.FANDOM)] == ["Harbour Tales"]


def test_a_drabble_that_says_just_a_moment_is_a_story() -> None:
    """Only a page *titled* "Just a moment" is a bot check: a drabble may say it."""
    page = (
        b'<html><head><title>Wait</title></head><body><p>"Just a moment..." Giles said, and '
        b"polished his glasses while the Slayer waited by the door of the shop.</p></body></html>"
    )
    doc = read_bytes("wait.html", page)[0]
    assert doc.title == "Wait" and doc.words > 15


def test_an_efiction_chapter_page_of_a_longer_work_keeps_its_chapter() -> None:
    """Chapter 1 of a work of 15,000 words: the page states the work's words and holds one
    chapter's, in an element of its own, so it is no index page.  Its ``chaptertitle``
    names the chapter; "Series: None" is no series, "Warnings: None" a warning that says so
    (canonically AO3's "No Archive Warnings Apply")."""
    raw = (
        efiction_index()
        .replace(
            b'<div class="block"><div class="title">Story Chapters</div>',
            b'<div id="story"><div class="chaptertitle">Harbour</div>'
            + f"<p>{PARA * 3}</p>".encode() * 4
            + b'</div><div class="block"><div class="title">Story Chapters</div>',
        )
        .replace(
            b'<span class="label">Chapters: </span>',
            b"<span class='label'>Warnings:</span> None<br /><span class='label'>Series:</span> "
            b'None<br /><span class="label">Chapters: </span>',
        )
    )
    doc = read_bytes("viewstory.php", raw)[0]
    assert [c.title for c in doc.chapters] == ["Harbour"]
    assert doc.chapters[0].text.count("ferry") == 12
    assert [t.name for t in doc.tags_of(TagType.WARNING)] == ["None"] and not doc.series
    assert doc.stats.words == 15000


def test_part_one_of_a_post_series_keeps_its_part_and_its_own_header_fields() -> None:
    """Part 1 of 4 of a Dreamwidth fic: its header states the whole fic's words (far more
    than the part holds) and has fields of its own ("Recipient:", "Part:") beside those fics
    share.  The part is kept, the header typed and out of the text, its own fields kept."""
    header = labelled_header(
        [
            ("Title", "Lanterns"),
            ("Recipient", "moth"),
            ("Fandom", "The Magnus Archives"),
            ("Pairing", "Jon/Martin"),
            ("Rating", "Teen"),
            ("Word Count", "3,400"),
            ("Part", "1 of 4"),
            ("Notes", "For the exchange."),
        ]
    )
    raw = (
        "<html><head><title>Fic: Lanterns, part 1/4</title></head><body>"
        "<div class='entry'><div class='entry-content'>"
        + header
        + "<br>"
        + f"{PARA * 3}<br><br>" * 6
        + "</div></div><div class='footer'>Dreamwidth Studios</div></body></html>"
    ).encode()
    doc = read_bytes("post.html", raw)[0]
    assert len(doc.chapters) == 1 and doc.chapters[0].text.startswith("The ferry left")
    assert doc.title == "Lanterns" and doc.notes == ["For the exchange."]
    assert doc.extra["fields"] == {"recipient": "moth", "part": "1 of 4"}
    assert [t.name for t in doc.tags_of(TagType.RELATIONSHIP)] == ["Jon/Martin"]


def test_a_word_count_and_status_the_line_states_without_labels() -> None:
    """ "… - Updated: 2012-10-14 - 4,120 words - Complete": the last labelled field ends
    where the unlabelled word count and status begin; a summary keeps its dashes."""
    line = (
        "Category: Harbour Tales - Rating: PG-13 - Chapters: 3 - Published: 2012-09-02 - "
        "Updated: 2012-10-14 - 4,120 words - Complete"
    )
    body = f"<p class='meta'>{line}</p><p>Summary: Ferries - and a goodbye - Complete</p>"
    body += "<div class='story'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    html = f"<html><head><title>Ferry Lights</title></head><body>{body}</body></html>"
    doc = read_bytes("p.html", html.encode())[0]
    assert doc.stats.words == 4120 and doc.status.value == "complete"
    assert doc.updated == "2012-10-14"
    assert doc.summary == "Ferries - and a goodbye - Complete"


def test_a_header_of_definitions_whose_values_are_lists() -> None:
    """A work header as AO3 sets it, without its classes (as a capture that strips them keeps
    it): labels in links ("<a>Archive Warning</a>:"), each value a list of tags."""

    def field(label: str, *values: str) -> str:
        items = "".join(f"\n  <li><a href='/tags/{v}'>{v}</a></li>" for v in values)
        return f"<dt>\n  {label}\n</dt>\n<dd>\n<ul>{items}\n</ul>\n</dd>\n"

    header = "<dl>" + field("<a href='/faq'>Archive Warning</a>:", "No Archive Warnings Apply")
    header += field("Fandom:", "Harbour Tales") + field("Relationship:", "Mara/Tobin")
    header += field("Characters:", "Mara", "Tobin", "The Ferryman") + field("Rating:", "Mature")
    header += "</dl>"
    body = header + "<div>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    doc = read_bytes("p.html", f"<html><body>{body}</body></html>".encode())[0]
    tags = {(t.type, t.name) for t in doc.tags}
    assert {
        (TagType.WARNING, "No Archive Warnings Apply"),
        (TagType.FANDOM, "Harbour Tales"),
    } <= tags
    assert {(TagType.CHARACTER, n) for n in ("Mara", "Tobin", "The Ferryman")} <= tags
    assert {(TagType.RELATIONSHIP, "Mara/Tobin"), (TagType.RATING, "Mature")} <= tags
