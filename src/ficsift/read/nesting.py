"""How deeply markup nests, measured in one linear pass before anything parses it.

HTML parsers and sanitisers cost far more than linear time on deep nesting (100,000 nested
``<div>``s, 1.1 MB: lexbor 14 s, nh3 22 s, then the readers' own walks for minutes), and no
story nests more than a few dozen levels.  So every HTML and XML path measures the depth first
and refuses the file, in milliseconds, past :data:`MAX_DEPTH`.

The scanner follows the HTML tree builder closely enough to measure real files, not to build
a tree: void elements and (in XML, SVG and MathML) ``<x/>`` do not nest; an end tag closes
every element opened after its own start; a ``<p>``, ``<li>``, ``<dd>``, ``<tr>``, ``<td>``…
closes the open one it would in a browser (within the same list, table or scope), and so does
a block-level start tag for an open ``<p>`` — so old pages with unclosed ``<p>``, ``<li>`` or
``<font>`` tags measure as shallow as they render.  Comments and the text of ``<script>``,
``<style>``, ``<textarea>`` and ``<title>`` are skipped as the tokenizer skips them.
"""

from __future__ import annotations

import re

from ficsift.read.base import ReadError

# Stories nest a few dozen levels; the readers walk trees recursively, one Python frame (of
# the default 1,000) per level, so the limit leaves them room.
MAX_DEPTH = 500

# Every match starts at "<" and stops at the next "<" or ">", and the possessive "*+" never
# gives back what it took (the name's characters are attribute characters too): linear.
_TOKEN_RE = re.compile(r"<(?:(!--)|(/?)([A-Za-z][^\s/<>]*+)[^<>]*+>)")
_VOID = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
})  # fmt: skip
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed",
                       "noframes", "noscript", "plaintext"})  # fmt: skip
_RAW_END = {name: re.compile(f"</{name}", re.I) for name in _RAW_TEXT}
_SCOPE = ("table", "td", "th", "caption", "template", "html", "object", "marquee", "applet")
# start tag -> (open elements it closes, the elements that bound its reach)
_IMPLIED_END: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "li": (("li",), ("ul", "ol", *_SCOPE)),
    "dt": (("dd", "dt"), ("dl", *_SCOPE)),
    "dd": (("dd", "dt"), ("dl", *_SCOPE)),
    "tr": (("tr", "td", "th"), ("table", "template", "html")),
    "td": (("td", "th"), ("tr", "table", "template", "html")),
    "th": (("td", "th"), ("tr", "table", "template", "html")),
    "tbody": (("thead", "tbody", "tfoot", "tr", "td", "th"), ("table", "template", "html")),
    "thead": (("thead", "tbody", "tfoot", "tr", "td", "th"), ("table", "template", "html")),
    "tfoot": (("thead", "tbody", "tfoot", "tr", "td", "th"), ("table", "template", "html")),
    "option": (("option",), ("select", *_SCOPE)),
    "optgroup": (("option", "optgroup"), ("select", *_SCOPE)),
    "rt": (("rt", "rp"), ("ruby", *_SCOPE)),
    "rp": (("rt", "rp"), ("ruby", *_SCOPE)),
}
# Start tags that close an open <p> (HTML's "close a p element" list).
_CLOSES_P = frozenset({
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "li", "dd", "dt", "listing", "main", "menu", "nav", "ol",
    "p", "pre", "section", "summary", "table", "ul",
})  # fmt: skip
_P_SCOPE = (*_SCOPE, "button")


class _Stack:
    """Open element names, with where each name is open, so closing is amortised O(1)."""

    __slots__ = ("names", "where")

    def __init__(self) -> None:
        self.names: list[str] = []
        self.where: dict[str, list[int]] = {}

    def push(self, name: str) -> int:
        self.where.setdefault(name, []).append(len(self.names))
        self.names.append(name)
        return len(self.names)

    def top_index(self, name: str) -> int:
        at = self.where.get(name)
        return at[-1] if at else -1

    def pop_to(self, index: int) -> None:
        """Close the element at ``index`` and everything opened after it."""
        while len(self.names) > index:
            self.where[self.names.pop()].pop()

    def close_within(self, names: tuple[str, ...], bounds: tuple[str, ...]) -> None:
        """Close the outermost of ``names`` opened after the latest of ``bounds`` (a ``<tr>``
        closes the open row, and the cell in it, of its own table only)."""
        bound = max(self.top_index(b) for b in bounds)
        inside = [i for n in names if (i := self.top_index(n)) > bound]
        if inside:
            self.pop_to(min(inside))


def nesting_depth(markup: str, *, xml: bool = False, stop_at: int | None = None) -> int:
    """The deepest element nesting in ``markup`` (HTML rules, or XML's with ``xml``).

    ``stop_at``: return as soon as the depth passes it (the caller only needs to know that).
    """
    stack = _Stack()
    deepest = 0
    pos = 0
    search = _TOKEN_RE.search
    while (match := search(markup, pos)) is not None:
        pos = match.end()
        if match.group(1):  # a comment runs to "-->" (to the end when never closed)
            end = markup.find("-->", match.start() + 4)
            if end < 0:
                break
            pos = end + 3
            continue
        name = match.group(3).lower()
        if match.group(2):  # an end tag
            index = stack.top_index(name)
            if index >= 0:
                stack.pop_to(index)
            continue
        foreign = xml or stack.top_index("svg") >= 0 or stack.top_index("math") >= 0
        if (foreign and match.group(0).endswith("/>")) or (not xml and name in _VOID):
            continue
        if not xml:
            if name in _CLOSES_P:
                stack.close_within(("p",), _P_SCOPE)
            if implied := _IMPLIED_END.get(name):
                stack.close_within(*implied)
            if name in _RAW_TEXT:
                end_match = _RAW_END[name].search(markup, pos)
                if end_match is None:
                    break
                pos = end_match.start()
        depth = stack.push(name)
        if depth > deepest:
            deepest = depth
            if stop_at is not None and deepest > stop_at:
                return deepest
    return deepest


def check_nesting(markup: str, what: str = "HTML", *, xml: bool = False) -> None:
    """ReadError when ``markup`` nests deeper than :data:`MAX_DEPTH` (before any parser runs)."""
    if nesting_depth(markup, xml=xml, stop_at=MAX_DEPTH) > MAX_DEPTH:
        raise ReadError(
            f"{what} nested too deeply (more than {MAX_DEPTH:,} levels of elements; refused)"
        )


def too_deep(markup: str, *, xml: bool = False) -> bool:
    """Whether ``markup`` nests past :data:`MAX_DEPTH` (for optional parts, dropped not failed)."""
    return nesting_depth(markup, xml=xml, stop_at=MAX_DEPTH) > MAX_DEPTH
