"""The JSON API: search, works, similar, mark, blacklist, import; errors as {"error": …}."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import csrf_token, wait_for_job, work_id_titled


def test_search_returns_hits_and_facets(client: TestClient) -> None:
    data = client.get("/api/search").json()
    assert data["total"] == 5
    titles = {h["title"] for h in data["results"]}
    assert "Four Nights and a Revelation" in titles
    assert {"fandom", "relationship", "character"} <= set(data["facets"])
    fandoms = {f["name"]: f["count"] for f in data["facets"]["fandom"]}
    assert fandoms.get("Buffy the Vampire Slayer") == 4


def test_search_filters_like_the_sidebar(client: TestClient) -> None:
    included = client.get("/api/search", params={"tag": "fandom:Buffy the Vampire Slayer"}).json()
    assert included["total"] == 4
    excluded = client.get(
        "/api/search",
        params={"tag": "fandom:Buffy the Vampire Slayer", "xtag": "character:Willow Rosenberg"},
    ).json()
    assert [h["title"] for h in excluded["results"]] == ["Paragon"]


def test_search_syntax_error_is_a_json_400(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "words>lots"})
    assert response.status_code == 400
    assert "not a number" in response.json()["error"]


def test_work_json_and_missing_work(client: TestClient) -> None:
    work_id = work_id_titled(client, "Hot water")
    data = client.get(f"/api/works/{work_id}").json()
    assert data["title"] == "Hot water"
    assert data["authors"] == ["antennapedia"]
    assert data["reading"] is None
    missing = client.get("/api/works/99999")
    assert missing.status_code == 404
    assert missing.json() == {"error": "There is no work “99999” in your library."}
    bad = client.get("/api/works/not-a-number")
    assert bad.status_code == 422
    assert "work_id" in bad.json()["error"]


def test_similar_gives_reasons(client: TestClient) -> None:
    work_id = work_id_titled(client, "Four Nights and a Revelation")
    hits = client.get(f"/api/works/{work_id}/similar").json()
    assert hits, "a BtVS work has BtVS neighbours"
    assert all(h["id"] != work_id for h in hits)
    assert all(h["why"] for h in hits)


def test_mark_sets_and_keeps_reading_state(client: TestClient) -> None:
    work_id = work_id_titled(client, "Paragon")
    state = client.post(f"/api/works/{work_id}/mark", json={"status": "read", "rating": 4}).json()
    assert state["status"] == "read" and state["rating"] == 4
    state = client.post(f"/api/works/{work_id}/mark", json={"notes": "lovely"}).json()
    assert (state["status"], state["rating"], state["notes"]) == ("read", 4, "lovely")
    assert client.get(f"/api/works/{work_id}").json()["reading"]["notes"] == "lovely"


def test_mark_rejects_bad_values(client: TestClient) -> None:
    work_id = work_id_titled(client, "Paragon")
    too_high = client.post(f"/api/works/{work_id}/mark", json={"rating": 9})
    assert too_high.status_code == 422
    assert "rating" in too_high.json()["error"]
    bad_status = client.post(f"/api/works/{work_id}/mark", json={"status": "skimmed"})
    assert bad_status.status_code == 422
    bad_position = client.post(f"/api/works/{work_id}/mark", json={"position": "somewhere"})
    assert bad_position.status_code == 422
    assert client.post("/api/works/99999/mark", json={"rating": 3}).status_code == 404


def test_blacklist_add_list_remove(client: TestClient) -> None:
    before = client.get("/api/search").json()["total"]
    added = client.post("/api/blacklist", json={"kind": "author", "value": "antennapedia"})
    assert added.status_code == 201
    entry = added.json()
    assert entry["kind"] == "author" and entry["id"] is not None
    assert client.get("/api/blacklist").json() == [entry]
    assert client.get("/api/search").json()["total"] == before - 4
    assert client.get("/api/search", params={"no_blacklist": "1"}).json()["total"] == before
    assert client.delete(f"/api/blacklist/{entry['id']}").json() == {"removed": entry["id"]}
    assert client.get("/api/blacklist").json() == []
    gone = client.delete(f"/api/blacklist/{entry['id']}")
    assert gone.status_code == 404 and "error" in gone.json()
    assert client.post("/api/blacklist", json={"kind": "planet", "value": "x"}).status_code == 422


def test_folder_import_reports_progress_and_counts(
    client: TestClient, upload_file: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "story.md").write_bytes(upload_file.read_bytes())
    (folder / "junk.epub").write_bytes(b"PK\x03\x04 not really a zip")
    started = client.post("/api/import", json={"path": str(folder)})
    assert started.status_code == 202
    job = wait_for_job(client, started.json()["id"])
    assert job["state"] == "done", job
    assert job["report"]["added"] == 1
    assert job["report"]["failed"] == 1
    assert job["report"]["failures"][0]["path"].endswith("junk.epub")
    assert client.get("/api/search").json()["total"] == 6


def test_import_errors(client: TestClient, tmp_path: Path) -> None:
    missing = client.post("/api/import", json={"path": str(tmp_path / "nowhere")})
    assert missing.status_code == 400
    assert "not a folder or file inside an allowed import folder" in missing.json()["error"]
    relative = client.post("/api/import", json={"path": "some/where"})
    assert relative.status_code == 400
    assert client.get("/api/import/12345").status_code == 404


def test_openapi_and_unknown_routes(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/search", "/api/works/{work_id}", "/api/works/{work_id}/similar",
                 "/api/works/{work_id}/mark", "/api/blacklist", "/api/import"):  # fmt: skip
        assert path in schema["paths"], path
    unknown = client.get("/api/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "Not Found"}


HUGE = "99999999999999999999"  # past 2^63: no library row can have it


def test_huge_numbers_are_clear_errors(client: TestClient) -> None:
    work_id = work_id_titled(client, "Paragon")
    token = csrf_token(client)
    for method, url, kwargs, status in (
        ("GET", f"/api/works/{HUGE}", {}, 404),
        ("GET", f"/api/works/-{HUGE}", {}, 404),
        ("GET", f"/api/works/{HUGE}/similar", {}, 404),
        ("POST", f"/api/works/{HUGE}/mark", {"json": {"rating": 3}}, 404),
        ("DELETE", f"/api/blacklist/{HUGE}", {}, 404),
        ("GET", f"/api/import/{HUGE}", {}, 404),
        ("GET", f"/api/works/{work_id}/similar?limit={HUGE}", {}, 200),
        ("GET", f"/api/search?q=words>{HUGE}", {}, 400),
        ("GET", "/api/search?q=kudos>=1e400", {}, 400),
        ("GET", f"/api/search?words_min={HUGE}", {}, 200),
        ("GET", f"/api/search?page={HUGE}", {}, 200),
    ):
        response = client.request(method, url, **kwargs)
        assert response.status_code == status, (url, response.status_code, response.text)
        assert response.headers["content-type"] == "application/json", url
        if status >= 400:
            assert response.json()["error"], url
    for url, status in (
        (f"/works/{HUGE}", 404),
        (f"/works/{work_id}?chapter={HUGE}", 404),
        (f"/import?job={HUGE}", 404),
        (f"/search?q=words>{HUGE}", 400),
    ):
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        assert "text/html" in response.headers["content-type"]
    for url in (f"/works/{HUGE}/mark", f"/library/blacklist/{HUGE}/remove"):
        response = client.post(url, data={"csrf_token": token, "status": "read"},
                               follow_redirects=False)  # fmt: skip
        assert response.status_code in {303, 404}, (url, response.status_code)


def test_a_number_too_large_for_the_library_is_a_400_wherever_it_comes_from(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The class, not the one route: any OverflowError is the request's fault, not a 500."""
    from ficsift.library.sqlite import SqliteLibrary

    def overflow(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(SqliteLibrary, "stats", overflow)
    response = client.get("/api/stats")
    assert response.status_code == 400
    assert response.json() == {"error": "a number in the request is too large"}
    monkeypatch.setattr(SqliteLibrary, "blacklist", overflow)
    assert client.get("/library").status_code == 400
