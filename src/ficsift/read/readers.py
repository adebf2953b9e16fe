"""Every reader ficsift has; importing this module registers them (see base.register)."""

from ficsift.read import (  # noqa: F401
    frontmatter,
    generic_html,
    plaintext,
)
