"""The inline query language: what each form parses to, and errors that point at the problem."""

from __future__ import annotations

import pytest

from ficsift.library.query import (
    Crossover,
    GuessHiding,
    Range,
    ReadingStatus,
    Sort,
    TagFilter,
    TagGroup,
)
from ficsift.model import TagType
from ficsift.search import QuerySyntaxError, parse_query, query_to_text


def never_tag(_: str) -> bool:
    return False


def test_issue_example() -> None:
    q = parse_query(
        'vampire willow -"Major Character Death" words>5000 complete:yes sort:quality',
        is_tag=lambda p: p == "Major Character Death",
    )
    assert q.text == "vampire willow"
    assert q.exclude == [TagFilter("Major Character Death")]
    assert q.words == Range(5001, None)
    assert q.complete is True
    assert q.sort is Sort.QUALITY


def test_quoted_phrase_that_is_not_a_tag_stays_text() -> None:
    q = parse_query('"the cellar door" -boiler', is_tag=never_tag)
    assert q.text == '"the cellar door" -boiler'
    assert q.include == [] and q.exclude == []


@pytest.mark.parametrize(
    ("line", "check"),
    [
        ('ship:"Willow/Tara"|Buffy/Spike', lambda q: q.include == [TagGroup((
            TagFilter("Willow/Tara", TagType.RELATIONSHIP), TagFilter("Buffy/Spike", TagType.RELATIONSHIP)))]),
        ("-c:Xander", lambda q: q.exclude == [TagFilter("Xander", TagType.CHARACTER)]),
        ('fandom:"Ginga Eiyuu Densetsu | Legend of the Galactic Heroes"',
         lambda q: q.include[0].any_of[0].text == "Ginga Eiyuu Densetsu | Legend of the Galactic Heroes"),
        ("words:1000..5k", lambda q: q.words == Range(1000, 5000)),
        ("words:2.5k..1e4", lambda q: q.words == Range(2500, 10000)),
        ("kudos>=9223372036854775806", lambda q: q.kudos == Range(2**63 - 2, None)),
        ("words>9223372036854775805", lambda q: q.words == Range(2**63 - 2, None)),
        ("chapters<3", lambda q: q.chapters == Range(None, 2)),
        ("kudos>=100", lambda q: q.kudos == Range(100, None)),
        ("updated:2020..2021", lambda q: q.updated == Range("2020", "2021-12-31")),
        ("published<=2019-06", lambda q: q.published == Range(None, "2019-06-31")),
        ("crossover:only", lambda q: q.crossover is Crossover.ONLY),
        ("crossover:no", lambda q: q.crossover is Crossover.EXCLUDE),
        ("main:yes ships<=2", lambda q: q.main_pairing and q.max_relationships == 2),
        ("wip:yes", lambda q: q.complete is False),
        ("text:no tags:author", lambda q: q.has_text is False and q.author_tags_only),
        ("hide:read reading:want|reading", lambda q: q.hide_read and q.reading == [ReadingStatus.WANT, ReadingStatus.READING]),
        ("lang:en|fr rating:Explicit|Mature", lambda q: q.languages == ["en", "fr"] and q.ratings == ["Explicit", "Mature"]),
        ("blacklist:off semantic:off", lambda q: not q.use_blacklist and not q.semantic),
        ("author:quillfeather", lambda q: q.authors == ["quillfeather"]),
        ("tag:Vampire*", lambda q: q.include[0].any_of[0] == TagFilter("Vampire*")),
        ("guesses:only", lambda q: q.guesses is GuessHiding.ONLY and q.guess_bar is None),
        ("guesses:show", lambda q: q.guesses is GuessHiding.SHOW),
        ("guesses:0.75", lambda q: q.guesses is GuessHiding.HIDE and q.guess_bar == 0.75),
        ("guesses:0.5 guesses:hide", lambda q: q.guess_bar is None),
    ],
)  # fmt: skip
def test_forms(line: str, check) -> None:  # type: ignore[no-untyped-def]
    assert check(parse_query(line, is_tag=never_tag)), line


@pytest.mark.parametrize(
    ("line", "position", "message"),
    [
        ("willow words>lots", 13, "not a number"),
        ('willow "unclosed', 7, "quote is not closed"),
        ("sort:bestest", 5, "sort is one of"),
        ("colour:red", 0, "unknown filter"),
        ("words>abc", 6, "not a number"),  # the caret under the value, not the filter
        ("(words>abc", 0, "( is not closed"),
        ("vampire (words>5000 complete:yes)", 8, "brackets do not group"),
        ("complete:maybe", 9, "expected yes or no"),
        ("published>yesterday", 10, "not a date"),
        ("-words>5", 0, "cannot be negated"),
        ("ships>=2", 0, "ships<=N"),
        ("ship:", 5, "needs a value"),
        ("reading:someday", 8, "reading is want"),
        # numbers past SQLite's integers: a syntax error, not an OverflowError further on
        ("willow words>99999999999999999999", 13, "too large"),
        ("kudos>=1e400", 7, "too large"),
        ("words:1k..99999999999999999999999", 6, "too large"),
        ("words<-9223372036854775807", 6, "too large"),
        ("chapters:" + "9" * 5000, 9, "too large"),  # past Python's own int() limit
        ("words>inf", 6, "too large"),
        ("words>nan", 6, "not a number"),
        ("ships<=99999999999999999999", 7, "too large"),
        ("guesses:1.5", 8, "a confidence from 0 to 1"),
        ("guesses:nan", 8, "a confidence from 0 to 1"),
        ("guesses:sometimes", 8, "guesses is hide, show, only"),
    ],
)
def test_errors_point_at_the_problem(line: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(line, is_tag=never_tag)
    assert info.value.position == position
    assert message in info.value.message
    assert info.value.pointer().splitlines()[1].index("^") == position


def test_round_trip() -> None:
    line = (
        'dark willow ship:"Willow/Tara"|Buffy/Spike -character:Xander words:1000..20000 '
        "complete:yes crossover:no main:yes ships<=3 hide:read sort:kudos"
    )
    q = parse_query(line, is_tag=never_tag)
    again = parse_query(query_to_text(q), is_tag=never_tag)
    assert again == q
