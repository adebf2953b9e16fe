"""AO3's tag ontology, compiled into the package.

``scripts/build_ontology.py`` compiles the shared sources (scourgify's 2021 synonym tables, AO3's
2023 meta tags, 2015 freeform counts, a trigger-warning taxonomy and tag co-occurrence in AO3
listings) into ``data/ontology.zip``; this package answers questions about it::

    from ficsift.ontology import load_ontology

    onto = load_ontology()
    onto.canonical("vamp!willow")                    # 'Vampire Willow Rosenberg'
    onto.canonical("giles", "character")             # 'Rupert Giles'
    onto.sub_tags("Vampires")                        # {..., 'Vampire Willow Rosenberg', ...}
    onto.canonical_relationship("W/T", fandom="BtVS")  # 'Tara Maclay/Willow Rosenberg'
    onto.gazetteer.people("Noelle")                  # ids of every character so called
    onto.gazetteer.homes(i)                          # {'Deltarune': 1}: where AO3 places one
"""

from ficsift.ontology.ontology import Ontology, TagKind, TriggerLabel, load_ontology

__all__ = ["Ontology", "TagKind", "TriggerLabel", "load_ontology"]
