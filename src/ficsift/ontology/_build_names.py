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
may name, and each character to the characters AO3's relationship tags pair them with
(``partners``); :mod:`ficsift.ontology.gazetteer` reads it when understanding first needs
it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
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
        "Werewolf Dragon Ghost Monster Robot Cat Dog Me Myself I Mine We Us Him Her Them "
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
        "April May June July August September October November December Christmas Easter "
        "Sir Madam Ma'am Yes No Oh Hey Okay He She It They You Him His Hers Its Our Their "
        "Your Yours And But Or Nor If So As At By For From In Into Of On To With Up Out Over "
        "Do Does Did Is Was Be Are Were Been Have Has Had Will Would Can Could Should Might "
        "Must Not All Any Some One Two Three This That These Those What Who Whom When Where "
        "Why How Here There Then Now Just Only Very More Most Well Still Even Too Also Once "
        "Never Ever Always Maybe Perhaps Please Thanks Sorry Jesus Christ Lord Heaven Hell"
    )
)
# Abbreviations that open a name ("St. John Talbot", "St. Jimmy") but are no name alone: "St"
# in a story is a saint's or a street's.
ABBREVIATIONS = frozenset(["St", "St.", "Ste", "Ste."])
_JUNK = re.compile(
    r"[/&!?:;\"()\[\]{}#@*+=<>|\\]|\(s\)|\bcharacter\b|\boriginal\b|\breader\b", re.I
)
_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")
MAX_FORM_WORDS = 4


# Words that make a character tag a group or a relation ("Beta Kids", "Weasley Twins",
# "Multiple Jem'Hadar"), not one person.
GROUP_WORDS = frozenset(
    str.split(
        "Kids Guardians Members Family Families Team Crew Squad Trolls Multiple Various Inc. "
        "Ensemble Slayers Watchers Potentials Council Gang Brothers Sisters Siblings Parents "
        "Children Friends Twins Everybody Pack Clan Army Soldiers Students Staff Agents Crowd "
        "People Guards Knights Others Somebody Someone"
    )
)
_POSSESSIVE = re.compile(r"\w['’]s?\s")


def _is_person(name: str) -> bool:
    """A character tag that names one person (not "Original Female Character(s)", not a
    relationship typed as a character, not "Beta Kids" or "Sherlock Holmes' Father")."""
    base = N.base_name(name)
    if not base or "/" in base or "&" in base or "(s)" in name or N.is_original_character(base):
        return False
    words = base.split(" ")
    if _POSSESSIVE.search(base) or any(w in GROUP_WORDS for w in words):
        return False
    if len(words) == 1 and (N.split_disambiguator(name)[1] or "").casefold() == "character":
        return False  # "Pride (Character)", "Ghosts (Character)": a word AO3 made a character
    return words[0] not in STOP_FORMS or len(words) > 1


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
        return form not in STOP_FORMS and form not in ABBREVIATIONS
    return words[0] not in STOP_FORMS or words[0] in ("Mr", "Mrs", "Ms", "Miss", "Dr")


def forms_of(name: str, synonyms: Iterable[str] = ()) -> set[str]:
    """The names a story may use for the character ``name``."""
    forms: set[str] = set()
    for full in N.name_forms(name):
        forms.add(full)
        words = full.split(" ")
        if len(words) == 2 and all(w[:1].isupper() and w.isalpha() for w in words):
            forms.add(f"{words[1]} {words[0]}")
    if N.base_name(name).split(" ")[0] not in STOP_FORMS:  # not "The Great Link" → "Link"
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
                forms = forms_of(name, sorted(reg.character_synonyms(name)))
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


FAMILY_MIN = 2  # characters at home in one franchise that a family name needs


def family_characters(
    names: Names, links: dict[str, dict[str, int]], franchise_of: Any
) -> list[tuple[str, str]]:
    """(character, franchise) for characters of no home whose family name is found only in
    one franchise, among at least FAMILY_MIN characters there ("Uchiha Izuna" is Naruto's
    when every Uchiha AO3 places is).  A name of several franchises ("Smith") places nobody.
    """
    family: dict[str, set[str]] = defaultdict(set)  # word -> franchises
    members: dict[str, set[str]] = defaultdict(set)  # word -> placed characters

    def words(name: str) -> set[str]:
        out: set[str] = set()
        for form in N.name_forms(name):
            ws = form.split(" ")
            if len(ws) >= 2:
                out.update(w for w in ws if len(w) >= 3 and w.isalpha() and w[0].isupper())
        return out - STOP_FORMS

    def home(name: str) -> str | None:
        """The franchise with most of the character's links (half of them at least)."""
        counts: dict[str, int] = defaultdict(int)
        for f, n in links.get(name, {}).items():
            counts[franchise_of(f)] += n
        best = max(counts, key=lambda f: (counts[f], f), default=None)
        return best if best and 2 * counts[best] >= sum(counts.values()) else None

    for name in names:
        placed = {h} if (h := home(name)) else set()
        if placed:
            for w in words(name):
                family[w].update(placed)
                members[w].add(name)
    out = []
    for name in names:
        if links.get(name):
            continue
        found = {
            next(iter(family[w]))
            for w in words(name)
            if len(family[w]) == 1 and len(members[w]) >= FAMILY_MIN
        }
        if len(found) == 1:
            out.append((name, found.pop()))
    return out


PARTNER_MIN = 2  # relationship tags with placed partners that place a character
PARTNER_ROUNDS = 2  # Naruto → Uchiha Sasuke (a ship with him) → Uchiha Itachi (one with Sasuke)


def partner_characters(
    names: Names, links: dict[str, dict[str, int]], tags: Iterable[str], franchise_of: Any
) -> list[tuple[str, str]]:
    """(character, franchise) for characters of no home paired in an AO3 relationship tag
    with characters all at home in one franchise ("Uchiha Sasuke/Uzumaki Naruto")."""
    placed: dict[str, str] = {}
    for name in names:
        counts: dict[str, int] = defaultdict(int)
        for f, n in links.get(name, {}).items():
            counts[franchise_of(f)] += n
        best = max(counts, key=lambda f: (counts[f], f), default=None)
        if best and 2 * counts[best] >= sum(counts.values()):
            placed[name] = best
    sides_of = _ship_sides(names, tags)
    out: dict[str, str] = {}
    for _ in range(PARTNER_ROUNDS):
        found: dict[str, Counter[str]] = defaultdict(Counter)
        for people in sides_of:
            for p in people:
                if p not in placed and not links.get(p):
                    found[p].update(placed[q] for q in people if q in placed)
        for p, homes in sorted(found.items()):
            # Two ships at least, all in one franchise: a crossover ship ("Harry Potter/Uchiha
            # Itachi") must not carry a character off to the other fandom.
            if len(homes) == 1 and sum(homes.values()) >= PARTNER_MIN:
                placed[p] = out[p] = next(iter(homes))
    return sorted(out.items())


def _ship_sides(names: Names, tags: Iterable[str]) -> list[list[str]]:
    """The characters of each relationship tag whose sides are all characters of ``names``."""
    by_key = {N.key(n): n for n in names}
    sides_of = []
    for tag in tags:
        split = N.split_relationship(
            N.strip_mentioned(re.sub(r"^(?:Minor|Past|Implied)\s+", "", tag))
        )
        if split:
            people = [by_key.get(N.key(N.strip_mentioned(side))) for side in split[1]]
            if all(people):
                sides_of.append([p for p in people if p])
    return sides_of


def ship_partners(names: Names, tags: Iterable[str]) -> dict[str, list[str]]:
    """Each character → the characters AO3 relationship tags pair them with, either way
    ("Jenny Calendar" → Rupert Giles, and Rupert Giles → Jenny Calendar).

    One ship is too weak to give a character of no home a home (:func:`partner_characters`:
    crossover ships), but a story of his fandom that names him and "Jenny" places her; and a
    story told close to him whose "she" is hardly named has the partner AO3 knows him by:
    understanding reads these beside the story's cast."""
    out: dict[str, set[str]] = defaultdict(set)
    for people in _ship_sides(names, tags):
        for p in people:
            out[p].update(q for q in people if q != p)
    return {p: sorted(qs) for p, qs in sorted(out.items()) if qs}


def name_index(
    names: Names, reg: Registry, ids: list[str], partners: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """``{"forms": [form, …], "ids": [id or [ids], …], "things": [form, …], "partners": {id:
    [ids]}}`` (``partners``: :func:`ship_partners`, by id).

    ``things`` are the forms that are also AO3 freeform tags ("England", "Hope", "Chess"): a
    place, a concept or an object as often as a person, so weak evidence of any fandom.
    """
    index = {n: i for i, n in enumerate(ids)}
    by_form = names.by_form()
    forms = sorted(by_form)
    values: list[Any] = []
    for f in forms:
        people_ids = sorted(index[n] for n in by_form[f] if n in index)
        values.append(people_ids[0] if len(people_ids) == 1 else people_ids)
    thing_keys = set()
    for n, flags in reg.flags.items():
        if flags & N.FREEFORM and not flags & N.CHARACTER:
            for spelling in (n, *reg.syn.get(n, ())):
                thing_keys.add(N.key(N.base_name(spelling)))
    things = [f for f in forms if N.key(f) in thing_keys]
    by_id = {
        str(index[p]): [index[q] for q in qs if q in index]
        for p, qs in (partners or {}).items()
        if p in index
    }
    return {"forms": forms, "ids": values, "things": things, "partners": by_id}
