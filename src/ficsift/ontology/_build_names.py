"""Build-time only: the gazetteer — every name prose may call an AO3 character by.

For every character tag of the registry (canonical, a synonym's target, or only an AO3 meta
tag) the build records the names a story would use: each full form (``Noelle Holiday``, both
halves of ``Wei Ying | Wei Wuxian``, a quoted nickname), the given name and surname of a full
name, a two-word name in the other order (``Uzumaki Naruto`` is ``Naruto Uzumaki`` in many
fics), and the plain base names of its synonyms.  Titles, articles and words that name a
role rather than a person ("Captain", "The", "Reader") are never names on their own.

It also links a fandom to the one character it is named after ("Naruto" → Uzumaki Naruto),
when exactly one character has that name: evidence as sure as a disambiguator.

The index (``gazetteer`` member) maps each form, as written, to the ids of the characters it
may name; :mod:`ficsift.ontology.gazetteer` reads it when understanding first needs it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ficsift.ontology import _names as N
from ficsift.ontology._build_base import Fandoms, Registry

# Words that are a role, a title or an article, never a person on their own.
STOP_FORMS = frozenset(
    str.split(
        "The A An Mr Mr. Mrs Mrs. Ms Ms. Miss Dr Dr. Doctor Sir Lady Lord Captain Professor King "
        "Queen Prince Princess Mother Father Brother Sister Uncle Aunt Mom Mum Dad Grandma Grandpa "
        "Master Mistress God Goddess Boy Girl Man Woman Kid Baby Child Old Young Little Big Jr Jr. "
        "Sr Sr. II III IV Female Male Reader You Narrator Team Family Everyone Others Other Unnamed "
        "Original Character Characters Various Ensemble Minor Background Mentioned OC OCs Self "
        "Insert Player Protagonist Avatar Unknown Anonymous Human Alien Demon Angel Vampire "
        "Werewolf Dragon Ghost Monster Robot Cat Dog"
    )
)
_JUNK = re.compile(
    r"[/&!?:;\"()\[\]{}#@*+=<>|\\]|\(s\)|\bcharacter\b|\boriginal\b|\breader\b", re.I
)
_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")
MAX_FORM_WORDS = 4


def _is_person(name: str) -> bool:
    """A character tag that names one person (not "Original Female Character(s)", not a
    relationship typed as a character, not "Everyone")."""
    base = N.base_name(name)
    if not base or "/" in base or "&" in base or N.is_original_character(base):
        return False
    return base.split(" ")[0] not in STOP_FORMS or len(base.split(" ")) > 1


def _good_form(form: str) -> bool:
    words = form.split(" ")
    if not form or len(form) < 2 or len(words) > MAX_FORM_WORDS or _JUNK.search(form):
        return False
    if not all(_WORD.match(w) for w in words):
        return False
    first = form[0]
    if first.isalpha() and first.lower() != first.upper() and not first.isupper():
        return False  # a cased script must be capitalised, as prose writes names
    if len(words) == 1:
        return form not in STOP_FORMS
    return words[0] not in STOP_FORMS or words[0] in ("Mr", "Mrs", "Ms", "Miss", "Dr")


def forms_of(name: str, synonyms: Iterable[str] = ()) -> set[str]:
    """The names a story may use for the character ``name``."""
    forms: set[str] = set()
    for full in N.name_forms(name):
        forms.add(full)
        words = full.split(" ")
        if len(words) == 2 and all(w[:1].isupper() and w.isalpha() for w in words):
            forms.add(f"{words[1]} {words[0]}")
    forms.update(N.name_parts(name))
    for syn in synonyms:
        base = N.base_name(syn)
        if base and not _JUNK.search(syn.replace(f"({N.split_disambiguator(syn)[1]})", "")):
            forms.update(N.name_forms(base))
    return {f for f in forms if _good_form(f)}


class Names:
    """The people of the registry and their forms."""

    def __init__(self, reg: Registry) -> None:
        self.reg = reg
        self.forms: dict[str, set[str]] = {}
        for name in sorted(reg.flags):
            flags = reg.flags[name]
            if flags & N.CHARACTER and not flags & N.NAME_GROUP and _is_person(name):
                forms = forms_of(name, sorted(reg.syn.get(name, ())))
                if forms:
                    self.forms[name] = forms

    def __iter__(self) -> Any:
        return iter(self.forms)

    def by_form(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for name, forms in self.forms.items():
            for f in forms:
                out[f].add(name)
        return out


def people(reg: Registry) -> Names:
    return Names(reg)


def title_characters(
    names: Names, reg: Registry, fandoms: Fandoms, homes: dict[str, set[str]]
) -> list[tuple[str, str]]:
    """(character, fandom) where the fandom's title is the name of exactly one character.

    A given name or surname counts only for a character AO3 gives no other home ("Naruto" is
    Uzumaki Naruto's; the film "Holiday" is not Noelle Holiday's, who is Deltarune's).
    """
    by_key: dict[str, set[str]] = defaultdict(set)
    for name, forms in names.forms.items():
        whole = {N.key(f) for f in N.name_forms(name)}
        for f in forms:
            if N.key(f) in whole or not homes.get(name):
                by_key[N.key(f)].add(name)
    out = []
    for fandom in sorted(n for n, f in reg.flags.items() if f & N.FANDOM):
        titles = set()
        for part in N.base_name(fandom.split(" - ")[0]).split(" | "):
            title = re.sub(r"^the\s+", "", N.key(part.split(":")[0]).strip())
            if title and len(title.split(" ")) <= 3:
                titles.add(title)
        for title in sorted(titles):
            found = by_key.get(title, set())
            if len(found) == 1:
                out.append((next(iter(found)), fandoms.franchise_of(fandom)))
    return out


def name_index(names: Names, reg: Registry, ids: list[str]) -> dict[str, Any]:
    """``{"forms": [form, …], "ids": [id or [ids], …]}``, forms sorted as Python sorts."""
    index = {n: i for i, n in enumerate(ids)}
    by_form = names.by_form()
    forms = sorted(by_form)
    values: list[Any] = []
    for f in forms:
        people_ids = sorted(index[n] for n in by_form[f] if n in index)
        values.append(people_ids[0] if len(people_ids) == 1 else people_ids)
    return {"forms": forms, "ids": values}
