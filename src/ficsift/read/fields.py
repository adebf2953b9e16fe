"""Labelled metadata fields ("Rating: M", "Pairing: W/T") into a Document.

Fic headers in plain text, FanFicFare's EPUB title page, old archive pages and front-matter
files all say the same things with different labels.  One table maps a label to where the
value goes, so no reader carries its own copy of this logic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ficsift.model import Document, SeriesRef, Status, TagType

# label (lower-case, no trailing colon) -> TagType for tag-valued fields
TAG_LABELS: dict[str, TagType] = {
    "fandom": TagType.FANDOM,
    "fandoms": TagType.FANDOM,
    "category": TagType.FANDOM,  # FanFicFare/FFN "Category" is the fandom; AO3's is below
    "categories": TagType.FANDOM,
    "pairing": TagType.RELATIONSHIP,
    "pairings": TagType.RELATIONSHIP,
    "relationship": TagType.RELATIONSHIP,
    "relationships": TagType.RELATIONSHIP,
    "ship": TagType.RELATIONSHIP,
    "ships": TagType.RELATIONSHIP,
    "character": TagType.CHARACTER,
    "characters": TagType.CHARACTER,
    "rating": TagType.RATING,
    "rated": TagType.RATING,
    "warning": TagType.WARNING,
    "warnings": TagType.WARNING,
    "archive warning": TagType.WARNING,
    "archive warnings": TagType.WARNING,
    "genre": TagType.FREEFORM,
    "genres": TagType.FREEFORM,
    "tags": TagType.FREEFORM,
    "additional tags": TagType.FREEFORM,
    "freeform": TagType.FREEFORM,
    "freeforms": TagType.FREEFORM,
    "keywords": TagType.FREEFORM,
    "content warnings": TagType.FREEFORM,
    "ao3 category": TagType.CATEGORY,
}
AO3_CATEGORIES = frozenset({"F/F", "F/M", "Gen", "M/M", "Multi", "Other"})
TEXT_LABELS = {
    "title": "title",
    "story": "title",
    "author": "authors",
    "authors": "authors",
    "by": "authors",
    "writer": "authors",
    "summary": "summary",
    "description": "summary",
    "disclaimer": "disclaimer",
    "a/n": "notes",
    "an": "notes",
    "author's note": "notes",
    "authors note": "notes",
    "author's notes": "notes",
    "note": "notes",
    "notes": "notes",
    "status": "status",
    "words": "words",
    "word count": "words",
    "wordcount": "words",
    "language": "language",
    "published": "published",
    "posted": "published",
    "updated": "updated",
    "completed": "completed",
    "series": "series",
    "source": "url",
    "url": "url",
    "link": "url",
}
KNOWN_LABELS = frozenset(TAG_LABELS) | frozenset(TEXT_LABELS) | {
    "feedback", "archive", "archiving", "spoilers", "timeline", "beta", "betas", "beta reader",
    "dedication", "prompt", "challenge", "length", "chapters", "date", "setting",
}  # fmt: skip

_LIST_SPLIT_RE = re.compile(r"\s*[,;]\s*|\s+\|\s+")
_NUMBER_RE = re.compile(r"\d[\d,.\s]*")
_LABEL_RE = re.compile(r"^\s*([A-Za-z][A-Za-z' /]{0,24}?)\s*:\s*(.*)$", re.S)


# Identities that hold across formats: the same AO3 work as HTML, EPUB and listing blurb.
# Only archiveofourown.org itself: other archives run AO3's software with their own ids.
_AO3_WORK_RE = re.compile(
    r"(?:archiveofourown\.org|ao3\.org)/(?:collections/[^/]+/)?works/(\d+)", re.I
)
_FFN_STORY_RE = re.compile(r"fanfiction\.net/s/(\d+)", re.I)


def work_key_for(url: str) -> str:
    """``ao3:<id>`` / ``ffn:<id>`` for AO3 and FFN story URLs; the URL itself otherwise."""
    if match := _AO3_WORK_RE.search(url):
        return f"ao3:{match.group(1)}"
    if match := _FFN_STORY_RE.search(url):
        return f"ffn:{match.group(1)}"
    return url


def split_label(line: str) -> tuple[str, str] | None:
    """("rating", "PG-13") for "Rating: PG-13" when the label is one fics use; else None."""
    match = _LABEL_RE.match(line)
    if not match:
        return None
    label = normalise_label(match.group(1))
    if label not in KNOWN_LABELS:
        return None
    return label, match.group(2).strip()


def normalise_label(label: str) -> str:
    return " ".join(label.lower().replace("\u2019", "'").strip(" :").split())


def split_list(value: str) -> list[str]:
    return [v.strip() for v in _LIST_SPLIT_RE.split(value) if v.strip()]


def parse_int(value: str | None) -> int | None:
    if not value:
        return None
    match = _NUMBER_RE.search(value)
    if not match:
        return None
    digits = re.sub(r"[^\d]", "", match.group(0))
    return int(digits) if digits else None


def status_from_word(value: str) -> Status:
    v = value.strip().lower()
    if v in {"complete", "completed", "finished", "yes", "done", "complete work"}:
        return Status.COMPLETE
    if v in {"in-progress", "in progress", "wip", "work in progress", "incomplete", "ongoing",
             "no", "abandoned", "hiatus", "on hiatus"}:  # fmt: skip
        return Status.IN_PROGRESS
    return Status.UNKNOWN


NO_PAIRING = frozenset({"gen", "none", "n/a", "no pairing", "no pairings"})


def apply_fields(doc: Document, fields: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Apply labelled fields to ``doc``; returns the pairs it found no home for.

    Tag-valued fields keep their label (``Tag.label``) and each list item as spelled.
    """
    unplaced: list[tuple[str, str]] = []
    for raw_label, value in fields:
        label = normalise_label(raw_label)
        value = value.strip()
        if not value:
            continue
        tag_type = TAG_LABELS.get(label)
        if tag_type is not None:
            items = split_list(value) if tag_type != TagType.RATING else [value]
            for n, item in enumerate(items):
                kind = TagType.CATEGORY if item in AO3_CATEGORIES else tag_type
                if kind == TagType.RELATIONSHIP and item.strip().lower() in NO_PAIRING:
                    kind = TagType.CATEGORY  # "Pairing: gen" says there is none: AO3's Gen
                tag = doc.add_tag(item, kind, label=raw_label.strip())
                if tag is not None and label == "pairing" and n == 0 and kind == tag_type:
                    # "Pairing: Giles/Buffy" names the story's pairing, whatever order the
                    # tag list gave: it is the main one.
                    tag.extra["main"] = True
            continue
        target = TEXT_LABELS.get(label)
        if target == "title":
            doc.title = doc.title or value
        elif target == "authors":
            for name in split_list(value.replace(" & ", ", ").replace(" and ", ", ")):
                if name not in doc.authors:
                    doc.authors.append(name)
        elif target == "summary":
            doc.summary = doc.summary or value
        elif target == "disclaimer":
            doc.disclaimer = doc.disclaimer or f"{raw_label.strip()}: {value}"
        elif target == "notes":
            doc.notes.append(value)
        elif target == "status":
            status = status_from_word(value)
            if status != Status.UNKNOWN:
                doc.status = status
        elif target == "words":
            doc.stats.words = parse_int(value)
        elif target in {"language", "published", "updated", "completed"}:
            setattr(doc, target, value)
        elif target == "series":
            doc.series.append(SeriesRef(name=value))
        elif target == "url":
            doc.extra.setdefault("urls", []).append(value)
        else:
            unplaced.append((raw_label, value))
    if unplaced:
        doc.extra.setdefault("fields", {}).update({k: v for k, v in unplaced})
    return unplaced
