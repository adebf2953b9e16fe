"""Abandoned works in progress: past a year and three of their own gaps, or said to be."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ficsift.fetch import Shelf
from ficsift.library import Library
from ficsift.model import Chapter, Document, Source, Status, TagType
from ficsift.understand.abandonment import WipState, abandonment, find_cue, wip_state
from tests.fetch.offline import fetch, sid


def wip(published: str | None, updated: str | None, chapters: int, **fields: object) -> Document:
    doc = Document(
        Source("wip.txt", "text"),
        title="A Work",
        published=published,
        updated=updated,
        status=Status.IN_PROGRESS,
        chapters=[Chapter(f"Chapter {n + 1}", "Words.") for n in range(chapters)],
    )
    for name, value in fields.items():
        setattr(doc, name, value)
    return doc


def state(doc: Document, today: str, updates: tuple[str, ...] = ()) -> WipState | None:
    return wip_state(abandonment(doc, updates), date.fromisoformat(today))


def test_a_fast_updater_is_abandoned_a_year_after_its_last_chapter() -> None:
    monthly = wip("2020-01-01", "2020-06-01", 6)  # a chapter a month
    found = abandonment(monthly)
    assert found is not None and found.usual_gap == timedelta(days=30.4)
    assert found.since == date(2021, 6, 1)  # the one-year floor, not three months
    assert state(monthly, "2021-05-31") is WipState.ACTIVE
    assert state(monthly, "2021-06-01") is WipState.ABANDONED


def test_a_slow_updater_gets_three_of_its_own_gaps() -> None:
    slow = wip("2018-01-01", "2019-05-01", 3)  # eight months between chapters
    assert state(slow, "2020-06-01") is WipState.ACTIVE  # 13 months: a year, not 3 gaps
    assert state(slow, "2021-06-01") is WipState.ABANDONED  # past 3 × 8 months


def test_known_chapter_dates_give_the_median_gap() -> None:
    doc = wip("2019-01-01", "2019-03-01", 3)
    # chapters weekly, then one long pause: the usual gap is a week, the floor a year
    updates = ("2019-01-08", "2019-01-15", "2019-01-22")
    found = abandonment(doc, updates)
    assert found is not None and found.usual_gap == timedelta(days=7)
    assert found.since == date(2020, 2, 29)


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("summary", "DISCONTINUED. Sorry, everyone."),
        ("notes", "This story is on indefinite hiatus while I finish my degree."),
        ("last chapter notes", "This fic has been officially abandoned, it's up for adoption"),
        ("title", "A Work [Abandoned]"),
        ("tag", "Abandoned Work - Unfinished and Discontinued"),
        ("last chapter notes", "I'm sorry, this will not be continued."),
    ],
)
def test_a_cue_makes_it_abandoned_at_once(where: str, words: str) -> None:
    doc = wip("2024-01-01", "2024-05-01", 3)
    if where == "summary":
        doc.summary = words
    elif where == "notes":
        doc.notes = [words]
    elif where == "title":
        doc.title = words
    elif where == "tag":
        doc.add_tag(words, TagType.FREEFORM)
    else:
        doc.chapters[-1].end_notes = [words]
    assert state(doc, "2024-05-02") is WipState.ABANDONED
    found = abandonment(doc)
    assert found is not None and found.cue


@pytest.mark.parametrize(
    "words",
    [
        "No longer on hiatus! Here's chapter 3.",
        "Back from hiatus, sorry for the wait.",
        "After a long hiatus, the story continues.",
        "The hiatus is over, updates every Sunday.",
        "This is NOT abandoned, I promise.",
        "This story is not discontinued.",
        "Buffy searches an abandoned warehouse for the Master.",
        "Harry was abandoned by his family and raised by wolves.",
    ],
)
def test_words_that_take_the_cue_back_or_are_about_the_story(words: str) -> None:
    assert find_cue([words]) == ""
    doc = wip("2024-01-01", "2024-05-01", 3, summary=words)
    assert state(doc, "2024-06-01") is WipState.ACTIVE


def test_a_pause_told_in_an_older_chapter_is_over() -> None:
    doc = wip("2024-01-01", "2024-05-01", 3)
    doc.chapters[0].notes = ["Going on hiatus for a month!"]
    assert state(doc, "2024-06-01") is WipState.ACTIVE


def test_only_works_in_progress_and_undated_ones_stay_active() -> None:
    done = wip("2001-01-01", "2002-01-01", 3, status=Status.COMPLETE)
    assert abandonment(done) is None and wip_state(None, date(2030, 1, 1)) is None
    undated = wip(None, None, 2)
    found = abandonment(undated)
    assert found is not None and found.since is None
    assert state(undated, "2030-01-01") is WipState.ACTIVE
    assert found.to_json() == {"last_update": None, "usual_gap_days": None, "since": None,
                               "cue": None}  # fmt: skip


def test_fetched_works_in_progress_old_and_updated_today(library: Library, shelf: Shelf) -> None:
    """test1.com's sid 13 was last updated in 1975; sid 669 is updated 'now'."""
    report = fetch(library, shelf, sid(13), sid(669), sid(12))
    verdicts = {}
    for url, work_id in report.works:
        stored = library.get(work_id) if work_id is not None else None
        assert stored is not None
        dates = [u.at for u in stored.updates]
        verdicts[url] = wip_state(abandonment(stored.document, dates), date.today())
    assert verdicts == {
        sid(13): WipState.ABANDONED,
        sid(669): WipState.ACTIVE,
        sid(12): None,  # complete
    }
