"""HTML helpers shared by every HTML-based reader (AO3, EPUB, front-matter, generic pages).

Story HTML is hostile until proven otherwise: :func:`sanitize_html` keeps what a story needs
(italics, bold, paragraphs, rules, lists, alignment) and drops scripts, event handlers,
iframes and ``javascript:`` URLs.  :func:`html_blocks` turns a story container into
paragraph-sized :class:`Block` records so the same structure finder serves HTML and text.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

import nh3
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ficsift.read.nesting import check_nesting

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "i", "strong", "b", "u", "s", "strike", "del", "ins", "sub", "sup",
    "small", "big", "span", "div", "blockquote", "center", "pre", "code", "tt",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tr", "td", "th", "caption", "a", "abbr", "cite", "q", "img",
    "ruby", "rt", "rp", "figure", "figcaption", "section", "article", "aside", "header", "footer",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"align", "title", "lang", "dir", "style"},
    "a": {"href"},
    "img": {"alt", "src"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start", "type"},
}
# Inline styles carry alignment and indents in many fics; nh3 filters them to these properties.
ALLOWED_STYLE_PROPERTIES = {
    "text-align",
    "font-style",
    "font-weight",
    "text-decoration",
    "margin-left",
}

BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "ul", "ol", "pre",
    "hr", "section", "article", "center", "table", "tr", "dl", "dt", "dd", "header", "footer",
    "aside", "figure", "main", "body", "html",
})  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "head"})

_BR_RE = re.compile(r"<br\s*/?>", re.I)
_DOUBLE_BR_RE = re.compile(r"(?:<br\s*/?>\s*){2,}", re.I)
# The tag patterns below end in "[^>]*>": from each "<" of a long tail with no ">" they would
# scan to the end, so fragment_text only applies them up to the last ">" (see _tags_sub).
_BLOCK_BOUNDARY_RE = re.compile(
    r"</?(?:p|div|h[1-6]|blockquote|li|ul|ol|pre|section|article|center|table|tr|dl|dt|dd)\b[^>]*>",
    re.I,
)
_HR_RE = re.compile(r"<hr\b[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^>]*>")
_BLANK_LINES_RE = re.compile(r"\n[ \t\u00a0]*(?:\n[ \t\u00a0]*)+")
_SPACES_RE = re.compile(r"[ \t\u00a0]+")
_LINE_EDGE_RE = re.compile(r" ?\n ?")

SCENE_BREAK = "* * *"


@dataclass(slots=True)
class Block:
    """A paragraph-sized piece of a story: plain text plus the HTML it came from."""

    text: str
    html: str = ""

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


_HEADING_HTML_RE = re.compile(r"\s*<h[1-6][\s>]", re.I)


def is_heading_html(fragment: str) -> bool:
    return bool(_HEADING_HTML_RE.match(fragment))


def parse_html(text: str) -> LexborHTMLParser:
    return LexborHTMLParser(text)


def parse_page(text: str) -> LexborHTMLParser:
    """A whole page from a file, parsed once its depth is known to be sane: a page nested
    thousands deep costs the parser and every tree walk minutes (see nesting.py)."""
    check_nesting(text)
    return LexborHTMLParser(text)


def sanitize_html(fragment: str) -> str:
    """Story HTML made safe to show: no scripts, handlers, iframes or javascript: URLs."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style", "iframe", "object", "noscript", "template"},
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
    )


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment: paragraphs split by blank lines, <br> by newlines."""
    if "<script" in fragment or "<style" in fragment or "<SCRIPT" in fragment:
        fragment = drop_code(fragment)  # page-speed proxies inject scripts into stories
    # Called once per paragraph (65,000 times for the shared stories): each substitution is
    # skipped when a substring test shows it cannot match, which halves the cost.
    text = fragment
    if "<h" in text or "<H" in text:
        text = _tags_sub(_HR_RE, f"\n\n{SCENE_BREAK}\n\n", text)
    text = _tags_sub(_BLOCK_BOUNDARY_RE, "\n\n", text)
    if "<b" in text or "<B" in text:
        text = _BR_RE.sub("\n", text)
    if "<" in text:
        text = _tags_sub(_TAG_RE, "", text)
    text = htmllib.unescape(text)
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = _SPACES_RE.sub(" ", text)
    text = text.strip()
    if "\n" in text:  # newlines at the edges are stripped anyway: tidy only inner ones
        text = _BLANK_LINES_RE.sub("\n\n", _LINE_EDGE_RE.sub("\n", text))
    return text


def _tags_sub(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    """``pattern.sub`` for a pattern ending in ``[^>]*>``, in linear time.

    No tag can end after the last ">", so the tail after it is left alone: from each "<" in
    that tail the pattern would scan to the end and fail ("<" * 100,000: quadratic).
    """
    end = text.rfind(">") + 1
    if end == len(text):
        return pattern.sub(replacement, text)
    return pattern.sub(replacement, text[:end]) + text[end:]


_CODE_START_RE = re.compile(r"<(script|style)\b", re.I)
_CODE_END_RE = {name: re.compile(f"</{name}\\s*>", re.I) for name in ("script", "style")}


def drop_code(fragment: str) -> str:
    """``fragment`` without ``<script>``/``<style>`` elements (their code is no story text).

    A find loop rather than one lazy regex: "<script" a hundred thousand times with no
    closing tag made the regex scan to the end from each one.  An unclosed element is left
    as it is, for the tag stripper.
    """
    out: list[str] = []
    pos = 0
    while (start := _CODE_START_RE.search(fragment, pos)) is not None:
        name = start.group(1).lower()
        gt = fragment.find(">", start.end())
        if gt < 0:
            break
        if fragment[gt - 1] == "/":  # <script … /> (XHTML)
            end = gt + 1
        else:
            close = _CODE_END_RE[name].search(fragment, gt)
            if close is None:
                break
            end = close.end()
        out.append(fragment[pos : start.start()])
        pos = end
    out.append(fragment[pos:])
    return "".join(out)


# Text a page hides from its readers: an inline ``display: none`` or ``visibility: hidden``,
# the ``hidden`` attribute, or a class the page's own stylesheet hides.  Royal Road slips an
# anti-piracy sentence ("this story has been taken without approval") into every chapter so,
# under a class named afresh on each request and hidden in a <style> block in the head.
_HIDDEN_DECLARATION_RE = re.compile(r"\b(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.I)
_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
# A media block (hidden for print is not hidden on screen): dropped before reading the rules.
_CSS_MEDIA_RE = re.compile(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", re.I)
_CSS_RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS_SELECTOR_RE = re.compile(r"^(?:[a-z][a-z0-9]*)?\.(-?[_a-zA-Z][\w-]*)$")
_MAX_STYLE_CHARS = 500_000  # a page's own stylesheet; a larger one is not read for this
_MAX_HIDDEN_CLASSES = 200  # a hostile sheet's thousands would make every match slow


def hidden_classes(tree: LexborHTMLParser) -> frozenset[str]:
    """The classes the page's <style> blocks hide with a rule of one class (``.x``,
    ``span.x``, or a list of such selectors); other selectors are not matched."""
    found: set[str] = set()
    for style in tree.css("style"):
        css = _CSS_MEDIA_RE.sub("", _CSS_COMMENT_RE.sub("", style.text()[:_MAX_STYLE_CHARS]))
        for rule in _CSS_RULE_RE.finditer(css):
            if not _HIDDEN_DECLARATION_RE.search(rule.group(2)):
                continue
            for selector in rule.group(1).split(","):
                if match := _CLASS_SELECTOR_RE.match(selector.strip()):
                    found.add(match.group(1))
                    if len(found) >= _MAX_HIDDEN_CLASSES:
                        return frozenset(found)
    return frozenset(found)


def drop_hidden(root: LexborNode, classes: frozenset[str] = frozenset()) -> int:
    """Remove the elements under ``root`` that the page hides (see above); how many."""
    # The selector engine narrows the walk (a novel's page styles every paragraph); the
    # regex then reads the style's declarations.
    selector = ", ".join(
        ["[hidden]", '[style*="one"]', '[style*="ONE"]', '[style*="idden"]', '[style*="IDDEN"]']
        + [f".{c}" for c in sorted(classes)]
    )
    hidden = []
    for node in root.css(selector):
        attrs = node.attributes
        style = attrs.get("style") or ""
        if (
            "hidden" in attrs
            or (style and _HIDDEN_DECLARATION_RE.search(style))
            or not classes.isdisjoint((attrs.get("class") or "").split())
        ):
            hidden.append(node)
    for node in hidden:
        node.decompose()
    return len(hidden)


def node_text(node: LexborNode | None) -> str:
    """Plain text of a node (see :func:`fragment_text`); '' for None."""
    if node is None:
        return ""
    return fragment_text(node.html or "")


def html_blocks(node: LexborNode) -> list[Block]:
    """Paragraph blocks of a story container, in document order.

    A block element with no block inside is one block; inline runs between block children
    become blocks of their own; a leaf whose paragraphs are separated by ``<br><br>`` (old
    archive pages) is split at each double break.
    """
    blocks: list[Block] = []
    _collect(node, blocks, _holding_blocks(node))
    return blocks


def _holding_blocks(root: LexborNode) -> set[int]:
    """The ``mem_id`` of every node under ``root`` that has a block element inside.

    One walk up from each block element, stopping where an earlier walk passed: linear.
    (Asking each node in turn searched its whole subtree: quadratic in the nesting depth.)
    """
    holding: set[int] = set()
    stop = root.mem_id
    for node in root.traverse():
        if node.tag not in BLOCK_TAGS or node.mem_id == stop:
            continue
        parent = node.parent
        while parent is not None and parent.mem_id not in holding:
            holding.add(parent.mem_id)
            if parent.mem_id == stop:
                break
            parent = parent.parent
    return holding


def _collect(node: LexborNode, out: list[Block], holding: set[int]) -> None:
    inline: list[str] = []
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag in _SKIP_TAGS or tag == "-comment":
            continue
        if tag == "-text" or tag not in BLOCK_TAGS:
            inline.append(
                htmllib.escape(child.text_content or "") if tag == "-text" else child.html or ""
            )
            continue
        _flush_inline(inline, out)
        if tag == "hr":
            out.append(Block(SCENE_BREAK, "<hr/>"))
        elif child.mem_id in holding:
            _collect(child, out, holding)
        else:
            _leaf(child.html or "", out)
    _flush_inline(inline, out)


def _flush_inline(inline: list[str], out: list[Block]) -> None:
    if inline:
        fragment = "".join(inline)
        inline.clear()
        if fragment.strip():
            _leaf(f"<p>{fragment}</p>", out)


def _leaf(fragment: str, out: list[Block]) -> None:
    if "<br" in fragment.lower():
        parts = _DOUBLE_BR_RE.split(fragment)
    elif fragment.count("\n") >= _PRE_LINES_MIN - 1 and _lines_are_paragraphs(fragment):
        # Text a site sets with "white-space: pre-wrap" (ficbook): each line a paragraph.
        parts = [sanitize_html(line) for line in fragment.split("\n") if line.strip()]
    else:
        parts = [fragment]
    for part in parts:
        text = fragment_text(part)
        if text:
            out.append(Block(text, part if len(parts) == 1 else f"<p>{part}</p>"))


_SENTENCE_END_RE = re.compile(r"[.!?…:;\"'”’»)\]*~—–-]\s*$")
_PRE_LINES_MIN = 3  # lines a leaf needs before its newlines are read as paragraph breaks


def _lines_are_paragraphs(fragment: str) -> bool:
    """Whether a leaf's newlines end paragraphs: three lines at least, most ending as a
    sentence ends (source text wrapped at a width ends lines mid-sentence)."""
    lines = [line for line in fragment_text(fragment.replace("\n", "<br>")).split("\n") if line]
    if len(lines) < _PRE_LINES_MIN:
        return False
    ended = sum(1 for line in lines if _SENTENCE_END_RE.search(line))
    return ended >= 0.8 * len(lines)


def text_block_html(text: str) -> str:
    """HTML for a plain-text paragraph (single newlines kept as <br/>)."""
    if text == SCENE_BREAK:
        return "<hr/>"
    return "<p>" + htmllib.escape(text).replace("\n", "<br/>") + "</p>"
