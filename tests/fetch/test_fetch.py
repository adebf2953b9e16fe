"""`fetch` and `update` against FanFicFare's offline test site, with sockets refusing.

test1.com: odd sids are in progress and even ones complete, 666 does not exist, 665 needs an
adult check, 667 fails on chapter 2, 668 needs a login, 673 has several authors.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from fanficfare.adapters import adapter_test1
from typer.testing import CliRunner

from ficsift.cli import app
from ficsift.fetch import (
    FetchError,
    FetchSettings,
    Shelf,
    fetch_urls,
    fetch_works,
    locate,
    works_in_progress,
)
from ficsift.fetch.sites import per_site
from ficsift.library import FileRecord, Library, Outcome
from ficsift.model import Chapter, Document, Source, Stats, Status
from tests.fetch.offline import OFFLINE, NetworkBlocked, fetch, sid

runner = CliRunner()


@pytest.fixture
def chapter_requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The chapter URLs test1.com is asked for."""
    asked: list[str] = []
    site = adapter_test1.TestSiteAdapter  # (imported as a module: pytest would collect "Test…")
    original = site.getChapterText

    def counting(self: object, url: str) -> object:
        asked.append(url)
        return original(self, url)

    monkeypatch.setattr(site, "getChapterText", counting)
    return asked


def test_sockets_refuse_in_these_tests() -> None:
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.org", 80))
    with pytest.raises(NetworkBlocked), socket.socket() as s:
        s.connect(("127.0.0.1", 9))


def test_fetch_stores_each_story_with_its_url_status_and_chapters(
    library: Library, shelf: Shelf
) -> None:
    report = fetch(library, shelf, sid(12), sid(13))
    assert report.failures == []
    assert report.counts[Outcome.ADDED] == 2
    by_url = dict(report.works)
    for n, status in ((12, Status.COMPLETE), (13, Status.IN_PROGRESS)):
        work_id = by_url[sid(n)]
        assert work_id is not None
        stored = library.get(work_id)
        assert stored is not None
        doc = stored.document
        assert doc.title == f"Test Story Title {n}" and doc.authors == ["Test Author aa"]
        assert doc.status is status
        assert len(doc.chapters) == 9 and doc.chapters[1].title == "Chapter 1, Xenos on Cinnabar"
        assert [s.url for s in stored.sources] == [sid(n)]
        assert Path(stored.sources[0].path) == shelf.root / "test1.com" / f"{n}.epub"
        assert Path(stored.sources[0].path).is_file()


@pytest.mark.parametrize(
    ("story", "reason"),
    [
        (666, "story does not exist"),
        (667, "chapter 2 failed"),
        (665, "adult check required (pass --adult to confirm you are an adult)"),
        (668, "login required (set it for this site in FanFicFare's personal.ini)"),
    ],
)
def test_a_failed_story_is_one_reason_and_stores_nothing(
    library: Library, shelf: Shelf, story: int, reason: str
) -> None:
    report = fetch(library, shelf, sid(story))
    assert [(f.path, f.reason) for f in report.failures] == [(sid(story), reason)]
    assert library.work_count() == 0
    assert not shelf.root.exists() or not any(shelf.root.rglob("*"))


def test_adult_flag_confirms_the_adult_check(library: Library, shelf: Shelf) -> None:
    report = fetch(library, shelf, sid(665), adult=True)
    assert report.failures == [] and report.counts[Outcome.ADDED] == 1


def test_a_url_given_twice_or_spelled_twice_is_fetched_once(
    library: Library, shelf: Shelf, chapter_requests: list[str]
) -> None:
    report = fetch(library, shelf, sid(12), sid(12), f" {sid(12)} ")
    assert report.counts[Outcome.ADDED] == 1 and library.work_count() == 1
    assert len(chapter_requests) == 9


def test_addresses_fanficfare_cannot_take_fail_without_a_request() -> None:
    with pytest.raises(FetchError, match="site not supported"):
        locate("https://nowhere.example/story/1")
    with pytest.raises(FetchError, match="not a web address"):
        locate("javascript:alert(1)")
    assert locate(sid(12)).file_name == "test1.com/12.epub"
    assert locate(sid("13[1-4]")) == (sid(13), "test1.com", "13", "1", "4")


def test_update_downloads_only_the_new_chapters_and_records_them(
    library: Library, shelf: Shelf, chapter_requests: list[str]
) -> None:
    first = fetch(library, shelf, sid("13[1-5]"))  # an older download: 5 chapters
    work_id = first.works[0][1]
    assert work_id is not None and len(chapter_requests) == 5
    chapter_requests.clear()

    assert works_in_progress(library) == ([work_id], 0)
    report = fetch_works(library, shelf, [work_id], OFFLINE)
    assert report.changed == 1 and report.updates == [(work_id, "5 → 9 chapters")]
    assert [u.rsplit("=", 1)[1] for u in chapter_requests] == ["6", "7", "8", "9"]
    stored = library.get(work_id)
    assert stored is not None and len(stored.document.chapters) == 9
    assert [(u.chapters_before, u.chapters_after) for u in stored.updates] == [(5, 9)]
    assert len(stored.sources) == 1  # the same source, updated in place

    chapter_requests.clear()
    again = fetch_works(library, shelf, [work_id], OFFLINE)
    assert (again.changed, again.unchanged, chapter_requests) == (0, 1, [])


def test_get_the_text_of_a_listing_blurb_merges_into_that_work(
    library: Library, shelf: Shelf
) -> None:
    """A metadata-only work that carries a story URL (as an AO3 listing blurb does) gets its
    text as a second source of the same work, keeping the blurb's kudos."""
    blurb = Document(
        source=Source("listing.html#14", "ao3-listing", url=sid(14), work_key=sid(14)),
        title="Test Story Title 14",
        authors=["Test Author aa"],
        status=Status.COMPLETE,
        stats=Stats(kudos=321, chapters_posted=9),
    )
    [stored_blurb] = library.store_file(_record("listing.html"), [blurb])
    report = fetch_works(library, shelf, [stored_blurb.work_id], OFFLINE)
    assert report.failures == [] and library.work_count() == 1
    work = library.get(stored_blurb.work_id)
    assert work is not None
    assert work.document.has_text and len(work.document.chapters) == 9
    assert work.document.stats.kudos == 321
    assert {s.url for s in work.sources} == {sid(14)} and len(work.sources) == 2


def test_a_work_without_a_story_url_is_one_failure(library: Library, shelf: Shelf) -> None:
    doc = Document(Source("mine.txt", "text"), title="Mine", chapters=[Chapter(None, "Words.")])
    [stored] = library.store_file(_record("mine.txt"), [doc])
    report = fetch_works(library, shelf, [stored.work_id, 999], OFFLINE)
    assert [(f.path, f.reason) for f in report.failures] == [
        (f"work {stored.work_id}", "no story URL that FanFicFare can fetch from"),
        ("work 999", "no such work in the library"),
    ]


def test_a_store_that_fails_leaves_the_earlier_download_as_it_was(
    library: Library, shelf: Shelf, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch(library, shelf, sid("15[1-3]"))
    kept = shelf.root / "test1.com" / "15.epub"
    before = kept.read_bytes()

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(library, "store_file", broken)
    [work_id] = works_in_progress(library)[0]
    report = fetch_works(library, shelf, [work_id], OFFLINE)
    assert (
        len(report.failures) == 1 and "not stored: OSError: disk full" in report.failures[0].reason
    )
    assert kept.read_bytes() == before
    assert sorted(p.name for p in kept.parent.iterdir()) == ["15.epub"]  # no .part left
    stored = library.get(work_id)
    assert stored is not None and len(stored.document.chapters) == 3


def test_one_site_at_a_time_other_sites_alongside() -> None:
    """Never two requests to one site at once; a failing job costs only itself."""
    busy: dict[str, int] = {}
    most: dict[str, int] = {}
    lock = threading.Lock()

    def work(job: tuple[str, int], _session: object) -> int:
        site, n = job
        with lock:
            busy[site] = busy.get(site, 0) + 1
            most[site] = max(most.get(site, 0), busy[site])
        time.sleep(0.01)
        with lock:
            busy[site] -= 1
        if n == 2:
            raise FetchError("chapter 2 failed")
        return n

    jobs = [(site, n) for n in range(4) for site in ("a.org", "b.org", "c.org")]
    finished = list(per_site(jobs, lambda job: job[0], work))
    assert most == {"a.org": 1, "b.org": 1, "c.org": 1}
    assert sorted(f.job for f in finished) == sorted(jobs)
    assert {f.job for f in finished if f.error == "chapter 2 failed"} == {
        ("a.org", 2), ("b.org", 2), ("c.org", 2),
    }  # fmt: skip
    for site in ("a.org", "b.org", "c.org"):  # each site's stories in the order given
        assert [f.job[1] for f in finished if f.job[0] == site] == [0, 1, 2, 3]


def test_cli_fetch_then_update(tmp_path: Path) -> None:
    lib = str(tmp_path / "cli-lib")
    result = runner.invoke(app, ["fetch", "-L", lib, sid(12), sid("13[1-4]"), sid(666), sid(667)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        "2 added, 0 merged, 0 updated, 0 unchanged, 2 failed"
    )
    assert result.stderr.splitlines() == [
        f"failed: {sid(666)}: story does not exist",
        f"failed: {sid(667)}: chapter 2 failed",
    ]
    result = runner.invoke(app, ["update", "-L", lib])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["1 works updated, 0 unchanged, 0 failed",
                                          "  updated work 2: 4 → 9 chapters"]  # fmt: skip
    result = runner.invoke(app, ["update", "-L", lib, "1", "2"])
    assert result.stdout.splitlines() == ["0 works updated, 2 unchanged, 0 failed"]


def _record(path: str) -> FileRecord:
    return FileRecord(path, "0" * 64, 1, 0.0, 1)


def test_fanficfare_settings_are_read_but_cannot_make_a_half_story(
    library: Library, shelf: Shelf, tmp_path: Path
) -> None:
    """The reader's own personal.ini counts (here: is_adult), yet FanFicFare's
    continue_on_chapter_error never stores a story with an error page for a chapter."""
    home_ini = tmp_path / "home" / ".fanficfare" / "personal.ini"
    home_ini.parent.mkdir(parents=True)
    home_ini.write_text("[defaults]\nis_adult:true\ncontinue_on_chapter_error:true\n")
    settings = FetchSettings()  # the reader's own settings included
    report = fetch_urls(library, shelf, [sid(665), sid(667)], settings)
    assert [(f.path, f.reason) for f in report.failures] == [(sid(667), "chapter 2 failed")]
    assert report.counts[Outcome.ADDED] == 1 and library.work_count() == 1
