"""Pieces of hand-made pages that several reader tests share."""

from __future__ import annotations


def labelled_header(fields: list[tuple[str, str]]) -> str:
    """A fic header as LiveJournal and Dreamwidth posts set it: "<b>Label:</b> value<br>"."""
    return "".join(f"<b>{label}:</b> {value}<br>" for label, value in fields)
