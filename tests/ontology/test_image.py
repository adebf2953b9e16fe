"""The ontology's image (the derived cache's uncompressed, in-place form) answers as the
packaged zip does, and the packaged ontology opens whatever the cache holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficsift import derived_cache
from ficsift.ontology import Ontology
from ficsift.ontology._image import ImageStore, build_image, open_packaged
from ficsift.ontology._store import Store, packaged_data
from ficsift.ontology.gazetteer import TOTALS_MEMBER, Gazetteer


@pytest.fixture(scope="module")
def zipped() -> Store:
    return Store(packaged_data())


@pytest.fixture(scope="module")
def image(zipped: Store) -> ImageStore:
    return ImageStore(memoryview(build_image(zipped)))


def test_names_flags_and_spelling_keys_are_the_same(zipped: Store, image: ImageStore) -> None:
    assert image.header == zipped.header
    assert list(image.names) == list(zipped.names)
    assert list(image.flags) == list(zipped.flags)
    keys = list(zipped._keys)
    assert list(image._keys) == keys
    for k in keys[::5]:
        assert image.ids(k) == zipped.ids(k)
    assert image.ids("no such key \u2603") == zipped.ids("no such key \u2603") == []


def test_character_tables_and_meta_tags_are_the_same(zipped: Store, image: ImageStore) -> None:
    characters = zipped._member("characters")
    for table, lookup in (("base", "base_ids"), ("parts", "part_ids")):
        for k in characters[table][0]:
            assert getattr(image, lookup)(k) == getattr(zipped, lookup)(k), (table, k)
    assert image.disambiguators == zipped.disambiguators
    assert image.sort_words == zipped.sort_words
    for i in range(-1, len(zipped.names) + 1):
        for inferred in (True, False):
            assert image.parents(i, inferred) == zipped.parents(i, inferred), i
            assert image.children(i, inferred) == zipped.children(i, inferred), i


def test_synonyms_links_and_other_members_are_the_same(zipped: Store, image: ImageStore) -> None:
    for i in range(0, len(zipped.names), 3):
        assert list(image.synonyms.get(str(i))) == list(zipped.synonyms.get(str(i)))
    assert image._links == zipped._links
    assert image.member("gazetteer") == zipped.member("gazetteer")
    assert image.triggers == zipped.triggers
    assert image.member("no such member") is None


def test_the_gazetteer_reads_its_franchise_totals_from_the_image(
    zipped: Store, image: ImageStore
) -> None:
    assert image.member(TOTALS_MEMBER) is not None and zipped.member(TOTALS_MEMBER) is None
    counted = Gazetteer(zipped)._totals  # (the zip has none kept: counted)
    assert Gazetteer(image)._totals == counted
    sizes, weights = counted
    assert sizes and sizes.keys() == weights.keys()


@pytest.mark.parametrize(
    "name",
    ["vamp!willow", "Vampires", "giles", "Angst", "Hurt/Comfort", "W/T", "Kira", "Rose",
     "Star Trek: Deep Space Nine", "btvs", "Spike (Buffy the Vampire Slayer)", "Doctor/Rose"],
)  # fmt: skip
def test_the_ontology_answers_the_same(zipped: Store, image: ImageStore, name: str) -> None:
    a, b = Ontology(zipped), Ontology(image)
    for kind in (None, "character", "fandom", "relationship", "freeform"):
        assert b.canonical(name, kind) == a.canonical(name, kind)  # type: ignore[arg-type]
    assert b.synonyms(name) == a.synonyms(name)
    assert b.sub_tags(name) == a.sub_tags(name)
    assert b.meta_tags(name) == a.meta_tags(name)
    assert b.character_aliases(name) == a.character_aliases(name)
    assert b.canonical_relationship(name) == a.canonical_relationship(name)
    assert b.fandoms_of_character(name) == a.fandoms_of_character(name)
    assert b.gazetteer.people(name) == a.gazetteer.people(name)


def test_the_packaged_ontology_is_built_into_the_cache_then_read_from_it(
    derived_cache_folder: Path,
) -> None:
    first = open_packaged()
    assert type(first) is Store  # nothing cached yet: the zip, and an image written
    assert len(list(derived_cache_folder.glob("ontology-*.bin"))) == 1
    second = open_packaged()
    assert isinstance(second, ImageStore)
    assert Ontology(second).canonical("vamp!willow") == Ontology(first).canonical("vamp!willow")


def test_an_image_that_fails_its_own_checks_is_built_again(
    derived_cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_packaged()
    # A whole entry (its CRC holds) whose directory is nonsense: as if written by a bug.
    monkeypatch.setattr(derived_cache, "read", lambda name, key: memoryview(b"\xff" * 64))
    store = open_packaged()
    assert type(store) is Store
    assert Ontology(store).canonical("giles", "character") == "Rupert Giles"


def test_a_damaged_image_falls_back_to_the_zip(derived_cache_folder: Path) -> None:
    open_packaged()
    (path,) = derived_cache_folder.glob("ontology-*.bin")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert type(open_packaged()) is Store  # read as nothing, built and stored again
    assert isinstance(open_packaged(), ImageStore)


def test_an_unwritable_cache_reads_the_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setenv(derived_cache.CACHE_ENV, str(tmp_path / "a file" / "cache"))
    store = open_packaged()
    assert type(store) is Store
    assert Ontology(store).canonical("giles", "character") == "Rupert Giles"
