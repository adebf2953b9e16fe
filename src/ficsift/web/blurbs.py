"""A work's blurb and its square of symbols as HTML, made in Python.

A results page holds twenty blurbs.  As Jinja macros they were the largest single cost of
serving it (~850 calls to escape a page, each through the macro machinery); here every
value from story data still goes through :func:`markupsafe.escape` exactly once, and the
markup around it is plain f-strings.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from ficsift.web.present import (
    abandoned,
    author_url,
    blurb_tags,
    category_symbol,
    day,
    number,
    passage,
    quality_label,
    rating_symbol,
    status_symbol,
    tag_links,
    warning_symbol,
    why_lines,
)

SUMMARY_CHARACTERS = 600  # a longer summary is cut at a word, as Jinja's ``truncate`` did


def symbols(h: Any) -> Markup:
    """AO3's square: rating, category, warnings (the author's), status."""
    return _square(
        h.rating,
        tuple(t.name for t in h.category),
        tuple(t.name for t in h.warnings if t.origin == "author"),
        h.status,
    )


@lru_cache(maxsize=4096)
def _square(
    rating: str | None, categories: tuple[str, ...], warnings: tuple[str, ...], status: str
) -> Markup:
    # a page's blurbs share a handful of squares: each is made once
    rows = (
        ("Rating", rating_symbol(rating)),
        ("Category", category_symbol(list(categories))),
        ("Warnings", warning_symbol(list(warnings))),
        ("Status", status_symbol(status)),
    )
    items = "".join(
        f'<li class="sym {escape(css)}" title="{escape(label)}"><span aria-hidden="true">'
        f'{escape(mark)}</span><span class="sr">{what}: {escape(label)}</span></li>'
        for what, (mark, css, label) in rows
    )
    return Markup(
        f'<ul class="symbols" aria-label="Rating, category, warnings, status">{items}</ul>'
    )


def blurb(h: Any) -> Markup:
    """One result as AO3 lays it out: symbols, title, authors, fandoms, the passage that
    matched, the summary, tags (inferred ones behind "+N more"), why it matched, stats."""
    authors = ", ".join(
        f'<a class="author" href="{escape(author_url(a))}">{escape(a)}</a>' for a in h.authors
    )
    shown, rest = blurb_tags(h)
    more = (
        f'<li class="more"><details><summary>+{len(rest)} more</summary>'
        f'<ul class="tags">{tag_links(rest, item=True)}</ul></details></li>'
        if rest
        else ""
    )
    why = why_lines(h.why)
    parts = [
        f'<li class="blurb" id="work-{int(h.id)}">\n<div class="blurb-head">\n{symbols(h)}\n',
        f'<div class="heading">\n<h3><a href="/works/{int(h.id)}">{escape(h.title)}</a></h3>\n',
        f'<p class="byline">by {authors or "<span class=author>Anonymous</span>"}</p>\n',
        f'<p class="fandoms">{tag_links(h.fandoms)}</p>\n</div>\n',
        f'<div class="blurb-side">\n{_side(h)}</div>\n</div>\n',
    ]
    if h.snippet:
        parts.append(f'<blockquote class="snippet">{passage(h.snippet)}</blockquote>\n')
    if h.summary:
        summary = escape(truncate(h.summary, SUMMARY_CHARACTERS))
        parts.append(f'<blockquote class="summary">{summary}</blockquote>\n')
    parts.append(f'<ul class="tags" aria-label="Tags">\n{tag_links(shown, item=True)}{more}</ul>\n')
    if why:
        parts.append(
            f'<p class="why"><span class="why-label">Why:</span> {escape("; ".join(why))}</p>\n'
        )
    parts.append(f'<dl class="stats">\n{_stats(h)}</dl>\n</li>\n')
    return Markup("".join(parts))


def _side(h: Any) -> str:
    out = []
    if h.updated or h.published:
        out.append(f'<span class="date">{escape(day(h.updated or h.published))}</span>\n')
    if abandoned(h):
        out.append(
            '<span class="abandoned" title="in progress, but silent for much longer than its '
            'usual gap between chapters (wip:abandoned)">Abandoned</span>\n'
        )
    if h.quality is not None:
        out.append(
            f'<span class="quality q-{quality_label(h.quality)}" title="quality score '
            f'{h.quality:.2f} — see the work page for how it was made">'
            f"★ {round(h.quality * 100)}</span>\n"
        )
    reading = h.reading
    if reading and reading.status:
        stars = f" · {'★' * int(reading.rating)}" if reading.rating else ""
        out.append(
            f'<span class="reading-badge rs-{escape(reading.status)}">'
            f"{escape(reading.status)}{stars}</span>\n"
        )
    return "".join(out)


def _stats(h: Any) -> str:
    rows: list[tuple[str, str]] = []
    if h.language:
        rows.append(("Language", str(escape(h.language))))
    rows.append(("Words", number(h.words)))
    rows.append(
        (
            "Chapters",
            f"{number(h.chapters)}/{number(h.chapters_total) if h.chapters_total else '?'}",
        )
    )
    for label, value in (("Kudos", h.kudos), ("Bookmarks", h.bookmarks), ("Hits", h.hits)):
        if value is not None:
            rows.append((label, number(value)))
    out = "".join(f"<dt>{label}</dt><dd>{value}</dd>\n" for label, value in rows)
    if not h.has_text:
        out += '<dt class="meta-only">Metadata only</dt><dd></dd>\n'
    return out


def truncate(text: str, length: int, end: str = "...", leeway: int = 5) -> str:
    """Jinja's ``truncate``: text past ``length`` (+ ``leeway``) cut at the last whole word."""
    if len(text) <= length + leeway:
        return text
    return text[: length - len(end)].rsplit(" ", 1)[0] + end
