"""Builders for EPUB test files: plain packaging, AO3's calibre-made EPUB, FanFicFare runs.

Everything is built in memory from short made-up text.  The AO3 builder reproduces what
AO3's download pipeline produces (``app/models/download_writer.rb`` in otwarchive: the HTML
download run through calibre's ``ebook-convert`` with AO3's ``--chapter`` XPath):

* the markup of AO3's HTML download (preface ``dl.tags``, ``div.meta.group`` chapters,
  ``#endnotesN``, afterword);
* calibre's CSS flattening, which replaces each styled element's classes with the first
  class plus a number (``meta group`` → ``meta1``) and gives unclassed ones ``calibreN``;
* calibre's splitting at each chapter heading (``Title_split_000.xhtml``…), which unwraps
  the ancestors of the split point in the file after it — so ``div#chapters`` only wraps
  the first chapter — and, for long chapters, splits again inside the text.

FanFicFare EPUBs are real: :func:`fanficfare_epubs` runs FanFicFare's offline ``test1.com``
adapter in a subprocess whose sockets refuse to connect.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

XHTML_TYPE = "application/xhtml+xml"
CONTAINER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="{opf}" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""
BILLION_LAUGHS = """<!DOCTYPE package [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


# --- packaging -----------------------------------------------------------------------------


def zip_bytes(
    members: Iterable[tuple[str, bytes | str]],
    *,
    epub_mimetype: bool = True,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A zip of ``members`` in order; EPUBs start with the stored ``mimetype`` member."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        if epub_mimetype:
            zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        for name, data in members:
            # ZipInfo keeps hostile names ("../evil.txt", "/abs.txt") exactly as given.
            info = zipfile.ZipInfo(name, date_time=(2021, 3, 3, 12, 0, 0))
            info.compress_type = compression
            zf.writestr(info, data)
    return buf.getvalue()


def epub_bytes(
    files: Mapping[str, bytes | str],
    *,
    opf_path: str = "content.opf",
    container: str | None = None,
    extra: Sequence[tuple[str, bytes | str]] = (),
) -> bytes:
    """An EPUB zip: mimetype, ``META-INF/container.xml`` (unless ``container`` is ""), files."""
    members: list[tuple[str, bytes | str]] = []
    if container != "":
        members.append(("META-INF/container.xml", container or CONTAINER_XML.format(opf=opf_path)))
    members.extend(files.items())
    members.extend(extra)
    return zip_bytes(members)


def opf_xml(
    *,
    title: str,
    authors: Sequence[str] = (),
    items: Sequence[tuple[str, str, str]] = (),  # (id, href, media-type) + optional properties
    spine: Sequence[str] = (),  # idrefs; "id:no" marks linear="no"
    version: str = "2.0",
    description: str | None = None,
    subjects: Sequence[str] = (),
    language: str | None = "en",
    dates: dict[str, str] | None = None,  # opf:event ("" for none) -> date
    sources: Sequence[str] = (),
    publisher: str | None = None,
    contributors: Sequence[str] = (),
    extra_metadata: str = "",
    properties: dict[str, str] | None = None,  # id -> manifest properties
    guide: Sequence[tuple[str, str]] = (),  # (type, href)
    doctype: str = "",
    toc: str | None = "ncx",
) -> str:
    e = html.escape
    meta = [f"<dc:title>{e(title)}</dc:title>"]
    meta += [
        f'<dc:creator opf:role="aut" opf:file-as="{e(a)}">{e(a)}</dc:creator>' for a in authors
    ]
    meta += [f'<dc:contributor opf:role="bkp">{e(c)}</dc:contributor>' for c in contributors]
    if description is not None:
        meta.append(f"<dc:description>{e(description)}</dc:description>")
    meta += [f"<dc:subject>{e(s)}</dc:subject>" for s in subjects]
    if language:
        meta.append(f"<dc:language>{e(language)}</dc:language>")
    for event, value in (dates or {}).items():
        attr = f' opf:event="{event}"' if event else ""
        meta.append(f"<dc:date{attr}>{e(value)}</dc:date>")
    meta += [f"<dc:source>{e(s)}</dc:source>" for s in sources]
    if publisher:
        meta.append(f"<dc:publisher>{e(publisher)}</dc:publisher>")
    meta.append(
        '<dc:identifier id="uid" opf:scheme="uuid">6a3e8a5e-0000-4000-8000-00000000f1c5</dc:identifier>'
    )
    manifest = []
    for item_id, href, media_type in items:
        props = (properties or {}).get(item_id)
        prop = f' properties="{props}"' if props else ""
        manifest.append(f'<item id="{item_id}" href="{e(href)}" media-type="{media_type}"{prop}/>')
    refs = []
    for ref in spine:
        idref, _, linear = ref.partition(":")
        refs.append(f'<itemref idref="{idref}"' + (f' linear="{linear}"' if linear else "") + "/>")
    guide_xml = "".join(f'<reference type="{t}" href="{e(h)}" title="{t}"/>' for t, h in guide)
    toc_attr = f' toc="{toc}"' if toc else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="{version}" unique-identifier="uid">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">\n'
        + "\n".join(meta)
        + extra_metadata
        + "\n</metadata>\n<manifest>\n"
        + "\n".join(manifest)
        + f"\n</manifest>\n<spine{toc_attr}>\n"
        + "\n".join(refs)
        + "\n</spine>\n"
        + (f"<guide>{guide_xml}</guide>\n" if guide else "")
        + "</package>\n"
    )


def ncx_xml(
    points: Sequence[tuple[str, str]], *, nested: dict[int, Sequence[tuple[str, str]]] | None = None
) -> str:
    """An NCX navMap: (title, src) points; ``nested[i]`` are children of point i."""

    def point(n: int, title: str, src: str, children: str = "") -> str:
        return (
            f'<navPoint id="np{n}" playOrder="{n}"><navLabel><text>{html.escape(title)}</text>'
            f'</navLabel><content src="{html.escape(src)}"/>{children}</navPoint>'
        )

    body = []
    for n, (title, src) in enumerate(points, start=1):
        kids = "".join(
            point(100 * n + k, t, s) for k, (t, s) in enumerate((nested or {}).get(n - 1, ()))
        )
        body.append(point(n, title, src, kids))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" "http://www.daisy.org/z3986/2005/ncx-2005-1.dtd">\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head>'
        '<meta name="dtb:uid" content="6a3e8a5e"/></head><docTitle><text>Book</text></docTitle>'
        f"<navMap>{''.join(body)}</navMap></ncx>\n"
    )


def nav_xhtml(entries: Sequence[tuple[str, str]], landmarks: Sequence[tuple[str, str]] = ()) -> str:
    """An EPUB 3 navigation document: toc entries (title, href) and landmarks (type, href)."""
    lis = "".join(f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for t, h in entries)
    marks = "".join(
        f'<li><a epub:type="{t}" href="{html.escape(h)}">{t}</a></li>' for t, h in landmarks
    )
    land = f'<nav epub:type="landmarks"><ol>{marks}</ol></nav>' if landmarks else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        f'<head><title>Navigation</title></head><body><nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{lis}</ol></nav>'
        f"{land}</body></html>\n"
    )


def xhtml(body: str, *, title: str = "", body_attrs: str = "", head: str = "") -> str:
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml">\n'
        f"<head><title>{html.escape(title)}</title>{head}</head>\n"
        f"<body{body_attrs}>\n{body}\n</body>\n</html>\n"
    )


def simple_epub(
    chapters: Sequence[tuple[str, str]],
    *,
    title: str = "A Simple Book",
    authors: Sequence[str] = ("Jo Writer",),
    extra: Sequence[tuple[str, bytes | str]] = (),
    spine_extra: Sequence[tuple[str, str]] = (),  # (id, href) appended to manifest and spine
    **opf: object,
) -> bytes:
    """An EPUB 2 with one file per (title, body HTML) chapter and an NCX naming each."""
    files: dict[str, bytes | str] = {}
    items = [("ncx", "toc.ncx", "application/x-dtbncx+xml")]
    spine = []
    points = []
    for n, (chapter_title, body) in enumerate(chapters, start=1):
        href = f"text/chapter{n:02d}.xhtml"
        files[href] = xhtml(body, title=chapter_title)
        items.append((f"c{n}", href, XHTML_TYPE))
        spine.append(f"c{n}")
        points.append((chapter_title, href))
    for item_id, href in spine_extra:
        items.append((item_id, href, XHTML_TYPE))
        spine.append(item_id)
    files["content.opf"] = opf_xml(title=title, authors=authors, items=items, spine=spine, **opf)  # type: ignore[arg-type]
    files["toc.ncx"] = ncx_xml(points)
    return epub_bytes(files, extra=extra)


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{html.escape(t)}</p>" for t in texts)


# --- AO3 -----------------------------------------------------------------------------------

AO3 = "https://archiveofourown.org"


@dataclass
class Ao3Chapter:
    title: str
    paragraphs: list[str]
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None


@dataclass
class Ao3Work:
    work_id: int
    title: str
    authors: list[str]
    rating: str
    warnings: list[str]
    categories: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    freeforms: list[str]
    chapters: list[Ao3Chapter]
    language: str = "English"
    series: list[tuple[int, str, int]] = field(default_factory=list)  # (part, name, series id)
    published: str = "2021-03-03"
    updated: str | None = None  # "Updated:" (in progress) …
    completed: str | None = None  # … or "Completed:"
    words: str = "1,234"
    chapter_total: str = "?"
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None


def lighthouse_work() -> Ao3Work:
    """A made-up three-chapter work, two chapters posted, with notes everywhere."""
    return Ao3Work(
        work_id=31415926,
        title="The Lighthouse Ledger",
        authors=["quillfeather"],
        rating="General Audiences",
        warnings=["No Archive Warnings Apply"],
        categories=["F/F"],
        fandoms=["Buffy the Vampire Slayer (TV)"],
        relationships=["Tara Maclay/Willow Rosenberg"],
        characters=["Willow Rosenberg", "Tara Maclay"],
        freeforms=["Fluff", "Hurt/Comfort, sort of", "Lighthouses"],
        series=[(2, "Small Hours", 4242)],
        updated="2021-04-01",
        words="1,234",
        chapter_total="3",
        summary="Willow keeps the ledger. Tara keeps the light.",
        notes="Written for the winter swap. Thank you, mods!",
        end_notes="More soon, I promise.",
        chapters=[
            Ao3Chapter(
                title="Chapter 1: Salt",
                summary="The first storm of the season.",
                notes="This one is short.",
                end_notes="Salt is a metaphor. Probably.",
                paragraphs=[
                    "The ledger smelled of salt and lamp oil, and Willow loved it anyway.",
                    "\u201cSeventeen ships,\u201d she said. \u201cSeventeen, and not one of them sank.\u201d",
                    "Tara laughed from the stairs, a sound the wind could not take.",
                ],
            ),
            Ao3Chapter(
                title="Chapter 2: Tide",
                end_notes="Tide tables are harder than they look.",
                paragraphs=[
                    f"Paragraph {n} of the tide chapter, where the water rises."
                    for n in range(1, 9)
                ],
            ),
        ],
    )


def ao3_preface(work: Ao3Work) -> str:
    e = html.escape
    url = f"{AO3}/works/{work.work_id}"

    def tags(label: str, names: list[str]) -> str:
        if not names:
            return ""
        links = ", ".join(f'<a href="{AO3}/tags/{e(n)}">{e(n)}</a>' for n in names)
        plural = label if len(names) == 1 else {"Category": "Categories"}.get(label, label + "s")
        plural = "Additional Tags" if label == "Additional Tags" else plural
        return f"<dt>{plural}:</dt>\n<dd>{links}</dd>\n"

    series = ", ".join(
        f'Part {p} of\n<a href="{AO3}/series/{i}">{e(n)}</a>' for p, n, i in work.series
    )
    dates = f"Published: {work.published}\n"
    if work.updated:
        dates += f"Updated: {work.updated}\n"
    if work.completed:
        dates += f"Completed: {work.completed}\n"
    posted = len(work.chapters)
    out = [
        '<div id="preface">',
        '<h2 class="toc-heading">Preface</h2>',
        f'<p class="message"><b>{e(work.title)}</b><br/>Posted originally on the '
        f'<a href="{AO3}/">Archive of Our Own</a> at <a href="{url}">{url}</a>.</p>',
        '<div class="meta"><dl class="tags">',
        tags("Rating", [work.rating]),
        tags("Archive Warning", work.warnings),
        tags("Category", work.categories),
        tags("Fandom", work.fandoms),
        tags("Relationship", work.relationships),
        tags("Character", work.characters),
        tags("Additional Tags", work.freeforms),
        f"<dt>Language:</dt>\n<dd>{e(work.language)}</dd>\n",
        f"<dt>Series:</dt>\n<dd>{series}</dd>\n" if series else "",
        f"<dt>Stats:</dt>\n<dd>\n{dates}Words: {work.words}\nChapters: {posted}/{work.chapter_total}\n</dd>",
        "</dl>",
        f"<h1>{e(work.title)}</h1>",
        '<div class="byline">by '
        + ", ".join(
            f'<a rel="author" href="{AO3}/users/{e(a)}/pseuds/{e(a)}">{e(a)}</a>'
            for a in work.authors
        )
        + "</div>",
    ]
    if work.summary:
        out.append(
            f'<p>Summary</p>\n<blockquote class="userstuff"><p>{e(work.summary)}</p></blockquote>'
        )
    if work.notes or work.end_notes:
        out.append("<p>Notes</p>")
        if work.notes:
            out.append(f'<blockquote class="userstuff"><p>{e(work.notes)}</p></blockquote>')
        if work.end_notes:
            out.append(
                '<div class="endnote-link">See the end of the work for more <a href="#endnotes">notes</a></div>'
            )
    out.append("</div></div>")
    return "\n".join(out)


def ao3_chapter_parts(work: Ao3Work, n: int) -> tuple[str, list[str], str]:
    """(meta group, text paragraphs, end-notes div) of chapter ``n`` (1-based)."""
    e = html.escape
    ch = work.chapters[n - 1]
    meta = ['<div class="meta group">', f'<h2 class="heading">{e(ch.title)}</h2>']
    if ch.summary:
        meta.append(
            f'<p>Chapter Summary</p>\n<blockquote class="userstuff"><p>{e(ch.summary)}</p></blockquote>'
        )
    if ch.notes or ch.end_notes:
        meta.append("<p>Chapter Notes</p>")
        if ch.notes:
            meta.append(f'<blockquote class="userstuff"><p>{e(ch.notes)}</p></blockquote>')
        if ch.end_notes:
            meta.append(
                f'<div class="endnote-link">See the end of the chapter for <a href="#endnotes{n}">notes</a></div>'
            )
    meta.append("</div>")
    end = ""
    if ch.end_notes:
        end = (
            f'<div class="meta" id="endnotes{n}"><p>Chapter End Notes</p>'
            f'<blockquote class="userstuff"><p>{e(ch.end_notes)}</p></blockquote></div>'
        )
    return "\n".join(meta), [f"<p>{e(p)}</p>" for p in ch.paragraphs], end


def ao3_afterword(work: Ao3Work) -> str:
    notes = ""
    if work.end_notes:
        notes = (
            '<div class="meta"><div id="endnotes"><p>End Notes</p>'
            f'<blockquote class="userstuff"><p>{html.escape(work.end_notes)}</p></blockquote></div></div>'
        )
    return (
        f'<div id="afterword"><h2 class="toc-heading">Afterword</h2>{notes}'
        f'<p class="message">Please <a href="{AO3}/works/{work.work_id}/comments/new">drop by the archive and '
        "comment</a> to let the author know if you enjoyed their work!</p></div>"
    )


def ao3_html_download(work: Ao3Work) -> str:
    """AO3's "Download → HTML" file for ``work`` (what its EPUB is made from)."""
    if len(work.chapters) == 1:
        body = f'<h2 class="toc-heading">{html.escape(work.title)}</h2><div class="userstuff">'
        body += "".join(ao3_chapter_parts(work, 1)[1]) + "</div>"
    else:
        body = ""
        for n in range(1, len(work.chapters) + 1):
            meta, text, end = ao3_chapter_parts(work, n)
            body += f'{meta}\n<!--chapter content-->\n<div class="userstuff">{"".join(text)}</div>\n<!--/chapter content-->\n{end}'
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"/>'
        f"<title>{html.escape(work.title)}</title></head><body>\n"
        f'{ao3_preface(work)}\n<div id="chapters" class="userstuff">{body}</div>\n{ao3_afterword(work)}\n'
        "</body></html>\n"
    )


_CALIBRE_CLASSES = [
    ('class="meta group"', 'class="meta1"'),
    ('<div class="meta" id="endnotes', '<div class="meta2" id="endnotes'),
    ('<div id="chapters" class="userstuff">', '<div class="userstuff1" id="chapters">'),
    ('<div class="userstuff">', '<div class="userstuff2">'),
    ('<div id="preface">', '<div class="calibre1" id="preface">'),
    ('<div id="afterword">', '<div class="calibre1" id="afterword">'),
    ("<p>", '<p class="calibre6">'),
    ("<dt>", '<dt class="calibre2">'),
    ("<dd>", '<dd class="calibre3">'),
    ("<h1>", '<h1 class="calibre5">'),
    ("<a ", '<a class="calibre4" '),
]


def calibreize(markup: str) -> str:
    """Calibre's CSS flattening: classes become first-class-plus-number or ``calibreN``."""
    for old, new in _CALIBRE_CLASSES:
        markup = markup.replace(old, new)
    counter = iter(range(1, 10_000))
    return re.sub(
        r'<h2 class="(heading|toc-heading)">',
        lambda m: f'<h2 class="{m.group(1)}" id="calibre_toc_{next(counter)}">',
        markup,
    )


def calibre_xhtml(title: str, body: str) -> str:
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>'
        f"{html.escape(title)}</title>"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>'
        '<link href="stylesheet.css" rel="stylesheet" type="text/css"/>'
        '<link href="page_styles.css" rel="stylesheet" type="text/css"/>'
        f'</head>\n<body class="calibre">\n{body}\n</body></html>\n'
    )


def calibre_epub(
    title: str,
    parts: Sequence[str],
    toc: Sequence[tuple[str, int]],
    *,
    authors: Sequence[str],
    subjects: Sequence[str] = (),
    summary: str | None = None,
    series: tuple[str, int] | None = None,
    date: str = "2021-04-01T00:00:00+00:00",
) -> bytes:
    """An EPUB as calibre writes it: ``<stem>_split_NNN.xhtml`` files, OPF and NCX at the root."""
    stem = re.sub(r"\W+", "_", title).strip("_")[:20] or "Work"
    files: dict[str, bytes | str] = {}
    items = []
    for n, part in enumerate(parts):
        href = f"{stem}_split_{n:03d}.xhtml"
        files[href] = calibre_xhtml(title, calibreize(part))
        items.append((f"id{n + 1}", href, XHTML_TYPE))
    items += [
        ("page_css", "page_styles.css", "text/css"),
        ("css", "stylesheet.css", "text/css"),
        ("ncx", "toc.ncx", "application/x-dtbncx+xml"),
    ]
    files["page_styles.css"] = "@page { margin-bottom: 5pt; margin-top: 5pt }"
    files["stylesheet.css"] = ".calibre { display: block }"
    extra = '\n<meta name="calibre:title_sort" content="' + html.escape(title) + '"/>'
    if series:
        extra += f'\n<meta name="calibre:series" content="{html.escape(series[0])}"/>'
        extra += f'\n<meta name="calibre:series_index" content="{series[1]}"/>'
    files["content.opf"] = opf_xml(
        title=title,
        authors=authors,
        items=items,
        spine=[i for i, _, t in items if t == XHTML_TYPE],
        description=f"<p>{summary}</p>" if summary else None,
        subjects=["Fanworks", *subjects],
        publisher="Archive of Our Own",
        contributors=["calibre (5.44.0) [https://calibre-ebook.com]"],
        dates={"": date},
        extra_metadata=extra,
    )
    files["toc.ncx"] = ncx_xml(
        [(t, f"{stem}_split_{n:03d}.xhtml#calibre_toc_{k}") for k, (t, n) in enumerate(toc, 1)]
    )
    return epub_bytes(files)


def ao3_epub(work: Ao3Work, *, flow_split: Iterable[int] = ()) -> bytes:
    """AO3's EPUB of ``work``; chapters in ``flow_split`` are also split in the middle."""
    split_inside = set(flow_split)
    parts = [ao3_preface(work)]
    toc = [("Preface", 0)]
    if len(work.chapters) == 1:
        body = "".join(ao3_chapter_parts(work, 1)[1])
        parts.append(
            f'<div id="chapters" class="userstuff"><h2 class="toc-heading">{html.escape(work.title)}</h2>'
            f'<div class="userstuff">{body}</div></div>'
        )
        toc.append((work.title, 1))
    multi = range(1, len(work.chapters) + 1) if len(work.chapters) > 1 else range(0)
    for n in multi:
        meta, text, end = ao3_chapter_parts(work, n)
        toc.append((work.chapters[n - 1].title, len(parts)))
        if n in split_inside:
            half = len(text) // 2
            first = f'{meta}<div class="userstuff">{"".join(text[:half])}</div>'
            rest = "".join(text[half:]) + end  # calibre unwrapped the text div here
        else:
            first, rest = f'{meta}<div class="userstuff">{"".join(text)}</div>{end}', ""
        # Only the first chapter keeps the #chapters wrapper (see the module docstring).
        parts.append(f'<div id="chapters" class="userstuff">{first}</div>' if n == 1 else first)
        if rest:
            parts.append(rest)
    parts.append(ao3_afterword(work))
    toc.append(("Afterword", len(parts) - 1))
    tags = [work.rating, *work.warnings, *work.categories, *work.fandoms, *work.relationships]
    return calibre_epub(
        work.title,
        parts,
        toc,
        authors=work.authors,
        subjects=[*tags, *work.characters, *work.freeforms],
        summary=work.summary,
        series=(work.series[0][1], work.series[0][0]) if work.series else None,
    )


def epub_from_ao3_html(markup: str, title: str) -> bytes:
    """A real AO3 HTML download cut and renamed the way calibre does it for AO3's EPUB."""
    start = markup.index('<div id="preface">')
    chapters_at = markup.index('<div id="chapters"')
    afterword_at = markup.index('<div id="afterword">')
    chapters = markup[chapters_at:afterword_at]
    pieces = re.split(r'(?=<div class="meta group">)', chapters)
    parts = [markup[start:chapters_at]]
    if len(pieces) == 1:
        parts.append(chapters)
    else:
        parts.append(pieces[0] + pieces[1] + "</div>")
        parts.extend(pieces[2:])  # unwrapped; the last keeps #chapters' stray </div>
    parts.append(markup[afterword_at : markup.rindex("</body>")])
    toc = [(f"Part {n}", n) for n in range(len(parts))]
    return calibre_epub(title, parts, toc, authors=["someone"])


# --- FanFicFare ----------------------------------------------------------------------------

_FFF_SCRIPT = textwrap.dedent(
    """
    import json, socket, sys

    def refuse(*args, **kwargs):
        raise OSError("network access is disabled in ficsift's tests")

    # FanFicFare's test1.com adapter makes its stories up; make sure nothing leaves anyway.
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from fanficfare.cli import main

    for argv in json.loads(sys.argv[1]):
        main(argv)
    """
)


def fanficfare_epubs(
    workdir: Path, runs: dict[str, tuple[str, dict[str, str]]], personal_ini: str = ""
) -> dict[str, Path]:
    """Run FanFicFare offline: ``runs`` maps an output name to (test1.com URL, -o options).

    One subprocess for every run (importing FanFicFare takes a second).  HOME and
    XDG_CONFIG_HOME point into ``workdir`` so no personal FanFicFare settings leak in.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "personal.ini").write_text(personal_ini, encoding="utf-8")
    argvs = []
    for name, (url, options) in runs.items():
        argv = ["-f", "epub", "--non-interactive", "-o", f"output_filename={name}.epub"]
        for key, value in options.items():
            argv += ["-o", f"{key}={value}"]
        argvs.append([*argv, url])
    env = {
        "HOME": str(workdir),
        "XDG_CONFIG_HOME": str(workdir / ".config"),
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
    }
    result = subprocess.run(
        [sys.executable, "-c", _FFF_SCRIPT, json.dumps(argvs)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = {name: workdir / f"{name}.epub" for name in runs}
    missing = [name for name, path in out.items() if not path.is_file()]
    assert result.returncode == 0 and not missing, (
        f"FanFicFare failed: {missing}\n{result.stdout}\n{result.stderr}"
    )
    return out


def replace_members(epub: bytes, changes: dict[str, bytes | str]) -> bytes:
    """``epub`` with some members' contents replaced (order and names kept)."""
    src = zipfile.ZipFile(io.BytesIO(epub))
    members = []
    for info in src.infolist():
        if info.filename == "mimetype":
            continue
        data = changes.get(info.filename, src.read(info.filename))
        members.append((info.filename, data))
    return zip_bytes(members)


def read_member(epub: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(epub)).read(name).decode("utf-8")
