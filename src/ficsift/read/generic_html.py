"""Any other HTML page holding a story: old archive pages, saved FFN/LJ pages, personal sites.

The story container is the element holding the most paragraph text (the readability
heuristic); navigation, scripts and comments around it are dropped.  Headings inside the
container (two or more) are chapter starts; otherwise chapters are found in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape as html_escape
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ficsift.model import Chapter, Document, count_words
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.decode import decode_bytes
from ficsift.read.fields import apply_fields
from ficsift.read.html import (
    drop_hidden,
    hidden_classes,
    html_blocks,
    is_heading_html,
    node_text,
    parse_html,
    parse_page,
    sanitize_html,
)
from ficsift.read.json_ld import description_fields, is_whole_work, work_description
from ficsift.read.story_info import (
    StoryInfo,
    apply_info,
    read_info,
    strip_byline,
    summary_from,
)
from ficsift.read.structure import apply_parts, chapter_heading, split_story

_HTML_MARKERS = (b"<html", b"<!doctype html", b"<body", b"<p>", b"<p ", b"<div", b"<br")
# A page this short (in words) may be an archive's error page rather than a drabble.
_SHORT_PAGE = 300
# Words of a page's own chrome (tags, a "Read" link, counts) beside a work's description.
_CHROME_WORDS = 40
_NOT_FOUND_TITLE_RE = re.compile(
    r"^\s*(?:404\b|not found\b|page not found|error\b|access denied)", re.I
)
_NOT_FOUND_TEXT_RE = re.compile(
    r"\b(?:story|fanfic|fic|work|chapter|page)\s+(?:not found|(?:does not|doesn't) exist|"
    r"(?:is|was) (?:unavailable|not available|deleted|removed)|has been (?:deleted|removed))",
    re.I,
)
# A site's gate instead of the page: a bot check (Cloudflare's "Just a moment…") or a rate
# limit (AO3 answers a burst of requests with a bare "Retry later").
_GATE_TITLE_RE = re.compile(
    r"^\s*(?:just a moment\b|attention required\b|too many requests\b|429\b)", re.I
)
_GATE_TEXT_RE = re.compile(
    r"\b(?:checking your browser before accessing|DDoS protection by \w+|retry later|"
    r"too many requests|rate limit exceeded|verify(?:ing)? you are (?:a )?human)\b",
    re.I,
)
# Also a blog's link to the rest of its post (Tumblr's "Keep reading", WordPress's "more-link"):
# a saved post page holds the rest after it.
_NOISE = (
    "script, style, noscript, template, iframe, nav, form, header nav, footer, #comments, "
    ".comments, aside, a.read_more, a.more-link"
)


@register
class GenericHtmlReader(Reader):
    format = "html"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        if raw.suffix in {".html", ".htm", ".xhtml", ".shtml"}:
            return 30
        return 20 if any(m in raw.head for m in _HTML_MARKERS) else 0

    def read(self, raw: RawFile) -> list[Document]:
        page = decode_bytes(raw.data)
        tree = parse_page(page)
        body = tree.body
        if body is None:
            raise ReadError("HTML page has no body")
        hidden = hidden_classes(tree)
        for node in body.css(_NOISE):
            node.decompose()
        drop_hidden(body, hidden)
        info = read_info(tree, body)
        container = story_container(body)
        chapter_titles = _mark_chapter_titles(container)
        # Sanitise once, before cutting into paragraphs: every block's HTML is then safe.
        clean_body = parse_html(sanitize_html(container.html or "")).body
        blocks = html_blocks(clean_body) if clean_body is not None else []
        if sum(count_words(b.text) for b in blocks[:40]) < _SHORT_PAGE and (
            reason := no_work_reason(tree, body)
        ):
            raise ReadError(f"no work on this page: {reason}")
        described = work_description(tree)
        described_fields = description_fields(described) if described is not None else []
        if described is not None and not info.is_info_page():
            story_words = sum(count_words(b.text) for b in blocks)
            no_container = container.mem_id == body.mem_id
            if _holds_no_story(described, described_fields, story_words, no_container):
                doc = Document(source=raw.source(self.format))
                apply_fields(doc, described_fields)
                doc.summary = doc.summary or summary_from(tree, body)
                doc.title = doc.title or _page_title(tree) or raw.title_guess
                return [doc]
        if not blocks and not info.is_info_page():
            raise ReadError("HTML page has no story text")
        doc = Document(source=raw.source(self.format))
        headings = {i for i, b in enumerate(blocks) if is_heading_html(b.html)}
        titled = {i for i in headings if blocks[i].text in chapter_titles}
        if titled:  # the page marks its chapters' titles: those are its chapter starts
            apply_parts(doc, split_story(blocks, titled))
        else:
            if len(headings) == 1 and min(headings) == 0:
                doc.title = blocks[0].text
                blocks, headings = blocks[1:], set()
            apply_parts(doc, split_story(blocks, headings if len(headings) >= 2 else None))
        if info.title and not info.is_info_page():
            # An eFiction chapter page: "#pagetitle" names the story and its author.
            doc.title = info.title
            doc.authors = info.authors or doc.authors
        elif not info.is_info_page() and (header := _title_and_author(info.fields)):
            apply_fields(doc, header)
        if info.is_info_page():
            index = (
                info.may_be_index()
                and info.is_index(doc.words)
                and not _holds_a_chapter(container, body, info, doc.words)
            )
            if index:
                # A story index page: its text is the site's, the story is behind a link.
                doc = Document(source=raw.source(self.format))
                doc.title = _info_title(tree, info.authors)
            apply_info(doc, info, tree)
            doc.summary = doc.summary or summary_from(tree, body)
            if index:
                doc.title = doc.title or _info_title(tree, doc.authors) or raw.title_guess
                return [doc]
        doc.title = doc.title or _page_title(tree) or raw.title_guess
        bylined = _bylined(body)
        known = {name.casefold() for name in [*doc.authors, *bylined]}
        if doc.title and known:
            doc.title = _work_before_author(tree, doc.title, known) or doc.title
        if doc.title and (found := _work_of_chapter_page(tree, body, doc.title, known)):
            # The page is one chapter of a work its <title> names: the work's title, and the
            # chapter's own where it has none.
            if len(doc.chapters) > 1 and not any(
                chapter_heading(c.title or "") for c in doc.chapters
            ):
                # Headings such as "February 27, 2028 — 23:47" inside one chapter's page
                # open its scenes, not chapters.
                doc.chapters = [_one_chapter(doc.chapters, found[1])]
            if len(doc.chapters) == 1 and not doc.chapters[0].title:
                doc.chapters[0].title = found[1]
            doc.title = found[0]
        if not doc.authors and bylined:
            doc.authors = bylined
        author = tree.css_first('meta[name="author"]')
        named = str(author.attributes.get("content") or "").strip() if author is not None else ""
        if named and not doc.authors and named.casefold() not in _site_names(tree):
            doc.authors.append(named)
        if not doc.authors:
            apply_fields(doc, [f for f in described_fields if f[0] == "author"])
        if not doc.authors and doc.title and doc.chapters:
            opening = doc.chapters[0].text.strip()[:40]
            if byline := _byline_after_title(body, doc.title, opening):
                doc.authors.append(byline)
        _notes_beside(body, container, doc)
        if not doc.has_text:
            raise ReadError("HTML page has no story text")
        return [doc]


def _one_chapter(parts: list[Chapter], title: str) -> Chapter:
    """The pieces a page's headings cut one chapter (``title``) into, as that chapter
    again: each piece opens with its heading, as a paragraph."""
    texts = [f"{c.title}\n\n{c.text}" if c.title else c.text for c in parts]
    htmls = [f"<h3>{html_escape(c.title)}</h3>{c.html}" if c.title else c.html for c in parts]
    return Chapter(
        title=title,
        text="\n\n".join(t for t in texts if t),
        html="".join(htmls),
        notes=[n for c in parts for n in c.notes],
        end_notes=[n for c in parts for n in c.end_notes],
    )


# Classes a page marks the author's notes with (Fimfiction's "authors-note").
_NOTE_CLASSES = ("authors-note", "author-note", "authornote", "authors_note")
_NOTE_BOXES = ", ".join(f'[class*="{name}" i]' for name in _NOTE_CLASSES)


def _notes_beside(body: LexborNode, container: LexborNode, doc: Document) -> None:
    """The author's notes a page sets beside the story, outside its container: those above
    it are the work's notes, those below its end notes."""
    if container.mem_id == body.mem_id or body.css_first(_NOTE_BOXES) is None:
        return
    before = True
    inside = set()
    for node in body.traverse():
        if node.mem_id == container.mem_id:
            before = False
            inside = {n.mem_id for n in container.traverse()}
            continue
        if node.mem_id in inside or not _is_note_box(node):
            continue
        text = _NOTE_HEADER_RE.sub("", node_text(node)).strip()
        target = doc.notes if before else doc.end_notes
        if text and text not in target:
            target.append(text)


_NOTE_HEADER_RE = re.compile(r"^\W{0,3}author['’]?s?['’]? notes?\W{0,3}\s*", re.I)


def _is_note_box(node: LexborNode) -> bool:
    """An element marked as a note, not one inside a larger such box (its header)."""
    if node.tag in {"-text", "-comment"} or not node.attributes.get("class"):
        return False
    classes = str(node.attributes.get("class") or "").lower()
    if not any(name in classes for name in _NOTE_CLASSES):
        return False
    parent = node.parent
    parent_classes = str(parent.attributes.get("class") or "").lower() if parent else ""
    return not any(name in parent_classes for name in _NOTE_CLASSES)


# An element a page marks as a chapter's title without a heading tag (eFiction skins'
# "chaptertitle", ScribbleHub's "chapter-title").
_CHAPTER_TITLE = ", ".join(
    f'[{attr}*="{name}" i]'
    for attr in ("class", "id")
    for name in ("chaptertitle", "chapter-title", "chapter_title")
)


def _mark_chapter_titles(container: LexborNode) -> set[str]:
    """Make the container's marked chapter titles headings; returns their texts."""
    texts: set[str] = set()
    for node in container.css(_CHAPTER_TITLE):
        text = node_text(node)
        inner = (n for n in node.css("p, div, h1, h2, h3, h4") if n.mem_id != node.mem_id)
        if not text or len(text) > 200 or next(inner, None) is not None:
            continue  # a wrapper around the chapter, not its title
        heading = parse_html(f"<h3>{html_escape(text)}</h3>").css_first("h3")
        if heading is not None:
            node.replace_with(heading)
            texts.add(text)
    return texts


_LINK_SHARE = 0.25  # of a container's text in links: a list of chapters, not a chapter


def _holds_a_chapter(container: LexborNode, body: LexborNode, info: StoryInfo, words: int) -> bool:
    """Whether the page's prose is a chapter of the work its information block describes: an
    element of its own holds it, more than the summary and the header's fields (``words``
    counts the story the fields were taken from), and it is prose, not a list of links to
    the chapters.  An eFiction chapter page, or a post that is part 1 of 4, states the whole
    work's words and holds one part's."""
    text = node_text(container)
    if container.mem_id == body.mem_id:
        return False
    linked = sum(len(node_text(a)) for a in container.css("a"))
    if linked > _LINK_SHARE * len(text):
        return False
    summary = next((value for label, value in info.fields if label == "summary"), "")
    return words > count_words(summary) + _CHROME_WORDS


def _holds_no_story(
    described: dict[str, Any],
    fields: list[tuple[str, str]],
    story_words: int,
    no_container: bool,
) -> bool:
    """A work's page that describes it for search engines (``described``, read as
    ``fields``) and holds none of its story: its words are the description's and the site's
    own, or it describes a book and no element holds its prose (Wattpad's story page, Royal
    Road's fiction page)."""
    summary = dict(fields).get("summary", "")
    return story_words <= count_words(summary) + _CHROME_WORDS or (
        no_container and is_whole_work(described)
    )


def no_work_reason(tree: LexborHTMLParser, body: LexborNode) -> str | None:
    """Why a short page holds no work, when it says so: an archive's error box (eFiction's
    ``div.errortext``), a "Not Found"/"404" page title, a "story not found" notice, or a
    site's bot check or rate limit saved in the page's stead."""
    error = body.css_first(".errortext, .error-404, .gui_error, .gui_warning")
    if error is not None and (text := node_text(error)):
        return f"the archive says {text.splitlines()[0][:120]!r}"
    title = _title_line(tree)
    if _NOT_FOUND_TITLE_RE.match(title):
        return f"the page is titled {title[:80]!r}"
    gate = title if _GATE_TITLE_RE.match(title) else None
    if gate is None and (found := _GATE_TEXT_RE.search(node_text(body)[:5000])):
        gate = found.group(0)
    if gate:
        return f"the site's check or rate limit, not the page ({gate[:80]!r})"
    if match := _NOT_FOUND_TEXT_RE.search(node_text(body)[:5000]):
        return f"the page says {match.group(0)!r}"
    return None


def story_container(body: LexborNode) -> LexborNode:
    """The element whose paragraphs hold most of the page's text: ``<p>``s, text runs
    between ``<br>``s (a LiveJournal post, an old archive page), or its own text."""
    scores: dict[int, tuple[int, LexborNode]] = {}
    for para in body.css("p"):
        parent = para.parent
        if parent is None:
            continue
        length = len(para.text(deep=True, strip=True))
        key = parent.mem_id
        prev = scores.get(key)
        scores[key] = ((prev[0] if prev else 0) + length, parent)
    seen: set[int] = {body.mem_id}
    # Text runs between <br>s, and text a site sets with "white-space: pre-wrap" (ficbook):
    # an element's own text, outside any element inside it.
    holders = [br.parent for br in body.css("br")] + body.css("div, td, article, section, pre")
    for parent in holders:
        if parent is None or parent.mem_id in seen:
            continue
        seen.add(parent.mem_id)
        runs = len(parent.text(deep=False, strip=True))
        prev = scores.get(parent.mem_id)
        if prev is None or prev[0] < runs:
            scores[parent.mem_id] = (runs, parent)
    if not scores:
        return body
    best_score, best = max(scores.values(), key=lambda pair: pair[0])
    total = len(body.text(deep=True, strip=True))
    return best if total and best_score >= 0.5 * total else body


def _info_title(tree: LexborHTMLParser, authors: list[str]) -> str | None:
    """An index page's title: the heading the page's <title> repeats, else the <title>,
    without a " by Author" tail."""
    page = node_text(tree.css_first("title"))
    for node in tree.css("h1, h2"):
        text = node_text(node)
        if text and page and text.lower() in page.lower():
            return strip_byline(text, authors)
    return strip_byline(page.split("\n")[0][:200], authors) if page else None


# "Prologue - The First Rain of May - Wattpad", "Prologue : Last Warm Night - Okeanos Returnal |
# Royal Road": a chapter page's <title> names the chapter, the work, then the site; others put
# the site first and the chapter last ("TtH : Stones and Shadows : Chapter One", "Site ❯
# Fandom ❯ Work ❯ Chapter 3: Cold Start"), or the work first ("Paper Cranes | Chapter 4 | Site").
_TITLE_SEPARATORS = (re.compile(r"\s+(?:[-|–—❯›»]|::)\s+"), re.compile(r"\s+:\s+"))


def _title_line(tree: LexborHTMLParser) -> str:
    """The first line of the page's <title>."""
    return node_text(tree.css_first("title")).split("\n")[0].strip()


def _heading_texts(tree: LexborHTMLParser) -> set[str]:
    return {node_text(h).strip().casefold() for h in tree.css("h1, h2, h3")}


def _title_splits(page: str) -> Iterator[list[str]]:
    """The <title>'s parts by each way sites join them, the likelier first."""
    for separator in _TITLE_SEPARATORS:
        yield [p.strip() for p in separator.split(page) if p.strip()]


def _work_of_chapter_page(
    tree: LexborHTMLParser, body: LexborNode, title: str, authors: set[str]
) -> tuple[str, str] | None:
    """(work, chapter) of a chapter page whose <title> names both: the chapter being a
    heading of the page (or an element it marks as a chapter's title) at either end, the
    work beside it; or a part reading as a chapter ("Chapter 4: The Rooftop"), the work the
    part before it (after it, when the chapter comes first).  The page must so far be titled
    with one of them, the whole <title>, or a heading holding the chapter's (a breadcrumb).
    A part naming one of the page's ``authors`` (casefolded) is no work: "Work - Author -
    Fandom [Site]" names the work first.
    """
    page = _title_line(tree)
    headings = _heading_texts(tree)
    headings |= {node_text(n).strip().casefold() for n in body.css(_CHAPTER_TITLE)}
    for parts in _title_splits(page):
        if len(parts) < 2:
            continue
        now, whole = title.strip().casefold(), page.casefold()
        pairs = [(parts[0], parts[1]), (parts[-1], parts[-2])] if len(parts) >= 3 else []
        for chapter, work in pairs:
            known = chapter.casefold()
            if (
                known in headings
                and now in {known, whole}
                and not chapter_heading(work)
                and work.casefold() not in authors
            ):
                return work[:200], chapter[:200]
        for n, part in enumerate(parts):
            if (pair := _work_then_chapter(part)) and now in {part.casefold(), whole}:
                return pair  # "Der Winter, Kapitel 2: Schnee", "Salt Lines: Chapter 2: X"
            if chapter_heading(part):
                work = parts[1] if n == 0 and len(parts) >= 3 else parts[n - 1] if n else ""
                named = {part.casefold(), work.casefold(), whole}
                if work and not chapter_heading(work) and (now in named or part.casefold() in now):
                    return work[:200], part[:200]
                break
    return None


_TITLE_FIELDS = frozenset({"title", "story"})
_AUTHOR_FIELDS = frozenset({"author", "authors", "by", "writer"})


def _title_and_author(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A header of two lines, "Story: Ashes of Winterfell" and "Author: direwolfden", too few
    labels for an information block: the pair says what the page is and who wrote it (a
    lone "Title:" or "Author:" line might be the story's own)."""
    pair = [(label, value) for label, value in fields if label in _TITLE_FIELDS | _AUTHOR_FIELDS]
    labels = {label for label, _ in pair}
    if labels & _TITLE_FIELDS and labels & _AUTHOR_FIELDS and len(pair) <= 3:
        return pair
    return []


def _work_then_chapter(part: str) -> tuple[str, str] | None:
    """("Der Winter", "Kapitel 2: Schnee") for one part of a <title> that names the work and
    then its chapter after a comma or a colon ("Salt Lines: Chapter 2: Hunter's Moon")."""
    for mark in (", ", ": "):
        start = part.find(mark)
        while start > 0:
            work, chapter = part[:start].strip(), part[start + len(mark) :].strip()
            if work and chapter_heading(chapter) and not chapter_heading(work):
                return work[:200], chapter[:200]
            start = part.find(mark, start + 1)
    return None


# How far into the page's text a header's "<title> by <author>" is looked for.
_BYLINE_REACH = 20_000


def _work_before_author(tree: LexborHTMLParser, title: str, authors: set[str]) -> str | None:
    """The work of a page titled "Work - Author - Fandom [Site]" (AO3's pattern, and many a
    blog's): the part before the part naming the author, when the page heads with it."""
    page = _title_line(tree)
    if title.strip().casefold() != page.casefold():
        return None
    headings = _heading_texts(tree)
    for parts in _title_splits(page):
        if len(parts) >= 2 and parts[1].casefold() in authors and parts[0].casefold() in headings:
            return parts[0][:200]
    return None


def _bylined(body: LexborNode) -> list[str]:
    """The authors the page's byline marks as such (``<a rel="author">``, as AO3, WordPress
    and many archives set it): the first such link and those beside it, not the authors of
    the works a page lists further down ("inspired by", "more by others")."""
    first = body.css_first('a[rel~="author"]')
    byline = first.parent if first is not None else None
    if byline is None:
        return []
    names: list[str] = []
    for link in byline.css('a[rel~="author"]'):
        name = node_text(link).strip()
        if name and len(name) <= 100 and name not in names:
            names.append(name)
    return names[:10]


def _byline_after_title(body: LexborNode, title: str, opening: str) -> str | None:
    """The author a page's header names right after the work's title, on lines of their own
    ("Okeanos Returnal / by / qualiap", as Royal Road's chapter pages set it) or on one.
    Only the header is read: the text before the story's ``opening`` words (a story's own
    "Dawn by the river" is no byline)."""
    text = node_text(body)[:_BYLINE_REACH]
    end = text.find(opening) if opening else -1
    if len(title) < 3 or end <= 0:
        return None
    text = text[:end]
    pattern = rf"(?m)^[ \t]*{re.escape(title)}\s+by\s+([^\n]{{1,60}}?)[ \t]*$"
    found = re.search(pattern, text)
    return found.group(1).strip() if found else None


# Where a page names its site's app or account: a page "by" one of these is the site's own.
# (Not og:site_name: a personal site is often named after its author.)
_SITE_NAME_META = (
    'meta[name="application-name"], meta[name="twitter:site"], '
    'meta[name^="twitter:app:name"], meta[property$=":app_name"]'
)


def _site_names(tree: LexborHTMLParser) -> set[str]:
    """The names a page gives its site ("Tapas", "@tapas_app"), casefolded."""
    names = set()
    for meta in tree.css(_SITE_NAME_META):
        name = str(meta.attributes.get("content") or "").strip().lstrip("@").casefold()
        if name:
            names.add(name)
    return names


def _page_title(tree: LexborHTMLParser) -> str | None:
    """The page's first heading that is not the site's logo (a link home), else <title>."""
    for node in [*tree.css("h1"), tree.css_first("title")]:
        if node is None or (node.tag == "h1" and _links_home(node)):
            continue
        if text := node_text(node):
            return text.split("\n")[0][:200]
    return None


def _links_home(node: LexborNode) -> bool:
    home = node.css_first('a[href="/"], a[href="./"], a[href="index.html"], a[href="index.php"]')
    return home is not None and node_text(home) == node_text(node)
