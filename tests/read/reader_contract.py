"""The reader contract, as one test class every reader's tests subclass with their fixtures.

FanFicFare's ``generic_adapter_test`` idea: a fixture and the fields a careful reader reads
off it.  A subclass lists :class:`Case` records (its own short generated pages, and files of
``../shared/corpus/wild`` with their ``expected.json`` entries); the contract then asserts,
for every case:

* the right reader picks the file, and the expected fields come out (title, authors, every
  typed tag, rating, language, status, chapters, story words within a tolerance, dates,
  series, summary, the site's stats);
* what comes out is consistent: a non-empty title, authors as names, chapters with text,
  the stated words and chapters sane numbers, no markup left in the story text;
* the reader never crashes: the file cut short at several points, or with a run of its bytes
  dropped, gives documents or a one-line ReadError, never another exception;
* a page holding no work gives a one-line ReadError naming why ("no work on this page").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

import pytest

from ficsift.model import Document, TagType, count_words
from ficsift.read import ReadError, read_bytes
from ficsift.read.base import RawFile, pick_reader
from tests.conftest import CORPUS

WILD = CORPUS / "wild"
_TAG_FIELDS = {
    "fandoms": TagType.FANDOM,
    "relationships": TagType.RELATIONSHIP,
    "characters": TagType.CHARACTER,
    "freeforms": TagType.FREEFORM,
    "warnings": TagType.WARNING,
    "category": TagType.CATEGORY,
}


@dataclass(frozen=True)
class Case:
    """A file and what a careful reader reads off it (``expected.json``'s field names)."""

    name: str
    data: Callable[[], bytes]
    expect: dict[str, Any] = field(default_factory=dict)
    reader: str | None = None  # the reader format that must pick the file
    no_story: bool = False  # a page holding no work: a clear ReadError
    error_words: str = "no work on this page"  # what that error must say

    def __repr__(self) -> str:
        return self.name


@cache
def wild_expected() -> dict[str, dict[str, Any]]:
    entries = json.loads((WILD / "expected.json").read_text("utf-8"))["files"]
    return {entry["path"]: entry for entry in entries}


def wild_case(path: str, reader: str | None = None) -> Case:
    """A file of ``corpus/wild`` with its ``expected.json`` entry (read at test time, never
    copied into the project)."""
    entry = wild_expected()[path]
    return Case(
        name=path,
        data=lambda: (WILD / path).read_bytes(),
        expect=dict(entry["fields"]),
        reader=reader,
        no_story=entry["kind"] == "no-story",
    )


def mismatches(doc: Document, expect: dict[str, Any]) -> list[str]:
    """Each expected field the document gets wrong, as "field: got … want …"."""
    bad: list[str] = []

    def check(name: str, got: object, want: object) -> None:
        if got != want:
            bad.append(f"{name}: got {got!r:.200} want {want!r:.200}")

    words = sum(count_words(c.text) for c in doc.chapters)
    tol = expect.get("words_tol", 0.05)
    for key, want in expect.items():
        if key == "title":
            check(key, doc.title, want)
        elif key == "authors":
            check(key, doc.authors, want)
        elif key in _TAG_FIELDS:
            check(key, sorted(t.name for t in doc.tags_of(_TAG_FIELDS[key])), sorted(want))
        elif key == "rating":
            check(key, [t.name for t in doc.tags_of(TagType.RATING)], [want])
        elif key == "language":
            check(key, doc.language, want)
        elif key == "status":
            check(key, str(doc.status), want)
        elif key == "chapters":
            check(key, len(doc.chapters), want)
        elif key == "chapter_titles":
            check(key, [c.title for c in doc.chapters][: len(want)], want)
        elif key == "words":
            if abs(words - want) > tol * want:
                bad.append(f"words: got {words} want {want} (±{tol:.0%})")
        elif key == "max_story_words":
            if words > want:
                bad.append(f"story words: got {words}, a page with no story text has <= {want}")
        elif key in {"published", "updated"}:
            check(key, (getattr(doc, key) or "")[:10], want)
        elif key == "series":
            check(key, [s.name for s in doc.series][:1], [want])
        elif key == "summary_prefix":
            summary = "".join((doc.summary or "").split())
            check(key, summary.startswith("".join(want.split())), True)
        elif key == "stats":
            for stat, value in want.items():
                check(f"stats.{stat}", getattr(doc.stats, stat, None), value)
        elif key == "notes":
            check(key, doc.notes, want)
        elif key == "end_notes":
            check(key, doc.end_notes, want)
        elif key == "text_excludes":
            bad.extend(f"text holds {s!r}" for s in want if s in doc.text)
        elif key != "words_tol":
            bad.append(f"unknown expected field {key!r}")
    return bad


def consistency_problems(doc: Document) -> list[str]:
    bad: list[str] = []
    if not (doc.title or "").strip():
        bad.append("no title")
    if not all(isinstance(a, str) and a.strip() and len(a) < 200 for a in doc.authors):
        bad.append(f"authors not names: {doc.authors!r:.200}")
    for n, chapter in enumerate(doc.chapters, 1):
        if not chapter.text.strip():
            bad.append(f"chapter {n} has no text")
        if "<p>" in chapter.text or "</div>" in chapter.text:
            bad.append(f"chapter {n} text holds markup")
    for name in ("words", "chapters_posted", "kudos", "hits", "bookmarks", "comments"):
        value = getattr(doc.stats, name)
        if value is not None and not (0 <= value < 10**12):
            bad.append(f"stats.{name} not sane: {value}")
    if doc.stats.chapters_posted is not None and len(doc.chapters) > max(
        doc.stats.chapters_posted, 1
    ):
        bad.append(
            f"{len(doc.chapters)} chapters read, the page states {doc.stats.chapters_posted}"
        )
    return bad


def _read(case: Case) -> list[Document]:
    return read_bytes(case.name, case.data())


class ReaderContract:
    """Subclass with ``cases``; pytest collects the subclass (its name starts with Test)."""

    cases: ClassVar[tuple[Case, ...]] = ()

    def test_has_cases(self) -> None:
        assert self.cases, f"{type(self).__name__} lists no fixtures"

    def test_reader_is_picked(self) -> None:
        wrong = []
        for case in self.cases:
            if case.reader is not None:
                picked = pick_reader(RawFile(case.name, case.data())).format
                if picked != case.reader:
                    wrong.append(f"{case.name}: {picked} picked, not {case.reader}")
        assert not wrong, "\n".join(wrong)

    def test_expected_fields(self) -> None:
        failures = []
        for case in (c for c in self.cases if not c.no_story):
            docs = _read(case)
            if bad := mismatches(docs[0], case.expect):
                failures.append(f"{case.name}:\n  " + "\n  ".join(bad))
        assert not failures, "\n".join(failures)

    def test_consistent(self) -> None:
        failures = []
        for case in (c for c in self.cases if not c.no_story):
            for doc in _read(case):
                if bad := consistency_problems(doc):
                    failures.append(f"{case.name}: {'; '.join(bad)}")
        assert not failures, "\n".join(failures)

    def test_no_story_pages_fail_clearly(self) -> None:
        for case in (c for c in self.cases if c.no_story):
            with pytest.raises(ReadError) as caught:
                _read(case)
            message = str(caught.value)
            assert case.error_words in message and "\n" not in message, (case.name, message)

    def test_never_crashes_on_broken_copies(self) -> None:
        """Cut short or with a run of bytes gone: documents or a ReadError, nothing else."""
        for case in self.cases:
            data = case.data()
            size = len(data)
            broken = [data[: size * k // 5] for k in (1, 2, 3, 4)]
            broken += [data[: size // 3] + data[size // 3 + max(size // 10, 1) :]]
            for n, variant in enumerate(broken):
                try:
                    docs = read_bytes(case.name, variant)
                except ReadError as exc:
                    assert "\n" not in str(exc), (case.name, n, str(exc))
                    continue
                for doc in docs:
                    assert isinstance(doc.title, str) and doc.title, (case.name, n)
