"""The text that understanding works on, and how evidence points back into it.

Inference reads the *story* — the chapters' text, never the notes, summary or tags — so a
name in a disclaimer or an author's note is not a character in the story.  Notes, summary and
disclaimer are kept alongside for the few things they do tell (fandom from "belongs to Joss
Whedon", status from "updates will be slow", "VampWillow" and "W/T": ``notes.py``).

Offsets are character offsets into :attr:`StoryText.text`, which is the chapters joined by
blank lines exactly as :attr:`ficsift.model.Document.text` joins them, so an
:class:`~ficsift.model.Evidence` can be shown, highlighted and stored by offset.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

from ficsift.model import Document, Evidence, count_words

SEPARATOR = "\n\n"
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’)\]]*\s+|\n")


@dataclass
class StoryText:
    chapters: list[str]
    notes: list[str] = field(default_factory=list)
    disclaimer: str | None = None
    known_words: int | None = None  # the document's own count of these chapters, if any
    summary: str | None = None

    @classmethod
    def of(cls, doc: Document) -> StoryText:
        return cls(
            chapters=[c.text for c in doc.chapters],
            notes=[
                *doc.notes,
                *doc.end_notes,
                *(n for c in doc.chapters for n in c.notes + c.end_notes),
            ],
            disclaimer=doc.disclaimer,
            summary=doc.summary,
            # The chapters' counts (kept on each Chapter, and stored later): the same as
            # counting the joined text, whose separator is whitespace, without a second pass.
            known_words=sum(c.words for c in doc.chapters),
        )

    @property
    def around(self) -> list[str]:
        """What the author wrote around the story: summary, notes, disclaimer."""
        return [t for t in (self.summary, *self.notes, self.disclaimer) if t and t.strip()]

    @cached_property
    def text(self) -> str:
        return SEPARATOR.join(self.chapters)

    @cached_property
    def words(self) -> int:
        """The story's words (:func:`~ficsift.model.count_words`), counted once."""
        return self.known_words if self.known_words is not None else count_words(self.text)

    @cached_property
    def chapter_starts(self) -> list[int]:
        starts, pos = [], 0
        for chapter in self.chapters:
            starts.append(pos)
            pos += len(chapter) + len(SEPARATOR)
        return starts

    @cached_property
    def paragraph_starts(self) -> list[int]:
        """Offsets where paragraphs begin (a paragraph is a scene's smallest unit here)."""
        return [0] + [m.end() for m in re.finditer(r"\n\n", self.text)]

    def chapter_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.chapter_starts, offset) - 1)

    def paragraph_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.paragraph_starts, offset) - 1)

    def evidence(self, start: int, end: int, reason: str, context: int = 160) -> Evidence:
        """Evidence for ``text[start:end]``, widened to whole sentences within ``context``."""
        text = self.text
        lo = max(0, start - context)
        head = text[lo:start]
        cuts = [m.end() for m in _SENTENCE_END_RE.finditer(head)]
        s = lo + cuts[-1] if cuts else lo
        hi = min(len(text), end + context)
        tail = _SENTENCE_END_RE.search(text, end, hi)
        e = tail.end() if tail else hi
        return Evidence(
            start=s, end=e, text=text[s:e].strip(), chapter=self.chapter_at(start), reason=reason
        )


@dataclass
class CastMember:
    """A character found in the story (see :mod:`ficsift.understand.cast`)."""

    name: str  # canonical AO3 character name, or the name as written for an original character
    fandom: str | None
    mentions: list[tuple[int, int]] = field(default_factory=list)  # offsets into StoryText.text
    prominence: float = 0.0  # 0..1: how central the character is to this story
    original: bool = False  # not in the ontology: an original character (or an unknown name)
    gender: str | None = None  # "m" / "f" as the story's pronouns tell, when they do
    implied: list[int] = field(default_factory=list)  # paragraphs that call them "he"/"she"

    @property
    def count(self) -> int:
        return len(self.mentions)
