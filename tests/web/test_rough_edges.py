"""Issue 13's rough edges, page by page without a browser (the interactive ones are in
test_browser.py)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from ficsift.library.query import BlacklistKind
from ficsift.understand.content_lexicon import TRIGGER_LABELS
from ficsift.web.forms import SearchForm
from ficsift.web.present import ao3_rating, blurb_tags, marked, passage, trigger_label
from ficsift.web.views import complete_tags, error_position
from tests.web.conftest import csrf_token, work_id_titled

TITLE = "Four Nights and a Revelation"


def page(client: TestClient, **params: object) -> HTMLParser:
    return HTMLParser(client.get("/search", params=params).text)  # type: ignore[arg-type]


# -- the query box and the sidebar say the same thing ----------------------------------------


def test_the_box_sets_the_sidebar(client: TestClient) -> None:
    tree = page(client, q="sort:quality complete:yes main:yes")
    assert tree.css_first("#sort option[selected]").attributes["value"] == "quality"
    assert tree.css_first('input[name="complete"][value="yes"]').attributes.__contains__("checked")
    assert tree.css_first('input[name="main"]').attributes.__contains__("checked")
    assert tree.css_first('input[name="sort_was"]').attributes["value"] == "quality"


def test_an_unchanged_dropdown_never_overrides_the_box() -> None:
    # the page showed "quality" (from the box); the reader typed sort:kudos in the box
    form = SearchForm.from_params({"q": "x sort:kudos", "sort": "quality", "sort_was": "quality"})
    assert (form.q, form.sort) == ("x sort:kudos", "")
    # the reader changed the dropdown instead: it rewrites the box
    form = SearchForm.from_params({"q": "x sort:quality", "sort": "kudos", "sort_was": "quality"})
    assert (form.q, form.sort) == ("x", "kudos")
    # back to "Best match": the box's sort goes
    form = SearchForm.from_params({"q": "x sort:quality", "sort": "", "sort_was": "quality"})
    assert (form.q, form.sort) == ("x", "")
    # unticking a box the query ticked takes it out of the query
    form = SearchForm.from_params({"q": "x complete:yes main:yes", "complete": "",
                                   "complete_was": "yes", "main_was": "1"})  # fmt: skip
    assert form.q == "x" and form.complete == "" and not form.main
    # deleting complete:yes from the box unticks it (the box had ticked it)
    form = SearchForm.from_params({"q": "x", "q_was": "x complete:yes", "complete": "yes",
                                   "complete_was": "yes"})  # fmt: skip
    assert form.complete == "" and form.to_query().complete is None
    # a sidebar tick of its own stays while the box is edited
    form = SearchForm.from_params({"q": "y", "q_was": "x", "complete": "yes",
                                   "complete_was": "yes"})  # fmt: skip
    assert form.complete == "yes"
    # a link (no _was) still sorts, and its sort replaces the box's
    form = SearchForm.from_params({"q": "x sort:quality", "sort": "words"})
    assert (form.q, form.sort) == ("x", "words")


def test_the_page_keeps_the_box_sort_when_resubmitted(client: TestClient) -> None:
    html = client.get("/search", params={"q": "sort:words", "sort": "", "sort_was": ""}).text
    tree = HTMLParser(html)
    assert tree.css_first("#sort option[selected]").attributes["value"] == "words"
    words = [int(n.text().replace(",", "")) for n in tree.css(".blurb .stats dt + dd")
             if n.prev and n.prev.text() == "Words"]  # fmt: skip
    assert words == sorted(words, reverse=True) and len(words) > 2


# -- blurbs ----------------------------------------------------------------------------------


def test_trigger_labels_and_ratings_have_readable_names() -> None:
    assert trigger_label("blood-gore") == "Blood and Gore"
    assert trigger_label("other-sexual") == "Other Sexual Content"
    assert trigger_label("some-new-label") == "Some New Label"
    assert ao3_rating("adult") == "Explicit" and ao3_rating("general") == "General Audiences"
    assert ao3_rating("Mature") == "Mature"


def test_matches_are_marked_safely_and_once() -> None:
    text = "…the «cellar» <b>door</b> «creaked»…"
    assert (
        str(marked(text))
        == "…the <mark>cellar</mark> &lt;b&gt;door&lt;/b&gt; <mark>creaked</mark>…"
    )
    shown = str(passage(text))
    assert shown.startswith("…the") and not shown.startswith("……") and "«" not in shown


class _Tag:
    def __init__(self, name: str, origin: str, confidence: float | None = None) -> None:
        self.name, self.origin, self.confidence = name, origin, confidence
        self.type, self.main = "freeform", False


class _Hit:
    def __init__(self) -> None:
        self.warnings: list[_Tag] = []
        self.content_warnings = [_Tag(f"w{i}", "inferred", 0.5) for i in range(5)]
        self.relationships = [_Tag(f"A/B{i}", "inferred", 0.1 * i) for i in range(9)]
        self.characters = [_Tag("Willow", "author")]
        self.freeforms = [_Tag(f"f{i}", "inferred", 0.9) for i in range(20)]


def test_a_blurb_shows_few_guesses_and_the_rest_behind_more() -> None:
    shown, rest = blurb_tags(_Hit())
    assert [t.name for t in shown if t.origin == "author"] == ["Willow"]
    assert len([t for t in shown if t.origin == "inferred"]) == 4
    assert len(shown) + len(rest) == 5 + 9 + 1 + 20


def test_blurbs_summary_before_tags_marks_and_more(client: TestClient) -> None:
    html = client.get("/search", params={"q": "willow"}).text
    tree = HTMLParser(html)
    assert "«" not in html and "……" not in html
    assert tree.css(".blurb .snippet mark")
    for blurb in tree.css("li.blurb"):
        text_parts = [n.tag for n in blurb.iter() if n.tag in {"blockquote", "ul"}
                      and (n.tag == "blockquote" or "tags" in (n.attributes.get("class") or ""))]  # fmt: skip
        if "blockquote" in text_parts and "ul" in text_parts:
            assert text_parts.index("blockquote") < text_parts.index("ul")
        why = blurb.css_first(".why")
        snippet = blurb.css_first(".snippet")
        if why is not None and snippet is not None:
            assert snippet.text().strip("…")[:30] not in why.text()
    for more in tree.css(".blurb li.more"):
        assert more.css_first("details > summary").text().startswith("+")
        assert more.css("details a.tag")
    for author in tree.css(".blurb .byline a.author"):
        assert author.attributes["href"].startswith("/search?q=author%3A%22")


def test_facets_show_ten_then_more(client: TestClient) -> None:
    tree = HTMLParser(client.get("/search", params={"facets": "1"}).text)
    for facet in tree.css("details.facet"):
        more = facet.css_first("details.facet-more")
        hidden = more.css("li.facet-item") if more is not None else []
        top = len(facet.css("li.facet-item")) - len(hidden)
        assert top <= 10
        if more is not None:
            assert top == 10 and hidden
    assert tree.css("details.facet-more"), "the test library has more than 10 characters"


def test_other_tags_fields_include_and_exclude(client: TestClient) -> None:
    tree = HTMLParser(client.get("/search").text)
    assert tree.css_first('input#tag-more[name="tag"][list="tag-names"]') is not None
    assert tree.css_first('input#xtag-more[name="xtag"]') is not None
    every = len(page(client).css("li.blurb"))
    without = page(client, xtag="fandom:Buffy the Vampire Slayer, character:Nobody At All")
    assert 0 < len(without.css("li.blurb")) < every
    form = SearchForm.from_params({"tag": ["a, b", "c"]})
    assert form.tag == ["a", "b", "c"]


def test_tag_autocomplete_endpoint(client: TestClient) -> None:
    found = client.get("/api/tags", params={"prefix": "wil"}).json()["tags"]
    names = [t["name"] for t in found]
    assert "Willow Rosenberg" in names
    assert all(t["count"] >= 1 and t["type"] for t in found)
    assert client.get("/api/tags", params={"prefix": "zzzqx"}).json() == {"tags": []}
    facets = [("character", [("Rupert Giles", 3), ("Willow Rosenberg", 9)])]
    assert [t["name"] for t in complete_tags(facets, "gil", 5)] == ["Rupert Giles"]
    assert [t["name"] for t in complete_tags(facets, "w", 5)] == ["Willow Rosenberg"]


# -- errors ----------------------------------------------------------------------------------


def test_a_page_past_the_end_says_so(client: TestClient) -> None:
    tree = page(client, page="999")
    heading = tree.css_first("#results-heading").text()
    assert heading == "No more results", heading
    assert not re.search(r"\d+–\d+ of", tree.text())
    last = tree.css_first(".empty a").attributes["href"]
    assert "page" not in dict(parse_qsl(urlsplit(last).query))  # one page: page 1


def test_a_bad_work_id_is_a_friendly_404(client: TestClient) -> None:
    for bad in ("abc", "0", "99999999"):
        response = client.get(f"/works/{bad}")
        assert response.status_code == 404
        tree = HTMLParser(response.text)
        assert tree.css_first("h1").text() == "Not found"
        assert "There is no work" in tree.css_first(".error").text()
        assert "int_parsing" not in response.text and "invalid request" not in response.text


def test_a_bad_import_folder_keeps_the_form(client: TestClient) -> None:
    typed = "/definitely/not/allowed/fics"
    response = client.post("/import", data={"folder": typed, "csrf": csrf_token(client)},
                           headers={"X-CSRF-Token": csrf_token(client)})  # fmt: skip
    assert response.status_code == 400
    tree = HTMLParser(response.text)
    assert tree.css_first("#folder").attributes["value"] == typed
    alert = tree.css_first("#folder-error")
    assert alert is not None and alert.text().strip()
    assert tree.css_first('input[type="file"][name="files"]') is not None


def test_the_caret_points_at_the_bad_value(client: TestClient) -> None:
    assert error_position("words>abc", "'abc' is not a number", 0) == 6
    assert error_position("vampire words>abc", "'abc' is not a number", 8) == 14
    tree = page(client, q="words>abc")
    assert tree.css_first("pre.caret").attributes["data-caret"] == "6"
    assert tree.css_first("pre.caret").text().splitlines()[1] == " " * 6 + "^"
    assert tree.css_first("[data-facets]") is None  # no endless "Counting tags…"


def test_the_tab_title_is_the_query(client: TestClient) -> None:
    tree = page(client, q="willow tara")
    assert tree.css_first("title").text().startswith("willow tara — Search")
    assert tree.css_first("#search-form").attributes["data-title"].startswith("willow tara")


# -- library and blacklist -------------------------------------------------------------------


def test_library_uses_ao3_rating_names(client: TestClient) -> None:
    tree = HTMLParser(client.get("/library").text)
    panels = {p.css_first("h2").text(): p for p in tree.css(".stat-grid .panel")}
    ratings = [th.text() for th in panels["Ratings"].css("th")]
    assert ratings and all(r in {"General Audiences", "Teen And Up Audiences", "Mature",
                                 "Explicit", "Not Rated"} for r in ratings), ratings  # fmt: skip


def test_blacklist_shows_titles_and_says_when_a_tag_matches_nothing(client: TestClient) -> None:
    token = csrf_token(client)
    work = work_id_titled(client, TITLE)
    response = client.post("/library/blacklist", data={
        "kind": BlacklistKind.WORK.value, "value": str(work), "back": f"/works/{work}",
        "csrf": token}, headers={"X-CSRF-Token": token})  # fmt: skip
    assert response.status_code == 200  # followed to the work page
    assert "now hidden from your searches" in HTMLParser(response.text).css_first(".saved").text()
    response = client.post("/library/blacklist", data={
        "kind": "tag", "value": "No Such Tag Anywhere", "csrf": token},
        headers={"X-CSRF-Token": token})  # fmt: skip
    note = HTMLParser(response.text).css_first("#blacklist .saved").text()
    assert "no work in your library has it" in note
    response = client.post("/library/blacklist", data={
        "kind": "tag", "value": "Willow Rosenberg", "csrf": token},
        headers={"X-CSRF-Token": token})  # fmt: skip
    assert re.search(
        r"\d+ works? hidden", HTMLParser(response.text).css_first("#blacklist .saved").text()
    )
    listed = HTMLParser(client.get("/library").text).css_first("ul.blacklist").text()
    assert TITLE in listed and f"WORK {work}" not in listed.upper().replace("  ", " ")


# -- the API ---------------------------------------------------------------------------------


def test_openapi_documents_search_and_limit_is_honoured(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    op = schema["paths"]["/api/search"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"q", "tag", "xtag", "sort", "page", "limit", "complete"} <= names
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    model = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"total", "results", "facets"} <= set(model["properties"])
    assert client.get("/api/search", params={"limit": 2}).json()["results"].__len__() == 2
    two = client.get("/api/search", params={"limit": 2, "page": 2, "sort": "title"}).json()
    one = client.get("/api/search", params={"limit": 4, "sort": "title"}).json()
    assert [h["id"] for h in two["results"]] == [h["id"] for h in one["results"][2:4]]


def test_content_labels_are_shown_apart_from_archive_warnings_by_readable_name(
    client: TestClient,
) -> None:
    tree = page(client, facets="1")
    groups = {d.css_first("summary").text(): d for d in tree.css("details.facet")}
    assert "Content" in groups, "the test library's stories carry inferred content labels"
    for title, group in groups.items():
        for item in group.css("li.facet-item"):
            shown = item.css_first(".facet-name").text()
            tag = dict(parse_qsl(urlsplit(item.css_first("a.inc").attributes["href"]).query))
            if title == "Content":
                slug = tag["tag"].removeprefix("warning:")
                assert tag["tag"].startswith("warning:") and shown == trigger_label(slug) != slug
            else:
                assert shown not in TRIGGER_LABELS  # no slug ("blood-gore") shown anywhere
    warnings = groups.get("Warnings")
    for item in warnings.css("li.facet-item") if warnings is not None else []:
        assert item.css_first(".facet-name").text() not in TRIGGER_LABELS.values()


def test_a_content_label_filter_chip_shows_its_readable_name() -> None:
    form = SearchForm.from_params({"tag": ["warning:blood-gore"], "xtag": ["freeform:violence"]})
    assert [(label, shown) for label, shown, _ in form.active()] == [
        ("+", "Blood and Gore"),
        ("−", "violence"),  # an author's freeform so written stays as written
    ]
