"""End to end in a real browser: Debian's chromium driven by Playwright, against `ficsift serve`.

Fetch stories by URL on the import page, then check one for new chapters from its page.

Import a folder and an upload → search with an include and an exclude from the sidebar → open a
work → expand an inferred tag's evidence → mark it read and rate it → it disappears under
"hide read".  Screenshots of the search and work pages go to test-artefacts/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fetch.offline import sid
from tests.web.conftest import roots_option
from tests.web.test_fetch_web import offline_subprocesses

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (`make browser` installs it)"
)


@pytest.fixture
def server(start_server: Any, tmp_path: Path) -> str:
    url: str = start_server(tmp_path / "library", *roots_option())
    return url


@pytest.fixture
def page(server: str) -> Iterator[object]:
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        playwright_sync.expect.set_options(timeout=30_000)  # imports are slower on a busy machine
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        yield tab
        browser.close()
        assert not errors, f"JavaScript errors: {errors}"


def titles(page: object) -> list[str]:
    return [t.strip() for t in page.locator("li.blurb h3 a").all_inner_texts()]  # type: ignore[attr-defined]


def test_import_search_read_mark_and_hide(
    server: str, page: object, fic_folder: Path, upload_file: Path
) -> None:
    p = page  # the Playwright page; untyped module
    expect = playwright_sync.expect
    ARTEFACTS.mkdir(exist_ok=True)

    # first start: an empty library sends the reader to import
    p.goto(server + "/")  # type: ignore[attr-defined]
    expect(p.get_by_text("Your library is empty")).to_be_visible()  # type: ignore[attr-defined]

    # import a folder, then an upload; progress is polled until the report shows
    p.get_by_label("Folder path").fill(str(fic_folder))  # type: ignore[attr-defined]
    p.get_by_role("button", name="Import folder").click()  # type: ignore[attr-defined]
    expect(p.get_by_role("heading", name="Import finished")).to_be_visible()  # type: ignore[attr-defined]
    expect(p.locator(".counts")).to_contain_text("5 added")  # type: ignore[attr-defined]
    p.locator("#files").set_input_files(str(upload_file))  # type: ignore[attr-defined]
    expect(p.locator("[data-file-list]")).to_contain_text(upload_file.name)  # type: ignore[attr-defined]
    p.get_by_role("button", name="Upload and import").click()  # type: ignore[attr-defined]
    expect(p.get_by_role("heading", name="Import finished")).to_be_visible()  # type: ignore[attr-defined]
    expect(p.locator(".counts")).to_contain_text("1 added")  # type: ignore[attr-defined]

    # search: include a fandom and exclude a character from the sidebar
    p.get_by_role("link", name="Search the library").click()  # type: ignore[attr-defined]
    expect(p.locator("li.blurb")).to_have_count(6)  # type: ignore[attr-defined]
    p.get_by_role("link", name="Include Buffy the Vampire Slayer", exact=True).click()  # type: ignore[attr-defined]
    expect(p.locator("li.blurb")).to_have_count(5)  # type: ignore[attr-defined]
    assert "tag=fandom" in p.url  # type: ignore[attr-defined]
    p.get_by_role("link", name="Exclude Willow Rosenberg", exact=True).click()  # type: ignore[attr-defined]
    expect(p.locator(".chip-x")).to_contain_text("Willow Rosenberg")  # type: ignore[attr-defined]
    narrowed = titles(p)
    assert "Paragon" in narrowed and "Four Nights and a Revelation" not in narrowed
    assert "xtag=character" in p.url  # type: ignore[attr-defined]
    p.reload()  # type: ignore[attr-defined]  # the URL alone reproduces the search
    assert titles(p) == narrowed
    p.get_by_role("link", name="Clear filters").click()  # type: ignore[attr-defined]
    expect(p.locator("li.blurb")).to_have_count(6)  # type: ignore[attr-defined]
    p.screenshot(path=str(ARTEFACTS / "search.png"))  # type: ignore[attr-defined]

    # open a work and expand an inferred tag's evidence
    p.get_by_role("link", name="Four Nights and a Revelation").click()  # type: ignore[attr-defined]
    expect(p.get_by_role("heading", level=1)).to_have_text("Four Nights and a Revelation")  # type: ignore[attr-defined]
    details = p.locator("details.tag-ev:has(> summary.inferred)").first  # type: ignore[attr-defined]
    inferred = details.locator("summary")
    assert "inferred by ficsift, confidence" in (inferred.get_attribute("title") or "")
    passage = details.locator(".passage blockquote").first
    expect(passage).to_be_hidden()
    inferred.click()
    expect(passage).to_be_visible()

    # reader comforts: font size and dark mode
    before = p.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--reader-size')"
    )  # type: ignore[attr-defined]
    p.get_by_role("button", name="Larger text").click()  # type: ignore[attr-defined]
    after = p.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--reader-size')"
    )  # type: ignore[attr-defined]
    assert float(after.strip().rstrip("rem")) > float(before.strip().rstrip("rem") or 1.125)
    p.locator(".reader-tools [data-theme-toggle]").click()  # type: ignore[attr-defined]
    assert p.evaluate("document.documentElement.dataset.theme") in {"dark", "light"}  # type: ignore[attr-defined]
    p.locator(".reader-tools [data-theme-toggle]").click()  # type: ignore[attr-defined]

    # mark it read and rate it
    p.get_by_label("read", exact=True).check()  # type: ignore[attr-defined]
    p.get_by_label("★★★★★ 5 of 5").check()  # type: ignore[attr-defined]
    p.get_by_label("Private notes").fill("The one with the spell.")  # type: ignore[attr-defined]
    p.get_by_role("button", name="Save").click()  # type: ignore[attr-defined]
    expect(p.get_by_role("status")).to_have_text("Saved ✓")  # type: ignore[attr-defined]
    expect(p.get_by_label("read", exact=True)).to_be_checked()  # type: ignore[attr-defined]
    p.locator("details.tag-ev > summary.inferred").first.click()  # type: ignore[attr-defined]
    p.screenshot(path=str(ARTEFACTS / "work.png"))  # type: ignore[attr-defined]

    # the reader remembers where you stopped
    work_url = p.url.split("?")[0]  # type: ignore[attr-defined]
    p.locator("#chapter-text").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    p.mouse.wheel(0, 1500)  # type: ignore[attr-defined]
    work_id = work_url.rstrip("/").rsplit("/", 1)[1]
    deadline = time.monotonic() + 10
    position = None
    while time.monotonic() < deadline and not position:
        time.sleep(0.3)
        reading = p.request.get(f"{server}/api/works/{work_id}").json()["reading"]  # type: ignore[attr-defined]
        position = reading["position"]
    assert position and position.startswith("1:"), reading
    assert reading["status"] == "read" and reading["rating"] == 5

    # the read work disappears under "hide read"
    p.goto(server + "/search")  # type: ignore[attr-defined]
    assert "Four Nights and a Revelation" in titles(p)
    p.get_by_label("Hide works I've read").check()  # type: ignore[attr-defined]
    p.get_by_role("button", name="Sort and filter").first.click()  # type: ignore[attr-defined]
    expect(p.locator("li.blurb")).to_have_count(5)  # type: ignore[attr-defined]
    assert "Four Nights and a Revelation" not in titles(p)
    assert "hide_read=1" in p.url  # type: ignore[attr-defined]


def test_fetch_by_url_then_check_for_new_chapters(
    start_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import page's URL box and a work's "Check for new chapters", against FanFicFare's
    offline test1.com, with the server and its job processes refusing network connections."""
    attempts = offline_subprocesses(tmp_path, monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no personal FanFicFare settings
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    server = start_server(tmp_path / "library", *roots_option())
    expect = playwright_sync.expect
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        p = browser.new_page()
        p.set_default_timeout(60_000)
        expect.set_options(timeout=60_000)
        errors: list[str] = []
        p.on("pageerror", lambda exc: errors.append(str(exc)))

        p.goto(server + "/import")
        p.get_by_label("Story URLs").fill(f"{sid('13[1-5]')}\n{sid(666)}\n")
        p.get_by_role("button", name="Fetch stories").click()
        expect(p.get_by_role("heading", name="Fetch finished")).to_be_visible()
        expect(p.locator(".counts")).to_contain_text("1 added")
        expect(p.locator(".counts")).to_contain_text("1 failed")
        expect(p.locator(".failures")).to_have_text(f"{sid(666)} — story does not exist")

        p.get_by_role("link", name="Search the library").click()
        p.get_by_role("link", name="Test Story Title 13").click()
        expect(p.locator(".stats-line")).to_contain_text("Chapters: 5/")
        p.get_by_role("button", name="Check for new chapters").click()
        expect(p.get_by_role("heading", name="Update finished")).to_be_visible()
        expect(p.locator(".job")).to_contain_text("1 works updated, 0 unchanged, 0 failed")
        expect(p.locator(".job")).to_contain_text("5 → 9 chapters")
        p.locator(".job").get_by_role("link", name="work ").first.click()
        expect(p.locator(".stats-line")).to_contain_text("Chapters: 9/")
        browser.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not attempts.exists(), attempts.read_text()
