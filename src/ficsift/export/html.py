"""A work as one self-contained HTML file: the EPUB's pages in one document, with contents.

For readers and devices that take HTML (a phone's browser, a Kindle by e-mail), and for
keeping.  The same escaped, sanitised pieces as the EPUB (:mod:`ficsift.export.pages`);
the stylesheet is inline so the file stands alone.
"""

from __future__ import annotations

from ficsift.export import pages
from ficsift.export.epub import language_code
from ficsift.export.xhtml import text
from ficsift.library import StoredWork
from ficsift.library.views import ReadingState


def build_html(stored: StoredWork, reading: ReadingState | None = None) -> bytes:
    """The work as UTF-8 HTML; ``reading`` adds the reader's own rating and notes."""
    doc = stored.document
    lang = text(language_code(doc.language))
    url = pages.story_url(stored)
    contents = "".join(
        f'<li><a href="#chapter-{n + 1}">{text(pages.chapter_label(c, n))}</a></li>'
        for n, c in enumerate(doc.chapters)
    )
    chapters = "".join(
        f'<div class="chapter" id="chapter-{n + 1}">{pages.chapter(doc, n)}</div>'
        for n in range(len(doc.chapters))
    )
    body = (
        pages.preface(doc, url, reading)
        + (
            f'<nav id="contents"><h2>Contents</h2><ol>{contents}</ol></nav>'
            if len(doc.chapters) > 1
            else ""
        )
        + f'<div id="chapters">{chapters}</div>'
        + (pages.afterword(doc) or "")
    )
    html = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{text(doc.title or 'Untitled')}</title>"
        f"<style>\n{pages.STYLESHEET}</style></head>\n<body>{body}</body>\n</html>\n"
    )
    return html.encode("utf-8")
