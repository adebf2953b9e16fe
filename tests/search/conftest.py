"""A small library of fics written for these tests (front matter + a few paragraphs each)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ficsift.importer import import_paths
from ficsift.library import Library, SqliteLibrary
from ficsift.search import refresh

FICS: dict[str, tuple[str, str]] = {
    "cellar.md": (
        """title: The Cellar Door
author: quillfeather
summary: Vampire Willow keeps Tara in the dark below the Bronze.
rating: adult
status: complete
tags: [f:btvs, "p:willow/tara", "p:buffy/spike", c:willow, c:tara, c:buffy, c:spike, VampWillow, captivity]""",
        "Willow smiled with too many teeth and turned the key in the cellar door. Tara waited "
        "in the dark, chained to the old boiler, humming a spell under her breath. Upstairs the "
        "Bronze thumped with music nobody below could dance to. Buffy and Spike argued by the "
        "bar about nothing at all, the way they always did.",
    ),
    "bleached.md": (
        """title: Bleached
author: inkwell
summary: Spike and Buffy on patrol, and what happens after.
rating: mature
status: complete
tags: [f:btvs, "p:buffy/spike", c:buffy, c:spike, "w:Major Character Death"]""",
        "Spike lit a cigarette against the wind in the cemetery while Buffy staked the fledgling. "
        "The patrol ended at dawn with dust on her boots and his coat over her shoulders. Later "
        "the crypt was cold and quiet and neither of them said the word they were thinking.",
    ),
    "library.md": (
        """title: Card Catalogue
author: quillfeather
summary: Giles reorganises the library. Nobody helps.
rating: general
status: complete
pairing: gen
tags: [f:btvs, c:giles, c:xander]""",
        "Giles stacked the card catalogue drawers on the table and sighed. Xander offered to "
        "alphabetise and then ate a doughnut instead. The library smelled of dust and old "
        "leather, and the Hellmouth rumbled politely beneath the stacks.",
    ),
    "tardis.md": (
        """title: Blue Box Blues
author: timelord42
summary: The Doctor takes Rose somewhere with two suns.
rating: general
status: in-progress
tags: [f:doctor-who, "p:doctor/rose", c:rose]""",
        "The TARDIS landed with its groaning wheeze on a beach under two suns. Rose ran out "
        "barefoot into the violet sand while the Doctor fussed with the console. Gallifrey "
        "was far away and he did not say its name.",
    ),
    "crossing.md": (
        """title: Slayer in the Box
author: inkwell
summary: Buffy meets the Doctor.
rating: teen
status: complete
tags: [f:btvs, f:doctor-who, c:buffy, "p:willow/tara"]""",
        "Buffy found the blue box in the middle of the Sunnydale cemetery and knocked on it "
        "with her stake. Somewhere inside, a man in a long coat apologised for the noise. "
        "Willow and Tara waited at the gate, holding hands, unconvinced.",
    ),
}


def write_fics(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (front, body) in FICS.items():
        (folder / name).write_text(f"---\n{front}\n---\n{body}\n\n{body}\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def fic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fics(tmp_path_factory.mktemp("fics"))


@pytest.fixture(scope="module")
def fic_library(tmp_path_factory: pytest.TempPathFactory, fic_dir: Path) -> Iterator[Library]:
    """Built once per module; tests that change state use their own library."""
    lib = SqliteLibrary(tmp_path_factory.mktemp("lib"))
    report = import_paths(lib, [fic_dir], workers=1)
    assert not report.failures, report.failures
    refresh(lib)
    yield lib
    lib.close()


@pytest.fixture
def fresh_library(tmp_path: Path, fic_dir: Path) -> Iterator[Library]:
    lib = SqliteLibrary(tmp_path / "lib")
    import_paths(lib, [fic_dir], workers=1)
    refresh(lib)
    yield lib
    lib.close()


def titles(page: object) -> set[str]:
    return {h.title for h in page.hits}  # type: ignore[attr-defined]
