"""Templates: one autoescaping Jinja2 environment and the helpers its pages share."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from ficsift.web.blurbs import blurb, symbols
from ficsift.web.present import (
    WORK_LABELS,
    abandoned,
    ao3_rating,
    author_url,
    blurb_tags,
    category_symbol,
    confidence_text,
    day,
    facet_groups,
    marked,
    number,
    passage,
    quality_label,
    rating_symbol,
    ratings_by_ao3,
    series_url,
    status_symbol,
    tag_links,
    trigger_label,
    warning_symbol,
    why_lines,
)
from ficsift.web.security import CSRF_FIELD, safe_link


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ficsift.web", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship inside the package and change only with it: checking each
        # one's file on every render (Jinja's default) was an eighth of a search page's CPU.
        auto_reload=False,
    )
    env.globals.update(
        blurb=blurb,
        symbols=symbols,
        rating_symbol=rating_symbol,
        category_symbol=category_symbol,
        warning_symbol=warning_symbol,
        status_symbol=status_symbol,
        quality_label=quality_label,
        tag_links=tag_links,
        facet_groups=facet_groups,
        trigger_label=trigger_label,
        ao3_rating=ao3_rating,
        ratings_by_ao3=ratings_by_ao3,
        marked=marked,
        passage=passage,
        blurb_tags=blurb_tags,
        why_lines=why_lines,
        author_url=author_url,
        series_url=series_url,
        abandoned=abandoned,
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
