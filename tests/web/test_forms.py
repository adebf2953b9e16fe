"""The search form: URL parameters ↔ Query, and the one-change URLs the sidebar links to."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from ficsift.library.query import Crossover, Range, Sort, TagFilter, TagGroup
from ficsift.model import TagType
from ficsift.web.forms import SearchForm, pages, split_tag


def form_of(url: str) -> SearchForm:
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(urlsplit(url).query):
        params.setdefault(key, []).append(value)
    return SearchForm.from_params(params)


def test_params_become_a_query() -> None:
    form = SearchForm.from_params({
        "q": "willow", "tag": ["relationship:Tara Maclay/Willow Rosenberg", "Vampires"],
        "xtag": ["fandom:Angel: the Series"], "rating": ["Mature", "Bogus"],
        "xwarning": ["Major Character Death"], "complete": "yes", "words_min": "5,000",
        "crossover": "exclude", "main": "1", "sort": "kudos", "hide_read": "on",
        "no_blacklist": "1", "page": "3",
    })  # fmt: skip
    query = form.to_query()
    assert query.text == "willow"
    assert query.include == [
        TagGroup((TagFilter("Tara Maclay/Willow Rosenberg", TagType.RELATIONSHIP, main=True),)),
        TagGroup((TagFilter("Vampires", None),)),
    ]
    assert query.exclude == [
        TagFilter("Angel: the Series", TagType.FANDOM),
        TagFilter("Major Character Death", TagType.WARNING),
    ]
    assert query.ratings == ["Mature"]
    assert query.complete is True
    assert query.words == Range(5000, None)
    assert query.crossover is Crossover.EXCLUDE
    assert query.main_pairing and query.hide_read and not query.use_blacklist
    assert query.sort is Sort.KUDOS
    assert form.offset == 40


@pytest.mark.parametrize(
    ("params", "field", "expected"),
    [
        ({"page": "-4"}, "page", 1),
        ({"page": "99999"}, "page", 500),
        ({"page": "two"}, "page", 1),
        ({"sort": "'; DROP TABLE works"}, "sort", ""),
        ({"crossover": "sideways"}, "crossover", "any"),
        ({"complete": "maybe"}, "complete", ""),
        ({"words_min": "lots"}, "words_min", None),
    ],
)
def test_bad_params_fall_back_to_defaults(params: dict, field: str, expected: object) -> None:
    assert getattr(SearchForm.from_params(params), field) == expected


def test_include_and_exclude_urls_round_trip() -> None:
    form = SearchForm(q="giles", tag=["fandom:Buffy the Vampire Slayer"], page=4)
    include = form_of(form.include_url("character", "Rupert Giles"))
    assert include.tag == ["fandom:Buffy the Vampire Slayer", "character:Rupert Giles"]
    assert include.q == "giles" and include.page == 1
    flipped = form_of(form.exclude_url("fandom", "Buffy the Vampire Slayer"))
    assert flipped.tag == [] and flipped.xtag == ["fandom:Buffy the Vampire Slayer"]
    assert form_of(form.page_url(5)).page == 5
    assert SearchForm().url() == "/search"


def test_split_tag_keeps_colons_in_names() -> None:
    assert split_tag("fandom:Star Trek: Deep Space Nine") == (
        TagType.FANDOM,
        "Star Trek: Deep Space Nine",
    )
    assert split_tag("Star Trek: Deep Space Nine") == (None, "Star Trek: Deep Space Nine")


def test_pages_with_gaps() -> None:
    assert list(pages(6, 20)) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert list(pages(1, 1)) == [1]


def test_sidebar_controls_mean_what_the_box_means() -> None:
    """Each control says its value through the filter table: the form and the equivalent
    query line make the same query."""
    from ficsift.search.parse import parse_query

    form = SearchForm.from_params({
        "complete": "no", "crossover": "only", "main": "1", "sort": "words", "hide_read": "1",
        "author_only": "1", "no_blacklist": "1",
    })  # fmt: skip
    line = "complete:no crossover:only main:yes sort:words hide:read tags:author blacklist:off"
    assert form.to_query() == parse_query(line, is_tag=lambda phrase: False)
    excluded = SearchForm.from_params({"crossover": "exclude"}).to_query()
    assert excluded == parse_query("crossover:no", is_tag=lambda phrase: False)
