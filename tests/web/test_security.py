"""Hostile input against the web app: story HTML, cross-site requests, uploads, paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from ficsift.web.security import clean_story_html, safe_filename
from tests.web.conftest import csrf_token, make_app, make_client, wait_for_job, work_id_titled

HOSTILE_HTML = """
<p>Willow smiled. <b>Bold</b>, <strong>strong</strong>, <i>italic</i> and <em>em</em>.</p>
<script>alert('body')</script>
<p onclick="alert(2)" style="text-align: center; background: url(javascript:alert(3))">Centred</p>
<iframe src="https://evil.example/"></iframe>
<a href="javascript:alert(4)">click me</a> <a href="JaVaScRiPt:alert(7)">and me</a>
<img src="x" onerror="alert(5)">
<svg onload="alert(6)"><circle r="1"/></svg>
<object data="evil.swf"></object><embed src="evil.swf"><form action="https://evil.example"><input name="x"></form>
<style>body { display: none }</style>
<hr>
<ul><li>one</li></ul><ol><li>two</li></ol>
<p align="right">Right aligned</p>
"""

HOSTILE_FIC = (
    "---\n"
    "title: \"<script>alert('title')</script>Evil Willow\"\n"
    "summary: \"<img src=x onerror=alert('summary')> a summary\"\n"
    "rating: general\n"
    'tags: ["f:btvs", "c:willow", "<b onmouseover=alert(1)>tag</b>"]\n'
    "---\n" + HOSTILE_HTML * 3
)


def assert_nothing_active(page: str) -> None:
    """No scripts but ours, no event handlers, no frames/objects, no javascript: URLs."""
    tree = HTMLParser(page)
    scripts = [s.attributes.get("src") for s in tree.css("script")]
    assert scripts == ["/static/app.js"], scripts
    for tag in ("iframe", "object", "embed", "svg", "img", "style", "frame", "base"):
        assert not tree.css(tag), f"<{tag}> survived"
    for node in tree.root.traverse() if tree.root else []:
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), f"{node.tag} has {name}"
            assert "javascript:" not in (value or "").lower(), f"{node.tag} {name}={value}"
    for form in tree.css("form"):
        action = form.attributes.get("action") or ""
        assert action.startswith("/"), f"a form posts to {action}"


def test_clean_story_html_removes_everything_active_and_keeps_formatting() -> None:
    clean = clean_story_html(HOSTILE_HTML)
    assert_nothing_active(f'<html><head><script src="/static/app.js"></script></head>{clean}')
    tree = HTMLParser(clean)
    for kept in ("p", "b", "strong", "i", "em", "hr", "ul", "ol", "li"):
        assert tree.css(kept), f"<{kept}> was lost"
    assert 'align="right"' in clean
    assert "text-align:center" in clean.replace(" ", "")
    assert "background" not in clean
    assert "alert('body')" not in clean  # the script's text goes with it


def _upload(client: TestClient, files: list[tuple[str, bytes]], **data: str) -> dict:
    token = csrf_token(client)
    response = client.post(
        "/import",
        files=[("files", (name, body, "application/octet-stream")) for name, body in files],
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    job = wait_for_job(client, int(response.headers["location"].split("job=")[1]))
    assert job["state"] == "done", job
    return dict(job["report"])


def test_hostile_story_is_shown_safely(client: TestClient) -> None:
    report = _upload(client, [("evil.md", HOSTILE_FIC.encode())])
    assert report["added"] == 1, report
    work_id = work_id_titled(client, "<script>alert('title')</script>Evil Willow")
    page = client.get(f"/works/{work_id}").text
    assert_nothing_active(page)
    assert "&lt;script&gt;alert(" in page  # the title is shown as text, escaped
    story = HTMLParser(page).css_first("#chapter-text")
    assert story is not None
    assert story.css("b") and story.css("em") and story.css("hr") and story.css("li")
    results = client.get("/search", params={"q": "Evil Willow"}).text
    assert_nothing_active(results)
    assert "&lt;script&gt;alert(" in results


def test_search_box_echo_is_escaped(client: TestClient) -> None:
    page = client.get("/search", params={"q": '"><script>alert(1)</script>'}).text
    assert_nothing_active(page)
    bad = client.get("/search", params={"q": 'words>"<script>alert(1)</script>'})
    assert bad.status_code == 400
    assert_nothing_active(bad.text)


# -- cross-site requests --------------------------------------------------------------------


def _mark_form(client: TestClient, work_id: int, token: str | None, **headers: str) -> int:
    data = {"status": "read"}
    if token is not None:
        data["csrf_token"] = token
    return client.post(
        f"/works/{work_id}/mark", data=data, headers=headers, follow_redirects=False
    ).status_code


def test_form_posts_need_the_token(client: TestClient) -> None:
    work_id = work_id_titled(client, "Paragon")
    token = csrf_token(client)
    assert _mark_form(client, work_id, None) == 403
    assert _mark_form(client, work_id, "forged-" + token) == 403
    assert client.get(f"/api/works/{work_id}").json()["reading"] is None
    assert _mark_form(client, work_id, token) == 303
    assert client.get(f"/api/works/{work_id}").json()["reading"]["status"] == "read"


def test_token_without_its_cookie_is_refused(library_dir: Path) -> None:
    with (
        make_client(make_app(library_dir)) as victim,
        make_client(make_app(library_dir)) as attacker,
    ):
        work_id = work_id_titled(victim, "Paragon")
        attacker_token = csrf_token(attacker)
        csrf_token(victim)  # the victim has a cookie of their own
        assert _mark_form(victim, work_id, attacker_token) == 403


def test_cross_origin_requests_are_refused(client: TestClient) -> None:
    work_id = work_id_titled(client, "Paragon")
    token = csrf_token(client)
    evil = {"Origin": "https://evil.example"}
    assert _mark_form(client, work_id, token, **evil) == 403
    assert _mark_form(client, work_id, token, Origin="null") == 403
    assert _mark_form(client, work_id, token, Referer="https://evil.example/page") == 403
    json_post = client.post(f"/api/works/{work_id}/mark", json={"rating": 1}, headers=evil)
    assert json_post.status_code == 403
    assert json_post.json()["error"] == "cross-site request refused"
    delete = client.delete("/api/blacklist/1", headers=evil)
    assert delete.status_code == 403
    # text/plain is what a cross-site form can send without asking: it needs the token
    smuggled = client.post(
        f"/api/works/{work_id}/mark",
        content=b'{"rating": 1}',
        headers={"Content-Type": "text/plain"},
    )
    assert smuggled.status_code == 403
    assert client.get(f"/api/works/{work_id}").json()["reading"] is None
    same_site = {"Origin": "http://localhost"}
    assert _mark_form(client, work_id, token, **same_site) == 303


def test_cookie_is_strict_and_pages_carry_security_headers(library_dir: Path) -> None:
    with make_client(make_app(library_dir)) as fresh:
        response = fresh.get("/search")
    cookie = response.headers["set-cookie"]
    assert "SameSite=Strict" in cookie and "HttpOnly" in cookie
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"


# -- uploads ----------------------------------------------------------------------------------


def test_upload_names_cannot_escape_the_library(client: TestClient, library_dir: Path) -> None:
    body = HOSTILE_FIC.replace("Evil Willow", "Escapee").encode()
    report = _upload(
        client,
        [("../../escaped.md", body), ("/etc/cron.d/evil.md", body), ("..\\..\\win.md", body)],
    )
    assert report["failed"] == 0, report
    outside = library_dir.parent
    assert not (outside / "escaped.md").exists()
    assert not list(outside.glob("*.md"))
    saved = sorted(p.name for p in (library_dir / "uploads").rglob("*") if p.is_file())
    assert saved == ["escaped.md", "evil.md", "win.md"]
    for path in (library_dir / "uploads").rglob("*"):
        assert path.resolve().is_relative_to(library_dir.resolve())


def test_same_name_uploads_never_overwrite(client: TestClient, library_dir: Path) -> None:
    _upload(client, [("fic.md", HOSTILE_FIC.encode())])
    _upload(client, [("fic.md", HOSTILE_FIC.replace("Evil", "Other").encode())])
    saved = sorted(p.name for p in (library_dir / "uploads").rglob("*.md"))
    assert saved == ["fic (2).md", "fic.md"]


def test_upload_limits(library_dir: Path) -> None:
    app = make_app(library_dir, max_upload_bytes=50_000, max_file_bytes=2_000)
    with make_client(app) as client:
        report = _upload(
            client,
            [("big.md", HOSTILE_FIC.encode() * 3), ("virus.exe", b"MZ"), ("empty.txt", b"")],
        )
        reasons = {f["path"]: f["reason"] for f in report["failures"]}
        assert "over the upload limit" in reasons["big.md"]
        assert "not a fic file type" in reasons["virus.exe"]
        assert reasons["empty.txt"] == "empty file"
        assert not list((library_dir / "uploads").rglob("*.*"))
        token = csrf_token(client)
        huge = client.post(
            "/api/import",
            files=[("files", ("huge.md", b"x" * 60_000, "text/markdown"))],
            headers={"X-CSRF-Token": token},
        )
        assert huge.status_code == 413
        assert "over the limit" in huge.json()["error"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
            yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="s.md"\r\n\r\n'
            for _ in range(10):
                yield b"y" * 10_000

        streamed = client.post(
            "/api/import",
            content=chunks(),
            headers={"X-CSRF-Token": token, "Content-Type": "multipart/form-data; boundary=b"},
        )
        assert streamed.status_code == 413


def test_safe_filename_table() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("a/b\\c.epub") == "c.epub"
    assert safe_filename("..") == "upload"
    assert safe_filename("\x00evil\x1f.md") == "evil.md"
    assert safe_filename("x" * 500 + ".epub").endswith(".epub")
    assert len(safe_filename("x" * 500 + ".epub")) <= 120


# -- paths ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/works/..%2f..%2fetc%2fpasswd",
        "/import?job=../../etc/passwd",
    ],
)
def test_no_endpoint_reads_arbitrary_paths(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code in {400, 404, 422}
    assert "root:" not in response.text


def test_folder_import_only_reads(client: TestClient, fic_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    original = fic_folder / "bj_paragon.md"
    copy = folder / "paragon.md"
    copy.write_bytes(original.read_bytes())
    before = (copy.stat().st_mtime_ns, copy.read_bytes(), sorted(folder.iterdir()))
    token = csrf_token(client)
    response = client.post(
        "/import", data={"folder": str(folder), "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    job = wait_for_job(client, int(response.headers["location"].split("job=")[1]))
    assert job["state"] == "done" and job["report"]["files"] == 1, job
    assert (copy.stat().st_mtime_ns, copy.read_bytes(), sorted(folder.iterdir())) == before


# -- folder imports: only under the import roots -------------------------------------------


def test_folder_import_reads_only_under_the_import_roots(library_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "fics"
    (root / "ok").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private.md").write_text("---\ntitle: Private\n---\nNot for the web.\n")
    (root / "to-etc").symlink_to("/etc")
    (root / "to-elsewhere").symlink_to(outside)
    with make_client(make_app(library_dir, import_roots=[root])) as client:
        refused = [
            "/etc", "/etc/passwd", "/etc/shadow", "/etc/no-such-file", "/proc/self/environ",
            "/sys", "/dev/null", "/", str(outside), str(outside / "private.md"),
            str(outside / "missing"), str(root / "to-etc"), str(root / "to-etc/passwd"),
            str(root / "to-elsewhere"), str(root / "missing"), str(root / "ok/../../elsewhere"),
            str(root / "ok") + "\x00", "~root/../etc",
        ]  # fmt: skip
        messages = {}
        for path in refused:
            response = client.post("/api/import", json={"path": path})
            assert response.status_code == 400, (path, response.text)
            messages[path] = response.json()["error"]
            # the same words whether the path exists or not: only the path given differs
            shown = messages[path].replace(repr(path.strip()), "PATH")
            assert (
                shown
                == f"not a folder or file inside an allowed import folder: PATH (allowed: {root})"
            )
        form = client.post(
            "/import",
            data={"folder": "/etc", "csrf_token": csrf_token(client)},
            follow_redirects=False,
        )
        assert form.status_code == 400
        assert not (library_dir / "imports").exists()  # nothing was started
        assert client.post("/api/import", json={"path": str(root / "ok")}).status_code == 202


def test_system_folders_are_refused_whatever_the_roots(library_dir: Path) -> None:
    with make_client(make_app(library_dir, import_roots=[Path("/")])) as client:
        for path in ("/", "/etc", "/etc/passwd", "/proc", "/usr/share", "/var/log", "/dev"):
            response = client.post("/api/import", json={"path": path})
            assert response.status_code == 400, path


def test_default_import_roots_are_home_and_the_library(library_dir: Path) -> None:
    from ficsift.web import create_app

    app = create_app(library_dir, port=80)
    try:
        roots = app.state.ficsift.import_roots.roots
        assert roots == [Path.home().resolve(), library_dir.resolve()]
    finally:
        app.state.ficsift.close()


# -- links from story data -----------------------------------------------------------------

HOSTILE_URLS = [
    "javascript:alert(document.cookie)//archiveofourown.org/works/1",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "https:javascript:alert(1)",
    "//evil.example/x",
    "http://",
]


def test_only_http_links_are_rendered_from_story_data(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the library holds (readers refuse such URLs too), the page links only
    http(s): the source's "original" link and the series link."""
    from ficsift.model import SeriesRef
    from ficsift.web import views

    work_id = work_id_titled(client, "Paragon")
    real_get_work = views.get_work
    current = {"url": ""}

    def hostile_work(lib, wanted):  # type: ignore[no-untyped-def]
        work = real_get_work(lib, wanted)
        for source in work.sources:
            source.url = current["url"]
        work.document.series = [SeriesRef("The Series", 2, current["url"])]
        return work

    monkeypatch.setattr(views, "get_work", hostile_work)
    for url in HOSTILE_URLS:
        current["url"] = url
        page = client.get(f"/works/{work_id}").text
        assert_nothing_active(page)
        tree = HTMLParser(page)
        hrefs = [a.attributes.get("href") or "" for a in tree.css("a")]
        assert all(h.startswith(("/", "#", "?")) for h in hrefs), (url, hrefs)
        assert "The Series" in page  # the name is still shown, as text
    current["url"] = "https://archiveofourown.org/works/1"
    tree = HTMLParser(client.get(f"/works/{work_id}").text)
    outside = [
        a.attributes.get("href") for a in tree.css("a") if "//" in (a.attributes.get("href") or "")
    ]
    assert outside == ["https://archiveofourown.org/works/1"] * 2  # series and original
