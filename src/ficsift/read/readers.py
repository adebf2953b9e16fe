"""Every reader ficsift has; importing this module registers them (see base.register)."""

from ficsift.read import (  # noqa: F401
    ao3_html,
    ao3_listing,
    ao3_page,
    calibre,
    epub,
    fanficfare_outputs,
    ffn,
    frontmatter,
    generic_html,
    mhtml,
    mobi,
    pdf,
    plaintext,
    wayback,
    webarchive,
    xenforo,
)
