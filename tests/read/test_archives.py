"""Hostile zips: traversal names, bombs, lying sizes, deep nesting, and plain garbage.

Every hostile file is built here, in memory; the tests check that each is refused with a
one-line reason, that the rest of the archive still reads, and that nothing is written to
disk (reading never extracts).
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficsift.read import Limits, ReadError, read_bytes, read_file
from ficsift.read.archive import expand
from ficsift.read.base import Failure, RawFile
from tests.read.epub_fixtures import paragraphs, simple_epub, zip_bytes

STORY = b"Chapter 1\n\nThe lamp was lit at dusk, as it always was.\n\nThe sea did not care.\n"


def plain_zip(members: list[tuple[str, bytes | str]]) -> bytes:
    return zip_bytes(members, epub_mimetype=False)


def split(results: list[RawFile | Failure]) -> tuple[dict[str, RawFile], dict[str, str]]:
    files = {r.path: r for r in results if isinstance(r, RawFile)}
    failures = {r.path: r.reason for r in results if isinstance(r, Failure)}
    return files, failures


def zeros_zip(name: str, megabytes: int, extra: Sequence[tuple[str, bytes]] = ()) -> bytes:
    """A zip whose ``name`` member is ``megabytes`` MB of zeros, deflated in 1 MB writes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
        for other, data in extra:
            zf.writestr(other, data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def test_traversal_and_absolute_names_are_refused_per_member(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    data = plain_zip(
        [
            ("../evil.txt", b"EVIL " * 50),
            ("/abs.txt", b"ABSOLUTE " * 50),
            ("..\\windows.txt", b"BACKSLASH " * 50),
            ("ok.txt", STORY),
            ("sub/ok2.txt", STORY),
        ]
    )
    files, failures = split(list(expand(RawFile("bundle.zip", data))))
    assert sorted(files) == ["bundle.zip!ok.txt", "bundle.zip!sub/ok2.txt"]
    assert "climbs out of the archive" in failures["bundle.zip!../evil.txt"]
    assert "absolute path" in failures["bundle.zip!/abs.txt"]
    assert "climbs out" in failures["bundle.zip!..\\windows.txt"]
    assert all("\n" not in reason for reason in failures.values())
    # The good members still read as fics.
    doc = read_file(files["bundle.zip!ok.txt"])[0]
    assert "lamp was lit" in doc.text
    # Nothing was extracted: not into the working folder, not above it, not at the root.
    assert list(work.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()


def test_real_high_ratio_member_is_refused_without_inflating() -> None:
    data = zeros_zip("zeros.txt", 200, extra=[("story.txt", STORY)])
    assert len(data) < 2 << 20  # 200 MB of zeros deflates to a few hundred KB
    started = time.monotonic()
    files, failures = split(list(expand(RawFile("bomb.zip", data))))
    assert time.monotonic() - started < 2  # inflating 200 MB would take far longer
    assert "too large" in failures["bomb.zip!zeros.txt"]
    assert list(files) == ["bomb.zip!story.txt"]


def test_ratio_alone_marks_a_bomb() -> None:
    data = zeros_zip("zeros.txt", 3)  # 3 MB: under the size limits, but 1000:1
    _, failures = split(list(expand(RawFile("ratio.zip", data))))
    assert "zip bomb" in failures["ratio.zip!zeros.txt"]


def test_small_limits_refuse_members_totals_and_counts() -> None:
    data = plain_zip([(f"part{n}.txt", STORY * 40) for n in range(4)])
    _, failures = split(list(expand(RawFile("a.zip", data, Limits(max_archive_member=2000)))))
    assert len(failures) == 4 and all("too large" in r for r in failures.values())
    _, failures = split(list(expand(RawFile("a.zip", data, Limits(max_archive_total=5000)))))
    assert list(failures) == ["a.zip"] and "would unpack to" in failures["a.zip"]
    _, failures = split(list(expand(RawFile("a.zip", data, Limits(max_archive_members=2)))))
    assert "4 entries (limit 2)" in failures["a.zip"]


def test_member_lying_about_its_size_stops_at_the_declared_size() -> None:
    """Declared 1,000 bytes, really 5 MB: zipfile stops at the declared size; CRC catches it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("liar.txt", bytes(5 << 20))
    data = bytearray(buf.getvalue())
    # The uncompressed size sits at offset 22 of the local header, 24 of the central entry.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        assert struct.unpack_from("<I", data, at)[0] == 5 << 20
        struct.pack_into("<I", data, at, 1000)
    started = time.monotonic()
    _, failures = split(list(expand(RawFile("liar.zip", bytes(data)))))
    assert time.monotonic() - started < 1
    assert "corrupt zip entry" in failures["liar.zip!liar.txt"]
    assert "CRC" in failures["liar.zip!liar.txt"]


def test_nested_zips_past_the_depth_limit() -> None:
    inner = plain_zip([("deep.txt", STORY)])
    middle = plain_zip([("inner.zip", inner), ("middle.txt", STORY)])
    outer = plain_zip([("middle.zip", middle), ("top.txt", STORY)])
    files, failures = split(list(expand(RawFile("outer.zip", outer))))  # default depth 2
    assert sorted(files) == ["outer.zip!middle.zip!middle.txt", "outer.zip!top.txt"]
    assert "nested too deeply" in failures["outer.zip!middle.zip!inner.zip"]
    files, failures = split(list(expand(RawFile("outer.zip", outer, Limits(max_archive_depth=1)))))
    assert sorted(files) == ["outer.zip!top.txt"]
    assert "nested too deeply" in failures["outer.zip!middle.zip"]


def test_an_epub_inside_a_zip_is_one_file_not_a_folder() -> None:
    epub = simple_epub([("One", paragraphs("An EPUB packed in a zip reads as one work."))])
    files, failures = split(list(expand(RawFile("pack.zip", plain_zip([("book.epub", epub)])))))
    assert failures == {} and list(files) == ["pack.zip!book.epub"]
    doc = read_file(files["pack.zip!book.epub"])[0]
    assert doc.source.format == "epub" and "packed in a zip" in doc.text


def test_garbage_named_zip_or_epub_is_a_read_error() -> None:
    for name in ("x.zip", "x.epub"):
        with pytest.raises(ReadError) as info:
            read_bytes(name, b"PK\x03\x04" + bytes(range(256)) * 4)
        assert "reader failed" not in str(info.value)
    files, failures = split(list(expand(RawFile("x.zip", b"PK\x03\x04 not really a zip"))))
    assert files == {} and "corrupt zip" in failures["x.zip"]


HYPOTHESIS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZIP_NAMES = st.sampled_from(["x.zip", "x.epub", "x", "x.txt"])


@HYPOTHESIS
@given(
    tail=st.binary(max_size=2048),
    name=ZIP_NAMES,
    header=st.sampled_from([b"PK\x03\x04", b"PK\x05\x06"]),
)
def test_bytes_after_a_zip_header_only_raise_read_error(
    tail: bytes, name: str, header: bytes
) -> None:
    data = header + tail
    try:
        read_bytes(name, data)
    except ReadError as exc:
        message = str(exc)
        assert message and "\n" not in message and "reader failed" not in message, message
    results = list(expand(RawFile(name, data)))  # never raises: failures are values
    assert all(isinstance(r, RawFile | Failure) for r in results)


@HYPOTHESIS
@given(data=st.binary(max_size=4096), name=ZIP_NAMES)
def test_arbitrary_bytes_read_or_raise_read_error(data: bytes, name: str) -> None:
    try:
        docs = read_bytes(name, data)
    except ReadError as exc:
        assert "\n" not in str(exc)
    else:
        assert docs and all(doc.source.path == name for doc in docs)


def damaged_deflate(data: bytes) -> bytes:
    """``data`` (a zip) with its first member's deflate stream opening on a reserved block type."""
    out = bytearray(data)
    at = out.index(b"PK\x03\x04")
    name_len, extra_len = struct.unpack_from("<HH", out, at + 26)
    out[at + 30 + name_len + extra_len] = 0x07  # BFINAL=1, BTYPE=11: "invalid block type"
    return bytes(out)


def future_zip_version(data: bytes) -> bytes:
    """``data`` (a zip) whose first central entry needs "zip version 25.5" to extract."""
    out = bytearray(data)
    struct.pack_into("<H", out, out.index(b"PK\x01\x02") + 6, 255)
    return bytes(out)


def test_corrupt_deflate_data_in_a_plain_zip_is_a_failure() -> None:
    data = damaged_deflate(plain_zip([("story.txt", STORY * 20)]))
    _, failures = split(list(expand(RawFile("broken.zip", data))))
    assert "corrupt" in failures["broken.zip!story.txt"]


def test_unsupported_zip_version_in_a_plain_zip_is_a_failure() -> None:
    data = future_zip_version(plain_zip([("story.txt", STORY)]))
    _, failures = split(list(expand(RawFile("future.zip", data))))
    assert "corrupt" in failures["future.zip"]


def test_the_same_damage_in_an_epub_is_a_read_error() -> None:
    epub = simple_epub([("One", paragraphs("Words for the damaged chapter. " * 20))])
    # Damage the chapter's deflate stream (its local header sits 30 bytes before its name).
    chapter_at = epub.index(b"text/chapter01.xhtml") - 30
    assert epub[chapter_at : chapter_at + 4] == b"PK\x03\x04"
    damaged = epub[:chapter_at] + damaged_deflate(epub[chapter_at:])
    for data, expected in (
        (damaged, "corrupt EPUB entry"),
        (future_zip_version(epub), "corrupt EPUB"),
    ):
        with pytest.raises(ReadError) as info:
            read_bytes("damaged.epub", data)
        assert expected in str(info.value) and "reader failed" not in str(info.value)
