"""Pages the Wayback Machine replays, saved from the browser: read as the page saved from its
own site (our own fixtures, wrapped as the Wayback Machine wraps a page)."""

from __future__ import annotations

import re

from ficsift.read import read_bytes
from ficsift.read.base import RawFile
from ficsift.read.wayback import WaybackReader
from tests.read.test_ao3_listing import BOOKMARKS
from tests.read.test_generic_html import PARA, page

STAMP = "20060405132243"


def replayed(html: str, address: str, *, shown: bool = True) -> bytes:
    """``html`` as the Wayback Machine serves it: its scripts in <head>, its toolbar (shown,
    as before 2016, or hidden) atop <body>, every address through the archive."""
    site = re.match(r"https?://[^/]+", address)
    assert site is not None
    head = (
        '<script src="//archive.org/includes/analytics.js?v=cf34f82"></script>'
        f'<script>__wm.init("https://web.archive.org/web");__wm.wombat("{address}","{STAMP}",'
        '"https://web.archive.org/","web","/_static/");</script>'
        '<link rel="stylesheet" href="/_static/css/banner-styles.css?v=S1zqJCYt" />'
        "<!-- End Wayback Rewrite JS Include -->"
    )
    toolbar = (
        "<!-- BEGIN WAYBACK TOOLBAR INSERT -->"
        f'<div id="wm-ipp-base" style="{"" if shown else "display:none;"}direction:ltr">'
        '<a href="/web/">Wayback Machine</a>'
        f'<form action="/web/submit"><input id="wmtbURL" value="{address}" /></form>'
        f'<a href="/web/{STAMP}*/{address}">12 captures</a>'
        "<div>05 Apr 2006 - 17 Jun 2015</div><a href='#'>Save snapshot</a>"
        f"<div id='wm-ipp-print'>The Wayback Machine - https://web.archive.org/web/{STAMP}/"
        f"{address}</div></div><!-- END WAYBACK TOOLBAR INSERT -->"
    )
    html = re.sub(r'href="/(?!/)', f'href="/web/{STAMP}/{site.group(0)}/', html)
    html = (
        html.replace("<html>", f"<html><head>{head}</head>", 1)
        if "<head>" not in html
        else (html.replace("<head>", f"<head>{head}", 1))
    )
    html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + toolbar, html, count=1)
    return (
        html + f"<!-- FILE ARCHIVED ON 13:22:43 Apr 05, 2006 AND RETRIEVED {STAMP} -->"
    ).encode()


def test_an_ao3_listing_the_wayback_machine_replays_reads_as_saved_from_ao3() -> None:
    """Its blurbs link through the archive ("/web/…/https://archiveofourown.org/works/42"):
    the listing reader found none and refused the page."""
    data = replayed(BOOKMARKS, "https://archiveofourown.org/users/z/bookmarks")
    assert WaybackReader.sniff(RawFile("b.html", data)) == 99
    (doc,) = read_bytes("b.html", data)
    (own,) = read_bytes("b.html", BOOKMARKS.encode())
    assert doc.source.format == own.source.format == "ao3-listing"
    assert (doc.source.work_key, doc.title, doc.authors) == ("ao3:42", "A Made-Up Work", ["a", "b"])


def test_an_old_archives_story_page_loses_the_toolbar_and_keeps_its_story() -> None:
    body = "<h1><a href='/'>SiteLogo</a></h1><div class='story'>" + f"<p>{PARA * 3}</p>" * 4
    body += "</div>"
    own = read_bytes("s.html", page(body))[0]
    for shown in (True, False):
        data = replayed(
            page(body).decode(), "http://www.example.net/fics/lanterns.html", shown=shown
        )
        doc = read_bytes("s.html", data)[0]
        assert (doc.title, doc.text, doc.notes) == (own.title, own.text, own.notes)
        assert (
            "captures" not in doc.text
            and doc.source.url == "http://www.example.net/fics/lanterns.html"
        )


def test_a_page_that_only_links_to_the_archive_is_read_as_itself() -> None:
    body = "<div class='story'>" + f"<p>{PARA * 3}</p>" * 4
    body += "<p>Mirror: <a href='https://web.archive.org/web/2006/http://x.net/'>x</a></p></div>"
    assert WaybackReader.sniff(RawFile("s.html", page(body))) == 0
    assert read_bytes("s.html", page(body))[0].source.format == "html"


def test_a_toolbar_never_closed_leaves_the_page_whole() -> None:
    """An addition opened and never closed is not cut to the end of the file: the page is
    read whole (toolbar and all), not lost."""
    body = "<div class='story'>" + f"<p>{PARA * 3}</p>" * 4 + "</div>"
    data = replayed(page(body).decode(), "http://www.example.net/fics/lanterns.html")
    data = data.replace(b"<!-- END WAYBACK TOOLBAR INSERT -->", b"")
    doc = read_bytes("s.html", data)[0]
    assert doc.text.count("cemetery") == 12
