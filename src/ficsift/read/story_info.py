"""Story information blocks on archive pages: eFiction's story index, other archives' info
pages, and the LiveJournal/Dreamwidth header a post opens with.

They all state a work's fields as labelled lines, however the HTML dresses them::

    <span class="label">Rated:</span> NC-17 - No One 17 and Under Admitted<br>
    <b>Author</b> : Juuchan17<br><br><b>Rating</b> : PG<br>
    Status: Completed - Rating: Everyone - Chapters: 1 - Word count: 2,197 - Genre: One Shots
    <b>Title:</b> Night Shift<br><b>Pairing:</b> Jim/Blair<br><b>Rating:</b> PG-13<br>

A line counts only when it *starts* with a label fics use (so prose with a colon never
does); further labels on the line split it ("Chapters: 86 Completed: Yes").

eFiction (the engine behind many single-fandom archives, FanFicFare's
``base_efiction_adapter``) adds its own landmarks: ``#pagetitle`` with the
``viewstory.php?sid=`` title link and the ``viewuser.php?uid=`` author link, and a site
name that often is the fandom ("Harry Potter FanFic Archive").

A story index page links to the story rather than holding it: when the page states far more
words than it holds, or offers a "read the story" link and holds little prose, the work is
read as metadata only (no chapters), never the page's chrome as its text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ficsift.model import Document, Status, TagType
from ficsift.read.fields import (
    KNOWN_LABELS,
    TEXT_LABELS,
    apply_fields,
    normalise_label,
    parse_count,
    parse_int,
)
from ficsift.read.html import fragment_text, node_text

# Labels info pages use beyond the shared table (fields.KNOWN_LABELS).
_EXTRA_LABELS = (
    "date sent",
    "word count",
    "chapters",
    "completed",
    "complete",
    "reviews",
    "rated",
    "read",
    "hits",
)
_LABELS = sorted(set(KNOWN_LABELS) | set(_EXTRA_LABELS), key=len, reverse=True)
_LABEL_ALT = "|".join(re.escape(label) for label in _LABELS)
_LINE_START_RE = re.compile(rf"^\W{{0,2}}(?:{_LABEL_ALT})\s*:", re.I)
# Another label inside a line: after a space or " - ", followed by a colon.
_INNER_LABEL_RE = re.compile(rf"(?:^|(?<=\s))({_LABEL_ALT})\s*:\s*", re.I)
# A field set out as a table row or a definition ("<th>Rating</th><td>FR15</td>",
# "<dt>Words:</dt><dd>1,480</dd>", as Twisting the Hellmouth and others lay theirs out): read
# as the labelled line it stands for.
# (The label's wrappers, a link among them — AO3's "<a href=…>Archive Warning</a>:" — and the
# spaces and colon around it are one run of tokens that cannot overlap: linear on any input.)
_CELL_LABEL_RE = re.compile(
    rf"<(?:t[hd]|dt)\b[^>]*>(?:\s|<(?:b|strong|span|em|a)\b[^>]*>)*({_LABEL_ALT})"
    rf"(?:\s|:|</(?:b|strong|span|em|a)>)*</(?:t[hd]|dt)>\s*<(?:td|dd)\b[^>]*>",
    re.I,
)
_INFO_REACH = 200_000  # characters of markup searched for an information block
_BLOCK_LABELS = frozenset({"summary", "description", "notes", "disclaimer"})
_COUNT_LABELS = {"chapters": "chapters_posted", "reviews": "reviews", "hits": "hits"}
_DATE_LABELS = {"date sent": "published", "date": "published"}
_READ_LINK_RE = re.compile(
    r"^\W*(?:click (?:here )?to read|read (?:the |this )?(?:fanfic|fic|story|chapter|first chapter|more)|"
    r"start reading|read now|read)\W*$",
    re.I,
)
_SITE_FANDOM_RE = re.compile(r"^(.{2,60}?)\s+fan\s?fic(?:tion)?s?\s+archive\b", re.I)
_BY_RE = re.compile(r"^by\s+(.{1,80})$", re.I)
_GENERIC_KEYWORDS = frozenset(
    [
        "fanfic",
        "fanfics",
        "fanfiction",
        "fiction",
        "story",
        "stories",
        "fic",
        "fics",
        "adventure",
        "romance",
        "drama",
        "humor",
        "humour",
        "angst",
        "general",
        "poetry",
    ]
)


@dataclass(slots=True)
class StoryInfo:
    """What a page's information block states."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    site_fandom: str | None = None
    read_link: bool = False  # the page links to the story's text ("Read the fanfic")
    chapter_links: int = 0  # eFiction chapter links (viewstory.php?sid=N&chapter=M)

    @property
    def labels(self) -> set[str]:
        return {label for label, _ in self.fields}

    def is_info_page(self) -> bool:
        """Enough fic fields to be a work's information block, not a stray "Note:"."""
        return len(self.labels - {"note", "notes", "a/n", "an", "disclaimer"}) >= 3

    def stated_words(self) -> int | None:
        for label, value in self.fields:
            if label in {"word count", "words", "wordcount"}:
                return parse_int(value)
        return None

    def may_be_index(self) -> bool:
        """Whether :meth:`is_index` can hold (so a long page's words need no counting)."""
        return self.is_info_page() and bool(
            self.stated_words() or self.read_link or self.chapter_links
        )

    def is_index(self, present_words: int) -> bool:
        """The page describes the story and links to it, holding little or none of it."""
        if not self.is_info_page():
            return False
        stated = self.stated_words()
        if stated and present_words < 0.25 * stated:
            return True
        return (self.read_link or self.chapter_links > 0) and present_words < 500


def read_info(tree: LexborHTMLParser, body: LexborNode) -> StoryInfo:
    info = StoryInfo(fields=labelled_fields(_leading_text(body)))
    _efiction(tree, info)
    _by_line(body, info)
    info.read_link = any(_READ_LINK_RE.match(node_text(a)) for a in body.css("a[href]"))
    info.chapter_links = sum(
        1
        for a in body.css("a[href]")
        if re.search(
            r"viewstory\.php\?sid=\d+&(?:amp;)?chapter=\d+", a.attributes.get("href") or ""
        )
    )
    return info


def _leading_text(body: LexborNode) -> str:
    """The text of the page's leading markup, up to ``_INFO_REACH`` characters: an
    information block sits above the story, and running the text helpers over a whole long
    story page only to look for it cost more than reading the story."""
    markup = "".join(_leading_markup(body, _INFO_REACH))
    if "<dd" in markup:
        markup = _definitions_on_one_line(markup)
    if "<t" in markup or "<dt" in markup:
        markup = _CELL_LABEL_RE.sub(lambda m: f"<br>{m.group(1)}: ", markup)
    return fragment_text(markup)


# A definition's value set as a list ("<dd><ul><li>A</li><li>B</li></ul></dd>", as AO3's
# work header is): "A, B" on the label's line.
_DD_OPEN_RE = re.compile(r"<dd\b[^>]*>", re.I)
_DD_CLOSE_RE = re.compile(r"</dd>", re.I)
_DD_REACH = 20_000  # a value longer than this is no field's
_ITEM_BREAK_RE = re.compile(r"</li>\s*<li\b[^>]*>", re.I)
_LIST_TAG_RE = re.compile(r"</?(?:ul|ol|li)\b[^>]*>", re.I)


def _definitions_on_one_line(markup: str) -> str:
    """Each ``<dd>``'s items joined on one line.  Every ``</dd>`` is found once, so a page of
    ``<dd>``s never closed costs one pass, not one per ``<dd>``."""
    closes = [m.start() for m in _DD_CLOSE_RE.finditer(markup)]
    if not closes:
        return markup
    out, done = [], 0
    for opened in _DD_OPEN_RE.finditer(markup):
        start = opened.end()
        if start < done:
            continue
        k = bisect.bisect_left(closes, start)
        if k == len(closes):
            break
        end = closes[k]
        if end - start > _DD_REACH:
            continue
        items = _LIST_TAG_RE.sub("", _ITEM_BREAK_RE.sub(", ", markup[start:end]))
        out += [markup[done:start], " ".join(items.split())]
        done = end
    return "".join(out) + markup[done:]


def _leading_markup(node: LexborNode, budget: int) -> list[str]:
    parts: list[str] = []
    for child in node.iter(include_text=True):
        fragment = child.html or "" if child.tag != "-text" else child.text_content or ""
        if len(fragment) <= budget:
            parts.append(fragment)
            budget -= len(fragment)
            continue
        if child.tag != "-text":  # too big: its own leading part, then stop
            parts.extend(_leading_markup(child, budget))
        break
    return parts


def labelled_fields(text: str) -> list[tuple[str, str]]:
    """(label, value) for each labelled line; a label with no value takes the next line."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    found: list[tuple[str, str]] = []
    for n, line in enumerate(lines):
        if len(line) > 2000 or not _LINE_START_RE.match(line):
            continue
        marks = list(_INNER_LABEL_RE.finditer(line))
        for k, mark in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(line)
            value = line[mark.end() : end].strip().rstrip("-|").strip()
            label = normalise_label(mark.group(1))
            # Only a summary runs onto its own paragraph ("Summary:<p>…</p>"); an empty
            # "Characters :" must not take whatever line comes next.
            if (
                not value
                and label in _BLOCK_LABELS
                and n + 1 < len(lines)
                and not _LINE_START_RE.match(lines[n + 1])
            ):
                value = lines[n + 1]
            value, tail = _unlabelled_tail(value) if label not in _BLOCK_LABELS else (value, [])
            found.append((label, value))
            found.extend(tail)
    return found


# Segments a " - " line states without a label, after the last labelled one:
# "Updated: 2012-10-14 - 4,120 words - Complete".
_WORDS_SEGMENT_RE = re.compile(r"^(\d[\d,.]*\s*k?)\s+words$", re.I)
_STATUS_SEGMENT_RE = re.compile(r"^(?:complete|completed|in[- ]progress|incomplete|wip)$", re.I)


def _unlabelled_tail(value: str) -> tuple[str, list[tuple[str, str]]]:
    """The value less its trailing unlabelled word count and status, and those as fields."""
    segments = value.split(" - ")
    tail: list[tuple[str, str]] = []
    while len(segments) > 1:
        last = segments[-1].strip()
        if match := _WORDS_SEGMENT_RE.match(last):
            tail.append(("words", match.group(1)))
        elif _STATUS_SEGMENT_RE.match(last):
            tail.append(("status", last))
        else:
            break
        segments.pop()
    return " - ".join(segments).strip(), tail[::-1]


def _efiction(tree: LexborHTMLParser, info: StoryInfo) -> None:
    title_box = tree.css_first("#pagetitle")
    if title_box is not None:
        story = title_box.css_first('a[href*="viewstory.php"]')
        if story is not None:
            info.title = node_text(story) or None
        info.authors = [
            name for a in title_box.css('a[href*="viewuser.php"]') if (name := node_text(a))
        ]
    for selector in ("#sitename", 'link[rel="alternate"][type="application/rss+xml"]'):
        node = tree.css_first(selector)
        if node is None:
            continue
        site = node.attributes.get("title") if node.tag == "link" else node_text(node)
        if site and (match := _SITE_FANDOM_RE.match(str(site).strip())):
            info.site_fandom = match.group(1).strip()
            break


def _by_line(body: LexborNode, info: StoryInfo) -> None:
    """The "By Author" heading under a title heading (fanficauthors-style pages)."""
    if info.authors:
        return
    for heading in body.css("h1, h2, h3, h4"):
        text = node_text(heading)
        if match := _BY_RE.match(text):
            info.authors = [match.group(1).strip()]
            return


def keyword_fandom(tree: LexborHTMLParser, title: str | None) -> str | None:
    """The one keyword of the page's ``meta keywords`` that is neither the title nor a
    generic word: the fandom on many single-media archives ("<title>,Balto,fanfic,story")."""
    meta = tree.css_first('meta[name="keywords"]')
    if meta is None:
        return None
    words = [w.strip() for w in str(meta.attributes.get("content") or "").split(",") if w.strip()]
    left = [
        w for w in words
        if w.lower() not in _GENERIC_KEYWORDS and not (title and title.lower() in w.lower())
    ]  # fmt: skip
    return left[0] if len(left) == 1 and len(left[0]) <= 60 else None


def apply_info(doc: Document, info: StoryInfo, tree: LexborHTMLParser) -> None:
    """Put an information block's fields into ``doc`` (they win over what the text gave).

    Notes and disclaimers are the story reader's (they sit in the text it split); only a
    page without story text takes them from here.
    """
    if info.title:
        doc.title = info.title
    if info.authors:
        doc.authors = list(info.authors)
    # A page whose site or keywords name the fandom uses "Category" for genres.
    site_fandom = info.site_fandom or keyword_fandom(tree, info.title or doc.title)
    plain: list[tuple[str, str]] = []
    for label, value in info.fields:
        if label in _COUNT_LABELS:
            count = parse_int(value)
            if count is not None:
                setattr(doc.stats, _COUNT_LABELS[label], count)
        elif label in {"completed", "complete"} and value.lower() in {"yes", "no"}:
            doc.status = Status.COMPLETE if value.lower() == "yes" else Status.IN_PROGRESS
        elif label in {"rated", "rating"}:
            plain.append(("rating", _rating(value)))
        elif label in _DATE_LABELS:
            plain.append((_DATE_LABELS[label], value))
        elif label in {"categories", "category"} and site_fandom:
            plain.append(("genre", value))  # a one-fandom archive's categories are its genres
        elif (
            label in {"title", "author", "authors", "by"}
            and (info.title if label == "title" else info.authors)
        ) or (TEXT_LABELS.get(label) in {"notes", "disclaimer"} and doc.chapters):
            continue
        elif label not in {"read", "length"}:
            plain.append((label, value))
    status = doc.status
    apply_fields(doc, plain)
    if status != Status.UNKNOWN and not any(label == "status" for label, _ in plain):
        doc.status = status
    if doc.status == Status.UNKNOWN:
        for label, value in info.fields:
            if label == "status" and "wip" in value.lower():
                doc.status = Status.IN_PROGRESS
    if not doc.tags_of(TagType.FANDOM) and site_fandom:
        doc.add_tag(site_fandom, TagType.FANDOM)
    if doc.title and doc.authors:
        doc.title = strip_byline(doc.title, doc.authors)
    if parse_count(str(doc.stats.words or "")) is None:
        doc.stats.words = None


def _rating(value: str) -> str:
    """ "NC-17 - No One 17 and Under Admitted" -> "NC-17"; "PG (Parental guidance…)" -> "PG"."""
    return re.split(r"\s+-\s+|\s*\(", value, maxsplit=1)[0].strip() or value


def strip_byline(title: str, authors: list[str]) -> str:
    """ "Title by Author" -> "Title" when Author is the work's author."""
    for author in authors:
        suffix = f" by {author}"
        if title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
            return title[: -len(suffix)].strip()
    return title


_SUMMARY_BOX = '[class*="summary" i], [id*="summary" i]'
_SUMMARY_LABEL_RE = re.compile(r"^\W{0,2}summary\s*:\s*", re.I)
_SUMMARY_REACH = 3000  # characters: a longer "summary" element holds more than the summary


def summary_from(tree: LexborHTMLParser, body: LexborNode) -> str | None:
    """A summary the block does not label: the one element the page names a summary
    ("storysummary"), a lone blockquote, else the meta description."""
    boxes = [n for n in body.css(_SUMMARY_BOX) if n.tag not in {"body", "html"}]
    text = node_text(boxes[0]) if len(boxes) == 1 else ""
    if len(text) <= _SUMMARY_REACH and (text := _SUMMARY_LABEL_RE.sub("", text).strip()):
        return text
    quotes = body.css("blockquote")
    if len(quotes) == 1 and (text := node_text(quotes[0])):
        return text
    meta = tree.css_first('meta[name="description"]')
    if meta is not None:
        text = fragment_text(str(meta.attributes.get("content") or ""))
        if text and not text.endswith("..."):
            return text
    return None
