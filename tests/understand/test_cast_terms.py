"""A name that is an in-world term of a canon ficsift knows ("the Slayer", "the Hellmouth") is
a thing of that world, never an unknown character, however often the story capitalises it."""

from __future__ import annotations

from ficsift.understand.cast import find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

# A scene of the primer's Buffy the Vampire Slayer, where "Hellmouth" (a term of that canon
# in the primer) is written like a name, mid-sentence, a person's verb after it.
SCENE = [
    "Giles closed the book, and Buffy waited while the Hellmouth whispered under the library.",
    "The Hellmouth laughed, and Giles watched Buffy walk out to patrol the cemetery.",
    "Buffy knew what the Hellmouth wanted, said Giles, quietly.",
]


def test_an_in_world_term_is_no_unknown_character(primer: Primer) -> None:
    result = find_cast(StoryText(chapters=["\n\n".join(SCENE * 4)]), primer)
    names = {m.name for m in result.cast}
    assert {"Buffy Summers", "Rupert Giles"} <= names
    assert not any(m.original and "Hellmouth" in m.name for m in result.cast), names


def test_a_name_no_canon_files_as_a_term_is_still_found(primer: Primer) -> None:
    own = [
        line.replace("the Hellmouth", "Merrow").replace("The Hellmouth", "Merrow") for line in SCENE
    ]
    result = find_cast(StoryText(chapters=["\n\n".join(own * 4)]), primer)
    assert any(m.original and m.name == "Merrow" for m in result.cast)
