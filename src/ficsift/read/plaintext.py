"""Plain text as readers post it: FFN downloads, copy-pasted chapters, old archive .txt files."""

from __future__ import annotations

import re

from ficsift.model import Document
from ficsift.read.base import RawFile, Reader, ReadError, looks_binary, register
from ficsift.read.decode import decode_bytes
from ficsift.read.ffn import read_profile_line
from ficsift.read.structure import apply_parts, split_story, text_blocks

TEXT_SUFFIXES = frozenset({".txt", ".text", ".asc", ".fic", ""})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
# Markdown's emphasis around a run of words: "**bold**", "*italic*", "_italic_" (not a lone
# "*" of a scene break, nor snake_case words).
_EMPHASIS_RE = re.compile(r"(?<![\w*_])(\*\*|__|\*|_)(?=\S)([^\n]*?\S)\1(?![\w*_])")


_WORD_RE = re.compile(r"\w")  # emphasis holds words; "***" is a scene break


def plain_markdown(text: str) -> str:
    """A Markdown story's text without its emphasis markers (the words stay)."""
    return _EMPHASIS_RE.sub(
        lambda m: m.group(2) if _WORD_RE.search(m.group(2)) else m.group(0), text
    )


@register
class PlainTextReader(Reader):
    format = "text"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        if not raw.data.strip() or looks_binary(raw.data):
            return 0
        return 50 if raw.suffix in TEXT_SUFFIXES else 5  # any text file, as a last resort

    def read(self, raw: RawFile) -> list[Document]:
        text = decode_bytes(raw.data)
        if raw.suffix in MARKDOWN_SUFFIXES:
            text = plain_markdown(text)
        blocks = text_blocks(text)
        if not blocks:
            raise ReadError("empty file: no text")
        doc = Document(source=raw.source(self.format))
        parts = split_story(blocks)
        for n, (label, value) in enumerate(parts.fields):
            if label in {"rated", "rating"} and len(value.split(" - ")) >= 4:
                # A story copied from FanFiction.net keeps its profile line: "Rated: Fiction
                # T - English - Romance - … - Words: 4,210 - …", read as the page's.
                read_profile_line(doc, f"Rated: {value}", [])
                del parts.fields[n]
                break
        apply_parts(doc, parts)
        if not doc.has_text:
            raise ReadError("no story text found (only notes or headers)")
        doc.title = doc.title or raw.title_guess
        return [doc]
