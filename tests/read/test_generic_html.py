"""Generic HTML story pages, and hostile HTML that must come out harmless."""

from __future__ import annotations

import pytest

from ficsift.read import read_bytes
from ficsift.read.html import sanitize_html
from tests.read.page_parts import labelled_header

PARA = "Willow walked the long way home through the cemetery, counting the stones as she went. "


def page(body: str, title: str = "The Long Way") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title><meta name='author' content='wr1ter'>"
        f"<script>alert('head')</script></head><body><nav>Home | Stories | Links</nav>"
        f"{body}<div id='comments'><p>Great story!! update soon</p></div></body></html>"
    ).encode()


def test_story_container_and_heading_chapters() -> None:
    body = (
        "<div class='story'>"
        + "".join(
            f"<h2>Chapter {n}</h2>" + "".join(f"<p>{PARA * 2}</p>" for _ in range(5))
            for n in (1, 2, 3)
        )
        + "</div><div class='sidebar'><p>Other stories by this author</p></div>"
    )
    doc = read_bytes("story.html", page(body))[0]
    assert [c.title for c in doc.chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert doc.title == "The Long Way" and doc.authors == ["wr1ter"]
    assert "Home | Stories" not in doc.text and "update soon" not in doc.text
    assert "Other stories" not in doc.text


def test_br_separated_paragraphs_of_old_archive_pages() -> None:
    body = (
        "<font size=2>Title: Cemetery<br>Rating: PG<br><br>"
        + "<br><br>".join([PARA] * 6)
        + "</font>"
    )
    doc = read_bytes("old.htm", page(body))[0]
    assert len(doc.text.split("\n\n")) == 6
    assert doc.title == "Cemetery"
    assert [t.name for t in doc.tags] == ["PG"]


def test_hostile_html_is_sanitised() -> None:
    body = (
        '<p onclick="steal()">' + PARA + '<a href="javascript:alert(1)">click</a></p>'
        "<script>document.cookie</script><iframe src='http://evil.example/'></iframe>"
        "<p style='text-align:center; background:url(javascript:x)'><em>centred</em></p>"
        "<img src=x onerror=alert(1)><svg onload=alert(1)></svg><hr><p>" + PARA + "</p>"
    )
    doc = read_bytes("evil.html", page(body))[0]
    html = "".join(c.html for c in doc.chapters)
    for bad in (
        "<script",
        "onclick",
        "javascript:",
        "<iframe",
        "onerror",
        "onload",
        "<svg",
        "background",
    ):
        assert bad not in html.lower(), bad
    assert "<em>centred</em>" in html and "text-align:center" in html.replace(" ", "")
    assert "document.cookie" not in doc.text


def test_sanitize_keeps_story_formatting() -> None:
    html = sanitize_html(
        "<p align='center'><b>Bold</b> <i>it</i> <strong>s</strong> <em>e</em></p><hr/>"
        "<ul><li>one</li></ul><blockquote>q</blockquote><p style='text-align: right'>r</p>"
    )
    for keep in (
        'align="center"',
        "<b>Bold</b>",
        "<i>it</i>",
        "<hr>",
        "<li>one</li>",
        "<blockquote>",
        "text-align",
    ):
        assert keep in html, keep


def test_text_the_page_hides_is_no_story_text() -> None:
    """A site's hidden anti-copying line (under a class its own <style> hides, named afresh
    per request), an inline ``display:none`` and the ``hidden`` attribute are not the story;
    a class hidden only when printing, or by a selector of more than one class, still is."""
    head_style = (
        "<style>/* .story {display:none} */ .qZx81k, b.other { display : none; speak: never }"
        "@media print { .noprint { display: none } } .story .deep { display: none }</style>"
    )
    body = (
        "<div class='story'>"
        + "".join(f"<p>{PARA * 2}</p>" for _ in range(4))
        + "<span class='qZx81k'>This tale has been taken without the author's leave.</span>"
        + "<p style='color: red; display:none'>A paragraph styled away.</p>"
        + "<p hidden>An attribute away.<span class='qZx81k'>nested</span></p>"
        + "<p class='noprint'>Printed pages skip this, screens show it.</p>"
        + "<p class='deep'>A descendant selector is not read, so this stays.</p>"
        + "</div>"
    )
    html = page(body).replace(b"</head>", head_style.encode() + b"</head>")
    text = read_bytes("story.html", html)[0].text
    assert "without the author's leave" not in text and "nested" not in text
    assert "styled away" not in text and "attribute away" not in text
    assert "screens show it" in text and "this stays" in text
    assert text.count("cemetery") == 8


def test_a_chapter_page_is_titled_with_the_work_its_page_title_names() -> None:
    """ "Prologue - The Long Way - Some Site": the page's heading is the chapter, the part
    after it the work.  A <title> whose first part is no heading of the page says nothing."""
    body = "<header><h1>Prologue</h1></header><div class='story'>" + f"<p>{PARA * 3}</p>" * 4
    doc = read_bytes("p.html", page(body + "</div>", title="Prologue - The Long Way - Site"))[0]
    assert doc.title == "The Long Way"
    assert [c.title for c in doc.chapters] == ["Prologue"]
    other = read_bytes("p.html", page(body + "</div>", title="Home - The Long Way - Site"))[0]
    assert other.title == "Prologue"


def test_the_header_byline_after_the_work_title_names_the_author() -> None:
    """A chapter page's header: the work's title, "by", the author, each an element of its
    own; the story's own "<title> by …" line is no byline."""
    header = (
        "<div class='fic-header'><a href='/f/1'><h2>Dawn</h2></a><span> by </span>"
        "<h3><a href='/u/7'>Quill Marsh</a></h3><h1>One : Embers</h1></div>"
    )
    story = "<div class='chapter'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    no_meta = b"<meta name='author' content='wr1ter'>"
    raw = page(header + story, title="One : Embers - Dawn | Site").replace(no_meta, b"")
    doc = read_bytes("c.html", raw)[0]
    assert doc.title == "Dawn" and doc.authors == ["Quill Marsh"]
    no_header = "<h1>Dawn</h1><div class='chapter'>" + f"<p>{PARA * 3}</p>" * 4
    in_story = no_header + "<p>Dawn by the river was cold.</p></div>"
    assert read_bytes("c.html", page(in_story, title="Dawn").replace(no_meta, b""))[0].authors == []


def test_the_site_first_title_and_a_table_of_fields() -> None:
    """ "Site : Work : Chapter" names the work when the chapter is the page's heading; fields
    set out as table rows are read as labelled lines; the element the page calls its
    summary is the summary."""
    info = (
        "<h2>Stones</h2><div class='storysummary'><p>Willow finds a book.</p></div>"
        "<table class='details'><tr><th>Rating</th><td>FR15</td></tr>"
        "<tr><th>Words</th><td>9,000</td></tr><tr><th>Complete</th><td>No</td></tr>"
        "<tr><th>Author</th><td><a href='/a/1'>Quill Marsh</a></td></tr></table>"
    )
    story = "<div class='storybody'><h3>Chapter One</h3>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    raw = page(info + story, title="Site : Stones : Chapter One")
    doc = read_bytes("tth.html", raw.replace(b"<meta name='author' content='wr1ter'>", b""))[0]
    assert doc.title == "Stones" and doc.authors == ["Quill Marsh"]
    assert [c.title for c in doc.chapters] == ["Chapter One"]
    assert [t.name for t in doc.tags] == ["FR15"] and doc.stats.words == 9000
    assert doc.summary == "Willow finds a book." and doc.status.value == "in-progress"
    assert doc.text.count("cemetery") == 12


def test_a_marked_chapter_title_outside_the_story_names_the_chapter() -> None:
    """A chapter title set as a ``div class="chapter-title"`` (no heading tag), and the
    <title> "<chapter> - <work> - <site>": the work is titled, the chapter named."""
    body = (
        "<div class='chapter-title'>Chapter 01 : Walls</div>"
        "<div class='byline'><a href='/s/1'>The Silence</a> by <a href='/u/2'>Imad</a></div>"
        "<div class='chp_raw'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    )
    raw = page(body, title="Chapter 01 : Walls - The Silence - Site")
    doc = read_bytes("c.html", raw.replace(b"<meta name='author' content='wr1ter'>", b""))[0]
    assert doc.title == "The Silence" and doc.authors == ["Imad"]
    assert [c.title for c in doc.chapters] == ["Chapter 01 : Walls"]


def test_a_post_of_br_separated_lines_is_its_own_container() -> None:
    """A LiveJournal post: the site's strip and the entry's date around a post whose header
    and story are lines between ``<br>``s.  The post is the story's container, so its header
    is typed (and left out of the text) and the chrome is no story."""
    header = labelled_header(
        [
            ("Title", "Salt"),
            ("Pairing", "Willow/Tara"),
            ("Rating", "PG-13"),
            ("Disclaimer", "Not mine."),
            ("Notes", "For the ficathon."),
        ]
    )
    post = (
        "<div class='strip'>Log in | Create a journal | Explore</div>"
        "<div class='entry'><h3>fic: Salt</h3><div class='date'>Mar. 14th, 2004</div>"
        f"<div class='entry-content'>{header}<br>" + f"{PARA * 2}<br><br>" * 6 + "</div></div>"
    )
    doc = read_bytes("lj.html", page(post, title="fic: Salt - journal"))[0]
    assert doc.title == "Salt" and doc.disclaimer == "Not mine."
    assert doc.notes == ["For the ficathon."]
    assert [(t.type.value, t.name) for t in doc.tags] == [
        ("relationship", "Willow/Tara"),
        ("rating", "PG-13"),
    ]
    assert doc.chapters[0].text.startswith("Willow walked") and "Log in" not in doc.text


def test_headings_inside_one_chapters_page_open_its_scenes() -> None:
    """A page whose <title> names it one chapter of a work: dated headings inside it open
    scenes, so it stays one chapter (its headings kept as text); "Chapter" headings still
    split a page into chapters."""
    scenes = "".join(
        f"<h2>December {day}, 2032 — 01:33</h2>" + f"<p>{PARA * 3}</p>" * 2 for day in (20, 21, 22)
    )
    body = "<h1>Prologue</h1><div class='chapter-content'>" + scenes + "</div>"
    doc = read_bytes("c.html", page(body, title="Prologue - The Long Way - Site"))[0]
    assert doc.title == "The Long Way" and [c.title for c in doc.chapters] == ["Prologue"]
    assert "December 21, 2032" in doc.text and doc.text.count("cemetery") == 18
    chapters = scenes.replace("December", "Chapter 1: December", 1).replace(
        "<h2>December", "<h2>Chapter 2: December", 1
    )
    body = "<h1>Prologue</h1><div class='chapter-content'>" + chapters + "</div>"
    doc = read_bytes("c.html", page(body, title="Prologue - The Long Way - Site"))[0]
    assert len(doc.chapters) == 3


def test_a_page_by_the_sites_own_app_has_no_author() -> None:
    """``meta name=author`` naming the site's app (as its app links name it) is the site,
    not the work's author; a personal site named after its author keeps her."""
    app = b"<meta name='twitter:app:name:iphone' content='Wr1ter'>"
    raw = page(f"<div>{f'<p>{PARA * 3}</p>' * 4}</div>")
    assert read_bytes("s.html", raw.replace(b"</head>", app + b"</head>"))[0].authors == []
    site = b"<meta property='og:site_name' content='wr1ter'>"
    mine = read_bytes("s.html", raw.replace(b"</head>", site + b"</head>"))[0]
    assert mine.authors == ["wr1ter"]


@pytest.mark.parametrize(
    "page_title, headings",
    [
        ("The Long Way | Chapter 4: Stones | Site", "<h1>The Long Way</h1><h2>Stones</h2>"),
        ("Site ❯ Buffy ❯ The Long Way ❯ Chapter 4: Stones | Site.org", ""),
        ("Site - Fan Fiction - The Long Way - Chapter 4: Stones", ""),
        ("The Long Way - Chapter 4: Stones - wr1ter - Buffy, Willow - Site", ""),
        ("The Long Way: Chapter 4: Stones :: Site: stories fresh every day", ""),
    ],
)
def test_the_part_of_the_page_title_that_reads_as_a_chapter(page_title: str, headings: str) -> None:
    """Wherever a chapter page's <title> puts the chapter ("Chapter 4: Stones"), the work is
    the part beside it, never the chapter."""
    body = headings + "<div class='chapter'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    doc = read_bytes("c.html", page(body, title=page_title))[0]
    assert doc.title == "The Long Way"
    assert [c.title for c in doc.chapters] == ["Chapter 4: Stones"]


def test_text_set_with_newlines_is_paragraphs() -> None:
    """A story whose element holds its own text, a paragraph a line, as a site that sets it
    with "white-space: pre-wrap" does (no <p>, no <br>): the element is the story and each
    line a paragraph.  Text wrapped at a width in the page's source stays one paragraph."""
    lines = "\n".join(f"{PARA}Line {n} ends here." for n in range(6))
    body = (
        "<div class='info'><a href='/'>Home</a> <a href='/login'>Log in</a></div>"
        f"<div class='part_text'>{lines}</div>"
    )
    doc = read_bytes("c.html", page(body))[0]
    assert len(doc.chapters[0].text.split("\n\n")) == 6 and "Log in" not in doc.text
    wrapped = (PARA * 6).replace(" home ", " home\n").replace("cemetery,", "cemetery,\n")
    one = read_bytes("c.html", page(f"<div><p>{wrapped}</p></div>"))[0]
    assert len(one.chapters[0].text.split("\n\n")) == 1


def test_notes_beside_the_story_and_a_logo_heading() -> None:
    """Author's notes a page sets above and below the story, outside it, are the work's notes
    and end notes; a heading that is the site's logo (a link home) is no title."""
    body = (
        "<h1><a href='/'>SiteLogo</a></h1>"
        "<div class='authors-note'><div class='authors-note-header'>Author's Note</div>"
        "<p>Thanks to my prereaders!</p></div>"
        "<div id='chapter-body'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
        "<div class='authors-note'><p>Next chapter: the storm.</p></div>"
    )
    doc = read_bytes("c.html", page(body, title="The Long Way"))[0]
    assert doc.title == "The Long Way"
    assert doc.notes == ["Thanks to my prereaders!"]
    assert doc.end_notes == ["Next chapter: the storm."]
    assert "prereaders" not in doc.text and doc.text.count("cemetery") == 12


def test_a_title_naming_the_chapter_after_a_comma() -> None:
    """ "Der Winter, Kapitel 2: Schnee - Naruto Fanfiction - Site": the work, then its chapter."""
    body = "<div class='story'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    title = "Der Winter, Kapitel 2: Schnee - Naruto Fanfiction - Site"
    doc = read_bytes("c.html", page(body, title=title))[0]
    assert doc.title == "Der Winter" and [c.title for c in doc.chapters] == ["Kapitel 2: Schnee"]


def test_a_two_line_header_of_title_and_author() -> None:
    """ "Story: <title>" and "Author: <name>" above the story (too few labels for an
    information block) name the work and its author over a <title> of site parts; a lone
    "Title:" line in the text names nothing."""
    header = "<table><tr><td><h2>Story: <a href='s?no=1'>The Long Way</a></h2>"
    header += "Author: <a href='/u/1'>dire</a></td></tr>"
    story = "<tr><td>" + f"<p>{PARA * 3}</p>" * 4 + "</td></tr></table>"
    doc = read_bytes("c.html", page(header + story, title="Site - Books - The Long Way"))[0]
    assert doc.title == "The Long Way" and doc.authors == ["dire"]
    lone = "<div>" + f"<p>{PARA * 3}</p>" * 2 + "<p>Title: none yet</p>" + f"<p>{PARA}</p></div>"
    other = read_bytes("c.html", page(lone, title="The Long Way"))[0]
    assert other.title == "The Long Way" and "Title: none yet" in other.text


def test_a_posts_keep_reading_link_is_no_story_text() -> None:
    """Tumblr's "Keep reading" (and WordPress's "more-link") lead to the rest of a post that a
    saved post page holds after them: no words of the story."""
    body = "<div class='post'>" + f"<p>{PARA * 3}</p>"
    body += "<p><a class='read_more' href='/post/1#read-more'>Keep reading</a></p>"
    body += f"<p>{PARA * 3}</p>" * 3 + "</div>"
    doc = read_bytes("c.html", page(body))[0]
    assert "Keep reading" not in doc.text and doc.text.count("cemetery") == 12


@pytest.mark.parametrize(
    "mark, url, key",
    [
        (
            "<!-- saved from url=(0047)https://www.fanfiction.net/s/1234567/1/The-Long -->\n",
            "https://www.fanfiction.net/s/1234567/1/The-Long",
            "ffn:1234567",
        ),
        (
            "<!--\n Page saved with SingleFile \n url: http://archive.example.net/s/9.html \n"
            " saved date: Mon Dec 04 2023 -->\n",
            "http://archive.example.net/s/9.html",
            "http://archive.example.net/s/9.html",
        ),
        ("<!-- saved from url=(0019)javascript:alert(1) -->\n", None, None),
    ],
)
def test_the_address_a_saved_page_records_atop_it(
    mark: str, url: str | None, key: str | None
) -> None:
    """Chrome's "saved from url=" and SingleFile's "url:" name the page's address and so the
    work, when the page itself does not; never a script address."""
    body = "<div class='story'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    doc = read_bytes("c.html", mark.encode() + page(body))[0]
    assert (doc.source.url, doc.source.work_key) == (url, key)


def test_a_title_of_work_author_and_site_and_a_marked_byline() -> None:
    """ "The Long Way - quill - Harbour Tales [Site]" with "The Long Way" heading the page and
    quill its byline (``rel="author"``): the work is the first part, not the author's name, and
    the byline outranks the page's meta author."""
    body = "<h2>The Long Way</h2><h3>by <a rel='author' href='/u/quill'>quill</a></h3>"
    body += "<div class='story'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    title = "The Long Way - quill - Harbour Tales [Site]"
    body += "<div><p>Inspired by <a rel='author' href='/u/other'>other</a>'s Lanterns.</p></div>"
    doc = read_bytes("c.html", page(body, title=title))[0]
    assert doc.title == "The Long Way" and doc.authors == ["quill"]  # not the other work's
