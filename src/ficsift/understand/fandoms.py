"""Which fandom a story is in — and whether the evidence is strong enough to say so.

The primer (``primer.py``) knows a few dozen fandoms well; AO3 has tens of thousands.  So the
fandom is decided over the whole of AO3's gazetteer (:mod:`ficsift.ontology.gazetteer`), with
the primer's curated names, terms and creators as extra evidence, at the level of AO3
*franchises* (Buffy and Angel are one).

1. **Names.**  Every capitalised name in the story ("Noelle", "Noelle Holiday", "Naruto
   Uzumaki") is looked up among the names of every AO3 character and the primer's aliases;
   so is a title after its article ("the Doctor"), for the characters AO3 calls so ("The
   Doctor (Doctor Who)").
2. **Distinctiveness.**  A name is evidence for a franchise in inverse proportion to how many
   franchises have a character of that name: "Ralsei" (one character in all of AO3) is strong,
   "Carol" (fourteen characters, a dozen fandoms) almost nothing.  A full name counts more than
   a lone given name; a name the story also writes as an ordinary word ("Will", "Grace") a
   quarter.
3. **Characters, not mentions.**  A franchise scores the *distinct* characters it explains
   (each saturating after a few mentions), plus the primer's distinctive terms and a note or
   disclaimer naming it.  One name said ninety times is one character.
4. **Abstain.**  The best franchise is given only when its evidence clears a bar: several
   distinct characters, clearly ahead of the runner-up.  Its confidence comes from the
   calibration fitted on the shared corpus (:mod:`ficsift.understand.calibration`); below the
   bar the story gets no fandom ("don't know" costs less than a wrong fandom).

Within a franchise the fandom named is the primer's, when it has one there, else the AO3
fandom its characters are most often tagged with.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources

from ficsift.ontology import Ontology
from ficsift.ontology._names import base_name
from ficsift.ontology.gazetteer import Gazetteer
from ficsift.understand.primer import Primer

# A capitalised name of one to four words ("Noelle", "Naruto Uzumaki", "Emmanellain de
# Fortemps"); the look-behind keeps it from starting inside a word.
_NAME_RE = re.compile(
    r"[A-Z](?<![\w'’].)[\w'’-]*(?:[ \t]+(?:(?:von|van|der|de|la|le|du|di|da|del|dos|of)[ \t]+)?"
    r"[A-Z][\w'’-]*){0,3}"
)
_POSSESSIVE = ("'s", "’s")
AO3_CHARACTERS = 25_000  # about how many characters the gazetteer names (for a bare primer)
MENTIONS_FULL = 2  # a name mentioned this often counts fully; once, half
TERM_LR = 20.0  # a primer term of the fandom ("Sunnydale") multiplies its odds by 1 + this
NAMED_LR = 200.0  # a note or disclaimer naming the fandom
ONTOLOGY_TERM_LR = 10.0  # an AO3 in-world term of the franchise ("Hellmouth", "Daleks")
TERMS_FILE = "fandom_terms.json"  # built by scripts/build_fandom_terms.py


@cache
def _fandom_data() -> dict:
    path = resources.files("ficsift.understand") / "data" / TERMS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def ontology_terms() -> dict[str, dict[str, int]]:
    """AO3's in-world terms: term → {franchise: how many tags say so} (read once)."""
    terms: dict[str, dict[str, int]] = _fandom_data().get("terms", {})
    return terms


def character_homes() -> dict[str, dict[str, int]]:
    """Homes for characters the compiled ontology leaves without one, from the tags that
    name them beside others (``scripts/build_fandom_terms.py``): name → {franchise: 1}."""
    homes: dict[str, dict[str, int]] = _fandom_data().get("character_homes", {})
    return homes


@dataclass(frozen=True, slots=True)
class FandomModel:
    """The parameters of the fandom posterior (fitted by ``scripts/eval_understand.py``)."""

    # Round values; over a small grid of them the cross-validated fandom figures (right − 2 ×
    # confident wrong, leave one fandom out, 194 stories) ranged 46–66, popularity mattering
    # most (a story names its leads, whom AO3 tags most).
    alpha: float = 0.7  # share of a story's names that are its own fandom's characters
    unknown_prior: float = 0.9  # prior that a story is in a fandom the gazetteer cannot place
    everyday: float = 100.0  # a name that is also an ordinary word is this much commoner
    popularity: float = 0.8  # how far a character's chance follows how often AO3 tags it
    primer_prior: float = 0.0  # prior shared by the primer's fandoms (the reader's own)


@dataclass(slots=True)
class FranchiseEvidence:
    franchise: str
    size: int = 1  # characters the gazetteer (or the primer) places in the franchise
    characters: dict[str, float] = field(default_factory=dict)  # character -> log odds
    mentions: dict[str, int] = field(default_factory=dict)
    explained: float = 0.0  # weight of the story's names this franchise explains
    total: float = 0.0  # weight of all the story's names
    fandom_votes: dict[str, float] = field(default_factory=dict)  # AO3 fandom -> weight
    primer_fandoms: set[str] = field(default_factory=set)
    terms: float = 0.0  # log odds from the primer's terms
    named: bool = False
    reasons: list[str] = field(default_factory=list)
    rarest: int | None = None  # fewest AO3 characters sharing one of the names it explains
    forms: dict[str, tuple[str, float]] = field(default_factory=dict)  # form -> (character, odds)
    log_odds: float = 0.0  # against "a fandom ficsift cannot place"
    log_prior: float = 0.0  # set by posterior()
    probability: float = 0.0

    @property
    def score(self) -> float:
        return (
            sum(self.characters.values())
            + self.terms
            + (math.log1p(NAMED_LR) if self.named else 0.0)
        )

    @property
    def distinct(self) -> int:
        """Characters that each would be fair evidence on their own (odds ≥ 10:1)."""
        return sum(1 for v in self.characters.values() if v >= math.log(10))

    def beside(self, first: FranchiseEvidence) -> FranchiseEvidence:
        """This franchise's evidence from the names ``first`` does not explain: what it has
        of its own beside the story's first canon ("Merlin", "Mordred" and "Uther" are
        Merlin (TV)'s and Arthurian legend's alike; a crossover of the two needs a name
        only the legend has)."""
        own: dict[str, float] = {}
        for form, (name, odds) in self.forms.items():
            if form not in first.forms and odds > own.get(name, 0.0):
                own[name] = odds
        return dataclasses.replace(self, characters=own)


# "the Doctor", "The Master": a capitalised word after the article, no other capital after it.
# (The class first, the look-behind after it: the regex engine then skips ahead to a "t".)
_TITLED_RE = re.compile(r"[Tt](?<![\w'’].)he[ \t]+([A-Z][a-z]+)(?![\w'’-])(?![ \t]+[A-Z])")
_THE_RE = re.compile(r"The ([A-Z][a-z]+)")


@cache
def _titled_people(gazetteer: Gazetteer | _NoGazetteer) -> dict[str, tuple[int, ...]]:
    """Characters AO3 names by an article and one word ("The Doctor (Doctor Who)", "The
    Master (Simm)"), by that word: prose calls them "the Doctor" (read once per gazetteer)."""
    out: dict[str, list[int]] = defaultdict(list)
    for i in sorted(gazetteer.people_ids):
        name = gazetteer.name(i)
        if not name.startswith("The "):
            continue
        m = _THE_RE.fullmatch(base_name(name))
        if m:
            out[m.group(1)].append(i)
    return {word: tuple(ids) for word, ids in out.items()}


def titled_forms(
    text: str, titled: Container[str], taken: Container[int] = ()
) -> dict[str, list[tuple[int, int]]]:
    """Spans of the word of "the Doctor" where a character is so titled (``titled``: the
    words), keyed "the Doctor"; starts in ``taken`` are some other name's already."""
    return _title_spans(_TITLED_RE, text, titled, taken)


# "…, Doctor." / "Doctor!": a bare title said to someone's face, after a comma or an opening
# quote and before a comma, a stop or a closing quote.
_ADDRESSED_RE = re.compile(r"(?:,[ \t]+|[\"“][ \t]*)([A-Z][a-z]+)(?=[,.!?…]|[\"”])")


def addressed_forms(
    text: str, titled: Container[str], taken: Container[int] = ()
) -> dict[str, list[tuple[int, int]]]:
    """Spans of a title said to someone's face ("Make up your mind, Doctor.") where a
    character is so titled, keyed "the Doctor" as :func:`titled_forms` keys them.  Evidence
    of who is in the story once its fandom is said, never of the fandom: a nurse says "Thank
    you, Doctor" in any hospital."""
    return _title_spans(_ADDRESSED_RE, text, titled, taken)


def _title_spans(
    pattern: re.Pattern[str], text: str, titled: Container[str], taken: Container[int]
) -> dict[str, list[tuple[int, int]]]:
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for m in pattern.finditer(text):
        word = m.group(1)
        if word in titled and m.start(1) not in taken:
            found["the " + word].append((m.start(1), m.end(1)))
    return found


def name_forms(text: str, known: Container[str] | None = None) -> dict[str, list[tuple[int, int]]]:
    """Capitalised names in ``text`` and their spans: the whole run of capitalised words, or,
    when ``known`` (a container of forms) lacks it, its longest known sub-runs."""
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for m in _NAME_RE.finditer(text):
        run = m.group(0)
        if run.endswith(_POSSESSIVE):  # (a string test: a regex per name cost 4% of the run)
            run = run[:-2]
        if known is None or run in known:
            found[run].append((m.start(), m.start() + len(run)))
            continue
        words = run.split()
        if len(words) == 1:
            continue
        # Longest known windows, left to right ("Doctor Noelle Holiday" → "Noelle Holiday").
        offsets = [w.start() for w in re.finditer(r"\S+", run)]
        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):
                form = " ".join(words[i:j])
                if form in known:
                    s = m.start() + offsets[i]
                    found[form].append((s, s + len(form)))
                    i = j
                    break
            else:
                i += 1
    return found


def franchise_of(fandom: str, primer: Primer, ontology: Ontology | None) -> str:
    """The AO3 franchise of a fandom: by its name, else by a primer alias AO3 knows ("Angel
    (TV)" is AO3's "Angel: the Series", of Buffy's franchise); the fandom itself if none."""
    if ontology is None:
        return fandom
    got = ontology.fandom_franchise(fandom)
    if got is None:
        entry = primer.fandoms.get(fandom)
        for alias in entry.aliases if entry else ():
            got = ontology.fandom_franchise(alias)
            if got:
                break
    return got or fandom


class _NoGazetteer:
    """What a primer without AO3's ontology knows beyond itself: nothing."""

    people_ids: frozenset[int] = frozenset()
    sizes: dict[str, int] = {}  # noqa: RUF012 (never written)
    weights: dict[str, int] = {}  # noqa: RUF012 (never written)

    def __contains__(self, form: str) -> bool:
        return False

    def forms(self) -> frozenset[str]:
        return frozenset()

    def people(self, form: str) -> tuple[int, ...]:
        return ()

    def is_thing(self, form: str) -> bool:
        return False

    def name(self, i: int) -> str:
        raise KeyError(i)

    def homes(self, i: int) -> dict[str, int]:
        return {}

    def fandoms(self, i: int) -> dict[str, int]:
        return {}

    def partnered(self) -> list[int]:
        return []

    def partners(self, i: int) -> tuple[int, ...]:
        return ()


class Knowledge:
    """The gazetteer and a primer as one lookup: name → franchise → characters."""

    def __init__(self, primer: Primer, ontology: Ontology | None) -> None:
        self.primer = primer
        self.ontology = ontology
        self.gazetteer: Gazetteer | _NoGazetteer = (
            ontology.gazetteer if ontology is not None else _NoGazetteer()
        )
        self._franchise: dict[str, str] = {}
        self._homes: dict[str, tuple[dict[str, dict[str, str]], int, dict[str, float], float]] = {}
        self._tagged: dict[str, float] = {}

    def franchise(self, fandom: str) -> str:
        got = self._franchise.get(fandom)
        if got is None:
            got = franchise_of(fandom, self.primer, self.ontology)
            self._franchise[fandom] = got
        return got

    def __contains__(self, form: object) -> bool:
        return form in self.forms

    @cached_property
    def forms(self) -> frozenset[str]:
        """Every name the gazetteer or the primer knows, and AO3's in-world terms (for the
        story's one scan)."""
        return (
            frozenset(self.gazetteer.forms())
            | frozenset(self.primer.by_alias)
            | frozenset(self.terms)
        )

    @cached_property
    def extra_homes(self) -> dict[str, dict[str, int]]:
        """Homes the build found for characters the gazetteer places nowhere (none without
        the ontology).  They are few and weigh as a character AO3 hardly tags, so the
        franchises' sizes are left as the gazetteer counts them."""
        return character_homes() if self.ontology is not None else {}

    @cached_property
    def terms(self) -> dict[str, dict[str, int]]:
        """AO3's in-world terms → their franchises (none without the ontology)."""
        return ontology_terms() if self.ontology is not None else {}

    @cached_property
    def population(self) -> int:
        """Characters the gazetteer (and the primer) name, placed or not; AO3's order of
        magnitude when the gazetteer is not loaded (a bare primer, in tests)."""
        n = max(len(self.gazetteer.people_ids), sum(self._primer_sizes.values()))
        return n if self.ontology is not None else max(n, AO3_CHARACTERS)

    @cached_property
    def placed(self) -> int:
        """Characters placed in some franchise."""
        sizes = dict(self.gazetteer.sizes)
        for fr, n in self._primer_sizes.items():
            sizes[fr] = max(sizes.get(fr, 0), n)
        n = sum(sizes.values())
        return max(1, n if self.ontology is not None else max(n, AO3_CHARACTERS // 2))

    @cached_property
    def _primer_sizes(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for entry in self.primer.fandoms.values():
            out[self.franchise(entry.fandom)] += len(entry.characters)
        return out

    @cached_property
    def primer_franchises(self) -> frozenset[str]:
        return frozenset(self._primer_sizes)

    def weight(self, franchise: str) -> float:
        """How much AO3 tags the franchise's characters (see ``Gazetteer.weights``), the
        primer's curated ones counted as typical."""
        gaz = self.gazetteer.weights.get(franchise, 0)
        extra = self._primer_sizes.get(franchise, 0) - self.gazetteer.sizes.get(franchise, 0)
        return max(1.0, gaz + max(0, extra) * self.typical(franchise))

    def typical(self, franchise: str) -> float:
        """A typical character's weight in the franchise (1 where AO3 data is silent)."""
        size = self.gazetteer.sizes.get(franchise, 0)
        return self.gazetteer.weights.get(franchise, 0) / size if size else 1.0

    def size(self, franchise: str) -> int:
        """How many characters the franchise has, as far as ficsift knows."""
        return max(1, self.gazetteer.sizes.get(franchise, 0), self._primer_sizes.get(franchise, 0))

    def is_thing(self, form: str) -> bool:
        return self.gazetteer.is_thing(form)

    @cached_property
    def _shipped(self) -> dict[str, frozenset[str]]:
        gaz = self.gazetteer
        return {gaz.name(i): frozenset(map(gaz.name, gaz.partners(i))) for i in gaz.partnered()}

    def shipped_with(self, name: str) -> frozenset[str]:
        """The characters AO3's relationship tags pair ``name`` with, as far as the ontology
        holds them ("Rupert Giles" → Jenny Calendar); none without the ontology."""
        return self._shipped.get(name, frozenset())

    @cached_property
    def titled(self) -> dict[str, tuple[int, ...]]:
        """Word → the characters AO3 calls "The <word>" (none without the ontology)."""
        return _titled_people(self.gazetteer) if self.ontology is not None else {}

    def people(self, form: str) -> tuple[int, ...]:
        """The gazetteer's characters a form may name; "the Doctor", the titled ones."""
        if form.startswith("the "):
            return self.titled.get(form[4:], ())
        return self.gazetteer.people(form)

    def homes(self, form: str) -> tuple[dict[str, dict[str, str]], int]:
        """(franchise → {character: fandom}, how many characters have the name at all)."""
        return self._reading(form)[:2]

    def shares(self, form: str) -> tuple[dict[str, float], float]:
        """(franchise → how much AO3 tags that franchise's characters of this name — their
        evidence there, plus one each; the share of the name's characters AO3 places at all).

        Divided by :meth:`weight`, it is the chance that a character the franchise's stories
        name is one of these: a lead tagged on thousands of works, not a parent tagged once.
        """
        _, _, shares, placed = self._reading(form)
        return shares, placed

    def tagged(self, name: str) -> float:
        """How much AO3 tags the character ``name`` (a curated primer character: as a typical
        lead of the franchise), as the readings of her names so far found it: what decides
        between two characters a name could be when the story does not ("Hermione Granger",
        tagged on thousands of works, over "Hermione Granger (established)", on one)."""
        return self._tagged.get(name, 0.0)

    def _reading(self, form: str) -> tuple[dict[str, dict[str, str]], int, dict[str, float], float]:
        got = self._homes.get(form)
        if got is not None:
            return got
        homes: dict[str, dict[str, str]] = defaultdict(dict)
        shares: dict[str, float] = defaultdict(float)
        people: set[str] = set()
        placed: set[str] = set()
        for entry in self.primer.by_alias.get(form, ()):
            fr = self.franchise(entry.fandom)
            if entry.name not in homes[fr]:
                homes[fr][entry.name] = entry.fandom
                shares[fr] += self.typical(fr)  # a curated character: as tagged as most
                self._tagged[entry.name] = max(self._tagged.get(entry.name, 0.0), self.typical(fr))
            people.add(entry.name)
            placed.add(entry.name)
        gaz = self.gazetteer
        for i in self.people(form):
            name = gaz.name(i)
            people.add(name)
            where = gaz.homes(i) or self.extra_homes.get(name, {})
            if not where or name in placed:
                continue
            placed.add(name)
            for fr, n in where.items():
                fandoms = gaz.fandoms(i) or where
                homes[fr][name] = max(
                    (f for f in fandoms if self.franchise(f) == fr),
                    key=lambda f: (fandoms[f], f == fr),
                    default=fr,
                )
                shares[fr] += n + 1
            self._tagged[name] = max(self._tagged.get(name, 0.0), float(sum(where.values())))
        got = (dict(homes), len(people), dict(shares), len(placed) / max(1, len(people)))
        self._homes[form] = got
        return got


def _weight(mentions: int) -> float:
    return min(1.0, mentions / MENTIONS_FULL)


def franchise_evidence(
    knowledge: Knowledge,
    forms: dict[str, int],
    everyday: set[str],
    term_counts: dict[str, int] | None = None,
    named: Iterable[str] = (),
    model: FandomModel | None = None,
) -> dict[str, FranchiseEvidence]:
    """Log odds per franchise, against a fandom ficsift cannot place, from the names (form →
    mentions) a story uses.

    A name ``n`` in a story of franchise F is one of F's characters (share ``alpha``; F has
    ``size`` of them) or a name from anywhere (the share of all AO3 characters so called,
    ``people(n) / population``, many times more for an everyday word).  Each character of F
    the story names multiplies F's odds by ``1 + β · population / (size · people(n))`` with
    ``β = alpha / (1 - alpha)``; each known name F does not explain by ``1 - alpha`` to
    the power ``placed(n) / log2(1 + people(n))`` (the share of the name's characters AO3
    places, less for a name many share).  So a small cast whose names the story keeps using
    stands out, a common first name hardly counts either way, and a big franchise that
    explains a few names of a novel by chance loses.
    """
    model = model or FandomModel()
    beta = model.alpha / (1 - model.alpha)
    population = knowledge.population
    out: dict[str, FranchiseEvidence] = {}
    total = 0.0

    def of(fr: str) -> FranchiseEvidence:
        ev = out.get(fr)
        if ev is None:
            ev = out[fr] = FranchiseEvidence(fr, size=knowledge.size(fr))
        return ev

    for form, count in forms.items():
        where = knowledge.terms.get(form)
        if where and form not in everyday:
            # An in-world term the story capitalises ("the Hellmouth"): evidence for the
            # franchises AO3 files it under, split between them.
            odds = _weight(count) * math.log1p(ONTOLOGY_TERM_LR / len(where))
            for fr in where:
                ev = of(fr)
                ev.terms += odds
                ev.reasons.append(f"AO3 term: {form} ×{count}")
        homes, people = knowledge.homes(form)
        if not people:
            continue
        shares, placed = knowledge.shares(form)
        w = _weight(count)
        # A name many AO3 characters share ("Danny": 22) says less, explained or not, than one
        # name of one character: an unexplained common name is most often the story's own.
        says = w * placed / math.log2(1 + people)
        ordinary = form in everyday or knowledge.is_thing(form)
        if not ordinary:
            # "She", "England": a word, not a name.  A name AO3 places nowhere ("Madara") may
            # be a character of any franchise: only a name placed elsewhere tells against one.
            total += says
        if not homes:
            continue
        common = people * (model.everyday if ordinary else 1)
        for fr, chars in homes.items():
            ev = of(fr)
            # A name several characters of one franchise share ("the Doctor") is one name,
            # credited to the one the story's other names already point to.  A character AO3
            # places in several franchises counts in each by its share of its links there.
            name = max(chars, key=lambda c: (ev.characters.get(c, 0.0), c))
            # P(this name | a story of fr): half "any of its characters alike", half "as
            # often as AO3 tags them" (a lead more than a parent tagged once).
            chance = (1 - model.popularity) * len(chars) / ev.size + model.popularity * shares[
                fr
            ] / knowledge.weight(fr)
            odds = w * math.log1p(beta * chance * population / common)
            if odds > ev.characters.get(name, 0.0):
                ev.characters[name] = odds
            ev.forms[form] = (name, odds)
            ev.mentions[name] = ev.mentions.get(name, 0) + count
            if not ordinary:
                ev.explained += says
                ev.rarest = people if ev.rarest is None else min(ev.rarest, people)
            for f in set(chars.values()):
                ev.fandom_votes[f] = ev.fandom_votes.get(f, 0.0) + odds
                if f in knowledge.primer.fandoms:
                    ev.primer_fandoms.add(f)
    penalty = math.log(1 - model.alpha)
    for ev in out.values():
        ev.total = total
        ev.log_odds = ev.score + penalty * max(0.0, total - ev.explained)
    for term, count in (term_counts or {}).items():
        fandoms = {f.fandom for f in knowledge.primer.fandoms.values() if term in f.terms}
        for fandom in sorted(fandoms):  # (a set's order varies from run to run)
            ev = of(knowledge.franchise(fandom))
            odds = _weight(count) * math.log1p(TERM_LR / len(fandoms))
            ev.terms += odds
            ev.log_odds += odds
            ev.primer_fandoms.add(fandom)
            ev.reasons.append(f"term: {term} ×{count}")
    for fandom in sorted(named):
        ev = of(knowledge.franchise(fandom))
        if not ev.named:
            ev.log_odds += math.log1p(NAMED_LR)
        ev.named = True
        if fandom in knowledge.primer.fandoms:
            ev.primer_fandoms.add(fandom)
        ev.fandom_votes[fandom] = ev.fandom_votes.get(fandom, 0.0) + math.log1p(NAMED_LR)
        ev.reasons.append("named in the disclaimer or notes")
    return out


def posterior(
    knowledge: Knowledge, evidence: dict[str, FranchiseEvidence], model: FandomModel | None = None
) -> list[FranchiseEvidence]:
    """The franchises, most probable first, with ``probability`` set: the posterior against
    every other franchise and against a fandom ficsift cannot place (``unknown_prior``; the
    others' prior in proportion to how many characters they have)."""
    model = model or FandomModel()
    placed = knowledge.placed
    curated = knowledge.primer_franchises
    share = model.primer_prior / max(1, len(curated))
    for ev in evidence.values():
        ev.log_prior = math.log(
            (1 - model.unknown_prior - model.primer_prior) * ev.size / placed
            + (share if ev.franchise in curated else 0.0)
        )
    logs = {fr: ev.log_prior + ev.log_odds for fr, ev in evidence.items()}
    rest = model.unknown_prior + (1 - model.unknown_prior) * max(
        0.0, 1 - sum(ev.size for ev in evidence.values()) / placed
    )
    top = max([math.log(rest), *logs.values()])
    norm = math.exp(math.log(rest) - top) + sum(math.exp(v - top) for v in logs.values())
    for fr, ev in evidence.items():
        ev.probability = math.exp(logs[fr] - top) / norm
    return sorted(evidence.values(), key=lambda e: (-e.probability, e.franchise))


@dataclass(slots=True)
class Decision:
    """A fandom the story is said to be in, or the best guess when it is not said."""

    fandom: str
    franchise: str
    probability: float  # the posterior (calibrated by the caller)
    evidence: FranchiseEvidence
    primer_score: float = 0.0  # the primer's own score for a fandom of this franchise
    top: bool = False  # the posterior's first franchise (a crossover candidate is not)

    @property
    def only_common_names(self) -> bool:
        """Whether the franchise explains names of the story, all of them common ones, and the
        primer does not know it: "Jo", "Beth" and "Amy" are Total Drama's, and each a dozen
        other canons' too, so a story of another canon that uses them fits Total Drama by
        chance.  (The posterior takes names as independent; common ones are not.)  Left out of
        the primer, the shared corpus's candidates whose rarest name at least
        :data:`COMMON_NAME` AO3 characters share were right 2 times in 120; those with a name
        only one character has, 129 times in 159."""
        rarest = self.evidence.rarest
        return self.primer_score <= 0 and rarest is not None and rarest >= COMMON_NAME

    @property
    def explained_share(self) -> float:
        """The share of the story's placed names (by weight) this franchise explains."""
        ev = self.evidence
        return min(1.0, ev.explained / ev.total) if ev.total > 0 else 0.0

    @property
    def features(self) -> tuple[float, float, float, float, float]:
        """What the calibration reads: the posterior's log odds, the primer's score, whether
        it is the posterior's first franchise, for that one the share of the story's placed
        names it explains, and for a crossover candidate the primer's score again.

        The posterior weighs every unexplained name alike; whether a story whose names are
        mostly some other canon's is the first franchise's is learnt from the corpus.  A
        crossover candidate (its names beside another canon's) has the primer's score of its
        own weight: the curated primer naming the second canon says more there.
        """
        p = min(1 - 1e-9, max(1e-9, self.probability))
        top = 1.0 if self.top else 0.0
        score = round(self.primer_score, 4)
        return (
            round(math.log(p / (1 - p)), 4),
            score,
            top,
            round(top * self.explained_share, 4),
            (1 - top) * score,
        )


COMMON_NAME = 5  # a name this many AO3 characters share is a common one
CROSSOVER_DISTINCT = 3  # characters of its own a franchise the primer does not know needs
CROSSOVER_SHARE = 0.5  # … and this share of the main franchise's evidence


def decide(
    knowledge: Knowledge,
    ranked: list[FranchiseEvidence],
    primer_choice: list[tuple[str, float]],
    model: FandomModel | None = None,
) -> list[Decision]:
    """The franchises worth naming, best first, each with its fandom: the primer's (in the
    order its own reading chose them: ``primer_choice``), else the AO3 fandom the story's
    names are most often tagged with.  The caller decides which clear the bar.

    A second franchise is a crossover candidate when the primer's reading chose it or it has
    several characters of its own; its probability is its posterior with the names the first
    franchise explains set aside (they are the other canon's, not unexplained names).
    """
    if not ranked:
        return []
    model = model or FandomModel()
    scores: dict[str, float] = {}
    for fandom, score in primer_choice:
        fr = knowledge.franchise(fandom)
        scores[fr] = max(scores.get(fr, 0.0), score)
    chosen = [f for f, _ in primer_choice]
    top = ranked[0]
    out = [
        Decision(f, top.franchise, top.probability, top, scores.get(top.franchise, 0.0), True)
        for f in _fandoms_of(top, knowledge, chosen)
    ]
    penalty = math.log(1 - model.alpha)
    rest = math.log(model.unknown_prior)
    for whole in ranked[1:]:
        other = whole.beside(top)
        named = [f for f in chosen if knowledge.franchise(f) == other.franchise]
        if not named and not (
            not other.primer_fandoms
            and other.distinct >= CROSSOVER_DISTINCT
            and other.score >= CROSSOVER_SHARE * top.score
        ):
            continue
        unexplained = max(0.0, other.total - other.explained - top.explained)
        odds = other.log_prior + other.score + penalty * unexplained - rest
        p = 1 / (1 + math.exp(-max(-50.0, min(50.0, odds))))
        out += [
            Decision(f, other.franchise, p, other, scores.get(other.franchise, 0.0))
            for f in _fandoms_of(other, knowledge, chosen)
        ]
    return out


def _fandoms_of(ev: FranchiseEvidence, knowledge: Knowledge, primer_choice: list[str]) -> list[str]:
    chosen = [f for f in primer_choice if knowledge.franchise(f) == ev.franchise]
    if chosen:
        return chosen
    if ev.primer_fandoms:
        return [max(sorted(ev.primer_fandoms), key=lambda f: ev.fandom_votes.get(f, 0.0))]
    return [max(sorted(ev.fandom_votes), key=lambda f: ev.fandom_votes[f], default=ev.franchise)]
