"""Documents to stored records and back, losslessly (chapter bodies are stored apart)."""

from __future__ import annotations

from typing import Any

from ficsift.model import (
    CastRole,
    Chapter,
    Document,
    Evidence,
    RelationshipKind,
    SeriesRef,
    Source,
    Stats,
    Status,
    Tag,
    TagOrigin,
    TagType,
)


def tag_record(tag: Tag) -> dict[str, Any]:
    """A tag as stored: empty fields left out (tag_from_record restores them), which made
    the records of listing pages 40% smaller.  The enums are StrEnums: JSON writes their
    values (``.value`` is a descriptor call per tag, and imports make them by the million)."""
    rec: dict[str, Any] = {"name": tag.name, "type": tag.type, "origin": tag.origin}
    if tag.label is not None:
        rec["label"] = tag.label
    if tag.canonical is not None:
        rec["canonical"] = tag.canonical
    if tag.confidence is not None:
        rec["confidence"] = tag.confidence
    if tag.evidence:
        rec["evidence"] = [e.to_json() for e in tag.evidence]
    if tag.main:
        rec["main"] = True
    if tag.kind is not None:
        rec["kind"] = tag.kind.value
    if tag.role is not None:
        rec["role"] = tag.role.value
    if tag.extra:
        rec["extra"] = tag.extra
    return rec


def tag_from_record(rec: dict[str, Any]) -> Tag:
    extra = dict(rec.get("extra") or {})
    # records stored before these fields were typed kept them in ``extra``
    main = rec.get("main", extra.pop("main", False))
    kind = rec.get("kind", extra.pop("kind", None))
    role = rec.get("role", extra.pop("role", None))
    return Tag(
        name=rec["name"],
        type=TagType(rec["type"]),
        origin=TagOrigin(rec.get("origin", "author")),
        label=rec.get("label"),
        canonical=rec.get("canonical"),
        confidence=rec.get("confidence"),
        evidence=[Evidence(**e) for e in rec.get("evidence") or []],
        main=bool(main),
        kind=RelationshipKind(kind) if kind in _KINDS else None,
        role=CastRole(role) if role in _ROLES else None,
        extra=extra,
    )


_KINDS = frozenset(k.value for k in RelationshipKind)
_ROLES = frozenset(r.value for r in CastRole)


def document_record(doc: Document) -> dict[str, Any]:
    """Everything but the chapters (stored as rows of their own: see ``storable``)."""
    return {
        "title": doc.title,
        "authors": doc.authors,
        "summary": doc.summary,
        "notes": doc.notes,
        "end_notes": doc.end_notes,
        "disclaimer": doc.disclaimer,
        "tags": [tag_record(t) for t in doc.tags],
        "language": doc.language,
        "series": [s.to_json() for s in doc.series],
        "published": doc.published,
        "updated": doc.updated,
        "completed": doc.completed,
        "status": doc.status.value,
        "stats": doc.stats.to_json(),
        "extra": doc.extra,
        "source": doc.source.to_json(),
    }


def document_from_record(rec: dict[str, Any], chapters: list[Chapter]) -> Document:
    return Document(
        source=Source(**rec["source"]),
        title=rec.get("title"),
        authors=list(rec.get("authors") or []),
        summary=rec.get("summary"),
        notes=list(rec.get("notes") or []),
        end_notes=list(rec.get("end_notes") or []),
        disclaimer=rec.get("disclaimer"),
        chapters=chapters,
        tags=[tag_from_record(t) for t in rec.get("tags") or []],
        language=rec.get("language"),
        series=[SeriesRef(**s) for s in rec.get("series") or []],
        published=rec.get("published"),
        updated=rec.get("updated"),
        completed=rec.get("completed"),
        status=Status(rec.get("status", "unknown")),
        stats=Stats(**(rec.get("stats") or {})),
        extra=rec.get("extra") or {},
    )
