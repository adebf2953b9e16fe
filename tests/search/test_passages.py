"""Result passages: the words marked where they cluster, phrases across punctuation."""

from __future__ import annotations

from ficsift.library.passages import passage, terms_of
from ficsift.library.sqlite.compile import fts_expression


def test_terms_of_an_expression_skip_negations() -> None:
    expression = fts_expression('cellar "dark door" -boiler')
    assert expression == '("cellar" AND "dark door") NOT "boiler"'
    assert terms_of(expression) == ["cellar", "dark door"]


def test_passage_prefers_the_window_with_most_terms() -> None:
    text = (
        "The cellar was cold. " * 40 + "Later the cellar held Tara and the boiler. " + "Rain. " * 40
    )
    found = passage(text, fts_expression("cellar tara") or "", 12)
    assert found is not None
    assert "«Tara»" in found and "«cellar»" in found


def test_phrase_matches_across_punctuation_and_case() -> None:
    found = passage("x " * 300 + "the Cellar, door. " + "y " * 300, '"cellar door"', 10)
    assert found is not None and "«Cellar, door»" in found
    assert found.startswith("…") and found.endswith("…")


def test_no_passage_without_the_words() -> None:
    assert passage("Nothing here at all.", '"cellar"') is None
    assert passage("", '"cellar"') is None
    assert passage("cellar", "") is None


def test_stopwords_do_not_decide_the_passage() -> None:
    text = "the the the the " * 200 + "a soldier came home from the war " + "the " * 200
    found = passage(text, fts_expression("a soldier comes home from the war") or "", 10)
    assert found is not None and "«soldier»" in found
