"""``ficsift bulk`` on a local Ray: the library ``ficsift add`` makes, resumable, and bad files
cost one line each."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from ray import cloudpickle
from typer.testing import CliRunner

from ficsift.bulk import Cluster, RaySession, bulk_import
from ficsift.bulk.pipeline import read_on_ray, read_row
from ficsift.cli import app
from ficsift.importer import import_paths
from ficsift.library import Library, SqliteLibrary, StoreResult
from ficsift.library.base import FileRecord
from ficsift.library.storable import StorableDocument
from ficsift.read import DEFAULT_LIMITS, Limits
from ficsift.read.discover import FoundFile, discover

runner = CliRunner()
# Ray Data sets deprecated options of its own context when it copies one.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context")


class Killed(BaseException):
    """The end of a run that nothing catches, as a Ctrl-C or a kill would be."""


def works(lib: Library) -> list[tuple[Any, ...]]:
    """What a library holds, work by work: id, title, authors, fandoms, word and chapter
    counts, and every tag with its type and canonical name."""
    rows = lib.rows(limit=10_000)
    assert len(rows) == lib.work_count()
    out = []
    for row in rows:
        stored = lib.get(row.id)
        assert stored is not None
        tags = tuple(
            sorted((t.type.value, t.name, t.canonical or "") for t in stored.document.tags)
        )
        out.append(
            (
                row.id,
                row.title,
                tuple(row.authors),
                tuple(row.fandoms),
                row.words,
                row.chapters,
                tags,
            )
        )
    return out


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory, sample: list[Path]) -> list[tuple[Any, ...]]:
    """The sample as ``ficsift add`` stores it (in this process: nothing else to compare)."""
    with SqliteLibrary(tmp_path_factory.mktemp("add") / "lib") as lib:
        report = import_paths(lib, sample, workers=0)
        assert not report.failures and report.works > 30
        return works(lib)


def test_bulk_makes_the_library_add_makes(
    ray_cluster: Cluster, sample: list[Path], added: list[tuple[Any, ...]], tmp_path: Path
) -> None:
    with SqliteLibrary(tmp_path / "lib") as lib:
        report = bulk_import(lib, sample, ray_cluster)
        assert not report.failures and report.files == len(sample)
        assert report.counts["added"] + report.counts["merged"] == len(added)
        assert works(lib) == added  # same works, same ids, same tags

        again = bulk_import(lib, sample, ray_cluster)  # nothing changed: nothing re-read
        assert again.counts["unchanged"] == report.works and not again.failures
        assert works(lib) == added


def test_a_run_killed_midway_resumes_without_duplicates(
    ray_cluster: Cluster,
    sample: list[Path],
    added: list[tuple[Any, ...]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with SqliteLibrary(tmp_path / "lib") as lib:
        # The first run dies (as at a Ctrl-C or a lost driver) after storing five files.
        store = lib.store_file
        stored: list[str] = []

        def dying(record: FileRecord, documents: list[StorableDocument]) -> list[StoreResult]:
            if len(stored) == 5:
                raise Killed
            stored.append(record.path)
            return store(record, documents)

        monkeypatch.setattr(lib, "store_file", dying)
        with pytest.raises(Killed):
            bulk_import(lib, sample, ray_cluster)
        monkeypatch.undo()
        assert 0 < lib.work_count() < len(added)

        report = bulk_import(lib, sample, ray_cluster)
        assert not report.failures
        assert report.files == len(sample)  # the five stored files count as unchanged
        assert report.counts["unchanged"] > 0
        assert works(lib) == added  # no work twice, none missing


def test_half_then_all_gives_the_same_works(
    ray_cluster: Cluster, sample: list[Path], added: list[tuple[Any, ...]], tmp_path: Path
) -> None:
    with SqliteLibrary(tmp_path / "lib") as lib:
        first = bulk_import(lib, sample[::2], ray_cluster)
        second = bulk_import(lib, sample, ray_cluster)
        assert not first.failures and not second.failures
        assert second.counts["unchanged"] == first.works
        # Ids follow the order files were stored in, which differs here: compare the rest.
        assert sorted(w[1:] for w in works(lib)) == sorted(w[1:] for w in added)


def hostile_files(folder: Path) -> list[Path]:
    folder.mkdir()
    cut = folder / "cut-short.epub"
    cut.write_bytes(b"PK\x03\x04" + b"\x00garbage, the rest of the download never came" * 20)
    return [cut]


def test_the_command_reports_a_bad_file_in_one_line_and_stores_the_rest(
    ray_cluster: Cluster, sample: list[Path], tmp_path: Path
) -> None:
    [bad] = hostile_files(tmp_path / "bad")
    into = tmp_path / "lib"
    args = ["bulk", *map(str, sample[:6]), str(bad), "--into", str(into), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [f["path"] for f in report["failures"]] == [str(bad)]
    assert report["files"] == 7 and report["added"] > 0
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and str(bad) in failed[0] and "EPUB" in failed[0]
    with SqliteLibrary(into) as lib:
        ids = [row.id for row in lib.rows(limit=1000)]
        assert len(ids) == report["added"] + report["merged"]
        # The command indexes what it stored, as `add` does: every work has its score.
        assert set(lib.qualities(ids)) == set(ids)


def test_the_command_says_so_when_the_library_cannot_be_opened(
    ray_cluster: Cluster, sample: list[Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["bulk", str(sample[0]), "--into", str(blocker / "lib")])
    assert result.exit_code == 2
    assert "cannot open library" in result.stderr and len(result.stderr.splitlines()) == 1


def read_or_fail(row: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """read_row, except that the task reading a file named explode.txt fails (as when its
    worker is killed): runs in Ray workers, so pickled by value (see the test)."""
    found = pickle.loads(row["found"])
    if found.path.endswith("explode.txt"):
        raise RuntimeError("the worker reading this file died")
    return read_row(row, limits)


def test_a_failed_ray_task_costs_its_files_and_the_run_goes_on(
    ray_cluster: Cluster, sample: list[Path], tmp_path: Path
) -> None:
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    explode = tmp_path / "explode.txt"
    explode.write_text("Nothing here will be read.\n" * 50)
    todo = [f for f in discover([*sample[:4], explode], DEFAULT_LIMITS) if isinstance(f, FoundFile)]
    session = RaySession(ray_cluster)
    results = list(
        read_on_ray(todo, DEFAULT_LIMITS, session=session, concurrency=2, read=read_or_fail)
    )
    assert [r.found.path for r in results if r.parts] == [str(p) for p in sample[:4]]
    [failed] = [r for r in results if r.failures]
    assert failed.found.path == str(explode) and not failed.parts
    assert "Ray task failed" in failed.failures[0].reason


def test_a_ray_that_cannot_start_is_one_line_and_nothing_is_stored(
    sample: list[Path], tmp_path: Path
) -> None:
    # A new process: this one's Ray is running.  Ray's sockets cannot live this deep.
    deep = tmp_path / ("deep" * 20)
    into = tmp_path / "lib"
    args = ["bulk", str(sample[0]), "--into", str(into), "--ray-temp", str(deep)]
    done = subprocess.run(
        [sys.executable, "-m", "ficsift.cli", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("ficsift: cannot start Ray (a local Ray): ")
    assert len(done.stderr.splitlines()) == 1 and "107 bytes" in done.stderr
    with SqliteLibrary(into) as lib:
        assert lib.work_count() == 0


def test_bulk_into_postgresql_makes_the_library_add_makes(
    ray_cluster: Cluster, sample: list[Path], added: list[tuple[Any, ...]]
) -> None:
    from tests.library.conftest import NO_POSTGRES, POSTGRES_URL, drop_schema, postgres_class

    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"t_bulk_{uuid.uuid4().hex[:12]}"
    try:
        with postgres_class()(POSTGRES_URL, schema=schema) as lib:
            report = bulk_import(lib, sample, ray_cluster)
            assert not report.failures and report.files == len(sample)
            assert works(lib) == added
            again = bulk_import(lib, sample, ray_cluster)
            assert again.counts["unchanged"] == report.works
            assert works(lib) == added
    finally:
        drop_schema(schema)
