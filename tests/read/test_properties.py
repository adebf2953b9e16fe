"""Property tests: no input, however odd, makes a reader do anything but read or say why not."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from ficsift.read import ReadError, read_bytes
from ficsift.read.html import sanitize_html

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = st.sampled_from(["x.txt", "x.html", "x.md", "x.epub", "x.zip", "x", "x.htm"])


@SETTINGS
@given(data=st.binary(max_size=4096), name=NAMES)
def test_arbitrary_bytes_read_or_raise_read_error(data: bytes, name: str) -> None:
    try:
        docs = read_bytes(name, data)
    except ReadError as exc:
        message = str(exc)
        assert message and "\n" not in message
    else:
        assert docs and all(d.has_text or d.stats.words is not None or d.title for d in docs)


TAGS = st.sampled_from(
    [
        "p",
        "div",
        "br",
        "hr",
        "em",
        "h2",
        "script",
        "iframe",
        "a",
        "img",
        "li",
        "ul",
        "table",
        "td",
        "svg",
        "b",
    ]
)
ATTRS = st.sampled_from(
    [
        "",
        " onclick='x()'",
        " href='javascript:alert(1)'",
        " style='text-align:center'",
        " src=x onerror=y",
    ]
)


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(TAGS)
        parts.append(f"<{tag}{draw(ATTRS)}>{draw(st.text(max_size=40))}")
        if draw(st.booleans()):
            parts.append(f"</{tag}>")
    return "<html><body>" + "".join(parts)


@SETTINGS
@given(html=html_documents(), name=st.sampled_from(["x.html", "x.txt", "x.md"]))
def test_arbitrary_html_reads_safely(html: str, name: str) -> None:
    try:
        docs = read_bytes(name, html.encode("utf-8", "surrogatepass"))
    except ReadError:
        return
    for doc in docs:
        for chapter in doc.chapters:
            assert_safe_html(chapter.html)


@SETTINGS
@given(html=html_documents())
def test_sanitize_output_is_safe_even_when_reparsed(html: str) -> None:
    # Not idempotence: HTML5 re-parsing legitimately re-nests misnested tags.
    for out in (sanitize_html(html), sanitize_html(sanitize_html(html))):
        assert_safe_html(out)


def assert_safe_html(html: str) -> None:
    """No element or attribute that could run code, as a browser would parse it."""
    tree = LexborHTMLParser(html)
    assert tree.css_first("script, iframe, object, embed, svg, style, form") is None, html
    for node in tree.css("*"):
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), html
            assert "javascript:" not in (value or "").lower().replace(" ", ""), html
