"""A document turned into the rows storing it writes, computed from the document alone.

The storing process is the import's bottleneck (one SQLite writer), while reader processes
run beside it: they make the stored JSON record, the chapter rows, the work's values, the
near-duplicate anchors and the tag-index rows, so the writer only writes.  The Document
itself does not travel: pickling its tags and evidence between processes cost 4.7 s of CPU
on the shared corpus, more than the rows it is made into (0.4 s).  Backends other than
SQLite can use the same fields.
"""

from __future__ import annotations

import dataclasses
import json
from typing import NamedTuple

from ficsift.library.codec import document_record
from ficsift.library.fingerprint import anchors
from ficsift.library.index_rows import WorkValues, work_values
from ficsift.library.query import INT64_MAX
from ficsift.model import Document, Stats

ChapterRow = tuple[int, str | None, str, str, str, str, str | None, int]
"""idx, title, text, html, notes (JSON), end notes (JSON), summary, words."""


# NamedTuples rather than dataclasses: they cross from reader to writer by the ten thousand,
# and a tuple unpickles in C where a slotted dataclass calls __setstate__ (0.24 s of the
# writer's time on the shared corpus).


class SourceValues(NamedTuple):
    format: str
    url: str | None
    sha256: str | None
    has_text: bool
    chapters: int
    words: int


class StorableDocument(NamedTuple):
    record_json: str  # codec.document_record(document) as compact JSON
    source: SourceValues
    chapters: list[ChapterRow]
    values: WorkValues
    anchors: set[int]  # fingerprint.anchors of the story text (empty without text)

    @property
    def work_key(self) -> str | None:
        return self.values.work_key

    @property
    def body(self) -> str:
        """The story text as the full-text index holds it (chapters joined by newlines)."""
        return "\n".join(row[2] for row in self.chapters)


def storable(doc: Document | StorableDocument) -> StorableDocument:
    if isinstance(doc, StorableDocument):
        return doc
    doc = with_storable_figures(doc)
    return StorableDocument(
        record_json=json.dumps(document_record(doc), ensure_ascii=False, separators=(",", ":")),
        source=SourceValues(
            doc.source.format,
            doc.source.url,
            doc.source.sha256,
            doc.has_text,
            len(doc.chapters),
            doc.words,
        ),
        chapters=[
            (
                i,
                c.title,
                c.text,
                c.html,
                json.dumps(c.notes),
                json.dumps(c.end_notes),
                c.summary,
                c.words,
            )
            for i, c in enumerate(doc.chapters)
        ],
        values=work_values(doc),
        anchors=anchors(doc.text) if doc.has_text else set(),
    )


def is_storable_figure(value: object) -> bool:
    """A count SQLite can hold and that means something: a whole number, 0 to INT64_MAX."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT64_MAX


def with_storable_figures(doc: Document) -> Document:
    """The document less any stated figure SQLite cannot store (a 25-digit kudos count made
    the writer raise OverflowError), each dropped with a note in ``extra["warnings"]``.
    Readers check the figures they read; this is the writer's own guard, whatever gave the
    document.  The document itself is left as it was."""
    bad = [
        name
        for name in Stats.__slots__
        if (value := getattr(doc.stats, name)) is not None and not is_storable_figure(value)
    ]
    if not bad:
        return doc
    notes = [f"stated {name} out of range (not a count from 0 to 2^63-1): dropped" for name in bad]
    return dataclasses.replace(
        doc,
        stats=dataclasses.replace(doc.stats, **dict.fromkeys(bad)),
        extra={**doc.extra, "warnings": [*doc.extra.get("warnings", []), *notes]},
    )
