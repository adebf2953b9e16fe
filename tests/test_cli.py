"""The command line as a reader uses it: JSON contracts, exit codes, and surviving kill -9."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ficsift import importer
from ficsift.cli import app
from ficsift.library import FileRecord, SqliteLibrary
from ficsift.library.index_rows import WORKS_COLUMNS
from ficsift.library.storable import StorableDocument
from ficsift.model import Chapter, Document, Evidence, Source, Tag, TagOrigin, TagType
from ficsift.understand import understand

runner = CliRunner()
OVERFLOW = "Python int too large to convert to SQLite INTEGER"
ANALYZE_KEYS = {
    "title", "authors", "summary", "notes", "disclaimer", "fandoms", "relationships", "characters",
    "tags", "warnings", "rating", "category", "language", "words", "chapters", "status",
    "published", "updated", "stats", "source",
}  # fmt: skip
WIP = (
    "I always have trouble finding the good ones, so I wrote one. Reviews are love!\n\n"
    "I can't promise how frequent the updates will be.\n\n"
    "Disclaimer: I do not own Buffy; it belongs to Joss Whedon and Mutant Enemy.\n\n"
    "Chapter 1\n\n"
    + "\n\n".join(["Willow smiled at Tara across the cold cell, and the candle burned low."] * 50)
)


def ficsift(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("ficsift")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=300)


def test_analyze_json_contract(tmp_path: Path) -> None:
    path = tmp_path / "wip.txt"
    path.write_text(WIP)
    result = runner.invoke(app, ["analyze", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data.keys() >= ANALYZE_KEYS
    assert data["status"] == "in-progress"
    assert len(data["notes"]) == 2 and data["disclaimer"].startswith("Disclaimer")
    assert [c["title"] for c in data["chapters"]] == ["Chapter 1"]
    assert data["words"] == 50 * 13
    assert data["source"]["path"] == str(path)


def test_analyze_text_only_drops_metadata(corpus: Path) -> None:
    path = corpus / "antennapedia" / "btvs" / "bgwx_core_four_hot_water.md"
    full = json.loads(runner.invoke(app, ["analyze", str(path), "--json"]).stdout)
    bare = json.loads(runner.invoke(app, ["analyze", str(path), "--json", "--text-only"]).stdout)
    assert any(c["source"] == "author" for c in full["characters"])
    # what is left is only what ficsift read in the story itself
    assert all(c["source"] == "inferred" for c in bare["characters"]) and not bare["title"]
    assert bare["words"] == full["words"] > 0


def test_add_reports_failures_and_exit_code(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(WIP)
    (tmp_path / "in" / "bad.txt").write_bytes(random.Random(7).randbytes(1000))
    lib = str(tmp_path / "lib")
    result = ficsift("add", str(tmp_path / "in"), "--library", lib)
    assert result.returncode == 1
    assert "1 added" in result.stdout
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and "bad.txt" in failed[0] and "binary" in failed[0]
    listed = json.loads(ficsift("list", "--json", "--library", lib).stdout)
    assert [w["title"] for w in listed] == ["good"]
    shown = json.loads(ficsift("show", str(listed[0]["id"]), "--json", "--library", lib).stdout)
    assert shown["status"] == "in-progress" and shown["source"].endswith("good.txt")
    stats = json.loads(ficsift("stats", "--json", "--library", lib).stdout)
    assert stats["works"] == 1 and stats["by_format"] == {"text": 1}


def test_library_from_environment(tmp_path: Path) -> None:
    (tmp_path / "fic.txt").write_text(WIP)
    env = {**os.environ, "FICSIFT_HOME": str(tmp_path / "home")}
    assert ficsift("add", str(tmp_path / "fic.txt"), env=env).returncode == 0
    assert (tmp_path / "home" / "library.sqlite3").exists()


def test_show_unknown_work_is_one_line(tmp_path: Path) -> None:
    result = ficsift("show", "999", "--library", str(tmp_path / "lib"))
    assert result.returncode == 1 and result.stderr.strip() == "ficsift: no work 999 in the library"


def _works(db: Path) -> int:
    """Works committed so far; 0 while the importer has not yet made the library (its file
    may exist before its tables: polling must not fail on a fresh first run)."""
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as conn:
            return int(conn.execute("SELECT count(*) FROM works").fetchone()[0])
    except sqlite3.OperationalError:  # no table yet
        return 0


def _wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"gave up after {seconds:.0f} s waiting for {what}"
        time.sleep(0.05)


def test_kill_9_mid_import_leaves_a_consistent_library(tmp_path: Path, corpus: Path) -> None:
    lib = tmp_path / "lib"
    folders = [str(corpus / "antennapedia"), str(corpus / "ao3-html")]
    exe = Path(sys.executable).with_name("ficsift")
    proc = subprocess.Popen([str(exe), "add", *folders, "--library", str(lib), "--workers", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    db = lib / "library.sqlite3"
    try:  # the signal: 30 works committed (a first run may first build caches: a long bound)
        _wait_for(lambda: _works(db) >= 30 or proc.poll() is not None, 300, "30 stored works")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    partial = _works(db)
    assert 30 <= partial < 179, partial  # killed mid-way

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = conn.execute(
            "SELECT count(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.work_id = w.id)"
        ).fetchone()[0]
        assert orphans == 0

    rerun = ficsift("add", *folders, "--library", str(lib), "--json")
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["unchanged"] >= partial and report["failed"] == 0

    clean = tmp_path / "clean"
    fresh = json.loads(ficsift("add", *folders, "--library", str(clean), "--json").stdout)
    assert _works(db) == _works(clean / "library.sqlite3") == fresh["added"] + fresh["merged"] * 0
    with sqlite3.connect(db) as conn:
        dupes = conn.execute("SELECT count(*) - count(DISTINCT locator) FROM sources").fetchone()[0]
        assert dupes == 0


def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (from /proc: psutil may not be installed)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended while we looked
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie is dead, waiting for a reaper


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_kill_9_of_an_import_ends_its_reader_processes(tmp_path: Path) -> None:
    folder = tmp_path / "fics"
    folder.mkdir()
    rng = random.Random(10)
    words = WIP.split()
    for n in range(24):  # enough reading (~0.2 s a file) to find the readers at work
        body = " ".join(rng.choice(words) for _ in range(60_000))
        (folder / f"fic{n}.txt").write_text(f"Chapter 1\n\n{body}\n")
    exe = Path(sys.executable).with_name("ficsift")
    proc = subprocess.Popen(
        [str(exe), "add", str(folder), "--library", str(tmp_path / "lib"), "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    readers: set[int] = set()
    try:

        def readers_started() -> bool:
            readers.update(_children(proc.pid))
            return len(readers) >= 2 or proc.poll() is not None

        _wait_for(readers_started, 120, "the reader processes")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len(readers) >= 2, "the import ended before its readers were seen"
    try:
        _wait_for(lambda: not any(_alive(r) for r in readers), 10, "the readers to end")
    finally:
        for r in readers:  # never leave them behind, even when the test fails
            if _alive(r):
                os.kill(r, signal.SIGKILL)


def test_a_file_the_writer_cannot_store_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception while storing one file (here a figure that got past every check) costs
    that file: one ``failed:`` line, its neighbours in the same batch stored, the index made,
    exit code 1.  It used to abort the import with a traceback and lose the whole batch."""
    folder = tmp_path / "fics"
    folder.mkdir()
    names = ["anya", "buffy", "cordelia", "dawn", "faith", "giles"]
    paths = [folder / f"{name}.txt" for name in names]
    for name, path in zip(names, paths, strict=True):
        path.write_text(WIP.replace("Willow", name.capitalize()).replace("Tara", "Oz"))
    # the middle one of the order the importer stores in: neighbours before and after it
    poisoned = sorted(paths, key=lambda p: zlib.crc32(str(p).encode()))[len(paths) // 2]
    real = importer.storable
    kudos = WORKS_COLUMNS.index("kudos")

    def poison(doc: Document) -> StorableDocument:
        item = real(doc)
        if doc.source.path == str(poisoned):  # past storable's own guard, as a bug would be
            works = (*item.values.works[:kudos], 10**25, *item.values.works[kudos + 1 :])
            item = item._replace(values=item.values._replace(works=works))
        return item

    monkeypatch.setattr(importer, "storable", poison)
    lib = tmp_path / "lib"
    result = runner.invoke(app, ["add", str(folder), "--library", str(lib), "--workers", "0"])
    assert result.exit_code == 1, result.output
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert failed == [f"failed: {poisoned}: cannot store: OverflowError: {OVERFLOW}"]
    assert "Traceback" not in result.output and "5 added" in result.stdout
    with SqliteLibrary(lib) as library:
        stored = {library.get(i).document.source.path for i in range(1, 6)}  # type: ignore[union-attr]
        assert stored == {str(p) for p in paths} - {str(poisoned)}
        assert all(library.score_detail(i) is not None for i in range(1, 6))  # indexed
        assert library.file_record(str(poisoned)) is None  # a re-run tries it again


# Story data that Rich would read as console markup (or emoji codes): each must print as is.
MARKUP = {
    "title": "[/] [sic] and [i]x :smile:",
    "author": "[bold]Ann[/bold]",
    "fandom": "[link=http://e.x]F[/link]",
    "tag": "Angst [/x] [red]",
    "summary": "[sic] and [i]x in the summary [/]",
    "note": "a note [/] [b]",
    "inferred": "[i]Hurt[/i] [/]",
    "reason": "a cue [bold]",
    "evidence": "Willow said [/] and [dim]x",
}


def _marked_up_document(path: str, title: str) -> Document:
    doc = Document(Source(path, "text"), title=title, authors=[MARKUP["author"]],
                   summary=MARKUP["summary"], notes=[MARKUP["note"]],
                   chapters=[Chapter("Chapter 1", WIP.split("Chapter 1", 1)[1])])  # fmt: skip
    doc.add_tag(MARKUP["fandom"], TagType.FANDOM)
    doc.add_tag(MARKUP["tag"], TagType.FREEFORM)
    understand(doc)
    evidence = Evidence(0, 10, MARKUP["evidence"], 0, MARKUP["reason"])
    doc.tags.append(Tag(MARKUP["inferred"], TagType.FREEFORM, TagOrigin.INFERRED,
                        confidence=0.8, evidence=[evidence], extra={"reasons": [MARKUP["reason"]]}))  # fmt: skip
    return doc


def test_story_data_is_never_read_as_console_markup(tmp_path: Path) -> None:
    """Brackets in titles, names, tags and notes crashed the commands with Rich's
    MarkupError ("[/]"), or silently lost words ("[sic] and [i]x" showed as " and x")."""
    lib = tmp_path / "lib"
    with SqliteLibrary(lib) as library:
        for n, title in enumerate((MARKUP["title"], MARKUP["title"] + " again"), 1):
            doc = _marked_up_document(str(tmp_path / f"fic{n}.txt"), title)
            library.store_file(FileRecord(doc.source.path, f"sha{n}", 1, 1.0, 1), [doc])
    story = tmp_path / "story.txt"
    story.write_text(
        f"Title: {MARKUP['title']}\nAuthor: {MARKUP['author']}\nFandom: {MARKUP['fandom']}\n"
        f"Tags: {MARKUP['tag']}\nSummary: {MARKUP['summary']}\n\n{WIP}"
    )

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), env={"COLUMNS": "1000"})
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result.output

    assert run("index", "--library", str(lib))
    everything = ("title", "author", "fandom", "tag", "summary", "note")
    shown = {
        ("analyze", str(story)): ("title", "author", "fandom", "tag", "summary"),
        ("show", "1"): everything,
        ("list",): ("title", "author", "fandom"),
        ("explain", "1", "Angst"): ("tag",),
        ("explain", "1", "Hurt"): ("inferred", "reason", "evidence"),
        ("search", "willow"): ("title", "author", "fandom"),
        ("similar", "1"): ("title", "author", "fandom"),
        ("stats",): ("fandom",),
        ("mark", "1", "--notes", MARKUP["note"]): ("note",),
        ("blacklist", "add", MARKUP["tag"]): ("tag",),
        ("blacklist", "list"): ("tag",),
    }
    for args, keys in shown.items():
        output = run(*args) if args[0] == "analyze" else run(*args, "--library", str(lib))
        for key in keys:
            assert MARKUP[key] in output, (args, key, output)
    assert run("why", "1", "--library", str(lib)).startswith("quality ")


def test_analyze_shows_archive_warnings_apart_from_readable_content_labels(tmp_path: Path) -> None:
    scene = (
        "The knife tore open the guard's throat and blood sprayed across the wall. Spike "
        "stabbed him again, gutted him, and the blood pooled, thick and dark, around the "
        "mangled corpse while his severed fingers lay in the gore."
    )
    path = tmp_path / "gore.txt"
    path.write_text("\n\n".join([scene] * 12))
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 0, result.output
    lines = {
        ln.split(":", 1)[0].strip(): ln.split(":", 1)[1]
        for ln in result.stdout.splitlines()
        if ":" in ln
    }
    assert "Blood and Gore" in lines["Content"] and "blood-gore" not in result.stdout
    assert "Blood and Gore" not in lines["Warnings"]


def test_work_summary_says_ao3s_names_once_marks_guesses_and_counts_unlikely_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ficsift.cli import _print_work_summary

    def tag(name: str, source: str, confidence: float | None = None) -> dict[str, object]:
        return {"name": name, "source": source, "confidence": confidence}

    _print_work_summary(
        {
            "title": "T",
            "fandoms": [
                {"name": "btvs", "source": "author", "canonical": "Buffy the Vampire Slayer"},
                tag("Buffy the Vampire Slayer", "inferred", 0.9),
            ],
            "rating": [tag("Mature", "inferred", 0.12)],
            "relationships": [tag("Tara Maclay/Willow Rosenberg", "inferred", 0.8)]
            + [tag(f"Willow Rosenberg & X{i}", "inferred", 0.04) for i in range(5)],
            "source": {"path": "t.txt"},
        }
    )
    lines = {
        ln.split(":", 1)[0].strip(): ln.split(":", 1)[1].strip()
        for ln in capsys.readouterr().out.splitlines()
        if ":" in ln
    }
    assert lines["Fandoms"] == "Buffy the Vampire Slayer"
    assert lines["Rating"] == "Mature?"  # a rating is said whatever its exact level's odds
    assert lines["Relationships"] == "Tara Maclay/Willow Rosenberg? (+5 unlikely guesses)"
    assert "guessed by ficsift" in lines["?"]
    _print_work_summary({"title": "T", "fandoms": [tag("Firefly", "author")], "source": "t.txt"})
    assert "guessed by ficsift" not in capsys.readouterr().out  # no guess shown: no legend
