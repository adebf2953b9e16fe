"""Plain text as readers post it: FFN downloads, copy-pasted chapters, old archive .txt files."""

from __future__ import annotations

from ficsift.model import Document
from ficsift.read.base import RawFile, Reader, ReadError, looks_binary, register
from ficsift.read.decode import decode_bytes
from ficsift.read.ffn import read_profile_line
from ficsift.read.structure import apply_parts, split_story, text_blocks

TEXT_SUFFIXES = frozenset({".txt", ".text", ".asc", ".fic", ""})


@register
class PlainTextReader(Reader):
    format = "text"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        if not raw.data.strip() or looks_binary(raw.data):
            return 0
        return 50 if raw.suffix in TEXT_SUFFIXES else 5  # any text file, as a last resort

    def read(self, raw: RawFile) -> list[Document]:
        blocks = text_blocks(decode_bytes(raw.data))
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
