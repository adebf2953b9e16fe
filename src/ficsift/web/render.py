"""Templates: one autoescaping Jinja2 environment, and the small helpers pages share."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from ficsift.web.security import CSRF_FIELD, safe_link

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


def rating_symbol(rating: str | None) -> tuple[str, str, str]:
    letter, css = _RATING.get((rating or "").casefold(), ("–", "r-none"))
    return letter, css, rating or "Not rated"


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
    if inferred:
        tip = f"inferred by ficsift, confidence {confidence_text(confidence)}"
    else:
        tip = "main pairing" if main else kind
    href = "/search?tag=" + quote(f"{kind}:{name}", safe="/")
    return (
        f'<a class="{escape(css)}" href="{escape(href)}" title="{escape(tip)}">{escape(name)}</a>\n'
    )


def tag_links(tags: Iterable[Any], item: bool = False) -> Markup:
    """Tags of a blurb as search links (``item``: each in its ``<li>``).  A results page
    shows hundreds, most of them again and again: made here in Python, and remembered, where
    a Jinja macro per tag cost a third of the page's time."""
    html = (_tag_html(t.type, t.name, t.origin, t.main, t.confidence) for t in tags)
    return Markup("".join(f"<li>{h}</li>" for h in html) if item else "".join(html))


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ficsift.web", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        rating_symbol=rating_symbol,
        category_symbol=category_symbol,
        warning_symbol=warning_symbol,
        status_symbol=status_symbol,
        quality_label=quality_label,
        tag_links=tag_links,
        tag_type_labels=TAG_TYPE_LABELS,
        work_labels=WORK_LABELS,
        csrf_field=CSRF_FIELD,
    )
    # Every link made from story data goes through ``safe_link``: http(s) or no link at all.
    env.filters.update(number=number, day=day, confidence=confidence_text, safe_link=safe_link)
    return env


ENV = _environment()


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    page = ENV.get_template(name).render(
        request=request,
        csrf_token=request.state.csrf_token,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
