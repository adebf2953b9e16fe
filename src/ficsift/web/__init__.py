"""Stage 5: the reader's web app — search, read and curate the library in a browser.

Pages (``/search``, ``/works/<id>``, ``/import``, ``/library``) are server-rendered Jinja2
templates that work without JavaScript; ``static/app.js`` enhances them.  The same
capabilities are JSON under ``/api/``.  Nothing else imports this package except the CLI's
``serve`` command.
"""

from ficsift.web.app import create_app

__all__ = ["create_app"]
