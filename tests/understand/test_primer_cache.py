"""The packaged primer kept built in the derived cache: the same primer whether built or
read back, and built again whenever the cache cannot give one."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficsift import derived_cache
from ficsift.understand.primer import Primer, load_primer


def fresh_primer() -> Primer:
    return load_primer.__wrapped__()  # type: ignore[attr-defined, no-any-return]


def same(a: Primer, b: Primer) -> None:
    assert a.fandoms == b.fandoms
    assert a.by_alias == b.by_alias
    assert a.by_title == b.by_title
    assert a._by_key == b._by_key
    assert a._fandom_keys == b._fandom_keys
    for name in ("Giles", "Willow", "Kira", "Rose", "Doctor"):
        assert a.characters_named(name) == b.characters_named(name)
    for fandom in ("btvs", "ds9", "Doctor Who"):
        assert a.fandom_named(fandom) == b.fandom_named(fandom)


@pytest.fixture(scope="module")
def built() -> Primer:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(derived_cache.CACHE_ENV, "off")
        return fresh_primer()


def test_a_cached_primer_is_the_built_one(derived_cache_folder: Path, built: Primer) -> None:
    first = fresh_primer()
    assert len(list(derived_cache_folder.glob("primer-*.bin"))) == 1
    read_back = fresh_primer()
    same(first, built)
    same(read_back, built)
    assert read_back.ontology is built.ontology  # the process's own ontology, not a copy


def test_a_damaged_primer_entry_is_built_again(derived_cache_folder: Path, built: Primer) -> None:
    fresh_primer()
    (path,) = derived_cache_folder.glob("primer-*.bin")
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    same(fresh_primer(), built)  # the CRC fails: built, and written again
    (rewritten,) = derived_cache_folder.glob("primer-*.bin")
    assert rewritten.read_bytes() != bytes(data)


@pytest.mark.parametrize("payload", [b"not a pickle", b"\x80\x05K\x01.", b""])
def test_an_entry_that_is_not_a_primer_is_built_again(
    derived_cache_folder: Path, built: Primer, monkeypatch: pytest.MonkeyPatch, payload: bytes
) -> None:
    # A whole entry (its CRC holds) that is no primer: an integer, garbage, nothing.
    monkeypatch.setattr(derived_cache, "read", lambda name, key: memoryview(payload))
    same(fresh_primer(), built)


def test_an_unwritable_cache_builds_the_primer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: Primer
) -> None:
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setenv(derived_cache.CACHE_ENV, str(tmp_path / "a file" / "cache"))
    same(fresh_primer(), built)
