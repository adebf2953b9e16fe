"""A page's schema.org description of the work it is about (``<script type="application/
ld+json">``): Wattpad's story pages, Royal Road's fiction pages and many newer sites state the
title, author, dates, summary and keywords there for search engines, however their HTML
looks.

Only a description of a written work is read (a ``Book``, ``Article``, ``CreativeWork`` …,
alone, in a list or in an ``@graph``), and only its plain string fields, as labelled fields
(:func:`ficsift.read.fields.apply_fields`).  A script that is not JSON, or too large or too
deep, is no description.
"""

from __future__ import annotations

import json
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from ficsift.read.html import fragment_text

WORK_TYPES = frozenset(
    ["Book", "Article", "CreativeWork", "ShortStory", "BlogPosting", "BookSeries"]
)
# A whole book's description (not an article's, which may be the story itself).
WHOLE_WORK_TYPES = frozenset(["Book", "BookSeries"])
_MAX_SCRIPT_CHARS = 200_000
# Words sites add to every work's keywords for search engines, not tags of this work.
_SITE_KEYWORDS = frozenset(
    ["ebooks", "ebook", "reading", "stories", "story", "fiction", "books", "book", "novel"]
)


def work_description(tree: LexborHTMLParser) -> dict[str, Any] | None:
    """The first schema.org description of a written work the page carries, if any."""
    for script in tree.css('script[type="application/ld+json"]'):
        text = script.text()
        if len(text) > _MAX_SCRIPT_CHARS:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        for item in _items(data):
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k in WORK_TYPES for k in kinds):
                return item
    return None


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *(_items(graph) if isinstance(graph, list) else [])]
    if isinstance(data, list):
        return [x for x in data if isinstance(x, dict)]
    return []


def description_fields(work: dict[str, Any]) -> list[tuple[str, str]]:
    """The description as labelled fields: title, author, summary, dates, language, url,
    keywords and genre (less the words sites add to every work's keywords, and links: Royal
    Road's genres are its search pages' addresses)."""
    fields: list[tuple[str, str]] = []
    title = _string(work.get("name")) or _string(work.get("headline"))
    if title:
        fields.append(("title", title))
    authors = [a for a in map(_person, _as_list(work.get("author"))) if a]
    if authors:
        fields.append(("author", ", ".join(authors)))
    if description := _string(work.get("description")):
        # Sites write the description as the HTML they show ("<p>Five years before…</p>").
        text = fragment_text(description) if "<" in description else description
        if text:
            fields.append(("summary", text))
    for label, key in (
        ("published", "datePublished"),
        ("updated", "dateModified"),
        ("language", "inLanguage"),
        ("url", "url"),
    ):
        if value := _string(work.get(key)):
            fields.append((label, value))
    if "published" not in dict(fields) and (created := _string(work.get("dateCreated"))):
        fields.append(("published", created))
    for label, key in (("keywords", "keywords"), ("genre", "genre")):
        words = [
            w.strip()
            for v in _as_list(work.get(key))
            if (s := _string(v))
            for w in s.split(",")
            if w.strip() and w.strip().lower() not in _SITE_KEYWORDS and "://" not in w
        ]
        if words:
            fields.append((label, ", ".join(dict.fromkeys(words))))
    return fields


def is_whole_work(work: dict[str, Any]) -> bool:
    """The description is of a book (a fiction's page), not of an article or chapter."""
    kinds = work.get("@type")
    return any(
        isinstance(k, str) and k in WHOLE_WORK_TYPES
        for k in (kinds if isinstance(kinds, list) else [kinds])
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _person(value: Any) -> str | None:
    return _string(value.get("name")) if isinstance(value, dict) else _string(value)


def _string(value: Any) -> str | None:
    return value.strip()[:20_000] or None if isinstance(value, str) else None
