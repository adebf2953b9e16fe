"""Stage 5: the reader's web app — search, read and curate the library in a browser.

Pages (``/search``, ``/works/<id>``, ``/import``, ``/library``) are server-rendered Jinja2
templates that work without JavaScript; ``static/app.js`` enhances them.  The same
capabilities are JSON under ``/api/``.  Nothing else imports this package except the CLI's
``serve`` command.  ``create_app`` is imported on first use, so an import process
(:mod:`ficsift.web.jobs`) does not load the web framework it never uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ficsift.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":
        from ficsift.web.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
