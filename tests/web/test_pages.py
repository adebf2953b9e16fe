"""The HTML pages without a browser: they work with plain links and forms (no JavaScript)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.sure_guesses import a_hiding_guess
from tests.web.conftest import csrf_token, make_app, make_client, work_id_titled


def test_first_start_on_an_empty_library_goes_to_import(tmp_path: Path) -> None:
    with make_client(make_app(tmp_path / "empty")) as client:
        response = client.get("/", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/import?welcome=1"
        page = client.get(response.headers["location"]).text
    assert "Your library is empty" in page
    tree = HTMLParser(page)
    assert tree.css_first('input[type="file"][name="files"][multiple]') is not None
    assert tree.css_first('label[for="folder"]') is not None


def test_home_goes_to_search_when_there_are_works(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.headers["location"] == "/search"


def test_search_page_lists_blurbs_with_facets_and_links(client: TestClient) -> None:
    first = HTMLParser(client.get("/search").text)
    assert len(first.css("li.blurb")) == 5
    pending = first.css_first("[data-facets]")  # counts come after the results
    assert pending is not None and pending.attributes["data-facets"] == "/search/facets"
    no_js = pending.css_first("a").attributes["href"]
    assert no_js == "/search?facets=1"
    tree = HTMLParser(client.get(no_js).text)
    assert len(tree.css("li.blurb")) == 5
    assert tree.css_first("form#search-form").attributes["method"] == "get"
    fragment = HTMLParser(client.get("/search/facets").text)
    assert len(fragment.css(".facet-item")) == len(tree.css(".facet-item")) > 5
    include = tree.css_first('a.inc[aria-label="Include Buffy the Vampire Slayer"]')
    exclude = tree.css_first('a.exc[aria-label="Exclude Buffy the Vampire Slayer"]')
    assert include is not None and exclude is not None
    assert client.get("/search").text.count('class="facet-item"') == len(tree.css(".facet-item"))
    included = HTMLParser(client.get(include.attributes["href"] or "").text)
    assert len(included.css("li.blurb")) == 4
    excluded = HTMLParser(client.get(exclude.attributes["href"] or "").text)
    titles = [a.text() for a in excluded.css("li.blurb h3 a")]
    assert titles == [
        "A Funeral Shroud for Laertes - A Preface to the Third Edition of A Wheel Inside a Wheel"
    ]
    chips = [c.text() for c in excluded.css(".chips .chip")]
    assert any("Buffy the Vampire Slayer" in c for c in chips)


def test_inferred_tags_look_different_and_say_why(client: TestClient) -> None:
    page = client.get("/search").text
    tree = HTMLParser(page)
    inferred = tree.css(".blurb .tag.inferred")
    assert inferred, "the AO3 work's characters are inferred"
    assert all("inferred by ficsift, confidence" in (t.attributes["title"] or "") for t in inferred)
    assert tree.css(".blurb .tag:not(.inferred)")
    assert tree.css(".blurb .why")


def test_query_syntax_error_points_at_the_problem(client: TestClient) -> None:
    response = client.get("/search", params={"q": "willow words>lots"})
    assert response.status_code == 400
    tree = HTMLParser(response.text)
    alert = tree.css_first('[role="alert"]')
    assert alert is not None and "not a number" in alert.text()
    assert tree.css_first("#q").attributes["aria-invalid"] == "true"


def test_pagination_and_sort_are_in_the_url(client: TestClient) -> None:
    tree = HTMLParser(client.get("/search", params={"sort": "words"}).text)
    selected = tree.css_first("#sort option[selected]")
    assert selected is not None and selected.attributes["value"] == "words"
    words = [int(n.text().replace(",", "")) for n in tree.css(".blurb .stats dt + dd")
             if n.prev and n.prev.text() == "Words"]  # fmt: skip
    assert words == sorted(words, reverse=True)


def test_work_page_shows_metadata_evidence_and_reader(client: TestClient) -> None:
    work_id = work_id_titled(client, "Four Nights and a Revelation")
    tree = HTMLParser(client.get(f"/works/{work_id}").text)
    assert tree.css_first("h1").text() == "Four Nights and a Revelation"
    details = tree.css("details.tag-ev")
    assert details
    summary = details[0].css_first("summary")
    assert summary is not None
    evidence = details[0].css(".passage blockquote")
    assert evidence and evidence[0].text().strip()
    story = tree.css_first("#chapter-text")
    assert story is not None and len(story.text()) > 500
    assert tree.css_first('a[rel="next"]') is not None
    chapter_two = HTMLParser(client.get(f"/works/{work_id}?chapter=2").text)
    assert chapter_two.css_first("#chapter-text").attributes["data-chapter"] == "2"
    assert client.get(f"/works/{work_id}?chapter=99").status_code == 404
    assert tree.css_first("form.mark-form") is not None
    assert tree.css(".similar li")


def test_mark_read_then_hide_read(client: TestClient) -> None:
    work_id = work_id_titled(client, "Hot water")
    token = csrf_token(client)
    response = client.post(
        f"/works/{work_id}/mark",
        data={"status": "read", "rating": "5", "notes": "yes", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = HTMLParser(client.get(f"/works/{work_id}").text)
    assert "checked" in page.css_first('input[name="status"][value="read"]').attributes
    shown = HTMLParser(client.get("/search").text).css("li.blurb h3 a")
    hidden = HTMLParser(client.get("/search", params={"hide_read": "1"}).text).css("li.blurb h3 a")
    assert "Hot water" in [a.text() for a in shown]
    assert "Hot water" not in [a.text() for a in hidden]
    assert len(hidden) == len(shown) - 1
    library = HTMLParser(client.get("/library").text)
    read_list = library.css_first(".list.rs-read")
    assert read_list is not None and "Hot water" in read_list.text()


def test_library_page_blacklist_round_trip(client: TestClient) -> None:
    token = csrf_token(client)
    stats = HTMLParser(client.get("/library").text).css(".stat-grid .panel")
    assert [p.css_first("h2").text() for p in stats] == ["Fandoms", "Ratings", "Status", "Formats"]
    assert sum(int(n.text()) for n in stats[0].css("td.num")) >= 5
    response = client.post(
        "/library/blacklist",
        data={"kind": "tag", "value": "Polyamory", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    tree = HTMLParser(client.get("/library").text)
    entries = tree.css(".blacklist li")
    assert len(entries) == 1 and "Polyamory" in entries[0].text()
    results = client.get("/api/search").json()
    assert all("Polyamory" not in {t["name"] for t in r["tags"]} for r in results["results"])
    action = entries[0].css_first("form").attributes["action"] or ""
    client.post(action, data={"csrf_token": token}, follow_redirects=False)
    assert not HTMLParser(client.get("/library").text).css(".blacklist li")


def test_a_search_says_what_guesses_alone_hid_and_links_to_it(
    client: TestClient, library_dir: Path
) -> None:
    kind, name = a_hiding_guess(library_dir)
    excluded = f'-{kind}:"{name}"'
    tree = HTMLParser(client.get("/search", params={"q": excluded}).text)
    note = tree.css_first(".guessed-hidden")
    assert note is not None and "hidden only by ficsift's guessed tags" in note.text()
    hidden = int(note.text().split()[0].replace(",", ""))
    assert hidden >= 1
    link = note.css_first("a").attributes["href"] or ""
    assert "guesses%3Aonly" in link
    shown = client.get("/api/search", params={"q": f"{excluded} guesses:only"}).json()
    assert shown["total"] == hidden
    for work in shown["results"]:  # each carries the guess, never as its author's tag
        tags = [t for group in ("fandoms", "characters") for t in work[group]]
        assert any(t["name"] == name and t["source"] == "inferred" for t in tags)
        assert not any(t["name"] == name and t["source"] == "author" for t in tags)
    assert client.get("/api/search", params={"q": excluded}).json()["hidden_by_guesses"] == hidden
    assert ".guessed-hidden" not in client.get("/search", params={"q": "willow"}).text
    # the sidebar's level: a guess hides only from 95% sure; "never" lets none hide
    strict = client.get("/api/search", params={"q": f"{excluded} guesses:0.95"}).json()
    page = HTMLParser(client.get("/search", params={"q": excluded, "guesses": "0.95"}).text)
    assert (
        int(page.css_first("#results-heading").text().split()[-2].replace(",", ""))
        == (strict["total"])
    )
    assert page.css_first("#guesses option[selected]").attributes["value"] == "0.95"
    never = HTMLParser(client.get("/search", params={"q": excluded, "guesses": "show"}).text)
    assert never.css_first(".guessed-hidden") is None
    assert "never hide" in never.css_first(".chips").text()


def test_upload_form_page_and_job_page(client: TestClient, upload_file: Path) -> None:
    token = csrf_token(client)
    response = client.post(
        "/import",
        files=[("files", (upload_file.name, upload_file.read_bytes(), "text/markdown"))],
        data={"csrf_token": token},
    )
    assert response.status_code == 200
    assert "Import" in response.text
    tree = HTMLParser(response.text)
    assert tree.css_first("#job progress") is not None
    assert client.get("/import?job=999").status_code == 404


def test_pages_render_without_looking_at_template_files_again(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Templates ship with the package: once loaded, a render does not stat their files
    (Jinja's auto-reload check was an eighth of a search page's CPU)."""
    import os.path

    assert client.get("/search").status_code == 200  # every template the page uses loaded

    def no_stat(path: str) -> float:
        raise AssertionError(f"template file looked at again: {path}")

    monkeypatch.setattr(os.path, "getmtime", no_stat)
    assert client.get("/search?q=willow").status_code == 200
