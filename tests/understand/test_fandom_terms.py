"""AO3's in-world terms (``data/fandom_terms.json``) as evidence of a story's fandom."""

from __future__ import annotations

from ficsift.ontology import load_ontology
from ficsift.understand.fandoms import Knowledge, franchise_evidence, name_forms, posterior
from ficsift.understand.primer import Primer

# Made-up people: only the places and peoples of the canon can tell where the story is set.
STORY = (
    "Velmora rode into Ishgard before the bells. Tessaline was waiting at the gate, cold and "
    "tired, and told her the Ascians had been seen again below Ishgard. “Then we leave at "
    "dawn,” Velmora said. Tessaline laughed. “You always say that.” The snow kept falling on "
    "Ishgard all night, and neither of them slept."
)


def _ranked(primer: Primer, text: str) -> list:
    knowledge = Knowledge(primer, load_ontology())
    forms = {f: len(v) for f, v in name_forms(text, knowledge.forms).items()}
    return posterior(knowledge, franchise_evidence(knowledge, forms, set()))


def test_in_world_terms_point_to_their_franchise(primer: Primer) -> None:
    ranked = _ranked(primer, STORY)
    assert ranked and ranked[0].franchise == "Final Fantasy XIV"
    assert any(r.startswith("AO3 term: Ishgard") for r in ranked[0].reasons)
    assert ranked[0].terms > 0


def test_a_term_the_story_also_writes_as_a_word_is_no_evidence(primer: Primer) -> None:
    knowledge = Knowledge(primer, load_ontology())
    forms = {"Ishgard": 3}
    assert franchise_evidence(knowledge, forms, {"Ishgard"}) == {}
    assert franchise_evidence(knowledge, forms, set())["Final Fantasy XIV"].terms > 0
