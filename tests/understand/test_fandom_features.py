"""What the fandom calibration reads of a candidate: beside the posterior and the primer's
score, whether it is the posterior's first franchise and, for that one, the share of the
story's placed names it explains (issue 12)."""

from __future__ import annotations

from ficsift.ontology import load_ontology
from ficsift.understand.calibration import Calibration, Logistic, sigmoid
from ficsift.understand.fandoms import FranchiseEvidence, Knowledge, decide, franchise_evidence
from ficsift.understand.primer import Primer


def _evidence(name: str, explained: float, total: float, probability: float) -> FranchiseEvidence:
    ev = FranchiseEvidence(name, size=10, explained=explained, total=total)
    ev.characters = {f"{name} lead": 5.0, f"{name} friend": 4.0, f"{name} rival": 3.0}
    ev.forms = {who: (who, odds) for who, odds in ev.characters.items()}  # one name each
    ev.fandom_votes = {name: 12.0}
    ev.probability = probability
    return ev


def test_the_first_franchise_says_how_much_of_the_story_it_explains() -> None:
    knowledge = Knowledge(Primer({}, None), None)
    first = _evidence("Canon A", explained=1.5, total=6.0, probability=0.9)
    second = _evidence("Canon B", explained=4.5, total=6.0, probability=0.05)
    # Canon B has three characters of its own and a fair share of the evidence: a crossover
    # candidate, judged without the first franchise's features.
    decisions = decide(knowledge, [first, second], [])
    assert [d.franchise for d in decisions] == ["Canon A", "Canon B"]
    a, b = decisions
    assert a.features[2:] == (1.0, 0.25, 0.0)
    assert b.features[2:] == (0.0, 0.0, 0.0)
    assert a.explained_share == 0.25
    assert b.explained_share == 0.75


def test_a_story_whose_names_are_all_explained_reads_so() -> None:
    knowledge = Knowledge(Primer({}, None), None)
    (only,) = decide(knowledge, [_evidence("Canon A", 2.0, 2.0, 0.8)], [])
    assert only.features[2:] == (1.0, 1.0, 0.0)
    # No placed names at all: nothing explained.
    (bare,) = decide(knowledge, [_evidence("Canon A", 0.0, 0.0, 0.8)], [])
    assert bare.features[2:] == (1.0, 0.0, 0.0)


def test_a_model_fitted_on_fewer_features_reads_the_extra_ones_as_zero() -> None:
    """A calibration file written before the features grew still reads (their weight 0)."""
    old = Calibration(fandom=Logistic((0.5, 0.1), -0.2))
    want = sigmoid(-0.2 + 0.5 * 2.0 + 0.1 * 1.0)
    assert abs(old.fandom_probability((2.0, 1.0, 1.0, 0.5)) - want) < 1e-12
    again = Calibration.from_json(old.to_json())
    assert abs(again.fandom_probability((2.0, 1.0, 1.0, 0.5)) - want) < 1e-12


def test_a_name_many_characters_share_tells_less_against_a_franchise(primer: Primer) -> None:
    """An unexplained "Danny" (22 AO3 characters) is most likely the story's own; a name of
    one character placed elsewhere ("Aziraphale") says the story may be that canon's."""
    without_buffy = Primer(
        {k: v for k, v in primer.fandoms.items() if "Buffy" not in k}, load_ontology()
    )
    knowledge = Knowledge(without_buffy, without_buffy.ontology)
    buffy = knowledge.franchise("Buffy the Vampire Slayer")

    def unexplained(other: str) -> float:
        ev = franchise_evidence(knowledge, {"Giles": 20, other: 10}, set())[buffy]
        return ev.total - ev.explained

    assert len(knowledge.people("Danny")) > 10
    assert len(knowledge.people("Aziraphale")) == 1
    assert 0 < unexplained("Danny") < 0.25 * unexplained("Aziraphale")


def test_a_crossover_needs_names_the_first_canon_does_not_explain() -> None:
    """A second canon whose characters answer only to names the first already explains
    ("Merlin", "Mordred": Merlin (TV)'s and Arthurian legend's alike) is another reading of
    the same names, no crossover; one name of its own beside them makes it a candidate."""
    knowledge = Knowledge(Primer({}, None), None)
    first = _evidence("Canon A", explained=4.0, total=6.0, probability=0.9)
    shadow = _evidence("Canon B", explained=4.0, total=6.0, probability=0.05)
    shadow.forms = {form: (f"B {who}", odds) for form, (who, odds) in first.forms.items()}
    assert [d.franchise for d in decide(knowledge, [first, shadow], [])] == ["Canon A"]
    shadow.forms["Gawain"] = ("B Gawain", 5.0)
    shadow.forms["Lamorak"] = ("B Lamorak", 4.0)
    shadow.forms["Tristan"] = ("B Tristan", 4.0)
    assert [d.franchise for d in decide(knowledge, [first, shadow], [])] == ["Canon A", "Canon B"]
