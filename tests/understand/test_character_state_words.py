"""Which character groups' words stand beside a mention: every group that holds, and none
when none does (one regex call decides the common case)."""

from __future__ import annotations

import re

from ficsift.understand.tropes import _AnyOf, _table

VAMPIRE = re.compile(r"^,? (?:was|is) a vampire\b")
UNDEAD = re.compile(r"^,? (?:was|is) a (?:vampire|ghost)\b")
GHOST = re.compile(r"(?:ghost)[ -]?$")


def test_every_group_that_holds_is_named() -> None:
    after = _AnyOf.of([(1, VAMPIRE), (2, UNDEAD), (3, None)])
    assert after.match(", was a vampire now") == {1, 2}
    assert after.match(" is a ghost") == {2}
    assert after.match(" smiled at the vampire") == set()


def test_a_pattern_before_a_name_is_asked_within_its_window_only() -> None:
    before = _AnyOf.of([(4, GHOST)])
    text = "the ghost Willow, the girl Willow"
    assert before.search(text, 0, text.index("Willow")) == {4}
    assert before.search(text, 0, text.rindex("Willow")) == set()  # "ghost" is not just before


def test_no_patterns_hold_nowhere() -> None:
    assert _AnyOf.of([(1, None)]).match(", was a vampire") == set()


def test_the_catalogue_compiles_into_one_pattern_each_side() -> None:
    table = _table()
    assert len(table.char_after.each) == sum(1 for g in table.char_groups if g[3] is not None)
    assert table.char_after.match(", who was a vampire") != set()
