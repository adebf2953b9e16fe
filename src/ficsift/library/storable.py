"""A document with what storing it needs already computed from the document alone.

The storing process is the import's bottleneck (one SQLite writer), while reader processes
run beside it: they make the stored JSON record, the near-duplicate anchors and the tag-index
rows, so the writer only writes.  Backends other than SQLite can use the same fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ficsift.library.codec import document_record
from ficsift.library.fingerprint import anchors
from ficsift.library.search_index import TagRow, tag_rows
from ficsift.model import Document


@dataclass(slots=True)
class StorableDocument:
    document: Document
    record_json: str  # document_record(document) as compact JSON
    anchors: set[int]  # fingerprint.anchors of the story text (empty without text)
    tag_rows: list[TagRow]  # search_index.tag_rows(document)


def storable(doc: Document | StorableDocument) -> StorableDocument:
    if isinstance(doc, StorableDocument):
        return doc
    return StorableDocument(
        document=doc,
        record_json=json.dumps(document_record(doc), ensure_ascii=False, separators=(",", ":")),
        anchors=anchors(doc.text) if doc.has_text else set(),
        tag_rows=tag_rows(doc),
    )
