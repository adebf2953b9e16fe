"""A pairing of names the cast could not place keeps the names the story gives: AO3's
relationship tag is taken only when it names them as written.  "Malcolm" in a story of no
known fandom is not Star Trek's Malcolm Reed, however AO3's ontology would resolve it."""

from __future__ import annotations

import pytest

from ficsift.model import Chapter, Document, Source, TagType
from ficsift.ontology import load_ontology
from ficsift.understand.calibration import load_calibration
from ficsift.understand.canonical import relationship_name
from ficsift.understand.infer import understand
from ficsift.understand.primer import Primer

# Our own sentences: two men of no canon ficsift knows, in love.
SCENES = [
    "Malcolm came home late, and Julius was waiting up for him with the lamp still lit.",
    "Julius kissed him at the door and took his coat. Malcolm leaned into the kiss.",
    "They went up to bed together. Malcolm lay with his head on Julius's chest.",
    "In the morning Julius made the tea, and Malcolm kissed the back of his neck.",
    "Malcolm told Julius that he loved him, and Julius held him close for a long time.",
]


@pytest.fixture(scope="module")
def bare() -> Primer:
    return Primer({}, load_ontology())  # AO3's ontology, no curated fandom


def test_the_ontology_alone_would_resolve_the_first_names(bare: Primer) -> None:
    # The premise: without the cast's word, AO3 resolves "Malcolm" to someone in particular.
    assert relationship_name(["Julius", "Malcolm"], "/", [], bare) != "Julius/Malcolm"


def test_unplaced_names_are_named_as_written(bare: Primer) -> None:
    name = relationship_name(["Julius", "Malcolm"], "/", [], bare, {"Julius", "Malcolm"})
    assert name == "Julius/Malcolm"


def test_a_story_of_unplaced_lovers_gets_their_names_as_its_main_pairing(bare: Primer) -> None:
    doc = Document(
        source=Source(path="story.txt", format="text"),
        chapters=[Chapter(title=None, text="\n\n".join(SCENES * 3))],
    )
    understand(doc, bare, load_calibration())
    assert not [t for t in doc.tags if t.type == TagType.FANDOM]
    ships = [t.name for t in doc.tags if t.type == TagType.RELATIONSHIP]
    assert ships and all("Reed" not in s for s in ships), ships
    assert "Julius/Malcolm" in ships, ships
