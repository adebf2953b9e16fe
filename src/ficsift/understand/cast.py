"""Who is in the story, and which fandom it belongs to.

1. **Gazetteer pass.**  Every alias of every primer character (``primer.py``) is matched in one
   Aho-Corasick pass, case-sensitively and on word boundaries, longest match first.  A name
   that is also an everyday word ("Will", "Dawn", "Faith", "Spike") counts only where it is
   not the first word of a sentence, if the story also uses the word in lower case; a number
   word ("Nine", "Twelve") never at a sentence start.  A title ("Doctor") names a character
   only once the fandom is known, and not before another name ("Doctor Watson").
2. **Fandom.**  Each fandom scores the characters it would explain, weighted by how
   distinctive the matched names are (an alias shared by k fandoms counts 1/k) and by
   log-mentions, plus its distinctive terms and any fandom a disclaimer or note names.
   A second fandom is a crossover only with characters of its own.
3. **Cast.**  Mentions are resolved within the chosen fandoms (an alias two characters share,
   "the Doctor", goes to the one the story names unambiguously most, or whose usual partners
   the story is about); frequent person-like capitalised names the primer does not know
   become original characters ("Ronnie", "Pilfrey" and "Ronnie Pilfrey" are one).  A lead the
   story calls "he" throughout and hardly names is found by ``pronouns.py``.
4. **Prominence** mixes mention share and spread across the story; roles follow from it:
   ``main`` and ``significant`` characters are what an author would tag, ``minor`` ones not.
   A name only spoken of in dialogue counts half; a paragraph credited by pronouns, half.
   Someone present from beginning to end is significant though seldom named; someone
   confined to one chapter, or only ever talked about (never saying or doing anything in
   the narration), is minor.  A story whose own characters dwarf the one canon name it
   mentions is original work; a script's capitalised speaker names are read as names.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import ahocorasick

from ficsift.understand.calibration import Calibration, load_calibration
from ficsift.understand.fandoms import (
    Decision,
    FandomModel,
    Knowledge,
    addressed_forms,
    decide,
    franchise_evidence,
    name_forms,
    posterior,
    titled_forms,
)
from ficsift.understand.primer import CharacterEntry, Primer, display_name
from ficsift.understand.pronouns import credit_unnamed_lead
from ficsift.understand.story import CastMember, StoryText
from ficsift.understand.textops import (
    TITLE_WORDS,
    Quoted,
    english_words,
    in_quotes,
    lower_words,
    quoted_spans,
)

MIN_FANDOM_SCORE = 2.0
CROSSOVER_SHARE = 0.3  # a crossover's lead, in mentions relative to the main fandom's lead
CROSSOVER_LEAD_SHARE = 0.5  # … or this share without other support
CROSSOVER_MIN_MENTIONS = 5
CROSSOVER_MIN_LEAD = 3
EVERYDAY_WEIGHT = 0.25  # a name that is also an ordinary word is weak evidence of a fandom
TERM_WEIGHT = 0.5
NAMED_WEIGHT = 4.0  # a disclaimer or note naming the fandom or its creators
SHARED_PRIOR = 0.5  # how a shared name splits between fandoms with no evidence of their own
ONTOLOGY_WEIGHT = 0.5  # a character known from AO3 links only counts half for its fandom
SIGNIFICANT_SHARE = 0.12  # mentions relative to the most-mentioned character
MAIN_SHARE = 0.35
SIGNIFICANT_MENTIONS = 30  # … or named this often
SIGNIFICANT_SPREAD = 0.3  # … across this share of the story's parts
PRESENT_MENTIONS = 10  # … or named this often and present throughout (most of its parts)
PRESENT_SPREAD = 0.6
PASSING_SPREAD = 0.15  # a character confined to one part (a chapter, a tenth) is passing through
MIN_MENTIONS = 3
IMPLIED_WEIGHT = 0.5
DIALOGUE_WEIGHT = 0.5  # a name inside quotation marks, relative to one in the narration
MIN_PAIRED_MENTIONS = 2  # named this often, a minor character may still be half a pairing
OC_MIN_MENTIONS = 6
KNOWN_NAME_MENTIONS = 3  # … or this often, for a name an AO3 character has (no fandom said)
# In a story up to SHORT_STORY_WORDS long an unknown name must also recur at a rate, once per
# WORDS_PER_UNKNOWN words (at least UNKNOWN_MIN_MENTIONS times), to join the cast: six or a
# dozen mentions of a "Tom" or a "Sam" in a 4,000-word story are someone met in passing, not
# a lead, whereas a drabble's leads are named only a few times.  Past that length the bar stops
# rising: a novel's side characters are named hundreds of words apart.  Measured on the shared
# stories (LOFO characters F1): one per 100 words drops the leads of short stories, whose
# names can recur as seldom as once per 250 words (0.802 -> 0.714 uncapped, 0.802 at 500 words);
# one per 300 up to 4,000 words keeps them and drops the passers-by (0.802 -> 0.806).
WORDS_PER_UNKNOWN = 300
UNKNOWN_MIN_MENTIONS = 2
SHORT_STORY_WORDS = 4000
MIN_SPEAKER_LINES = 5  # lines holding only a name in capitals, in the story's opening: a script
SCRIPT_SCAN = 20000
# A capitalised word the story writes after an article this often ("the Bijin", "a Chikara",
# "the Empire") is a kind, a rank or an institution of its world, not a person: a person's
# name takes an article seldom ("the Watcher Creighton Faust"; a "Clara" once in four).
KIND_SHARE = 0.4
KIND_SAMPLE = 100
STRAY_FULL_NAMES = 3  # a full name this many times as frequent as the others sharing its part
OPENER_RUNS = 1  # a run of an ordinary word and a name seen this seldom is no full name
# A story whose own characters are named this often, and the canon's lead less than this share
# of that, is original fiction that mentions a canon name in passing.
OWN_CAST_MENTIONS = 50
OWN_CAST_SHARE = 0.05
MIN_ACTING_SHARE = 0.12  # of a significant character's mentions, showing them act or speak

# Names that are also number words ("Nine hundred of them", "Ten minutes later") are ordinary
# words at the start of a sentence whether or not the story also writes them in lower case.
NUMBER_WORDS = frozenset(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
     "twelve", "thirteen", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
     "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "hundred", "thousand"]
)  # fmt: skip
_TITLE_BEFORE_NAME_RE = re.compile(r"[ \t]+[A-Z]")

_OPENERS = " \t\"'“‘(*_-—–["
_SENTENCE_ENDS = ".!?…:\n"
# The capital comes before the look-behind (which then looks past it): a pattern that opens
# with a character class lets the regex engine skip ahead to capitals (2x faster).
_PROPER_RE = re.compile(
    r"[A-Z](?<![\w'’].)[a-z]+(?:[-'’][A-Za-z]+)?(?:[ \t]+(?:(?:von|van|der|de|la|du|di|da|del|O')[ \t]+)?[A-Z][a-z]+(?:-[A-Za-z]+|['’][A-Z][a-z]+)?){0,2}(?![\w])"
)
_PERSON_AFTER_RE = re.compile(
    r"^(?:'s|’s|,?\s+(?:said|says|asked|asks|replied|whispered|shouted|muttered|murmured|snapped|"
    r"smiled|smirked|grinned|laughed|sighed|nodded|shrugged|frowned|looked|turned|walked|stood|sat|"
    r"knew|thought|felt|wanted|could|would|had|was|did|didn't|couldn't|wasn't|took|put|pulled|"
    r"pushed|held|kissed|stared|glanced|moved|leaned|started|tried|let|made|got|went|came))\b"
)
_SAID_BEFORE_RE = re.compile(r"\b(?:said|says|asked|asks|replied)\s*$")
# Any verb in the past tense ("Xander wandered in"), and the usual ones in the present, for
# stories told in it ("Giles bends to Dawn", "Clara is on top of him": the present of the
# "was", "had" and "did" that _PERSON_AFTER_RE takes).
_ACTS_NOW_RE = re.compile(
    r"^,?\s+(?:\w+ly\s+)?(?:[a-z]+ed|says|asks|replies|whispers|shouts|mutters|murmurs|snaps|smiles|smirks|"
    r"grins|laughs|sighs|nods|shrugs|frowns|looks|turns|walks|stands|sits|knows|thinks|feels|"
    r"wants|takes|puts|pulls|pushes|holds|kisses|stares|glances|moves|leans|starts|tries|lets|"
    r"makes|gets|goes|comes|bends|reaches|watches|hands|picks|opens|closes|steps|runs|shakes|"
    r"touches|is|has|does|isn't|hasn't|doesn't|can|can't|will|won't|likes|loves|needs|hates|"
    r"hopes|wonders|tells|gives|leaves|stops|waits|hears|sees|finds|keeps|tugs|presses|slides"
    # any other verb of the present acting on something: "Sam rolls her eyes"
    r"|[a-z]{2,}s\s+(?:her|his|their|its|my|your|the|a|an)(?=\s))\b"
)
_ENGLISH_RE = re.compile(r"\b(?:the|and|was|is|of)\b")
_ARTICLE_BEFORE_RE = re.compile(r"\b(?:the|a|an|another|every|each)\s+$", re.I)
_PLACE_BEFORE_RE = re.compile(
    r"\b(?:in|at|from|to|into|of|near|toward|towards|outside|inside)\s+(?:the\s+)?$", re.I
)
# Capitalised words that are never characters however often they appear.
NOT_NAMES = frozenset(
    [
        "I",
        "I'm",
        "I'll",
        "I've",
        "I'd",
        "Mr",
        "Mrs",
        "Ms",
        "Miss",
        "Dr",
        "Sir",
        "Lady",
        "Lord",
        "God",
        "Jesus",
        "Christ",
        "Oh",
        "Okay",
        "OK",
        "Yes",
        "No",
        "Not",
        "Hey",
        "Hi",
        "Well",
        "What",
        "Why",
        "How",
        "When",
        "Where",
        "Who",
        "Then",
        "Now",
        "Just",
        "But",
        "And",
        "The",
        "A",
        "An",
        "This",
        "That",
        "There",
        "They",
        "We",
        "You",
        "He",
        "She",
        "It",
        "Its",
        "His",
        "Her",
        "Their",
        "Our",
        "My",
        "Your",
        "Mom",
        "Mum",
        "Dad",
        "Mother",
        "Father",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Christmas",
        "English",
        "British",
        "American",
        "French",
        "German",
        "Chapter",
        "Part",
        "Prologue",
        "Epilogue",
        "Please",
        "Thanks",
        "Thank",
        "Sorry",
        "Maybe",
        "Yeah",
        "Yep",
        "Nope",
        "Ah",
        "Um",
        "Uh",
        "Er",
        "Hmm",
        "Wow",
        "Damn",
        "Hell",
        "Fuck",
        "Shit",
        "Bloody",
        "Good",
        "Great",
        "Right",
        "Sure",
        "Fine",
        "Look",
        "Listen",
        "Wait",
        "Come",
        "Stop",
        "Don't",
        "Can't",
        "Won't",
        "It's",
        "That's",
        "There's",
        "Here",
        "Still",
        "So",
        "If",
        "Because",
        "After",
        "Before",
        "Once",
        "Every",
        "All",
        "Some",
        "Any",
        "Nothing",
        "Something",
        "Everything",
        "Anyway",
        "Later",
        "Tonight",
        "Today",
        # conjunctions and adverbs that open a sentence ("Though Rip had no idea…")
        "Though",
        "Although",
        "While",
        "Since",
        "Until",
        "Unless",
        "Perhaps",
        "Even",
        "Only",
        "Also",
        "Yet",
        "Or",
        "Nor",
        "As",
        "At",
        "In",
        "On",
        "Of",
        "For",
        "With",
        "Without",
        "Whatever",
        "Whoever",
        "Whenever",
        "Wherever",
        "Instead",
        "Again",
        "Never",
        "Always",
        "Sometimes",
        "Finally",
        "Suddenly",
    ]
)


@dataclass(slots=True)
class FandomScore:
    fandom: str
    score: float
    characters: int
    reasons: list[str] = field(default_factory=list)
    probability: float | None = None  # that the story is in this fandom (fandoms.py)
    features: tuple[float, ...] = ()  # what the calibration read (calibration.py)


@dataclass(slots=True)
class CastResult:
    fandoms: list[FandomScore]
    cast: list[CastMember]  # most prominent first; includes minor and original characters
    roles: dict[str, str]  # name -> main | significant | minor
    candidates: list[FandomScore] = field(default_factory=list)  # said or not, best first

    def tagged(self) -> list[CastMember]:
        """The characters an author would tag: main and significant ones."""
        return [m for m in self.cast if self.roles.get(m.name) in {"main", "significant"}]

    def paired(self) -> list[CastMember]:
        """Who may be in a relationship: the tagged cast, then named minor characters.

        A lead can go nearly unnamed ("he", "the Doctor" twice in a two-hander), so the
        pairing is read over a wider cast than the character tags: the lead the story's
        pronouns were credited to is in it, whether or not ficsift can place them.
        """
        tagged = self.tagged()
        minor = [
            m
            for m in self.cast
            if m not in tagged
            and (m.implied or (not m.original and m.count >= MIN_PAIRED_MENTIONS))
        ]
        return tagged + minor


class Gazetteer:
    """One Aho-Corasick automaton over every alias of a primer (built once per primer)."""

    def __init__(self, primer: Primer) -> None:
        self.primer = primer
        self.automaton = ahocorasick.Automaton()
        fandom_terms: dict[str, list[str]] = defaultdict(list)
        for entry in primer.fandoms.values():
            for term in entry.terms:
                fandom_terms[term].append(entry.fandom)
        self.terms = dict(fandom_terms)
        for alias in set(primer.by_alias) | set(primer.by_title) | set(self.terms):
            self.automaton.add_word(alias, alias)
        self.automaton.make_automaton()

    @cached_property
    def alias_fandoms(self) -> dict[str, int]:
        return {a: len({c.fandom for c in entries}) for a, entries in self.primer.by_alias.items()}


_GAZETTEERS: dict[int, Gazetteer] = {}
# Primers kept built at once: the shipped one, and a few a library learnt (each re-learning
# makes a new primer; the oldest is let go rather than kept for the life of the process).
PRIMERS_KEPT = 8


def _remember(cache: dict, key: int, value: object) -> None:
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > PRIMERS_KEPT:
        del cache[next(iter(cache))]


def gazetteer_for(primer: Primer) -> Gazetteer:
    got = _GAZETTEERS.get(id(primer))
    if got is None or got.primer is not primer:
        got = Gazetteer(primer)
        _remember(_GAZETTEERS, id(primer), got)
    return got


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_ENDS


def _joined(neighbour: str, edge: str) -> bool:
    """Does ``neighbour`` continue the word that ends (or starts) with ``edge``?"""
    if not (neighbour.isalnum() or neighbour == "_"):
        return False
    return not (_unspaced(edge) or _unspaced(neighbour))


def _unspaced(char: str) -> bool:
    """A character of a script that does not separate words by spaces (CJK, kana)."""
    return "\u3040" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _matches(text: str, gaz: Gazetteer) -> list[tuple[int, int, str]]:
    """(start, end, alias) of whole-word alias matches, longest first where they overlap."""
    found: list[tuple[int, int, str]] = []
    if not len(gaz.automaton):
        return found  # a primer of no fandoms (pyahocorasick cannot search an empty one)
    n = len(text)
    # (_joined inlined for the common case, a space or punctuation beside the name: this loop
    # runs once per automaton match, ~200,000 times over the shared stories.)
    for end_index, alias in gaz.automaton.iter(text):
        start = end_index - len(alias) + 1
        end = end_index + 1
        # Scripts written without spaces (Chinese, Japanese) have no word boundaries to check.
        if start > 0:
            before = text[start - 1]
            if (before.isalnum() or before == "_") and _joined(before, alias[0]):
                continue
        if end < n:
            after = text[end]
            if (after.isalnum() or after == "_") and _joined(after, alias[-1]):
                continue
        found.append((start, end, alias))
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str]] = []
    last_end = -1
    for m in found:
        if m[0] >= last_end:
            kept.append(m)
            last_end = m[1]
    return kept


def find_cast(
    story: StoryText, primer: Primer, calibration: Calibration | None = None
) -> CastResult:
    """The story's fandoms, cast and roles.

    A fandom is named only when its probability (the ``calibration``'s fandom model over the
    posterior of :mod:`ficsift.understand.fandoms` and the primer's score) reaches the
    calibration's bar; otherwise the story has no fandom and its names are found as unknown
    characters.
    """
    calibration = calibration or load_calibration()
    model = FandomModel(**calibration.model) if calibration.model else FandomModel()
    text = _unshouted(story.text)
    gaz = gazetteer_for(primer)
    matches = _matches(text, gaz)
    single = {a for _, _, a in matches if " " not in a}
    everyday = _everyday_words(text, single) | {a for a in single if a.lower() in NUMBER_WORDS}
    name_hits: list[tuple[int, int, str]] = []
    title_hits: list[tuple[int, int, str]] = []
    term_counts: Counter[str] = Counter()
    for start, end, alias in matches:
        if alias in primer.by_title and alias not in primer.by_alias:
            if not _TITLE_BEFORE_NAME_RE.match(text, end):
                title_hits.append((start, end, alias))
            continue
        if alias in gaz.terms and alias not in primer.by_alias:
            term_counts[alias] += 1
            continue
        if alias in everyday and _sentence_initial(text, start):
            continue
        name_hits.append((start, end, alias))
        if alias in gaz.terms:
            term_counts[alias] += 1

    named = _fandoms_named_outside_story(story, primer)
    by_primer = score_fandoms(story, primer, gaz, name_hits, term_counts, everyday, named)
    knowledge = knowledge_for(primer)
    spans = name_forms(text, knowledge.forms)
    # The primer's own matches too: names in scripts without capitals (小月), "the Master".
    seen = {s for where in spans.values() for s, _ in where}
    for start, end, alias in name_hits:
        if start not in seen:
            spans.setdefault(alias, []).append((start, end))
            seen.add(start)
    # "the Doctor": a character AO3 calls "The Doctor (Doctor Who)", by its title.
    spans.update(titled_forms(text, knowledge.titled, seen))
    ordinary = _ordinary_words(text, spans)
    evidence = franchise_evidence(
        knowledge, {f: len(v) for f, v in spans.items()}, ordinary, term_counts, named, model
    )
    decisions = decide(
        knowledge,
        posterior(knowledge, evidence, model),
        [(f.fandom, f.score) for f in by_primer],
        model,
    )
    scored = [_scored(d, calibration.fandom_probability(d.features)) for d in decisions]
    guess = scored[0] if scored else None
    # Not sure enough: no fandom beats a wrong one.  A crossover clears the bar on its own.
    bar = calibration.fandom_bar
    sayable = {id(f) for f, d in zip(scored, decisions, strict=True) if not d.only_common_names}
    fandoms = [f for f in scored if (f.probability or 0.0) >= bar and id(f) in sayable]
    if guess is not None and fandoms and fandoms[0] is not guess:
        fandoms = []
    chosen = [f.fandom for f in fandoms]
    members = _resolve(
        sorted(name_hits + title_hits), primer, [f for f in chosen if f in primer.fandoms]
    )
    others = [d for d in decisions if d.fandom in chosen and d.fandom not in primer.fandoms]
    if others:  # the fandom said, "…, Doctor." is the Doctor (as a primer's titles are)
        for form, where in addressed_forms(text, knowledge.titled, seen).items():
            spans[form] = sorted({*spans.get(form, ()), *where})
    members += _gazetteer_members(text, spans, ordinary, knowledge, others, members)
    members += _original_characters(
        text,
        matches,
        members,
        None if fandoms else knowledge,
        people=knowledge,
        is_term=lambda name: name in gaz.terms or name in knowledge.terms,
        story_words=story.words,
    )
    if fandoms and _a_cast_of_its_own(members):
        fandoms = []  # "Palpatine" named in passing in a novel of original characters
    credit_unnamed_lead(story, members, primer, knowledge.shipped_with)
    roles = _assign_prominence(story, members, original_work=not fandoms)
    members.sort(key=lambda m: -m.prominence)
    # No fandom said, yet a cast of its own: original fiction, or fan fiction of a fandom
    # ficsift does not know?  The text cannot tell (left out, the shared corpus's own fandoms
    # drew most such guesses of "Original Work"), so the story keeps no fandom and its leads
    # are found as unknown names.
    return CastResult(fandoms, members, roles, scored)


def _scored(d: Decision, probability: float) -> FandomScore:
    ev = d.evidence
    top = sorted(ev.characters, key=lambda c: -ev.characters[c])[:5]
    reasons = [f"characters: {', '.join(display_name(c) for c in top)}"] if top else []
    if d.primer_score:
        reasons.append(f"primer score {d.primer_score:.1f}")
    return FandomScore(
        d.fandom,
        ev.score,
        len(ev.characters),
        reasons + ev.reasons,
        round(probability, 4),
        d.features,
    )


_KNOWLEDGE: dict[int, Knowledge] = {}


def knowledge_for(primer: Primer) -> Knowledge:
    """The primer with AO3's gazetteer (built once per primer)."""
    got = _KNOWLEDGE.get(id(primer))
    if got is None or got.primer is not primer:
        got = Knowledge(primer, primer.ontology)
        _remember(_KNOWLEDGE, id(primer), got)
    return got


def _ordinary_words(text: str, spans: dict[str, list[tuple[int, int]]]) -> set[str]:
    """One-word names ("Will", "Grace") and titles ("the Doctor") the story also writes as
    ordinary lower-case words, or capitalises once or twice, only to open a sentence
    ("Clear.", "Break it up")."""
    out: set[str] = set()
    last: dict[str, str] = {}
    for form, where in spans.items():
        words = form.split()
        if len(words) > 1 and words[0] not in ("The", "the"):
            continue
        if (
            len(words) == 1
            and len(where) <= 2
            and all(_sentence_initial(text, s) for s, _ in where)
        ):
            out.add(form)
        else:
            last[form] = words[-1].lower()
    lower = lower_words(text)
    return out | {form for form, word in last.items() if word in lower}


def _gazetteer_members(
    text: str,
    spans: dict[str, list[tuple[int, int]]],
    ordinary: set[str],
    knowledge: Knowledge,
    decisions: list[Decision],
    known: list[CastMember],
) -> list[CastMember]:
    """The cast of a fandom the primer does not know, from AO3's names of its characters.

    A name one character of the franchise has is theirs; a name several share ("Uchiha")
    goes to the one the story names unambiguously most, else to the one AO3 tags most.  A one-word name the story also uses
    as an ordinary word counts only where it does not open a sentence.
    """
    if not decisions:
        return []
    taken = {s for m in known for s, _ in m.mentions}
    fandom_of = {d.franchise: d.fandom for d in decisions}
    mentions: dict[str, list[tuple[int, int]]] = defaultdict(list)
    owner: dict[str, str] = {}
    shared: list[tuple[tuple[int, int], list[str]]] = []
    for form, where in spans.items():
        homes, _ = knowledge.homes(form)
        for franchise, chars in homes.items():
            if franchise not in fandom_of:
                continue
            kept = [
                (s, e)
                for s, e in where
                if s not in taken and not (form in ordinary and _sentence_initial(text, s))
            ]
            names = sorted(chars)
            for name in names:
                owner.setdefault(name, fandom_of[franchise])
            if len(names) == 1:
                mentions[names[0]].extend(kept)
            else:
                shared.extend((span, names) for span in kept)
    for span, names in shared:
        best = max(names, key=lambda n: (len(mentions.get(n, ())), knowledge.tagged(n), n))
        mentions[best].append(span)
    _partnered_members(text, spans, knowledge, taken, mentions, owner)
    return [
        CastMember(name=name, fandom=owner[name], mentions=sorted(set(spans_)))
        for name, spans_ in mentions.items()
        if spans_ and not _GROUP_TAG_RE.search(name)
    ]


def _partnered_members(
    text: str,
    spans: dict[str, list[tuple[int, int]]],
    knowledge: Knowledge,
    taken: set[int],
    mentions: dict[str, list[tuple[int, int]]],
    owner: dict[str, str],
) -> None:
    """A name no character of the story's fandom has, that one AO3 character of no home has,
    whom AO3 ships with someone already in this story's cast: "Jenny" beside Rupert Giles is
    Jenny Calendar (``Jenny Calendar/Rupert Giles``), at home in his fandom.  One ship is too
    weak to place her anywhere (crossover ships), but the story naming both is not."""
    gaz = knowledge.gazetteer
    cast = {name for name, where in mentions.items() if where}
    claimed = {s for where in mentions.values() for s, _ in where}
    # A partner's name opening a sentence or two ("Jenny smiled.") is hers unless the story
    # also writes it as a word: the ship is evidence enough that the capital is no accident.
    lower = lower_words(text)
    for form, where in spans.items():
        if form.startswith("the ") or any(s in claimed for s, _ in where):
            continue
        found = {
            gaz.name(i): owner[partner]
            for i in knowledge.people(form)
            if not gaz.homes(i)
            for partner in (gaz.name(p) for p in gaz.partners(i))
            if partner in cast
        }
        if len(found) != 1:
            continue
        ((name, fandom),) = found.items()
        as_word = form.lower() in lower
        kept = [
            (s, e)
            for s, e in where
            if s not in taken and not (as_word and _sentence_initial(text, s))
        ]
        if kept:
            mentions[name].extend(kept)
            owner.setdefault(name, fandom)


# AO3's tags for a kind or a group ("TARDIS(es) (Doctor Who)", "Dalek(s)", "Elezen
# Characters"): evidence of the fandom, but no one character an author would tag.
_GROUP_TAG_RE = re.compile(r"\((?:s|es)\)|\bCharacters\b")


def _a_cast_of_its_own(members: list[CastMember]) -> bool:
    """The story's own characters are its cast; the canon's are only named in passing."""
    own = max((m.count for m in members if m.original), default=0)
    canon = max((m.count for m in members if not m.original), default=0)
    return own >= OWN_CAST_MENTIONS and canon < OWN_CAST_SHARE * own


_SPEAKER_LINE_RE = re.compile(r"^[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}[ \t]*$", re.M)
_SHOUTED_RE = re.compile(r"\b[A-Z][A-Z]+\b")


def _unshouted(text: str) -> str:
    """A script ("MARTIN\n\nNo. Go back to sleep.") names its people in capitals: read them
    as names ("Martin"), letter for letter in place, so every offset stays the same."""
    if len(_SPEAKER_LINE_RE.findall(text, 0, SCRIPT_SCAN)) < MIN_SPEAKER_LINES:
        return text
    return _SHOUTED_RE.sub(lambda m: m.group(0)[0] + m.group(0)[1:].lower(), text)


def _everyday_words(text: str, aliases: set[str]) -> set[str]:
    """Aliases the story also uses as ordinary lower-case words ("dawn", "will", "spike")."""
    lower = lower_words(text)
    return {a for a in aliases if a.lower() in lower}


def has_word(text: str, word: str) -> bool:
    """``word`` occurs in ``text`` as a whole word, case-sensitively.

    str.find runs at memory speed; a regex that opens with a lookbehind scans char by char.
    """
    pos = text.find(word)
    while pos != -1:
        end = pos + len(word)
        if (pos == 0 or not text[pos - 1].isalnum()) and (
            end == len(text) or not text[end].isalnum()
        ):
            return True
        pos = text.find(word, end)
    return False


def score_fandoms(
    story: StoryText,
    primer: Primer,
    gaz: Gazetteer,
    name_hits: list[tuple[int, int, str]],
    term_counts: Counter[str],
    everyday: frozenset[str] | set[str] = frozenset(),
    named: set[str] | None = None,
) -> list[FandomScore]:
    """Rank the fandoms the story's names and terms point to; keep the best and its crossovers.

    Evidence a single fandom explains (a name or term only it has, a disclaimer naming it)
    decides first; a name several fandoms share ("Peter", "Sam") is then split between them in
    proportion to that evidence, so it strengthens the fandom the story is already in rather
    than spreading over every fandom that has a Peter.  Names that are also ordinary words
    ("Will", "Red", "King") count a quarter.
    """
    alias_counts = Counter(alias for _, _, alias in name_hits)
    if named is None:
        named = _fandoms_named_outside_story(story, primer)
    term_evidence: dict[str, float] = defaultdict(float)
    term_reasons: dict[str, list[str]] = defaultdict(list)
    for term, count in term_counts.items():
        for fandom in gaz.terms.get(term, []):
            term_evidence[fandom] += TERM_WEIGHT * math.log2(1 + count)
            term_reasons[fandom].append(f"term: {term} ×{count}")

    def weight(alias: str) -> float:
        return EVERYDAY_WEIGHT if alias in everyday else 1.0

    # Pass 1: evidence only one fandom explains.
    unique: dict[str, float] = defaultdict(float)
    for fandom, value in term_evidence.items():
        unique[fandom] += value
    for fandom in sorted(named):
        unique[fandom] += NAMED_WEIGHT
    for alias, count in alias_counts.items():
        fandoms = {e.fandom for e in primer.by_alias.get(alias, [])}
        if len(fandoms) == 1:
            unique[next(iter(fandoms))] += math.log2(1 + count * weight(alias))
    # Pass 2: every name, a shared one split by pass-1 evidence (evenly when there is none).
    mentions: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    curated: dict[str, dict[str, bool]] = defaultdict(dict)
    for alias, count in alias_counts.items():
        per_fandom_entries: dict[str, list[CharacterEntry]] = defaultdict(list)
        for entry in primer.by_alias.get(alias, []):
            per_fandom_entries[entry.fandom].append(entry)
        prior = {f: unique.get(f, 0.0) + SHARED_PRIOR for f in per_fandom_entries}
        total = sum(prior.values())
        for fandom, same in per_fandom_entries.items():
            # An alias characters of one fandom share ("the Doctor") is one name, not several.
            entry = same[0]
            mentions[fandom][entry.name] += count * weight(alias) * prior[fandom] / total
            curated[fandom][entry.name] = entry.curated
    scores: dict[str, FandomScore] = {}
    for fandom, chars in mentions.items():
        values = {
            c: math.log2(1 + n) * (1.0 if curated[fandom][c] else ONTOLOGY_WEIGHT)
            for c, n in chars.items()
        }
        top = sorted(values, key=lambda c: -values[c])[:5]
        scores[fandom] = FandomScore(
            fandom,
            sum(values.values()),
            len(values),
            [f"characters: {', '.join(display_name(c) for c in top)}"],
        )
    for fandom, value in term_evidence.items():
        fs = scores.setdefault(fandom, FandomScore(fandom, 0.0, 0))
        fs.score += value
        fs.reasons.extend(term_reasons[fandom])
    for fandom in sorted(named):
        fs = scores.setdefault(fandom, FandomScore(fandom, 0.0, 0))
        fs.score += NAMED_WEIGHT
        fs.reasons.append("named in the disclaimer or notes")
    order = {f: i for i, f in enumerate(primer.fandoms)}
    ranked = sorted(scores.values(), key=lambda f: (-round(f.score, 6), order.get(f.fandom, 0)))
    if not ranked or ranked[0].score < MIN_FANDOM_SCORE:
        return []
    chosen = [ranked[0]]
    first = ranked[0].fandom
    top_mentions = max(mentions.get(first, {}).values(), default=0.0)
    taken_names = {display_name(c) for c in mentions.get(first, {})}
    taken = {first}
    min_lead = max(CROSSOVER_MIN_LEAD, min(CROSSOVER_MIN_MENTIONS, story.words / 500))
    for other in ranked[1:]:
        # What the other fandom explains on its own: names no chosen fandom can claim.
        own: dict[str, float] = defaultdict(float)
        for alias, count in alias_counts.items():
            entries = primer.by_alias.get(alias, [])
            if any(e.fandom in taken for e in entries):
                continue
            theirs = [e for e in entries if e.fandom == other.fandom and e.curated]
            if theirs and display_name(theirs[0].name) not in taken_names:
                share = count * weight(alias) / max(1, gaz.alias_fandoms.get(alias, 1))
                own[theirs[0].name] += share
        if not own:
            continue
        lead = max(own.values())
        # A crossover has a cast member of its own who matters to the story, not a passing
        # name; a lesser one needs a second reason (another character, terms, the notes).
        support = sum(1 for n in own.values() if n >= MIN_MENTIONS) - 1
        support += bool(term_evidence.get(other.fandom)) + (other.fandom in named)
        if lead >= max(min_lead, CROSSOVER_SHARE * top_mentions) and (
            support >= 1 or lead >= CROSSOVER_LEAD_SHARE * top_mentions
        ):
            chosen.append(other)
            taken_names |= {display_name(c) for c in own}  # a rival version of the same canon
            taken.add(other.fandom)
    return chosen


def _fandoms_named_outside_story(story: StoryText, primer: Primer) -> set[str]:
    """Fandoms a disclaimer or note names, by title, alias or creator."""
    prose = "\n".join([story.disclaimer or "", *story.notes])
    if not prose.strip():
        return set()
    found = set()
    lowered = prose.casefold()
    for entry in primer.fandoms.values():
        for name in [entry.fandom, *entry.aliases, *entry.creators]:
            # The substring test first: thousands of names, almost none in a note.
            folded = name.casefold()
            if (
                len(name) >= 4
                and folded in lowered
                and re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", lowered)
            ):
                found.add(entry.fandom)
                break
    return found


def _resolve(
    name_hits: list[tuple[int, int, str]], primer: Primer, fandoms: list[str]
) -> list[CastMember]:
    if not fandoms:
        return []
    mentions: dict[str, list[tuple[int, int]]] = defaultdict(list)
    owners: dict[str, CharacterEntry] = {}
    ambiguous: list[tuple[int, int, list[CharacterEntry]]] = []
    for start, end, alias in name_hits:
        entries = primer.by_alias.get(alias) or primer.by_title.get(alias, [])
        candidates = [c for c in entries if c.fandom in fandoms]
        names = {c.name for c in candidates}
        if len(names) == 1:
            owners[candidates[0].name] = candidates[0]
            mentions[candidates[0].name].append((start, end))
        elif names:
            ambiguous.append((start, end, candidates))
    # An alias several characters share ("Summers", "the Doctor") goes to the one the story
    # names unambiguously most, or that appears beside its usual partners; failing both, to
    # the one the primer lists first (the more central character).
    # A partner counts by how much the story is about them: Clara named thirty times says
    # more about which Doctor this is than Amy named once.
    top = max((len(spans) for spans in mentions.values()), default=0) or 1
    for start, end, candidates in ambiguous:
        best = max(
            candidates,
            key=lambda c: (
                len(mentions.get(c.name, []))
                + 3 * max((len(mentions.get(p, [])) / top for p in c.partners), default=0.0)
            ),
        )
        owners.setdefault(best.name, best)
        mentions[best.name].append((start, end))
    return [
        CastMember(name=name, fandom=owners[name].fandom, mentions=sorted(spans))
        for name, spans in mentions.items()
    ]


def _original_characters(
    text: str,
    matches: list[tuple[int, int, str]],
    known: list[CastMember],
    names: Knowledge | None = None,
    people: Knowledge | None = None,
    is_term: Callable[[str], bool] = lambda name: False,
    story_words: int | None = None,
) -> list[CastMember]:
    """Frequent, person-like capitalised names that no primer character explains.

    With ``names`` (when no fandom was said), the primer's names are unknown names too, and a
    name some AO3 character has needs fewer mentions and no person-like context: it is a
    name, only of a character ficsift cannot place.  ``people`` (AO3's names, whatever the
    fandom) tells a first name ("Grace") from an ordinary word caught before a name ("Over").
    A name that is an in-world term of a canon ficsift knows (``is_term``: "Slayer",
    "Hellmouth") is a thing of that world, not a person.
    """
    # The primer's names the cast took; one of a fandom not chosen ("Oz" of RWBY's "Ozpin" in a
    # story of another canon) may still name one of the story's own characters.
    covered = {s for m in known for s, _ in m.mentions} if names is None else set()
    known_tokens = {tok for m in known for tok in display_name(m.name).split()}
    counts: dict[str, list[tuple[int, int]]] = defaultdict(list)
    initial: dict[str, list[tuple[int, int]]] = defaultdict(list)  # counted once the name qualifies
    runs = list(_PROPER_RE.finditer(text))
    # "Let Rupert", "Tomorrow Malcolm": a sentence's capitalised opening word that the story
    # also writes in lower case is no part of the name after it.
    in_lower = lower_words(text)
    # … nor is one the story never capitalises mid-sentence ("Having Clara", "Fortunately
    # Julius"), even when it never writes it in lower case: a name recurs where it is no
    # sentence's first word.
    opening = [_sentence_initial(text, m.start()) for m in runs]
    mid_sentence = {
        w for m, first in zip(runs, opening, strict=True) if not first for w in m.group(0).split()
    }
    for match, first_word in zip(runs, opening, strict=True):
        start = match.start()
        if start in covered:  # most capitalised words are the primer's names: done at once
            continue
        name = match.group(0)
        words = name.split()
        if (
            len(words) > 1
            and first_word
            and (words[0].lower() in in_lower or words[0] not in mid_sentence)
        ):
            words.pop(0)
            name = " ".join(words)
            start = match.end() - len(name)
        if len(words) > 1 and words[0] in TITLE_WORDS:
            while len(words) > 1 and words[0] in TITLE_WORDS:
                words.pop(0)  # "Rear Admiral Bronner" is Bronner; "Count Lohengramm" a known name
            name = " ".join(words)
            start = match.end() - len(name)
        first = words[0]
        if start in covered or first in known_tokens:
            continue
        # (with either apostrophe: "It’s" is "It's"; str.replace inline, run at every run)
        if (
            first.replace("’", "'") in NOT_NAMES
            or name.replace("’", "'") in NOT_NAMES
            or is_term(name)
        ):
            continue
        # (The run's own first word was asked already, above.)
        if " " not in name and (
            first_word if start == match.start() else _sentence_initial(text, start)
        ):
            # "Jenna shifted in her seat": a sentence's first word that a person's verb follows
            # is a name as surely as one mid-sentence (a word is ruled out below if the story
            # also writes it in lower case).
            after = text[match.end() : match.end() + 24]
            if not (_PERSON_AFTER_RE.match(after) or _ACTS_NOW_RE.match(after)):
                initial[name].append((start, match.end()))
                continue
        counts[name].append((start, match.end()))
    moved: dict[int, int] = {}  # a mention's start → where its name began, before a word went
    _strip_story_titles(counts, initial, moved)
    lower = lower_words(text)  # (a name of several words never is one word in lower case)
    _strip_sentence_openers(counts, initial, lambda w: _an_ordinary_word(w, lower, people), moved)
    # An original character is named as the primer's are: "Ronnie", "Pilfrey" and "Ronnie
    # Pilfrey" are one person, known by the full name, when no other full name shares the part.
    owner: dict[str, list[str]] = defaultdict(list)
    for full in counts:
        words = full.split()
        if len(words) >= 2:
            # The surname first, then the given name (a set of the two took them in an order
            # that changed from run to run): the full name has its surname's mentions when a
            # given name it shares with a stray other full name is weighed.
            for part in dict.fromkeys((words[-1], words[0])):
                owner[part].append(full)
    for part, fulls in owner.items():
        if part not in counts or part.lower() in lower:
            continue
        # One full name, or one that all but a stray other ("Expecting Iri") share it with.
        fulls.sort(key=lambda f: -len(counts[f]))
        rest = sum(len(counts[f]) for f in fulls[1:])
        if rest and len(counts[fulls[0]]) < STRAY_FULL_NAMES * rest:
            continue
        full = fulls[0]
        counts[full].extend(counts.pop(part))
        initial[full].extend(initial.pop(part, []))
    originals: dict[str, CastMember] = {}
    # (``story_words``: the story's own count, known already; splitting a novel again cost
    # 1.5% of understanding.)
    count = story_words if story_words is not None else len(text.split())
    rate_bar = unknown_name_bar(count)
    for name, spans in counts.items():
        if name.lower() in lower:
            continue  # also an ordinary word
        if len(spans) < rate_bar:
            continue  # named in passing, for the story's length
        if names is not None and len(spans) >= KNOWN_NAME_MENTIONS and _a_known_name(name, names):
            pass
        elif len(spans) < OC_MIN_MENTIONS or not _a_person(text, spans, moved):
            continue
        if _a_kind(text, spans) and (people is None or name not in people.titled):
            continue  # (a title AO3 gives a character, "the Doctor", still names a person)
        spans = sorted(spans + initial.get(name, []))
        tag = _ao3_name(name, names)
        if tag in originals:  # "Clara Oswald" and "Clara Oswin Oswald": one character
            originals[tag].mentions = sorted(originals[tag].mentions + spans)
            continue
        originals[tag] = CastMember(name=tag, fandom=None, mentions=spans, original=True)
    return list(originals.values())


def _a_person(text: str, spans: list[tuple[int, int]], moved: dict[int, int]) -> bool:
    """A name that acts ("Vosk said", "Vosk's coat") twice at least, and is written after
    "in", "to", "from"… ("back in Ishgard") no more often than that: a person, not a place.

    Asked only of the names frequent enough to be cast members: asked at every capitalised
    word, it was two regexes each at about 200,000 of them a pass over the shared corpus."""
    person = sum(1 for _, e in spans if _PERSON_AFTER_RE.match(text[e : e + 20]))
    if person < 2:
        return False
    starts = (moved.get(s, s) for s, _ in spans)
    place = sum(1 for s in starts if _PLACE_BEFORE_RE.search(text[max(0, s - 16) : s]))
    return place <= person


def _a_kind(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether a name is written after an article in ``KIND_SHARE`` of its mentions: a kind of
    being or a body of the story's world ("the Bijin", "the Council"), not one of its people."""
    sample = spans[:: 1 + len(spans) // KIND_SAMPLE]  # (a lead's thousand mentions: a hundred do)
    after_article = sum(1 for s, _ in sample if _ARTICLE_BEFORE_RE.search(text[max(0, s - 9) : s]))
    return after_article >= KIND_SHARE * len(sample)


def _ao3_name(name: str, names: Knowledge | None) -> str:
    """The AO3 tag of an unplaced full name that one AO3 character alone has, its words in
    that tag in the same order ("Clara Oswald" → "Clara Oswin Oswald"), so a reader filtering
    on AO3's tag finds the story though ficsift cannot say its fandom.  The name as written
    otherwise: a first name alone, a name several characters share, a nickname, a name AO3
    writes in the other order ("Madara Uchiha" is "Uchiha Madara": which word is the family
    name, that tells relatives from lovers, is read off the story's own order), and any name
    when a fandom was said (``names`` None: a name that fandom does not explain is likelier
    one of the story's own).

    A syllable the story joins with a hyphen where AO3 writes the name as one word ("Yang
    Wen-li", "Kim Tae-hyung" for AO3's "Yang Wenli", "Kim Taehyung") is asked both ways.
    """
    words = name.split()
    if names is None or len(words) < 2:
        return name
    ids = names.people(name)
    if not ids and "-" in name:
        joined = _SYLLABLE_HYPHEN_RE.sub("", name)
        ids = names.people(joined)
        words = joined.split()
    if len(ids) != 1:
        return name
    tag = names.gazetteer.name(ids[0])
    rest = iter(display_name(tag).split())
    return tag if all(w in rest for w in words) else name  # (a subsequence, in order)


# A hyphen inside a word, between lower-case letters ("Wen-li"; not "Jean-Luc")
_SYLLABLE_HYPHEN_RE = re.compile(r"(?<=[a-z])-(?=[a-z])")


def _drop_first_word(
    counts: dict[str, list[tuple[int, int]]],
    initial: dict[str, list[tuple[int, int]]],
    name: str,
    rest: str,
    shift: int,
    moved: dict[int, int] | None,
) -> None:
    """``name``'s mentions become ``rest``'s, each starting ``shift`` later; ``moved`` keeps
    where the whole name began ("in Neue Sanssouci" is a place though "Neue" is not part of
    its name)."""
    for a, b in counts.pop(name):
        counts[rest].append((a + shift, b))
        if moved is not None:
            moved[a + shift] = moved.get(a, a)
    initial[rest].extend((a + shift, b) for a, b in initial.pop(name, []))


def _strip_story_titles(
    counts: dict[str, list[tuple[int, int]]],
    initial: dict[str, list[tuple[int, int]]],
    moved: dict[int, int] | None = None,
) -> None:
    """A capitalised word that opens several different names of one story and is never a
    name alone ("Apprentice Yan", "Apprentice Olms"; "First Sandreas", "First Herrault") is
    a title of that story's world, as "Admiral" is of ours: the name is the rest."""
    openers: dict[str, set[str]] = defaultdict(set)
    for name in counts:
        words = name.split()
        if len(words) >= 2:
            openers[words[0]].add(" ".join(words[1:]))
    for title, rests in openers.items():
        if len(rests) < 2 or title in counts:
            continue
        for rest in sorted(rests):
            name = f"{title} {rest}"
            _drop_first_word(counts, initial, name, rest, len(title) + 1, moved)


def _strip_sentence_openers(
    counts: dict[str, list[tuple[int, int]]],
    initial: dict[str, list[tuple[int, int]]],
    ordinary: Callable[[str], bool],
    moved: dict[int, int] | None = None,
) -> None:
    """A name written once behind an ordinary word, the first word of a sentence whose start
    the punctuation hid ("“My love.” Over Emmanellain’s gasp", "…, Seeing Bruce’s contact"),
    is the name the story uses alone (Emmanellain, Bruce): left whole, it would take that
    name's every mention as its full form.  A real full name recurs as a run ("Faith Lehane"
    again and again) or its first word is a name alone too ("Will" beside "Will Graham")."""
    for name in [n for n in counts if " " in n]:
        words = name.split()
        first, rest = words[0], " ".join(words[1:])
        if (
            len(counts[name]) > OPENER_RUNS
            or first in counts
            or rest not in counts
            or not ordinary(first)
        ):
            continue
        _drop_first_word(counts, initial, name, rest, len(first) + 1, moved)


def _an_ordinary_word(word: str, lower: frozenset[str], people: Knowledge | None) -> bool:
    """``word`` is an everyday word (the story writes it in lower case, or English has it),
    not a first name: no AO3 character is called it ("Over", "Seeing", "It’s"; not "Grace")."""
    folded = word.lower()
    if not (folded in lower or folded in english_words() or _plain(word) in NOT_NAMES):
        return False
    return people is None or not people.homes(word)[1]


def _plain(word: str) -> str:
    """``word`` with a typographer's apostrophe as a typewriter's ("It’s" → "It's")."""
    return word.replace("’", "'")


def unknown_name_bar(words: int) -> float:
    """How often an unknown name must recur in a story of ``words`` words to be a cast member
    (see WORDS_PER_UNKNOWN)."""
    return max(UNKNOWN_MIN_MENTIONS, min(words, SHORT_STORY_WORDS) / WORDS_PER_UNKNOWN)


def _a_known_name(name: str, knowledge: Knowledge) -> bool:
    """Some AO3 character is called this (whole or first name), and it is no common word."""
    for form in dict.fromkeys((name, name.split()[0])):
        _, people = knowledge.homes(form)
        if people and not knowledge.is_thing(form):
            return True
    return False


def _on_page(m: CastMember, quoted: Quoted) -> float:
    spoken = sum(1 for s, _ in m.mentions if in_quotes(quoted, s))
    return m.count - (1 - DIALOGUE_WEIGHT) * spoken


def _acting_share(text: str, m: CastMember, quoted: Quoted) -> float:
    """Share of ``m``'s mentions where the narration shows them acting ("Dawn said", "said
    Dawn", "Dawn turns", "Dawn's") or a script has them speak (the name a line of its own,
    "DAWN", above what they say): not what others say of them ("Xander thinks it's fine")."""
    if not m.mentions:
        return 0.0
    # A lead the story calls "he" throughout acts in the paragraphs credited to them (a
    # pronoun is the subject there: pronouns.py), however seldom the name itself acts.
    acting = len(m.implied)
    for start, end in m.mentions:
        if in_quotes(quoted, start):
            continue  # inside dialogue
        after = text[end : end + 30]
        if (
            _PERSON_AFTER_RE.match(after)
            or _ACTS_NOW_RE.match(after)
            or _SAID_BEFORE_RE.search(text[max(0, start - 12) : start])
            or _speaker_line(text, start, end)
        ):
            acting += 1
    return acting / (len(m.mentions) + len(m.implied))


def _speaker_line(text: str, start: int, end: int) -> bool:
    """Is the mention at ``start:end`` a line to itself followed by more text (a script's
    speaker line)?"""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return (
        line_end != -1
        and not text[line_start:start].strip()
        and not text[end:line_end].strip(" \t:")
        and bool(text[line_end : line_end + 200].strip())
    )


def _assign_prominence(
    story: StoryText, members: list[CastMember], original_work: bool = False
) -> dict[str, str]:
    if not members:
        return {}
    # A lead the story calls "he" throughout (see pronouns.py) counts a scene for half a name;
    # a name only spoken of in dialogue ("Have you seen Willow?") for less than one the
    # narration shows on the page ("Willow said").
    quoted = quoted_spans(story.text)
    weight = {m.name: _on_page(m, quoted) + IMPLIED_WEIGHT * len(m.implied) for m in members}
    top = max(weight.values())
    # Whether the story's verbs are ones we know: it is written in English.
    sample = story.text[:20000]
    acts_known = len(_ENGLISH_RE.findall(sample)) >= len(sample) / 100
    n_parts = max(1, len(story.chapters)) if len(story.chapters) >= 4 else 10
    size = max(1, len(story.text))
    roles = {}
    for m in members:
        if len(story.chapters) >= 4:
            parts = {story.chapter_at(s) for s, _ in m.mentions}
        else:
            parts = {min(9, s * 10 // size) for s, _ in m.mentions}
        if m.implied:
            starts = story.paragraph_starts
            if len(story.chapters) >= 4:
                parts |= {story.chapter_at(starts[p]) for p in m.implied}
            else:
                parts |= {min(9, starts[p] * 10 // size) for p in m.implied}
        spread = len(parts) / n_parts
        share = weight[m.name] / top
        m.prominence = round(0.6 * share + 0.4 * spread, 4)
        if weight[m.name] < MIN_MENTIONS:
            roles[m.name] = "minor"
        elif share >= MAIN_SHARE:
            roles[m.name] = "main"
        elif spread <= PASSING_SPREAD:
            roles[m.name] = "minor"  # one scene, however busy, is a guest appearance
        elif (
            share >= SIGNIFICANT_SHARE
            or (m.count >= SIGNIFICANT_MENTIONS and spread >= SIGNIFICANT_SPREAD)
            or (m.count >= PRESENT_MENTIONS and spread >= PRESENT_SPREAD and not m.original)
        ):
            # In a novel the lead may be named thousands of times; a character named on every
            # other page across the story still matters, whatever its share.  So does one who
            # keeps coming back from beginning to end, if seldom named (the friend who drops
            # by in every scene of a two-hander).
            roles[m.name] = "significant"
        else:
            roles[m.name] = "minor"
        if (
            m.original
            and roles[m.name] == "significant"
            and share < (1 if original_work else 2) * SIGNIFICANT_SHARE
        ):
            # An unknown name must stand out to be tagged, more so beside a canon's cast (in
            # an original work the unknown names are the cast).
            roles[m.name] = "minor"
        if (
            (roles[m.name] == "significant" or (m.original and roles[m.name] == "main"))
            and acts_known
            and _acting_share(story.text, m, quoted) < MIN_ACTING_SHARE
        ):
            # Only ever talked about ("Dawn's room", "told Xander"), never on the page saying
            # or doing anything: someone the story is about, not someone in it (and an
            # unknown name that never acts is likelier a place or a thing: "Rome").
            roles[m.name] = "minor"
    return roles
