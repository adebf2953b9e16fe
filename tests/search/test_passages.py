"""Result passages: the words marked where they cluster, phrases across punctuation."""

from __future__ import annotations

import re

from ficsift.library.compile import TextTerms
from ficsift.library.passages import passage
from ficsift.library.sqlite.compile import fts_match


def _positive(text: str) -> list[str]:
    terms = TextTerms.of(text)
    return list(terms.positive) if terms else []


def test_text_terms_keep_phrases_and_exclusions_apart() -> None:
    terms = TextTerms.of('cellar "dark door" -boiler')
    assert terms is not None
    assert terms.positive == ("cellar", "dark door")
    assert fts_match(terms.match()) == '("cellar" AND "dark door") NOT "boiler"'


def test_reader_typed_fts_operators_are_only_words() -> None:
    terms = TextTerms.of('NEAR(cellar door) title:x "a" OR b*')
    assert terms is not None
    outside_quotes = re.sub(r'"[^"]*"', " ", fts_match(terms.match()))
    assert set(outside_quotes.replace("(", " ").replace(")", " ").split()) <= {"AND", "OR", "NOT"}


def test_passage_prefers_the_window_with_most_terms() -> None:
    text = (
        "The cellar was cold. " * 40 + "Later the cellar held Tara and the boiler. " + "Rain. " * 40
    )
    found = passage(text, _positive("cellar tara"), 12)
    assert found is not None
    assert "«Tara»" in found and "«cellar»" in found


def test_phrase_matches_across_punctuation_and_case() -> None:
    found = passage("x " * 300 + "the Cellar, door. " + "y " * 300, ["cellar door"], 10)
    assert found is not None and "«Cellar, door»" in found
    assert found.startswith("…") and found.endswith("…")


def test_no_passage_without_the_words() -> None:
    assert passage("Nothing here at all.", ["cellar"]) is None
    assert passage("", ["cellar"]) is None
    assert passage("cellar", []) is None


def test_stopwords_do_not_decide_the_passage() -> None:
    text = "the the the the " * 200 + "a soldier came home from the war " + "the " * 200
    found = passage(text, _positive("a soldier comes home from the war"), 10)
    assert found is not None and "«soldier»" in found
