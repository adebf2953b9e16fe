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


# -- issue 13: the rough edges, in a real browser --------------------------------------------

SHOTS = Path("/tmp/ficsift-shots")


@pytest.fixture
def built_server(start_server: Any, library_dir: Path) -> str:
    url: str = start_server(library_dir, *roots_option())
    return url


def _browser(pw: Any, width: int, height: int = 900) -> tuple[Any, Any, list[str]]:
    browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    tab = browser.new_page(viewport={"width": width, "height": height})
    tab.set_default_timeout(30_000)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    return browser, tab, errors


def test_box_and_sidebar_agree_and_the_title_follows(built_server: str) -> None:
    expect = playwright_sync.expect
    with playwright_sync.sync_playwright() as pw:
        browser, p, errors = _browser(pw, 1280)
        p.goto(built_server + "/search")
        p.locator("#q").fill("sort:quality complete:yes main:yes")
        p.locator("#q").press("Enter")  # JS swaps the results in place
        expect(p.locator("#sort")).to_have_value("quality")
        expect(p.locator('input[name="complete"][value="yes"]')).to_be_checked()
        expect(p.locator('input[name="main"]')).to_be_checked()
        expect(p).to_have_title("sort:quality complete:yes main:yes — Search · ficsift")
        # the dropdown rewrites the box rather than silently overriding it
        p.locator("#sort").select_option("kudos")
        expect(p.locator("#q")).to_have_value("complete:yes main:yes")
        expect(p.locator("#sort")).to_have_value("kudos")
        assert "sort=kudos" in p.url
        # and typing a sort in the box wins over the dropdown's old value
        p.locator("#q").fill("sort:words")
        p.get_by_role("button", name="Search", exact=True).click()
        expect(p.locator("#sort")).to_have_value("words")
        expect(p).to_have_title("sort:words — Search · ficsift")
        # deleting complete:yes main:yes from the box unticked them
        expect(p.locator('input[name="complete"][value=""]')).to_be_checked()
        expect(p.locator('input[name="main"]')).not_to_be_checked()
        expect(p.locator(".chips")).to_have_count(0)
        SHOTS.mkdir(exist_ok=True)
        p.screenshot(path=str(SHOTS / "search-1280.png"), full_page=False)
        browser.close()
    assert not errors, errors


def test_bad_query_ends_counting_and_the_caret_points_at_the_value(built_server: str) -> None:
    expect = playwright_sync.expect
    with playwright_sync.sync_playwright() as pw:
        browser, p, errors = _browser(pw, 1280)
        p.goto(built_server + "/search")
        p.locator("#q").fill("words>abc")
        p.locator("#q").press("Enter")
        expect(p.get_by_role("alert")).to_contain_text("'abc' is not a number")
        expect(p.locator("pre.caret")).to_have_text("words>abc\n      ^")
        expect(p.get_by_text("Counting tags")).to_have_count(0)
        browser.close()
    assert not errors, errors


def test_skip_links_more_tags_and_autocomplete(built_server: str) -> None:
    expect = playwright_sync.expect
    with playwright_sync.sync_playwright() as pw:
        browser, p, errors = _browser(pw, 1280)
        p.goto(built_server + "/search?q=willow")
        p.wait_for_load_state("networkidle")  # the tag counts are in
        # the filters are three Tab stops away, not hundreds
        stops = []
        for _ in range(3):
            p.keyboard.press("Tab")
            stops.append(p.evaluate("document.activeElement.textContent.trim()"))
        assert "Skip to filters" in stops, stops
        while p.evaluate("document.activeElement.textContent.trim()") != "Skip to filters":
            p.keyboard.press("Shift+Tab")
        p.keyboard.press("Enter")
        assert p.evaluate("location.hash") == "#filters"
        expect(p.locator("#filters")).to_be_focused()
        p.keyboard.press("Tab")
        focused = p.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        assert p.evaluate("!!document.activeElement.closest('#filters')"), focused
        # "+N more" opens in place
        p.goto(built_server + "/search?q=willow")
        p.wait_for_load_state("networkidle")
        more = p.locator("li.blurb li.more summary").first
        hidden = p.locator("li.blurb li.more details a.tag").first
        expect(hidden).to_be_hidden()
        more.click()
        expect(hidden).to_be_visible()
        # tag names come as you type
        with p.expect_response(lambda r: "/api/tags?prefix=wil" in r.url) as asked:
            p.locator("#tag-more").press_sequentially("wil", delay=60)
        assert {"name": "Willow Rosenberg", "type": "character", "count": 3} in asked.value.json()[
            "tags"
        ]
        expect(p.locator('#tag-names option[value="character:Willow Rosenberg"]')).to_have_count(1)
        browser.close()
    assert not errors, errors


def test_phone_work_page_jumps_and_nothing_scrolls_sideways(built_server: str) -> None:
    expect = playwright_sync.expect
    SHOTS.mkdir(exist_ok=True)
    with playwright_sync.sync_playwright() as pw:
        browser, p, errors = _browser(pw, 390, 844)
        p.goto(built_server + "/search")
        p.screenshot(path=str(SHOTS / "search-390.png"))
        p.get_by_role("link", name="Four Nights and a Revelation").click()
        jump = p.get_by_role("navigation", name="On this page").get_by_role(
            "link", name="Your reading"
        )
        expect(jump).to_be_in_viewport()
        p.screenshot(path=str(SHOTS / "work-390.png"))
        jump.click()
        expect(p.locator("#reading-h")).to_be_in_viewport()
        for path in ("/search", p.url.split("#")[0], "/library", "/import"):
            p.goto(built_server + path if path.startswith("/") else path)
            width = p.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], (path, width)
        p.goto(built_server + "/library")
        p.screenshot(path=str(SHOTS / "library-390.png"), full_page=True)
        p.set_viewport_size({"width": 1280, "height": 900})
        p.goto(built_server + "/library")
        p.screenshot(path=str(SHOTS / "library-1280.png"), full_page=True)
        cells = p.evaluate(
            "[...document.querySelectorAll('.stat-grid .panel')].every(panel => "
            "[...panel.querySelectorAll('td.num')].every(td => "
            "td.getBoundingClientRect().right <= panel.getBoundingClientRect().right + 0.5))"
        )
        assert cells, "a count spills out of its panel"
        p.goto(built_server + "/search")
        p.get_by_role("link", name="Four Nights and a Revelation").click()
        p.screenshot(path=str(SHOTS / "work-1280.png"))
        browser.close()
    assert not errors, errors
