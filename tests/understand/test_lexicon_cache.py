"""The content lexicon kept built in the derived cache: read back, it is the built one, and
an entry of another shape is built again."""

from __future__ import annotations

from pathlib import Path

from ficsift import derived_cache
from ficsift.understand.content_lexicon import (
    BLOCKS,
    LEXICON_CACHE,
    Lexicon,
    compile_lexicon,
    lexicon,
)

TEXT = "she gasped as he slammed the door; the knife cut deep and she bled"


def fresh() -> Lexicon:
    return lexicon.__wrapped__()


def test_a_cached_lexicon_is_the_built_one(derived_cache_folder: Path) -> None:
    first = fresh()
    entries = list(derived_cache_folder.glob(f"{LEXICON_CACHE}-*.bin"))
    assert len(entries) == 1
    read_back = fresh()
    built = compile_lexicon(BLOCKS)
    for lex in (first, read_back):
        assert lex.regex.pattern == built.regex.pattern
        assert lex.exact == built.exact and lex.stems == built.stems
        assert [m.span() for m in lex.regex.finditer(TEXT)] == [
            m.span() for m in built.regex.finditer(TEXT)
        ]


def test_an_entry_of_another_shape_is_built_again(derived_cache_folder: Path) -> None:
    fresh()
    (entry,) = derived_cache_folder.glob(f"{LEXICON_CACHE}-*.bin")
    key = entry.stem.removeprefix(f"{LEXICON_CACHE}-")
    derived_cache.write(LEXICON_CACHE, key, b"\x80\x05K\x01.")  # a pickled 1, CRC intact
    again = fresh()
    assert again.exact == compile_lexicon(BLOCKS).exact
