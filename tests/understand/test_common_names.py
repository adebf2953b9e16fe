"""A fandom is not said from common names alone: "Jo", "Beth" and "Amy" are the names of a
dozen AO3 canons' characters each (Total Drama has all three), so a story of a canon ficsift
does not know that uses them fits one of those by chance.  A name few characters share says
the canon."""

from __future__ import annotations

from ficsift.ontology import load_ontology
from ficsift.understand.calibration import load_calibration
from ficsift.understand.cast import find_cast
from ficsift.understand.fandoms import COMMON_NAME
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

# Our own sentences, in no canon's words.
SISTERS = [
    "Jo sat by the window with her notebook while Beth played the old piano.",
    "Amy drew the garden from memory, and Jo laughed at the crooked apple tree.",
    "“Supper is late again,” Beth said. Amy sulked and Jo went to help in the kitchen.",
]


def test_common_names_alone_say_no_fandom() -> None:
    bare = Primer({}, load_ontology())  # no curated fandom: only AO3's names
    gaz = bare.ontology.gazetteer  # type: ignore[union-attr]
    assert all(len(gaz.people(n)) >= COMMON_NAME for n in ("Jo", "Beth", "Amy"))
    calibration = load_calibration()
    result = find_cast(StoryText(["\n\n".join(SISTERS * 8)]), bare, calibration)
    # The posterior alone would say the canon whose characters share these names …
    assert result.candidates and result.candidates[0].probability >= calibration.fandom_bar
    # … but common names alone name no fandom: they are the story's own, unplaced.
    assert not result.fandoms
    assert {"Jo", "Beth", "Amy"} <= {m.name for m in result.cast}
