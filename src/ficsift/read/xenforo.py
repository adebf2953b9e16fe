"""Forum threads on XenForo, where quests and long serials live (SpaceBattles, Sufficient
Velocity, Questionable Questing, Alternate History): a thread page or its threadmarks
"reader" page, saved from the browser.

A thread is posts, each in the forum's frame (the poster's card, titles, likes, dates): the
story is the posts' bodies only (``.bbWrapper``; XenForo 1's ``.messageText``).  Which posts:

- those the author threadmarked, each a chapter titled with its threadmark ("Chapter 2:
  Static"), when the page has any (a reader page has nothing else);
- otherwise the posts of the thread's author, each a chapter; everyone else's are comments.

The thread's title (``h1.p-title-value``) is the work's, without the forum's prefix labels
("Worm"), which are kept as tags with the thread's own tags.  FanFicFare's XenForo adapters
read the same landmarks from live pages.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ficsift.model import Document, TagType
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.decode import decode_bytes
from ficsift.read.html import html_blocks, node_text, parse_html, parse_page, sanitize_html
from ficsift.read.structure import one_chapter

# Markers of a XenForo thread in a page's first 64 KiB (lower-cased): XenForo 2's root and
# post classes, XenForo 1's post list.
_XF2_MARKS = (b'id="xf"', b"data-xf=", b"message--post")
_XF1_MARKS = (b"messagelist", b"messagetext")
_POSTS = "article.message--post, li.message[data-author]"
_BODY = ".message-body .bbWrapper, .bbWrapper, blockquote.messageText"
_THREADMARK = ".message-cell--threadmark-header, .threadmarker"
_CHROME = "script, style, noscript, iframe, .bbCodeBlock-expandLink, .bbCodeSpoiler-button"


@register
class XenForoThreadReader(Reader):
    format = "xenforo"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        head = raw.head
        if b"bbwrapper" in head and any(mark in head for mark in _XF2_MARKS):
            return 70
        if all(mark in head for mark in _XF1_MARKS):
            return 70
        return 0

    def read(self, raw: RawFile) -> list[Document]:
        tree = parse_page(decode_bytes(raw.data))
        posts = [p for p in tree.css(_POSTS) if p.css_first(_BODY) is not None]
        if not posts:
            raise ReadError("forum page holds no posts")
        doc = Document(source=raw.source("html", url=_canonical_url(tree)))
        doc.title = _thread_title(tree, doc) or raw.title_guess
        author = posts[0].attributes.get("data-author") or _thread_starter(tree)
        if author:
            doc.authors = [author.strip()]
        marked = [p for p in posts if _threadmark(p) is not None]
        story = marked or [p for p in posts if p.attributes.get("data-author") == author]
        for n, post in enumerate(story or posts[:1]):
            _add_post(doc, post, _threadmark(post), first=n == 0)
        for tag in tree.css(".p-description a.tagItem, .tagList a.tag"):
            if name := node_text(tag):
                doc.add_tag(name, TagType.FREEFORM, label="thread tags")
        if not doc.has_text:
            raise ReadError("forum page holds no story text")
        return [doc]


def _thread_title(tree: LexborHTMLParser, doc: Document) -> str | None:
    """The thread's title; the forum's prefix labels on it ("Worm") become tags."""
    heading = tree.css_first("h1.p-title-value, .titleBar h1")
    if heading is None:
        return None
    for label in heading.css("span.label, span.prefix"):
        if name := node_text(label):
            doc.add_tag(name, TagType.FREEFORM, label="prefix")
        label.decompose()
    for append in heading.css("span.label-append"):
        append.decompose()
    return node_text(heading) or None


def _thread_starter(tree: LexborHTMLParser) -> str | None:
    starter = tree.css_first(".p-description a.username, #pageDescription a.username")
    return node_text(starter) or None if starter is not None else None


def _canonical_url(tree: LexborHTMLParser) -> str | None:
    link = tree.css_first('link[rel="canonical"]')
    url = str(link.attributes.get("href") or "") if link is not None else ""
    return url if url.startswith(("http://", "https://")) else None


def _threadmark(post: LexborNode) -> str | None:
    """The threadmark's title on a post, without the "Threadmarks" label before it."""
    header = post.css_first(_THREADMARK)
    if header is None:
        return None
    label = header.css_first(".threadmarkLabel, .primary span[id], .primary span:not(.label)")
    if label is None:
        for name in header.css("label, .secondary, .label"):
            name.decompose()
        label = header
    return node_text(label).removeprefix("Threadmark:").strip() or None


def _add_post(doc: Document, post: LexborNode, title: str | None, first: bool) -> None:
    """One post's body as a chapter; the first post's front matter (a disclaimer, notes) is
    the work's."""
    body = post.css_first(_BODY)
    if body is None:
        return
    for node in body.css(_CHROME):
        node.decompose()
    clean = parse_html(sanitize_html(body.html or "")).body
    chapters, parts = one_chapter(html_blocks(clean) if clean is not None else [], title)
    if first:
        doc.disclaimer = parts.disclaimer
        doc.notes.extend(parts.notes)
    elif chapters:
        chapters[0].notes[:0] = [*parts.notes, *([parts.disclaimer] if parts.disclaimer else [])]
    doc.chapters.extend(chapters)
