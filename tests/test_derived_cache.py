"""The derived cache: an entry reads back as written, and anything else reads as nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficsift import derived_cache


def entry(folder: Path) -> Path:
    (path,) = folder.glob("thing-*.bin")
    return path


def test_an_entry_reads_back_as_written(derived_cache_folder: Path) -> None:
    key = derived_cache.make_key("thing", b"source data")
    assert derived_cache.read("thing", key) is None
    assert derived_cache.write("thing", key, b"payload \0 bytes")
    got = derived_cache.read("thing", key)
    assert got is not None and bytes(got) == b"payload \0 bytes"


def test_keys_follow_the_content_and_the_order_of_the_parts() -> None:
    assert derived_cache.make_key("a", b"b") == derived_cache.make_key("a", b"b")
    assert derived_cache.make_key("a", b"b") != derived_cache.make_key("a", b"c")
    assert derived_cache.make_key("ab", b"") != derived_cache.make_key("a", b"b")


def test_a_new_key_replaces_the_stale_entry(derived_cache_folder: Path) -> None:
    old, new = derived_cache.make_key("thing", b"v1"), derived_cache.make_key("thing", b"v2")
    derived_cache.write("thing", old, b"old")
    derived_cache.write("thing", new, b"new")
    assert derived_cache.read("thing", old) is None
    assert bytes(derived_cache.read("thing", new) or b"") == b"new"
    assert len(list(derived_cache_folder.glob("thing-*.bin"))) == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],  # truncated
        lambda data: data[:10],  # truncated inside the head
        lambda data: b"",  # empty
        lambda data: data[:-3] + bytes([data[-3] ^ 1]) + data[-2:],  # one bit flipped
        lambda data: b"\x00" * len(data),  # not an entry at all
        lambda data: data + b"more",  # longer than it says
    ],
)
def test_a_damaged_entry_reads_as_nothing(derived_cache_folder: Path, damage: object) -> None:
    key = derived_cache.make_key("thing", b"x")
    derived_cache.write("thing", key, b"a payload long enough to damage")
    path = entry(derived_cache_folder)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert derived_cache.read("thing", key) is None


@pytest.mark.parametrize("flipped", [0, 60_000, (3 << 20) + 100, -1])
def test_a_large_entry_is_checked_at_its_ends_and_in_every_mib(
    derived_cache_folder: Path, flipped: int
) -> None:
    payload = bytes(range(256)) * (5 * 4096 + 7)  # ~5 MiB: checked by samples, not whole
    key = derived_cache.make_key("thing", b"big")
    derived_cache.write("thing", key, payload, sampled=True)
    assert bytes(derived_cache.read("thing", key, sampled=True) or b"") == payload
    path = entry(derived_cache_folder)
    data = bytearray(path.read_bytes())
    head = len(data) - len(payload)
    at = flipped if flipped < 0 else head + flipped
    data[at] ^= 0x10
    path.write_bytes(bytes(data))
    assert derived_cache.read("thing", key, sampled=True) is None


@pytest.mark.parametrize("flipped", [70_000, (3 << 20) + 5000])
def test_a_large_entry_is_checked_whole_unless_written_sampled(
    derived_cache_folder: Path, flipped: int
) -> None:
    payload = bytes(range(256)) * (5 * 4096 + 7)
    key = derived_cache.make_key("thing", b"big")
    derived_cache.write("thing", key, payload)
    path = entry(derived_cache_folder)
    data = bytearray(path.read_bytes())
    data[len(data) - len(payload) + flipped] ^= 0x10  # between the samples
    path.write_bytes(bytes(data))
    assert derived_cache.read("thing", key) is None


def test_an_entry_under_another_key_is_not_read(derived_cache_folder: Path) -> None:
    key, other = derived_cache.make_key("thing", b"x"), derived_cache.make_key("thing", b"y")
    derived_cache.write("thing", key, b"payload")
    entry(derived_cache_folder).rename(
        derived_cache_folder / f"thing-{other}.bin"
    )  # renamed, its head still says `key`
    assert derived_cache.read("thing", other) is None


def test_a_folder_that_cannot_be_made_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setenv(derived_cache.CACHE_ENV, str(tmp_path / "a file" / "cache"))
    key = derived_cache.make_key("thing", b"x")
    assert not derived_cache.writable()
    assert derived_cache.write("thing", key, b"payload") is False
    assert derived_cache.read("thing", key) is None


def test_off_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(derived_cache.CACHE_ENV, "off")
    assert derived_cache.folder() is None
    assert derived_cache.write("thing", derived_cache.make_key("x"), b"payload") is False


def test_sources_change_with_a_module_and_survive_a_missing_one() -> None:
    own = derived_cache.sources("ficsift.derived_cache")
    assert b"def sources" in own
    assert derived_cache.sources("ficsift.no_such_module") == b""
