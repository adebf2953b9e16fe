"""Infer AO3 freeform tags (tropes, themes, genres, character states) from the story text.

Method, in one pass over the text and a few cheap aggregations:

1. **Scan.**  Every cue phrase of the table in :mod:`ficsift.understand.trope_cues` is compiled
   into one Aho-Corasick automaton (pyahocorasick).  The story is lower-cased once (curly
   apostrophes folded to straight ones, offsets unchanged) and scanned once; each raw match is
   kept only at word boundaries (a trailing ``*`` in the table allows a suffix).  This is the
   only pass over the text, which is what keeps throughput at hundreds of thousands of words
   per second.

2. **Tropes and themes cluster in scenes.**  A story about captivity says "chained", "cell",
   "let me go" in the same few pages; a story that once mentions a cell does not.  Hits are
   bucketed into blocks of ~500 words and every 3-block window (~1,500 words) is scored as
   ``Σ weight × (1 + ln count)`` over its distinct cue phrases (repeats count, with diminishing
   returns).  A tag needs its best window to reach the tag's threshold with a minimum number of
   *distinct* cues, so one word repeated cannot carry it.  Pairs (Hurt/Comfort = hurt cues and
   comfort cues in the same scene) score the geometric mean of the two groups; contrary cues
   (a safeword means chains are play, not Captivity) are subtracted.  Scoring the best scene
   rather than the story average keeps a 2,000-word story and a 300,000-word novel on one
   scale: the novel's captivity arc is as dense as the short story's.

3. **Genres are tone over the whole story.**  Angst, Fluff, Humor and Romance are not scenes
   but a story's mood, so they compare densities (per 1,000 words) of small tone lexicons
   (sadness, warmth, laughter, love): Fluff needs warmth *and* little sadness, Angst needs
   sadness to outweigh warmth.

4. **Tags about one character** (``Vampire Willow Rosenberg``, ``Hurt Spike (BtVS)``) are tried
   only for characters in ``cast`` and only when AO3 has that exact tag (checked through the
   ontology; nothing is invented).  Evidence comes from the mentions: outright naming right
   next to the name ("vamp Willow", "Willow's fangs", "Willow, now a vampire") counts most;
   cue words count when they sit in a sentence about the character (mentioned in it or just
   before), unless the sentence has the character acting on the thing ("Willow staked the
   vampire").  Unusual states (vampire, human, evil) need at least one outright naming.
   Behaviours (hurt, protective, jealous) go only to the character the cues cluster around,
   1.5x ahead of the next, and some need the story-level tag first (Hurt X needs
   Hurt/Comfort, Injury, Torture, Sickfic or Captivity).  AO3 files some of these tags as
   characters ("Vampire Willow Rosenberg"): they keep AO3's type.

5. **Derived tags** come from the others: Crossover from characters of two franchises, Kinks
   from two or more BDSM tags.

Confidence is ``1 - 0.5 ** r`` where ``r`` is the score over the tag's threshold (so a tag
just at its threshold is 0.5, twice over is 0.75), raised a little when the trope recurs in
several scenes.  Only tags at confidence ≥ 0.5 are returned.  Text that is not English (few
English function words) gives no tags: the cue table is English and silence beats noise.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from ficsift.model import Evidence, Tag, TagOrigin, TagType
from ficsift.ontology import load_ontology
from ficsift.understand import trope_cues as C
from ficsift.understand.epithets import resolve_epithets
from ficsift.understand.story import CastMember, StoryText
from ficsift.understand.textops import common_word_share, lower_aligned

BLOCK_CHARS = 3000  # ~500 words: the unit hits are bucketed into
WINDOW_BLOCKS = 3  # a scene: ~1,500 words
LENGTH_SCALE = 0.2  # see length_scale()
MAX_EVIDENCE = 5
MIN_CONFIDENCE = 0.5
MIN_ENGLISH = 0.15  # share of words that are common English function words; English is ~0.3
# Counted as words of the opening (textops.common_word_share), not by the cue automaton: "a",
# "he" and "in" inside every word were two in three of the automaton's matches.
_ENGLISH_WORDS = frozenset(C.ENGLISH.split("|"))
MIN_WORDS = 40  # below this there is no scene to judge

# Genre rules, in weighted tone words per 1,000 words (see trope_cues.GENRE_GROUPS); a story
# shorter than 1,000 words counts as 1,000, so two sad words in a drabble are not a mood.
TONE_MIN_WORDS = 300
ANGST_SAD = 5.0  # ~5 sadness words per 1,000 (the corpora's untagged median is ~3.5)
ANGST_OVER_HAPPY = 1.0  # ... and at least as many sad words as warm ones
FLUFF_HAPPY = 6.0
FLUFF_SAD_SHARE = 0.4  # sadness at most 40% of warmth
HUMOR_LAUGH = 4.0  # and more laughter than sadness
ROMANCE_LOVE = 6.0
ROMANCE_OVER_SAD = 1.5  # love words outnumber sad ones 3:2

LEAD_MARGIN = 1.5
# States that narration names with an epithet ("the vampire") and that AO3 tags productively
# as ``<State> <character>``; a prefix with this many AO3 tags is composed where AO3 lacks one.
STATE_NOUNS = {
    "Vampire": ("vampire", "vamp"),
    "Human": ("human", "mortal"),
    "Demon": ("demon",),
    "Werewolf": ("werewolf",),
    "Ghost": ("ghost",),
}
PRODUCTIVE_PREFIX = 100  # a lead-only character tag needs 1.5x the next character's score
GENRE_TAGS = ("Angst", "Fluff", "Humor", "Romance")
KINK_TAGS = ("Dom/sub", "Bondage", "Spanking", "Whipping", "Collars", "Aftercare")
HARM_TAGS = ("Captivity", "Torture", "Grief/Mourning", "Character Death", "Kidnapping")

_FOLD_PAIRS = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("\n", " "), ("\t", " "))
_SENTENCE_END = re.compile(r"[.!?…]\s|\n")
_WORD_END = re.compile(r"\w*")


# -- the compiled cue table ----------------------------------------------------------------------


@dataclass
class _Group:
    """One cue group: a trope's cues, its partner or contrary cues, a tone lexicon."""

    name: str
    weights: list[float] = field(default_factory=list)  # by pattern slot in this group


@dataclass
class _Table:
    automaton: ahocorasick.Automaton
    groups: list[_Group]
    # pattern key -> list of (group id, slot, weight, prefix?) ; slot = distinct-cue id
    entries: list[list[tuple[int, int, float, bool]]]
    phrases: list[str]  # slot -> phrase as written (for evidence reasons)
    trope_groups: list[tuple[C.Trope, int, int | None, int | None]]
    genre_groups: dict[str, int]
    char_groups: list[tuple[C.CharacterTrope, int, re.Pattern[str] | None, re.Pattern[str] | None]]
    key_lengths: list[int]  # pattern key -> its length
    char_before: _AnyOf  # the character groups' patterns before a name, and after one
    char_after: _AnyOf


@dataclass(frozen=True)
class _AnyOf:
    """Several groups' patterns asked at one place.  One regex call says whether any holds
    (at nearly every mention of a character none does: of the 480,000 group-by-mention
    checks over the shared corpus, 18 held); only then is each asked, to say which."""

    any: re.Pattern[str]
    each: tuple[tuple[int, re.Pattern[str]], ...]  # (group id, its pattern)

    @classmethod
    def of(cls, patterns: Iterable[tuple[int, re.Pattern[str] | None]]) -> _AnyOf:
        each = tuple((gid, p) for gid, p in patterns if p is not None)
        either = "|".join(f"(?:{p.pattern})" for _, p in each) or "(?!)"
        return cls(re.compile(either), each)

    def search(self, text: str, pos: int, endpos: int) -> set[int]:
        if self.any.search(text, pos, endpos) is None:
            return set()
        return {gid for gid, p in self.each if p.search(text, pos, endpos)}

    def match(self, text: str) -> set[int]:
        if self.any.match(text) is None:
            return set()
        return {gid for gid, p in self.each if p.match(text)}


def _build_table() -> _Table:
    onto = load_ontology()
    automaton = ahocorasick.Automaton()
    keys: dict[str, int] = {}
    entries: list[list[tuple[int, int, float, bool]]] = []
    groups: list[_Group] = []
    phrases: list[str] = []

    def add_group(name: str, cues: dict[str, float]) -> int:
        gid = len(groups)
        groups.append(_Group(name))
        for phrase, weight in cues.items():
            prefix = phrase.endswith("*")
            key = phrase.rstrip("*")
            if key not in keys:
                keys[key] = len(entries)
                entries.append([])
                automaton.add_word(key, keys[key])
            slot = len(phrases)
            phrases.append(phrase)
            entries[keys[key]].append((gid, slot, weight, prefix))
        return gid

    trope_groups = []
    for t in C.TROPES:
        # Every tag must be AO3's own spelling: a tag the ontology does not know is a bug here.
        assert onto.canonical(t.tag, "freeform") == t.tag, f"not a canonical freeform: {t.tag}"
        trope_groups.append(
            (
                t,
                add_group(t.tag, t.cues),
                add_group(t.tag + "+", t.partner) if t.partner else None,
                add_group(t.tag + "-", t.against) if t.against else None,
            )
        )
    for tag in (*GENRE_TAGS, "Crossover", "Kinks", *KINK_TAGS):
        assert onto.canonical(tag, "freeform") == tag, f"not a canonical freeform: {tag}"
    genre_groups = {name: add_group("genre:" + name, cues) for name, cues in C.GENRE_GROUPS.items()}
    char_groups = []
    for ct in C.CHARACTER_TROPES:
        char_groups.append(
            (
                ct,
                add_group("char:" + ct.prefix, ct.cues),
                re.compile(ct.before) if ct.before else None,
                re.compile(ct.after) if ct.after else None,
            )
        )
    automaton.make_automaton()
    lengths = [0] * len(entries)
    for key, key_id in keys.items():
        lengths[key_id] = len(key)
    return _Table(
        automaton, groups, entries, phrases, trope_groups, genre_groups, char_groups, lengths,
        _AnyOf.of((gid, before) for _, gid, before, _ in char_groups),
        _AnyOf.of((gid, after) for _, gid, _, after in char_groups),
    )  # fmt: skip


@lru_cache(maxsize=1)
def _table() -> _Table:
    return _build_table()


# -- scanning ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Hit:
    start: int
    end: int
    slot: int  # which cue phrase (distinct-cue identity)
    weight: float


def _fold(text: str) -> str:
    low = lower_aligned(text)
    # Six one-for-one replacements: str.replace runs in C, where str.translate with a dict
    # looks every character up (0.5 s over the shared corpus's stories).
    for a, b in _FOLD_PAIRS:
        if a in low:
            low = low.replace(a, b)
    return low


def _scan(low: str, table: _Table) -> dict[int, list[Hit]]:
    """All word-bounded cue matches, by group id, in text order."""
    hits: dict[int, list[Hit]] = defaultdict(list)
    entries, lengths = table.entries, table.key_lengths
    n = len(low)
    for end_index, key_id in table.automaton.iter(low):
        # The automaton matches inside words too ("tea" in "instead"): keep word starts only.
        # (Two in three matches end here, so this loop is kept lean: it is the scan's cost.)
        start = end_index - lengths[key_id] + 1
        if start > 0:
            before = low[start - 1]
            # A hyphen joins words: "sub" is no cue in "sub-lieutenant", nor "harm" in "self-harm".
            if before.isalnum() or (before == "-" and start > 1 and low[start - 2].isalnum()):
                continue
        group_entries = entries[key_id]
        end = end_index + 1
        word_goes_on = end < n and (
            low[end].isalnum() or (low[end] == "-" and end + 1 < n and low[end + 1].isalnum())
        )
        for gid, slot, weight, prefix in group_entries:
            if word_goes_on and not prefix:
                continue
            hits[gid].append(Hit(start, end, slot, weight))
    return hits


def _score(counts: Counter[int], weights: dict[int, float]) -> float:
    return sum(weights[s] * (1.0 + math.log(n)) for s, n in counts.items())


@dataclass
class TropeScore:
    """How strongly one trope showed in its best scene (for tuning and explanation)."""

    tag: str
    score: float  # best window's score (0 if no window had enough distinct cues)
    threshold: float  # the tag's threshold, scaled for the story's length
    support: int  # separate scenes at or over the threshold
    hits: list[Hit]  # the best window's own cue hits
    partner_hits: list[Hit] = field(default_factory=list)  # ... and its partner-group hits

    @property
    def ratio(self) -> float:
        return self.score / self.threshold if self.threshold else 0.0


def length_scale(n_blocks: int) -> float:
    """How much to raise thresholds for a story of ``n_blocks`` blocks.

    The best of many scenes is higher by chance than the best of few, so a novel's best
    window needs more than a short story's: thresholds grow with the log of the number of
    windows (×1 up to one window, ×1.46 at 30,000 words, ×1.9 at 300,000).
    """
    return 1.0 + LENGTH_SCALE * math.log(max(1.0, n_blocks / WINDOW_BLOCKS))


def _by_block(hits: Iterable[Hit]) -> dict[int, list[Hit]]:
    out: dict[int, list[Hit]] = defaultdict(list)
    for h in hits:
        out[h.start // BLOCK_CHARS].append(h)
    return out


def _trope_score(
    trope: C.Trope,
    cue_hits: list[Hit],
    partner_hits: list[Hit] | None,
    against_hits: list[Hit] | None,
    n_blocks: int,
) -> TropeScore:
    weights = {h.slot: h.weight for h in (*cue_hits, *(partner_hits or ()), *(against_hits or ()))}
    cue_blocks = _by_block(cue_hits)
    partner_blocks = _by_block(partner_hits or ())
    against_blocks = _by_block(against_hits or ())
    threshold = trope.threshold * length_scale(n_blocks)

    span = min(WINDOW_BLOCKS, n_blocks)
    starts = {max(0, min(b - i, n_blocks - span)) for b in cue_blocks for i in range(span)}
    best, best_cue, best_partner = 0.0, [], []
    qualifying: list[int] = []
    for s in sorted(starts):
        blocks = range(s, s + span)
        cue = [h for b in blocks for h in cue_blocks.get(b, ())]
        # Distinct cues of the trope's own group: one word said ten times is not a scene.
        if len({h.slot for h in cue}) < trope.min_distinct:
            continue
        score = _score(Counter(h.slot for h in cue), weights)
        partner: list[Hit] = []
        if partner_hits is not None:
            partner = [h for b in blocks for h in partner_blocks.get(b, ())]
            score = math.sqrt(score * _score(Counter(h.slot for h in partner), weights))
        if against_hits is not None:
            contra = [h for b in blocks for h in against_blocks.get(b, ())]
            score -= _score(Counter(h.slot for h in contra), weights)
        if score >= threshold and (not qualifying or s >= qualifying[-1] + span):
            qualifying.append(s)
        if score > best:
            best, best_cue, best_partner = score, cue, partner
    return TropeScore(trope.tag, best, threshold, len(qualifying), best_cue, best_partner)


@dataclass
class Analysis:
    """Everything measured on one story, before thresholds turn it into tags."""

    words: int
    english: float  # share of words that are common English function words
    tropes: dict[str, TropeScore]
    tone: dict[str, float]  # weighted tone words per 1,000 words
    tone_hits: dict[str, list[Hit]]
    hits: dict[int, list[Hit]]
    low: str


def analyse(story: StoryText) -> Analysis:
    """Scan once and score every trope and tone (the raw numbers behind :func:`infer_freeforms`)."""
    table = _table()
    text = story.text
    words = story.words if text else 0
    low = _fold(text)
    hits = _scan(low, table) if words else {}
    english = common_word_share(text, _ENGLISH_WORDS) if words else 0.0
    n_blocks = max(1, math.ceil(len(text) / BLOCK_CHARS))
    tropes = {}
    for trope, gid, pid, aid in table.trope_groups:
        cue_hits = hits.get(gid, [])
        if not cue_hits:
            scaled = trope.threshold * length_scale(n_blocks)
            tropes[trope.tag] = TropeScore(trope.tag, 0.0, scaled, 0, [])
            continue
        tropes[trope.tag] = _trope_score(
            trope,
            cue_hits,
            hits.get(pid, []) if pid is not None else None,
            hits.get(aid, []) if aid is not None else None,
            n_blocks,
        )
    tone = {}
    tone_hits = {}
    per_k = 1000.0 / max(words, TONE_MIN_WORDS)
    for name, gid in table.genre_groups.items():
        g = hits.get(gid, [])
        tone[name] = sum(h.weight for h in g) * per_k
        tone_hits[name] = g
    return Analysis(words, english, tropes, tone, tone_hits, hits, low)


# -- from scores to tags -------------------------------------------------------------------------


def _confidence(ratio: float, support: int = 1) -> float:
    # Recurring in several scenes makes a trope more the story's than one scene's.
    ratio *= 1.0 + 0.1 * min(5, max(0, support - 1))
    return round(1.0 - 0.5**ratio, 3)


def _evidence(story: StoryText, hits: Iterable[Hit], table: _Table, label: str) -> list[Evidence]:
    """Up to MAX_EVIDENCE passages, strongest cue first, no two overlapping."""
    out: list[Evidence] = []
    seen_slots: Counter[int] = Counter()
    for h in sorted(hits, key=lambda h: (-h.weight, h.start)):
        if seen_slots[h.slot] >= 2:  # prefer different cues over one cue repeated
            continue
        if any(e.start <= h.start < e.end or e.start < h.end <= e.end for e in out):
            continue
        # Quote the word as written ("tortured"), not the cue's stem ("tortur*").
        m = _WORD_END.match(story.text, h.end)
        end = m.end() if m else h.end
        out.append(story.evidence(h.start, end, f"{label}: “{story.text[h.start : end]}”"))
        seen_slots[h.slot] += 1
        if len(out) >= MAX_EVIDENCE:
            break
    return out


def _densest(hits: list[Hit], n: int = 40) -> list[Hit]:
    """The hits of the block where a tone is densest (its best example passages)."""
    if not hits:
        return []
    blocks = Counter(h.start // BLOCK_CHARS for h in hits)
    best = max(blocks, key=lambda b: (blocks[b], -b))
    return [h for h in hits if h.start // BLOCK_CHARS == best][:n]


def _tag(name: str, confidence: float, evidence: list[Evidence], type_: TagType) -> Tag:
    onto = load_ontology()
    return Tag(
        name=name,
        type=type_,
        origin=TagOrigin.INFERRED,
        canonical=name,
        confidence=confidence,
        evidence=evidence,
        extra={"meta": onto.meta_tags(name)[:3]},
    )


def _genre_tags(story: StoryText, a: Analysis, table: _Table, fired: set[str]) -> list[Tag]:
    sad, happy, laugh, love = (a.tone[k] for k in ("sad", "happy", "laugh", "love"))
    out = []
    # (tag, score, threshold, tone group whose passages are the evidence)
    candidates: list[tuple[str, float, float, str]] = []
    if sad >= ANGST_OVER_HAPPY * happy:
        candidates.append(("Angst", sad, ANGST_SAD, "sad"))
    # Fluff is warmth without the weight: little sadness, and no captivity or grief plot.
    if sad <= FLUFF_SAD_SHARE * happy and not fired & set(HARM_TAGS):
        candidates.append(("Fluff", happy, FLUFF_HAPPY, "happy"))
    if laugh > sad:
        candidates.append(("Humor", laugh, HUMOR_LAUGH, "laugh"))
    if love >= ROMANCE_OVER_SAD * sad:
        candidates.append(("Romance", love, ROMANCE_LOVE, "love"))
    for name, score, threshold, group in candidates:
        if score < threshold:
            continue
        evidence = _evidence(story, _densest(a.tone_hits[group]), table, f"{group} tone")
        if evidence:
            out.append(_tag(name, _confidence(score / threshold), evidence, TagType.FREEFORM))
    return out


# -- character tags ------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def character_tag(prefix: str, name: str) -> tuple[str, TagType] | None:
    """AO3's tag for ``<prefix> <character>`` if it exists, with its AO3 type; else, for a
    state AO3 tags for many characters (``Vampire <character>``: hundreds of them), the tag
    in AO3's own pattern (``Vampire Tara Maclay``), marked as composed by :func:`composed`."""
    onto = load_ontology()
    base = re.sub(r"\s*\([^()]*\)\s*$", "", name)
    for candidate in dict.fromkeys((f"{prefix} {name}", f"{prefix} {base}")):
        got = onto.canonical(candidate)
        if not got or not got.lower().startswith(prefix.lower() + " "):
            continue
        rest = got[len(prefix) + 1 :]
        # The tag must be about this character: "Dark Angel" is not about Angel (BtVS).
        if rest != name and onto.canonical(rest, "character") != name:
            continue
        kind = onto.tag_type(got)
        return got, TagType.CHARACTER if kind == "character" else TagType.FREEFORM
    if prefix in STATE_NOUNS and onto.tags_starting(f"{prefix} ") >= PRODUCTIVE_PREFIX:
        return f"{prefix} {name}", TagType.FREEFORM
    return None


def composed(tag: str) -> bool:
    """A ``<state> <character>`` tag built in AO3's pattern, not one AO3 has."""
    onto = load_ontology()
    return tag.split(" ", 1)[0] in STATE_NOUNS and onto.canonical(tag) is None


TagFor = Callable[[str, str], "tuple[str, TagType] | None"]


def _character_tags(
    story: StoryText,
    a: Analysis,
    cast: list[CastMember],
    table: _Table,
    fired: set[str],
    tag_for: TagFor = character_tag,
) -> list[Tag]:
    """Tags about one character; ``fired`` are the story-level tags already found.

    ``tag_for(prefix, character)`` names the tag; the eval swaps it to score the detection
    itself on characters AO3 has no such tag for.
    """
    members = [m for m in cast if not m.original and m.mentions]
    if not members:
        return []
    low = a.low
    # "The red-headed vampire", "the other vampire": the named character each stands for.
    epithets = resolve_epithets(story.text, low, members)
    # All mentions in text order (epithets too), to find who a cue word is about.
    mentions = sorted(
        [(s, e, i) for i, m in enumerate(members) for s, e in m.mentions]
        + [(x.start, x.end, x.member) for x in epithets]
    )
    starts = [s for s, _, _ in mentions]
    asked = []
    for ct, gid, _, _ in table.char_groups:
        if ct.requires and not fired & set(ct.requires):
            continue
        wanted = {i: tag for i, m in enumerate(members) if (tag := tag_for(ct.prefix, m.name))}
        if wanted:
            asked.append((ct, gid, wanted))
    # The groups whose words stand beside a mention ("vampire Willow", "Willow, who was a
    # vampire"), by mention.  (The text after the name is sliced off: the patterns open with
    # "^", which a match from a position inside the text would never satisfy.)
    named = {i for _, _, wanted in asked for i in wanted}
    said: dict[int, set[int]] = {}
    for k, (s, e, i) in enumerate(mentions):
        if i in named:
            hold = table.char_before.search(low, max(0, s - 14), s)
            hold |= table.char_after.match(low[e : e + 80])
            if hold:
                said[k] = hold
    out: list[Tag] = []
    for ct, gid, wanted in asked:
        direct: dict[int, list[Hit]] = defaultdict(list)
        for k, hold in said.items():
            s, e, i = mentions[k]
            if i in wanted and gid in hold:
                direct[i].append(Hit(s, e, -1, 3.0))
        nouns = STATE_NOUNS.get(ct.prefix, ())
        for x in epithets:  # "the vampire" says it outright of the one it stands for
            if x.noun in nouns and x.member in wanted:
                direct[x.member].append(Hit(x.start, x.end, -1, 3.0))
        near: dict[int, list[Hit]] = defaultdict(list)
        for h in a.hits.get(gid, ()):
            k = bisect.bisect_right(starts, h.start) - 1
            if k < 0:
                continue
            s, e, i = mentions[k]
            # The cue must be in the mention's sentence or the next ("Willow smiled. Her
            # fangs..."): further on, "she" may be someone else.
            if h.start - e > 250 or len(_SENTENCE_END.findall(low, e, h.start)) > 1:
                continue
            # "Willow staked the vampire": she acts on the thing, it is not her state.
            if ct.against and any(re.search(rf"\b{w}\b", low[s : h.end]) for w in ct.against):
                continue
            near[i].append(h)
        scores: dict[int, float] = {}
        for i, m in enumerate(members):
            n = near.get(i, [])
            score = _score(Counter(h.slot for h in n), {h.slot: h.weight for h in n})
            if direct.get(i):
                score += 3.0 * (1.0 + math.log(len(direct[i])))
            # A lead mentioned hundreds of times meets every cue word by chance: scale down.
            scores[i] = score / max(1.0, math.sqrt(len(m.mentions) / 100))
        ranked = sorted(scores.values(), reverse=True)
        for i, tag in wanted.items():
            d, n = direct.get(i, []), near.get(i, [])
            if ct.needs_direct and not d:
                continue
            score = scores[i]
            if score < ct.threshold:
                continue
            # A behaviour tag (Hurt X) names *the* one it is about: the character the cues
            # cluster around, clearly ahead of the next.
            if ct.lead_only and score < LEAD_MARGIN * next((r for r in ranked if r < score), 0.0):
                continue
            if ct.lead_only and ranked.count(score) > 1:
                continue
            evidence = [
                story.evidence(h.start, h.end, f"{ct.prefix.lower()} {members[i].name}")
                for h in d[:2]
            ]
            evidence += _evidence(
                story, n, table, f"{ct.prefix.lower()} cue near {members[i].name}"
            )
            out.append(_tag(tag[0], _confidence(score / ct.threshold), _dedupe(evidence), tag[1]))
    return out


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    out: list[Evidence] = []
    for e in evidence:
        if not any(o.start < e.end and e.start < o.end for o in out):
            out.append(e)
    return out[:MAX_EVIDENCE]


# -- derived tags --------------------------------------------------------------------------------


def _crossover(story: StoryText, cast: list[CastMember], fandoms: list[str]) -> Tag | None:
    """Characters from two franchises, each with a real part in the story."""
    onto = load_ontology()
    franchises: dict[str, CastMember] = {}
    for m in sorted(cast, key=lambda m: -m.prominence):
        if m.original or not m.fandom or not m.mentions or m.prominence < 0.05:
            continue
        f = onto.fandom_franchise(m.fandom) or m.fandom
        franchises.setdefault(f, m)
    named = {onto.fandom_franchise(f) or f for f in fandoms}
    if len(franchises) < 2 and len(named) < 2:
        return None
    evidence = [
        story.evidence(*m.mentions[0], f"{m.name} ({f})") for f, m in list(franchises.items())[:5]
    ]
    if not evidence:
        return None
    confidence = 0.9 if len(franchises) >= 2 else 0.6
    return _tag("Crossover", confidence, _dedupe(evidence), TagType.FREEFORM)


# -- the entry point -----------------------------------------------------------------------------


def inventory() -> set[str]:
    """Every story-level freeform this module can say (character tags depend on the cast)."""
    return {t.tag for t in C.TROPES} | {*GENRE_TAGS, "Crossover", "Kinks", *KINK_TAGS}


def infer_freeforms(story: StoryText, cast: list[CastMember], fandoms: list[str]) -> list[Tag]:
    """AO3 freeform tags for the story, each with a confidence and evidence passages.

    Tags are AO3 canonical names, strongest first.  Character tags that AO3 files as
    characters ("Vampire Willow Rosenberg") keep AO3's type, :attr:`TagType.CHARACTER`.
    """
    a = analyse(story)
    if a.words < MIN_WORDS or a.english < MIN_ENGLISH:
        return []
    table = _table()
    out: list[Tag] = []
    for tag, ts in a.tropes.items():
        if ts.score < ts.threshold:
            continue
        # The trope's own words first; the partner group (comfort, sex) only supports them.
        evidence = _evidence(story, ts.hits, table, tag)
        if len(evidence) < MAX_EVIDENCE:
            evidence = _dedupe(evidence + _evidence(story, ts.partner_hits, table, tag))
        out.append(_tag(tag, _confidence(ts.ratio, ts.support), evidence, TagType.FREEFORM))
    fired = {t.name for t in out}
    out += _genre_tags(story, a, table, fired)
    out += _character_tags(story, a, cast, table, {t.name for t in out})
    kinks = [t for t in out if t.name in KINK_TAGS]
    if len(kinks) >= 2:
        evidence = _dedupe([e for t in kinks for e in t.evidence[:2]])
        out.append(_tag("Kinks", max(t.confidence or 0 for t in kinks), evidence, TagType.FREEFORM))
    crossover = _crossover(story, cast, fandoms)
    if crossover:
        out.append(crossover)
    out = [t for t in out if (t.confidence or 0) >= MIN_CONFIDENCE and t.evidence]
    out.sort(key=lambda t: (-(t.confidence or 0), t.name))
    return out
