"""Story data into well-formed XHTML: escaped text, and story HTML sanitised then re-serialised.

Everything a work carries came from a file or a site someone else made, so it is treated as
hostile: titles and tags are text (never markup), and story HTML goes through nh3 with a
small allow-list (no scripts, styles, images, ids or classes — a class could pass a chapter
off as ficsift's own title page or notes) and is then written out again as XML, since EPUB
readers parse XHTML strictly (HTML's ``&nbsp;`` and unclosed ``<br>`` would break a book).
"""

from __future__ import annotations

import re

import nh3
from selectolax.lexbor import LexborHTMLParser, LexborNode

# Characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PARAGRAPH_RE = re.compile(r"\n\s*\n")

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "big", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol",
    "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})  # fmt: skip
_VOID = frozenset({"br", "hr"})
_EVERYWHERE = {"dir", "lang", "title"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _EVERYWHERE,
    "a": {"href"},
    "p": {"style"},
    "div": {"style"},
    "span": {"style"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style"},
    "ol": {"start"},
}
_STYLE_PROPERTIES = {"text-align", "font-style", "font-weight", "text-decoration"}
# Elements nh3 drops with their content, not just their tags.
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "noscript", "template", "title"}


def text(value: object) -> str:
    """Text for an XHTML text node or attribute value."""
    cleaned = _NOT_XML_RE.sub("", str(value))
    return (
        cleaned.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def paragraphs(value: str) -> str:
    """Plain text (paragraphs split by blank lines) as XHTML paragraphs."""
    parts = [p.strip() for p in _PARAGRAPH_RE.split(value.replace("\r\n", "\n")) if p.strip()]
    return "".join(f"<p>{'<br/>'.join(text(line) for line in p.split(chr(10)))}</p>" for p in parts)


def story_html(html: str, fallback_text: str = "") -> str:
    """A chapter's stored HTML made safe and well-formed (its text as paragraphs if none)."""
    if not html.strip():
        return paragraphs(fallback_text)
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        clean_content_tags=_DROP_WITH_CONTENT,
        filter_style_properties=_STYLE_PROPERTIES,
    )
    body = LexborHTMLParser(f"<html><body>{clean}</body></html>").body
    return serialize(body) if body is not None else ""


def serialize(root: LexborNode) -> str:
    """The children of ``root`` as XML, iteratively (hostile nesting cannot exhaust a stack)."""
    out: list[str] = []
    open_nodes: list[LexborNode] = []
    node = root.child
    while node is not None:
        tag = node.tag or ""
        if tag == "-text":
            out.append(text(node.text_content or ""))
        elif tag in ALLOWED_TAGS:
            given = node.attributes
            attrs = "".join(
                f' {name}="{text(value or "")}"'
                for name, value in given.items()
                if name in _EVERYWHERE
                or name in ALLOWED_ATTRIBUTES.get(tag, ())
                # nh3's rel stays only on a link that still goes somewhere (a rel needs an href)
                or (name == "rel" and "href" in given)
            )
            if tag in _VOID:
                out.append(f"<{tag}{attrs}/>")
            elif node.child is not None:
                out.append(f"<{tag}{attrs}>")
                open_nodes.append(node)
                node = node.child
                continue
            else:
                out.append(f"<{tag}{attrs}></{tag}>")
        # anything else (comments, tags the allow-list lost) is left out
        while node.next is None and open_nodes:
            node = open_nodes.pop()
            out.append(f"</{node.tag}>")
        node = node.next
    return "".join(out)
