"""FanFiction.net (and FictionPress) story pages saved from the browser: one chapter each.

The page's parts, as FanFicFare's ``adapter_fanfictionnet`` reads them:

* ``#pre_story_links``: the section path, "Anime/Manga › Naruto"; a crossover's last link
  reads "Naruto + Bleach Crossover" (both fandoms).
* ``#profile_top``: ``b.xcontrast_txt`` title, the author's ``/u/N/`` link, the summary
  ``div.xcontrast_txt``, and the profile line ``span.xgray``: "Rated: Fiction M - English -
  Adventure/Romance - [Naruto U., Mei T.] Kakashi H. - Chapters: 12 - Words: 56,452 -
  Reviews: 669 - Favs: 3,091 - Follows: 3,544 - Updated: 5/15 - Published: 9/8/2012 -
  Status: Complete - id: 8508883".  Dates carry ``data-xutime`` (Unix time), read in UTC.
  Characters in brackets are a pairing.
* ``select#chap_select`` (the selected option is this chapter's "N. Title") and
  ``div#storytext`` (the chapter's text, author's notes included as the author typed them).

Older and plainer layouts are read alike: the pages before 2013 (the header is the first
cell of ``table#gui_table1i``, dates "MM-DD-YY", two characters joined by " & "); before
about 2011 there was no header box (the page title names story and fandom, and the profile
line is loose text above ``#storytext``); and
the mobile site's (``m.fanfiction.net``: ``#content`` holds "<b>Title</b> by <a>Author</a>",
the section links and a profile line whose fields commas part; the text is
``div#storycontent``).

"Story Not Found" pages (a deleted or mistyped story) are refused with a one-line reason.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ficsift.model import Document, Status, TagType
from ficsift.read.ao3_html import text_of
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.decode import decode_bytes
from ficsift.read.fields import parse_count, parse_date, safe_url, work_key_for
from ficsift.read.html import html_blocks, parse_page
from ficsift.read.structure import apply_parts, split_story

_SITE_MARKS = (b"fanfiction.net", b"fictionpress.com")
_PAGE_MARKS = (
    b"id=profile_top", b"id='profile_top'", b'id="profile_top"', b"storytext", b"storycontent"
)  # fmt: skip
_NOT_FOUND_RE = re.compile(r"story not found|story is unavailable|chapter not found", re.I)
# FFN's ratings and their AO3 equivalents, so FFN and AO3 works filter together.
RATINGS = {
    "K": "General Audiences",
    "K+": "General Audiences",
    "T": "Teen And Up Audiences",
    "M": "Mature",
    "MA": "Explicit",
}
# FFN's genre list: a profile segment made only of these (joined by "/") is the genres.
GENRES = frozenset(
    [
        "adventure",
        "angst",
        "crime",
        "drama",
        "family",
        "fantasy",
        "friendship",
        "general",
        "horror",
        "humor",
        "hurt/comfort",
        "mystery",
        "parody",
        "poetry",
        "romance",
        "sci-fi",
        "spiritual",
        "supernatural",
        "suspense",
        "tragedy",
        "western",
    ]
)
_HURT_COMFORT = "Hurt/Comfort"
_CHAPTER_OPTION_RE = re.compile(r"^\d+\.\s*")
_SHOWN_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_OLD_DATE_RE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{2})$")
_STORY_URL_RE = re.compile(r"/s/(\d+)")


@register
class FfnPageReader(Reader):
    format = "ffn-page"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        head = raw.head
        if not any(mark in head for mark in _SITE_MARKS):
            return 0
        if any(mark in raw.data[:262144] for mark in _PAGE_MARKS):
            return 85
        return 40 if _NOT_FOUND_RE.search(head.decode("latin-1")) else 0

    def read(self, raw: RawFile) -> list[Document]:
        page = decode_bytes(raw.data)
        tree = parse_page(page)
        # #profile_top since 2013; before it, the first cell of the table #gui_table1i; the
        # mobile site (m.fanfiction.net) heads #storycontent with a plainer #content block
        profile = tree.css_first("#profile_top") or tree.css_first("#gui_table1i td")
        story = tree.css_first("#storytext")
        mobile = bare = None
        if profile is None and story is None:
            mobile, story = tree.css_first("#content"), tree.css_first("#storycontent")
        elif profile is None:  # before about 2011 the header was loose text above the story
            bare = tree.body
        if (profile is None and mobile is None and bare is None) or story is None:
            body = text_of(tree.body) if tree.body is not None else ""
            if _NOT_FOUND_RE.search(body):
                raise ReadError("no work on this page: FanFiction.net 'story not found' page")
            raise ReadError("no work on this page: FanFiction.net page without a story")
        for node in tree.css("script, style, noscript"):
            node.decompose()
        url = _story_url(tree) or _url_from_id(raw, profile or bare)
        doc = Document(
            source=raw.source(self.format, url=url, work_key=work_key_for(url) if url else None)
        )
        if profile is not None:
            _read_profile(doc, profile)
            sections = tree.css_first("#pre_story_links")
            links = [text_of(a) for a in sections.css("a")] if sections is not None else []
        elif mobile is not None:
            links = _read_mobile_header(doc, mobile)
        else:
            assert bare is not None
            links = _read_bare_header(doc, tree, bare)
        for fandom in fandoms(links):
            doc.add_tag(fandom, TagType.FANDOM)
        parts = split_story(html_blocks(story))
        if len(parts.chapters) > 1:  # the page holds one chapter: headings inside are the author's
            first = parts.chapters[0]
            first.text = "\n\n".join(c.text for c in parts.chapters if c.text)
            first.html = "".join(c.html for c in parts.chapters)
            parts.chapters = [first]
        status = doc.status
        apply_parts(doc, parts)
        doc.status = status  # the profile's status, not cues in one chapter's text
        if doc.chapters:
            chapter = _chapter_title(tree) if mobile is None else _mobile_chapter_title(mobile)
            doc.chapters[0].title = chapter or doc.chapters[0].title or doc.title
        if not doc.has_text:
            raise ReadError("FanFiction.net page has no story text")
        return [doc]


def _story_url(tree: LexborHTMLParser) -> str | None:
    for selector in ('link[rel="canonical"]', 'meta[property="og:url"]'):
        node = tree.css_first(selector)
        href = (
            node.attributes.get("href") or node.attributes.get("content")
            if node is not None
            else None
        )
        if href and _STORY_URL_RE.search(str(href)):
            return safe_url(href, "https://www.fanfiction.net")
    return None


def _url_from_id(raw: RawFile, header: LexborNode | None) -> str | None:
    """A page saved with no canonical link still states "id: 2790804" in its profile line:
    the story's address on the site the page names (FictionPress shares the engine)."""
    found = _ID_RE.search(text_of(header)) if header is not None else None
    if found is None:
        return None
    site = "fictionpress.com" if b"fanfiction.net" not in raw.head else "fanfiction.net"
    return f"https://www.{site}/s/{found.group(1)}/"


_ID_RE = re.compile(r"\bid:\s*(\d{1,12})\b")


def fandoms(anchors: list[str]) -> list[str]:
    """The story's fandoms from the section path's links ("Anime/Manga", "Naruto"): the
    last, split for a crossover."""
    if not anchors:
        return []
    last = anchors[-1]
    if last.lower().endswith(" crossover"):
        return [name.strip() for name in last[: -len(" crossover")].split(" + ") if name.strip()]
    return [last] if len(anchors) > 1 or "/" not in last else []


def _read_profile(doc: Document, profile: LexborNode) -> None:
    title = profile.css_first("b")
    doc.title = text_of(title) if title is not None else None
    for link in profile.css("a[href]"):
        if str(link.attributes.get("href") or "").startswith(
            ("/u/", "https://www.fanfiction.net/u/")
        ):
            doc.authors.append(text_of(link))
            break
    divs = profile.css("div")
    line = profile.css_first("span.xgray") or next(
        (d for d in divs if text_of(d).startswith("Rated:")), None
    )
    summary = profile.css_first("div.xcontrast_txt") or next(
        (d for d in divs if d != line and text_of(d)), None
    )
    doc.summary = text_of(summary) or None if summary is not None else None
    if line is not None:
        read_profile_line(doc, text_of(line), _timestamps(line))


def _read_mobile_header(doc: Document, content: LexborNode) -> list[str]:
    """The mobile page's header: "<b>Title</b> by <a>Author</a>", the section links, and a
    profile line whose fields a comma parts ("Rated: K+, Spanish, Romance & Hurt/Comfort,
    Hermione G., Draco M., Words: 5k+, Published: … Updated: …"); the section links' texts."""
    title = content.css_first("b")
    doc.title = text_of(title) if title is not None else None
    sections = []
    for link in content.css("a[href]"):
        href = str(link.attributes.get("href") or "")
        if href.startswith("/u/") and not doc.authors:
            doc.authors.append(text_of(link))
        elif _SECTION_HREF_RE.match(href):
            sections.append(text_of(link))
    line = _MOBILE_LINE_RE.search(text_of(content))
    if line is not None:
        _apply_profile_segments(doc, _mobile_segments(line.group(0)), _timestamps(content))
    return sections


_SECTION_HREF_RE = re.compile(
    r"^/(?:(?:anime|book|cartoon|comic|game|misc|movie|play|tv|crossovers)/(?:[^/]+/)?"
    r"|[^/]+-Crossovers/)"
)
# from "Rated:" to the end of the dates, or of the line
_MOBILE_LINE_RE = re.compile(r"Rated:.*?(?=\s*Chapter \d+:|\n|$)", re.S)


def _read_bare_header(doc: Document, tree: LexborHTMLParser, body: LexborNode) -> list[str]:
    """A page with no header box: the title and fandom from the page title ("Child of Four
    Chapter 3, a Harry Potter fanfic - FanFiction.Net"), the first author link, and the
    profile line's text, "Rated: M - English - … - id:2790804"; the fandom as a link text."""
    title = tree.css_first("title")
    shown = _PAGE_TITLE_RE.match(text_of(title)) if title is not None else None
    if shown:
        doc.title = shown.group("title")
    author = body.css_first('a[href^="/u/"]')
    if author is not None:
        doc.authors.append(text_of(author))
    line = _BARE_LINE_RE.search(text_of(body))
    if line is not None:
        read_profile_line(doc, line.group(0), [])
    return [shown.group("fandom")] if shown else []


_PAGE_TITLE_RE = re.compile(
    r"^(?P<title>.+?)(?: Chapter \d+)?, an? (?P<fandom>.+?) fan ?fic\b", re.I | re.S
)
_BARE_LINE_RE = re.compile(r"Rated:[^\n]*?id:\s*\d+", re.S)


def _mobile_segments(line: str) -> list[str]:
    """The mobile profile line in the desktop's segments: a field per comma, the characters
    (the unlabelled fields after the genres) one segment, genres joined by "/"."""
    # (not the comma of a date: "Apr 23, 2004")
    fields = [f.strip() for f in re.split(r",\s+(?!\d{4}\b)", line) if f.strip()]
    out: list[str] = []
    names: list[str] = []
    for field in fields:
        if re.match(r"^[A-Z][a-z]+:", field):
            if names:
                out.append(", ".join(names))
                names = []
            # "Published: Nov 20 Updated: 2h ago": two fields the mobile line does not part
            out.extend(p.strip() for p in re.split(r"\s(?=(?:Updated|Published):)", field))
        elif len(out) >= 2 and not names and _are_genres(field.replace(" & ", "/")):
            out.append(field.replace(" & ", "/"))
        elif len(out) >= 2:
            names.append(field)
        else:
            out.append(field)
    if names:
        out.append(", ".join(names))
    return out


def _mobile_chapter_title(content: LexborNode) -> str | None:
    match = re.search(r"Chapter \d+:\s*(.+?)\s*$", text_of(content))
    return match.group(1) if match else None


def _timestamps(line: LexborNode) -> list[int]:
    return [
        int(v)
        for span in line.css("span[data-xutime]")
        if (v := span.attributes.get("data-xutime") or "").isdigit()
    ]


def read_profile_line(doc: Document, line: str, dates: list[int]) -> None:
    """The desktop profile line, its fields parted by " - "."""
    _apply_profile_segments(doc, [seg.strip() for seg in line.split(" - ")], dates)


def _apply_profile_segments(doc: Document, segments: list[str], dates: list[int]) -> None:
    """The profile line's fields: rating, language, genres, characters, counts, dates (the
    ``data-xutime`` stamps in the order the dates are shown), status."""
    free: list[str] = []  # segments with no label: language, genres, characters
    status = Status.IN_PROGRESS
    for seg in segments:
        label, sep, value = seg.partition(":")
        if not sep:
            if seg.lower() == "complete":  # older pages: a bare "- Complete -"
                status = Status.COMPLETE
            elif seg:
                free.append(seg)
            continue
        key, value = label.strip().lower(), value.strip()
        if key == "rated":
            rating = value.removeprefix("Fiction").strip()
            doc.add_tag(RATINGS.get(rating, rating), TagType.RATING)
        elif key in {"chapters", "words", "reviews", "favs", "follows"}:
            count = parse_count(value)
            setattr(doc.stats, "chapters_posted" if key == "chapters" else key, count)
        elif key == "status" and value.lower().startswith("complete"):
            status = Status.COMPLETE
        elif key in {"updated", "published"}:
            # The spans hold dates in order: Updated (when present), then Published.
            stamp = dates.pop(0) if dates else None
            day = _day(value, stamp)
            if day:
                setattr(doc, key, day)
    doc.stats.chapters_posted = doc.stats.chapters_posted or 1
    doc.status = status
    if free:
        doc.language = free.pop(0)
    if free and _are_genres(free[0]):
        for genre in _genres(free.pop(0)):
            doc.add_tag(genre, TagType.FREEFORM)
    if free:
        _characters(doc, " ".join(free))


def _day(shown: str, stamp: int | None) -> str | None:
    """The date as the page shows it ("4/23/2004", FFN's own time zone); a date shown without
    its year ("5/15": this year) from the timestamp, in FFN's Pacific time."""
    if match := _SHOWN_DATE_RE.match(shown):
        month, day, year = (int(g) for g in match.groups())
        return parse_date(f"{year:04d}-{month:02d}-{day:02d}")
    if match := _OLD_DATE_RE.match(shown):  # the pages before 2013: "02-08-06", no timestamp
        month, day, year = (int(g) for g in match.groups())
        year += 1900 if year >= 98 else 2000  # the site opened in 1998
        return parse_date(f"{year:04d}-{month:02d}-{day:02d}")
    if stamp is not None:
        return datetime.fromtimestamp(stamp - 8 * 3600, UTC).date().isoformat()
    return parse_date(shown)


def _are_genres(segment: str) -> bool:
    return all(g.lower() in GENRES for g in _genres(segment))


def _genres(segment: str) -> list[str]:
    marked = segment.replace(_HURT_COMFORT, "\0")
    return [g.replace("\0", _HURT_COMFORT).strip() for g in marked.split("/") if g.strip()]


def _characters(doc: Document, segment: str) -> None:
    """Characters, with each ``[A, B]`` group also a pairing ("A/B"); the pages before 2013
    join two characters with " & " ("Harry P. & Draco M.")."""
    for group in re.findall(r"\[([^\]]*)\]", segment):
        names = [n.strip() for n in group.split(",") if n.strip()]
        if len(names) >= 2:
            doc.add_tag("/".join(names), TagType.RELATIONSHIP)
    for name in re.split(r"[,\[\]]| & ", segment):
        if name.strip():
            doc.add_tag(name.strip(), TagType.CHARACTER)


def _chapter_title(tree: LexborHTMLParser) -> str | None:
    option = tree.css_first("#chap_select option[selected]") or tree.css_first(
        'select[name="chapter"] option[selected]'
    )
    if option is None:
        return None
    return _CHAPTER_OPTION_RE.sub("", text_of(option)) or None
