"""Tag names by prefix (autocomplete): every tag the library has, the most used first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ficsift.importer import import_paths
from ficsift.library import SqliteLibrary

COMMON = 12  # works tagged "Slow Burn"; one of them also "Slowly Sinking Ships", a rare tag


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteLibrary]:
    folder = tmp_path_factory.mktemp("fics")
    for n in range(COMMON):
        extra = ', "Slowly Sinking Ships"' if n == 0 else ""
        extra += ', "Slow Dancing"' if n < 3 else ""
        (folder / f"fic{n}.md").write_text(
            f"---\ntitle: Fic {n}\nauthor: writer{n}\nrating: general\n"
            f'tags: [f:btvs, c:willow, "Slow Burn"{extra}]\n---\n'
            "Willow read the book again by lamplight, and the library was quiet.\n",
            encoding="utf-8",
        )
    lib = SqliteLibrary(tmp_path_factory.mktemp("lib"))
    report = import_paths(lib, [folder], workers=0)
    assert not report.failures, report.failures
    yield lib
    lib.close()


def test_a_prefix_finds_rare_and_common_tags_most_used_first(library: SqliteLibrary) -> None:
    found = library.tag_names("slow", tag_type="freeform")
    assert [(name, n) for _, name, n in found] == [
        ("Slow Burn", COMMON), ("Slow Dancing", 3), ("Slowly Sinking Ships", 1)
    ]  # fmt: skip
    assert all(kind == "freeform" for kind, _, _ in found)


def test_a_prefix_is_matched_in_any_case_and_spacing(library: SqliteLibrary) -> None:
    names = [name for _, name, _ in library.tag_names("  SLOWLY   sinking", limit=5)]
    assert names == ["Slowly Sinking Ships"]
    assert any(name == "Willow Rosenberg" for _, name, _ in library.tag_names("WiL"))


def test_type_and_limit_narrow_the_names(library: SqliteLibrary) -> None:
    assert library.tag_names("slow", tag_type="character") == []
    assert [name for _, name, _ in library.tag_names("slow", limit=1)] == ["Slow Burn"]
    assert library.tag_names("slow", limit=0) == []


@pytest.mark.parametrize("hostile", ["", "   ", "%", "_", "*", "[", "'; DROP TABLE works; --",
                                     "\U0010ffff", "s\x00", "z" * 5000])  # fmt: skip
def test_hostile_prefixes_find_nothing_and_never_fail(library: SqliteLibrary, hostile: str) -> None:
    assert library.tag_names(hostile) == []
    assert library.work_count() == COMMON
