"""Complete or in-progress, from the text when the metadata is silent.

The reader's cue rules (:func:`ficsift.read.structure.status_cues`: "To be continued",
"The End", notes promising updates or calling it a one-shot) plus one that needs the whole
work: a story that is a lone "Chapter 1" — a first chapter posted alone is a WIP more often
than not.
"""

from __future__ import annotations

import re

from ficsift.model import Document, Status
from ficsift.read.structure import status_cues

_FIRST_CHAPTER_RE = re.compile(r"^(?:chapter|part|ch\.?)\s*(?:1|one|i)\b", re.I)


def infer_status(doc: Document) -> tuple[Status, str]:
    """(status, reason); UNKNOWN with an empty reason when nothing in the text says."""
    last = doc.chapters[-1] if doc.chapters else None
    tail = last.text.rsplit("\n\n", 4)[-4:] if last else []
    notes = [*doc.notes, *doc.end_notes, *(last.notes + last.end_notes if last else [])]
    status, reason = status_cues(tail, notes)
    if status != Status.UNKNOWN:
        return status, reason
    if len(doc.chapters) == 1 and last and last.title and _FIRST_CHAPTER_RE.match(last.title):
        return Status.IN_PROGRESS, "a lone “Chapter 1”"
    return Status.UNKNOWN, ""
