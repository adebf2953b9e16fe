"""The OPDS catalog as an e-reader app sees it: feeds parsed by feedparser (a real Atom
parser), navigation → acquisition → EPUB download → the EPUB read back by ficsift."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import quote

import feedparser
import pytest
from fastapi.testclient import TestClient

from ficsift.library import FileRecord, open_library
from ficsift.model import Chapter, Document, Source, Status, Tag, TagType
from ficsift.read import RawFile, read_file
from ficsift.web import opds
from tests.web.conftest import make_app, make_client, work_id_titled

NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ACQUIRE = "http://opds-spec.org/acquisition"


def feed(client: TestClient, url: str, kind: str = ACQUISITION) -> Any:
    """The feed at ``url``, checked to be well-formed Atom of the right OPDS kind."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == kind
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


def link(item: Any, rel: str) -> dict[str, str]:
    [found] = [x for x in item.links if x.rel == rel]
    return dict(found)


def test_navigation_to_acquisition_to_an_epub_read_back(client: TestClient) -> None:
    root = feed(client, "/opds", NAVIGATION)
    titles = [e.title for e in root.entries]
    assert titles == ["Recently added", "Want to read", "Reading", "Read"]
    search = link(root.feed, "search")
    assert search["type"] == "application/opensearchdescription+xml"

    recent = link(root.entries[0], "http://opds-spec.org/sort/new")
    assert recent["type"] == ACQUISITION
    works = feed(client, recent["href"])
    assert len(works.entries) == 5
    entry = next(e for e in works.entries if e.title == "Four Nights and a Revelation")
    assert [a.name for a in entry.authors] and entry.updated_parsed is not None
    assert entry.summary
    terms = {t.term for t in entry.tags}
    assert "Buffy the Vampire Slayer" in terms

    acquire = link(entry, ACQUIRE)
    assert acquire["type"] == "application/epub+zip"
    download = client.get(acquire["href"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/epub+zip"
    assert "attachment" in download.headers["content-disposition"]
    [doc] = read_file(RawFile("download.epub", download.content))
    assert doc.title == "Four Nights and a Revelation"
    assert doc.authors == [a.name for a in entry.authors]
    work_id = int(acquire["href"].rsplit("/", 1)[1].split(".")[0])
    stored = client.get(f"/api/works/{work_id}").json()
    assert len(doc.chapters) == len(stored["chapters"])


def test_reading_lists_follow_the_readers_marks(client: TestClient) -> None:
    work_id = work_id_titled(client, "Paragon")
    root = feed(client, "/opds", NAVIGATION)
    want = link(next(e for e in root.entries if e.title == "Want to read"), "subsection")
    assert feed(client, want["href"]).entries == []
    assert client.post(f"/api/works/{work_id}/mark", json={"status": "want"}).status_code == 200
    assert [e.title for e in feed(client, want["href"]).entries] == ["Paragon"]
    assert feed(client, "/opds/lists/read").entries == []
    assert client.get("/opds/lists/nonsense").status_code == 404


def test_search_through_the_opensearch_description(client: TestClient) -> None:
    response = client.get("/opds/opensearch.xml")
    assert response.headers["content-type"] == "application/opensearchdescription+xml"
    description = ET.fromstring(response.content)
    [url] = description.findall("{http://a9.com/-/spec/opensearch/1.1/}Url")
    assert url.get("type") == ACQUISITION
    template = url.get("template") or ""
    assert "{searchTerms}" in template
    found = feed(client, template.replace("{searchTerms}", quote("paragon")))
    assert found.entries[0].title == "Paragon"
    assert client.get("/opds/search", params={"q": 'title:"unclosed'}).status_code == 400


def test_pages_follow_rel_next(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opds, "PAGE_SIZE", 2)
    seen: list[str] = []
    url: str | None = "/opds/recent"
    pages = 0
    while url:
        page = feed(client, url)
        pages += 1
        assert len(page.entries) <= 2
        seen += [e.id for e in page.entries]
        nexts = [x for x in page.feed.links if x.rel == "next"]
        url = nexts[0].href if nexts else None
    assert pages == 3 and len(seen) == len(set(seen)) == 5
    # newest first: the ids of the works, highest first
    ids = [int(i.rsplit(":", 1)[1]) for i in seen]
    assert ids == sorted(ids, reverse=True)
    assert client.get("/opds/recent?page=0").status_code == 400


def test_hostile_data_is_escaped_and_a_blurb_has_no_epub(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script> & ]]> \x01\x0b "quoted" \U0001f600'
    doc = Document(
        Source("evil.txt", "text", url="http://example.org/?a=1&b=<2>"),
        title=evil,
        authors=[evil, "</name></author><entry>"],
        summary=evil + "\x00",
        status=Status.COMPLETE,
        tags=[Tag(evil, TagType.FREEFORM)],
        chapters=[Chapter("One", "Story words. " * 40)],
    )
    blurb = Document(Source("listing.html#1", "ao3-listing"), title="Only a blurb")
    with open_library(tmp_path / "lib") as lib:
        lib.store_file(FileRecord("evil.txt", "0" * 64, 1, 0.0, 1), [doc])
        lib.store_file(FileRecord("listing.html", "1" * 64, 1, 0.0, 1), [blurb])
    with make_client(make_app(tmp_path / "lib")) as client:
        works = feed(client, "/opds/recent")
        shown = evil.replace("\x01", "").replace("\x0b", "")
        by_title = {e.title: e for e in works.entries}
        assert set(by_title) == {shown, "Only a blurb"}
        entry = by_title[shown]
        assert [a.name for a in entry.authors] == [shown, "</name></author><entry>"]
        assert entry.summary == shown and {t.term for t in entry.tags} == {shown}
        assert client.get(link(entry, ACQUIRE)["href"]).status_code == 200
        assert not [x for x in by_title["Only a blurb"].links if x.rel == ACQUIRE]
        blurb_id = int(by_title["Only a blurb"].id.rsplit(":", 1)[1])
        assert client.get(f"/opds/works/{blurb_id}.epub").status_code == 404
        assert client.get("/opds/works/999999.epub").status_code == 404


def test_the_host_allowlist_applies_and_nothing_changes_by_opds(client: TestClient) -> None:
    assert client.get("/opds", headers={"host": "evil.example"}).status_code in {400, 403, 421}
    assert client.get("/opds/recent", headers={"host": "evil.example:80"}).status_code != 200
    assert client.post("/opds").status_code in {403, 405}
