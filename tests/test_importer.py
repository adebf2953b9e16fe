"""The import pipeline over real folders: good files stored, bad ones one line each."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from ficsift import importer
from ficsift.importer import import_paths
from ficsift.library import Library
from ficsift.model import Document
from ficsift.read import Limits, RawFile

STORY = "Chapter 1\n\n" + "\n\n".join(
    f"Paragraph {i}: Willow walked Tara home past the Bronze and the graveyard, talking about spells."
    for i in range(40)
)


@pytest.fixture
def messy_folder(tmp_path: Path) -> Path:
    root = tmp_path / "fics"
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text(STORY)
    (root / "sub" / "other.txt").write_text(STORY.replace("Willow", "Faith"))
    (root / "junk.bin.txt").write_bytes(os.urandom(4096).replace(b"\n", b"\x00"))
    (root / "empty.txt").write_bytes(b"")
    (root / "broken-link.txt").symlink_to(root / "missing.txt")
    (root / "sub" / "loop").symlink_to(root)  # a symlink loop back to the top
    (root / "cover.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)  # not a fic format: skipped
    huge = root / "huge.txt"
    with huge.open("wb") as f:  # a 200 MB sparse file: refused by size before it is read
        f.truncate(200 * 1024 * 1024)
    os.mkfifo(root / "pipe.txt")  # reading a FIFO would block forever
    with zipfile.ZipFile(root / "bundle.zip", "w") as z:
        z.writestr("inner.txt", STORY.replace("Willow", "Dawn"))
        z.writestr("../escape.txt", STORY)
    return root


def test_messy_folder(library: Library, messy_folder: Path) -> None:
    report = import_paths(library, [messy_folder], workers=0)
    reasons = {
        Path(f.path.split("!")[0]).name
        + ("!" + f.path.split("!")[1] if "!" in f.path else ""): f.reason
        for f in report.failures
    }
    assert report.counts["added"] == 3, reasons  # good.txt, sub/other.txt, bundle.zip!inner.txt
    assert "binary" in reasons["junk.bin.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "no such file" in reasons["broken-link.txt"]
    assert "too large" in reasons["huge.txt"]
    assert "not a regular file" in reasons["pipe.txt"]
    assert "symlink loop" in reasons["loop"]
    assert "'..'" in reasons["bundle.zip!../escape.txt"]
    assert report.skipped == 1
    assert all("\n" not in f.reason for f in report.failures)
    assert not (messy_folder.parent / "escape.txt").exists()

    again = import_paths(library, [messy_folder], workers=0)
    assert again.counts["added"] == 0 and again.counts["unchanged"] == 3
    assert library.stats().works == 3


def test_changed_file_updates_and_unchanged_content_is_not_reread(
    library: Library, tmp_path: Path
) -> None:
    path = tmp_path / "wip.txt"
    path.write_text(STORY)
    assert import_paths(library, [path]).counts["added"] == 1
    os.utime(path, (1, 1))  # touched, same bytes
    assert import_paths(library, [path]).counts["unchanged"] == 1
    path.write_text(
        STORY + "\n\nChapter 2\n\n" + STORY.split("\n\n", 1)[1].replace("Willow", "Anya")
    )
    report = import_paths(library, [path])
    assert report.counts["updated"] == 1 and report.updates == [(1, "1 → 2 chapters")]


def test_failed_file_leaves_stored_works_intact(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "fic.txt"
    path.write_text(STORY)
    import_paths(library, [path])
    before = library.get(1)
    path.write_bytes(b"\x00\x01\x02" * 2000)  # the file is now junk
    report = import_paths(library, [path])
    assert len(report.failures) == 1
    after = library.get(1)
    assert before is not None and after is not None
    assert after.document.text == before.document.text


def test_zip_limits_apply_per_member(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("ok.txt", STORY)
        z.writestr("bomb.txt", b"\x00" * (4 * 1024 * 1024))
    report = import_paths(library, [path], limits=Limits(max_archive_member=1024 * 1024))
    assert report.counts["added"] == 1
    assert (
        len(report.failures) == 1 and "bomb" in report.failures[0].reason
    ) or "large" in report.failures[0].reason


def test_parallel_and_serial_imports_agree(tmp_path: Path, corpus: Path) -> None:
    from ficsift.library import SqliteLibrary

    folder = tmp_path / "some"
    shutil.copytree(corpus / "antennapedia" / "thick", folder)
    serial = SqliteLibrary(tmp_path / "serial")
    parallel = SqliteLibrary(tmp_path / "parallel")
    a = import_paths(serial, [folder], workers=0)
    b = import_paths(parallel, [folder], workers=2)
    assert a.counts == b.counts and not a.failures
    assert [r.title for r in serial.rows(100)] == [r.title for r in parallel.rows(100)]
    serial.close()
    parallel.close()


def write_stories(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:  # distinct texts: each its own work, not a copy of another
        path = folder / f"{name}.txt"
        path.write_text(STORY.replace("Willow", name.capitalize()))
        paths.append(path)
    return paths


def test_a_figure_past_sqlite_integers_is_dropped_and_the_file_kept(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the readers' own checks: whatever gives the writer a 25-digit kudos count, the
    figure is dropped with a note and the story stored (it raised OverflowError, losing the
    whole batch)."""
    write_stories(tmp_path / "fics", ["anya", "buffy", "cordelia", "dawn"])
    real = importer.read_file

    def huge_figures(raw: RawFile) -> list[Document]:
        docs = real(raw)
        if raw.path.endswith("buffy.txt"):
            for doc in docs:
                doc.stats.kudos = 10**25
                doc.stats.hits = 2**63
                doc.stats.words = -5
                doc.stats.bookmarks = 7  # a good figure is kept
        return docs

    monkeypatch.setattr(importer, "read_file", huge_figures)
    report = import_paths(library, [tmp_path / "fics"], workers=0)
    assert report.counts["added"] == 4 and not report.failures, report.failures
    (buffy,) = [
        w
        for w in map(library.get, range(1, 5))
        if w and w.document.source.path.endswith("buffy.txt")
    ]
    stats = buffy.document.stats
    assert (stats.kudos, stats.hits, stats.words, stats.bookmarks) == (None, None, None, 7)
    assert any("kudos out of range" in note for note in buffy.document.extra["warnings"])


# -- what the library's own tagged works teach (issue 12) -----------------------------------

_TAGGED = """---
title: Lantern Work {n}
author: someone{n}
rating: teen
status: complete
tags: ["f:Copperline Chronicles", "c:Maribel Quillon", "c:Tobiah Venn", "p:Maribel Quillon/Tobiah Venn"]
---

Maribel Quillon mended the lantern while Tobiah Venn kept watch on the docks.
"""  # a fandom and characters no primer or ontology knows: made up for this test


def _untagged_story() -> str:
    lines = [
        f"{a} looked at {b} across the dock, and the lanterns swung in the wind. {b} said "
        f"nothing for a while; then {a} laughed."
        for a, b in [("Maribel", "Tobiah Venn"), ("Maribel Quillon", "Venn")] * 25
    ]
    return "The Harbour Lights\n\nChapter 1\n\n" + "\n\n".join(lines)


def _fandoms_of_story(library: Library, folder: Path) -> list[str]:
    (folder / "story").mkdir(parents=True)
    (folder / "story" / "story.txt").write_text(_untagged_story(), "utf-8")
    assert not import_paths(library, [folder / "story"], workers=0).failures
    newest = max(r.id for r in library.rows())  # the story just added
    stored = library.get(newest)
    assert stored is not None
    return [t.name for t in stored.document.tags if t.type.value == "fandom"]


def test_a_library_teaches_the_fandoms_its_authors_tagged(tmp_path: Path) -> None:
    from ficsift.library import open_library

    tagged = tmp_path / "tagged"
    tagged.mkdir()
    for n in range(3):
        (tagged / f"w{n}.md").write_text(_TAGGED.format(n=n), "utf-8")
    with open_library(tmp_path / "taught") as taught:
        assert not import_paths(taught, [tagged], workers=0).failures
        characters, ships = taught.author_tag_counts()
        assert ("Copperline Chronicles", "Maribel Quillon", 3) in characters
        assert ("Maribel Quillon/Tobiah Venn", 3) in ships
        assert _fandoms_of_story(taught, tmp_path / "a") == ["Copperline Chronicles"]
    with open_library(tmp_path / "untaught") as untaught:  # the same story, nothing learnt
        assert "Copperline Chronicles" not in _fandoms_of_story(untaught, tmp_path / "b")
