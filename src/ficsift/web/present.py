"""What pages show of a work, made small: AO3's symbols, tag links, labels and numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from ficsift.understand.content_lexicon import TRIGGER_LABELS, trigger_label

# AO3's square of symbols: rating, category, warnings, status.
_RATING = {
    "general audiences": ("G", "r-g"), "general": ("G", "r-g"), "g": ("G", "r-g"),
    "teen and up audiences": ("T", "r-t"), "teen": ("T", "r-t"), "t": ("T", "r-t"),
    "mature": ("M", "r-m"), "m": ("M", "r-m"),
    "explicit": ("E", "r-e"), "adult": ("E", "r-e"), "e": ("E", "r-e"),
}  # fmt: skip
_CATEGORY = {"f/f": "c-ff", "f/m": "c-fm", "m/m": "c-mm", "gen": "c-gen", "multi": "c-multi"}
NO_WARNINGS = {"no archive warnings apply"}
CHOSE_NOT = {"creator chose not to use archive warnings", "choose not to use archive warnings"}
ARCHIVE_WARNINGS = {
    "graphic depictions of violence", "major character death", "rape/non-con", "underage",
}  # fmt: skip
TAG_TYPE_LABELS = {
    "fandom": "Fandoms",
    "rating": "Ratings",
    "warning": "Warnings",
    "category": "Categories",
    "relationship": "Relationships",
    "character": "Characters",
    "freeform": "Additional tags",
    "language": "Languages",
}

WORK_LABELS = {  # AO3's work page words
    "fandom": "Fandom",
    "rating": "Rating",
    "warning": "Archive Warning",
    "content": "Content Warnings",
    "category": "Category",
    "relationship": "Relationship",
    "character": "Characters",
    "freeform": "Additional Tags",
}


# Ratings as AO3 names them: listing sites and older imports store raw words.
AO3_RATINGS = {
    "general audiences": "General Audiences", "general": "General Audiences",
    "g": "General Audiences", "k": "General Audiences", "k+": "General Audiences",
    "teen and up audiences": "Teen And Up Audiences", "teen": "Teen And Up Audiences",
    "t": "Teen And Up Audiences", "mature": "Mature", "m": "Mature",
    "explicit": "Explicit", "adult": "Explicit", "e": "Explicit", "ma": "Explicit",
    "not rated": "Not Rated", "unrated": "Not Rated",
}  # fmt: skip


FacetItems = list[tuple[str, int]]
CONTENT_LABELS = "Content"  # the sidebar's group of fine content labels (the CLI's word too)


def facet_groups(
    facets: Iterable[tuple[str, FacetItems]],
) -> list[tuple[str, str | None, list[tuple[str, str, int]]]]:
    """The sidebar's groups, in order: (title, the tag type its links filter by, [(tag,
    shown name, count)]).  AO3's archive warnings and ficsift's fine content labels share the
    tag type ``warning`` but are shown apart, the labels by their readable names ("Blood and
    Gore", not ``blood-gore``); a language filters by no tag type."""
    out: list[tuple[str, str | None, list[tuple[str, str, int]]]] = []
    for kind, items in facets:
        if kind == "warning":
            archive = [(n, n, c) for n, c in items if n not in TRIGGER_LABELS]
            content = [(n, TRIGGER_LABELS[n], c) for n, c in items if n in TRIGGER_LABELS]
            if archive:
                out.append((TAG_TYPE_LABELS[kind], kind, archive))
            if content:
                out.append((CONTENT_LABELS, kind, content))
            continue
        title = TAG_TYPE_LABELS.get(kind, kind.title())
        out.append((title, None if kind == "language" else kind, [(n, n, c) for n, c in items]))
    return out


def ao3_rating(raw: str | None) -> str:
    """A stored rating by AO3's name (``adult`` → ``Explicit``); unknown ones as stored."""
    return AO3_RATINGS.get((raw or "").strip().casefold(), raw or "Not Rated")


def ratings_by_ao3(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Library rating counts with raw names folded into AO3's, largest first."""
    totals: dict[str, int] = {}
    for name, n in pairs:
        shown = ao3_rating(name)
        totals[shown] = totals.get(shown, 0) + n
    return sorted(totals.items(), key=lambda kv: -kv[1])


_MARKED = re.compile(r"«([^»]*)»")


def marked(text: str | None) -> Markup:
    """A passage the engine marked «like this», escaped, with ``<mark>`` around the matches."""
    return Markup(_MARKED.sub(r"<mark>\1</mark>", str(escape(text or ""))))


def passage(text: str | None) -> Markup:
    """A matching passage between one pair of ellipses (the engine may add its own)."""
    return Markup("…") + marked((text or "").strip().strip("…").strip()) + Markup("…")


SHOWN_GUESSES = 4  # inferred tags a blurb shows before "+N more"
BLURB_LIMITS = (("warnings", 6), ("content_warnings", 6), ("relationships", 8),
                ("characters", 10), ("freeforms", 14))  # fmt: skip


def blurb_tags(hit: Any) -> tuple[list[Any], list[Any]]:
    """A blurb's tags to show and the rest (behind "+N more"): every author tag up to AO3-ish
    limits per type, and only the few inferred tags ficsift is surest of, so a blurb is
    not a wall of guesses."""
    shown: list[Any] = []
    rest: list[Any] = []
    guesses = [t for key, _ in BLURB_LIMITS for t in getattr(hit, key, []) if t.origin != "author"]
    best = {id(t) for t in sorted(guesses, key=lambda t: -(t.confidence or 0))[:SHOWN_GUESSES]}
    for key, limit in BLURB_LIMITS:
        kept = 0
        for t in getattr(hit, key, []):
            if kept < limit and (t.origin == "author" or id(t) in best):
                shown.append(t)
                kept += 1
            else:
                rest.append(t)
    return shown, rest


def author_url(name: str) -> str:
    """An author's page: the search for their works."""
    clean = " ".join(name.replace('"', " ").split())
    return "/search?q=" + quote(f'author:"{clean}"', safe="")


def series_url(name: str) -> str:
    """A series' page: the search for its works."""
    clean = " ".join(name.replace('"', " ").split())
    return "/search?q=" + quote(f'series:"{clean}"', safe="")


def abandoned(hit: Any) -> bool:
    """A work in progress whose abandoned-since day (library/index_rows) has come."""
    since: str | None = getattr(hit, "abandoned_since", None)
    return since is not None and hit.status == "in-progress" and since <= date.today().isoformat()


def why_lines(why: Iterable[str]) -> list[str]:
    """The Why line without the passage the blurb already shows."""
    return [w for w in why if not w.startswith("text: ")]


def rating_symbol(rating: str | None) -> tuple[str, str, str]:
    letter, css = _RATING.get((rating or "").casefold(), ("–", "r-none"))
    return letter, css, ao3_rating(rating) if rating else "Not rated"


def category_symbol(names: list[str]) -> tuple[str, str, str]:
    if not names:
        return "–", "c-none", "No category"
    if len(names) > 1:
        return "✱", "c-multi", ", ".join(names)
    css = _CATEGORY.get(names[0].casefold(), "c-other")
    return names[0][:5], css, names[0]


def warning_symbol(names: list[str]) -> tuple[str, str, str]:
    folded = {n.casefold() for n in names}
    if folded & ARCHIVE_WARNINGS:
        return "!", "w-yes", ", ".join(n for n in names if n.casefold() in ARCHIVE_WARNINGS)
    if folded & CHOSE_NOT:
        return "?", "w-maybe", "Creator chose not to use archive warnings"
    if folded & NO_WARNINGS:
        return "", "w-no", "No archive warnings apply"
    return "", "w-none", "No archive warnings given"


def status_symbol(status: str) -> tuple[str, str, str]:
    if status == "complete":
        return "✓", "s-done", "Complete"
    if status == "in-progress":
        return "…", "s-wip", "Work in progress"
    return "", "s-unknown", "Status unknown"


def quality_label(quality: float | None) -> str:
    if quality is None:
        return ""
    if quality >= 0.8:
        return "excellent"
    if quality >= 0.6:
        return "good"
    if quality >= 0.4:
        return "fair"
    return "low"


def number(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def day(value: str | None) -> str:
    return (value or "")[:10]


def confidence_text(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@lru_cache(maxsize=16384)
def _tag_html(kind: str, name: str, origin: str, main: bool, confidence: float | None) -> str:
    inferred = origin == "inferred"
    css = f"tag t-{kind}{' inferred' if inferred else ''}{' main' if main else ''}"
    shown = trigger_label(name) if name in TRIGGER_LABELS else name
    if inferred:
        tip = f"inferred by ficsift, confidence {confidence_text(confidence)}"
    else:
        tip = "main pairing" if main else kind
    href = "/search?tag=" + quote(f"{kind}:{name}", safe="/")
    return f'<a class="{escape(css)}" href="{escape(href)}" title="{escape(tip)}">{escape(shown)}</a>\n'


def tag_links(tags: Iterable[Any], item: bool = False) -> Markup:
    """Tags of a blurb as search links (``item``: each in its ``<li>``).  A results page
    shows hundreds, most of them again and again: made here in Python, and remembered, where
    a Jinja macro per tag cost a third of the page's time."""
    html = (_tag_html(t.type, t.name, t.origin, t.main, t.confidence) for t in tags)
    return Markup("".join(f"<li>{h}</li>" for h in html) if item else "".join(html))
