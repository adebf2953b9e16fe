"""Relationships between the cast: romantic (``/``) or platonic (``&``), and the main pairing.

The unit is the *scene window*: three paragraphs in a row (pronouns carry a character from one
paragraph into the next, and a line of dialogue is a paragraph of its own).  A lead the story
calls "he" throughout is in the windows pronouns.py credits them with.  For every pair of the
cast (tagged characters, and named minor ones who may be half the main pairing) ficsift counts the
windows they share and the romantic and sexual cues inside those windows ("kissed", "her
lips", "lover", "in bed", "I love you"…).

- romantic: enough cues in shared windows (absolute, growing with the story's length, and as
  a share of the pair's windows), unless the two share a surname (family);
- platonic: many shared windows but few cues — friends, family, colleagues;
- the main pairing is the romantic pair with the most cue evidence, widened to a threesome or
  foursome when a third *lead* is as romantically tied to both (poly fics); a gen story, with
  no pair over the bar, has none.  In a long novel a pair whose cues dwarf every romantic
  pair's is the couple, though the length dilutes its rate below the bar.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from ficsift.model import Evidence
from ficsift.understand.primer import display_name
from ficsift.understand.story import CastMember, StoryText
from ficsift.understand.textops import grouped_alternation, lower_aligned
from ficsift.understand.wordscan import WordStartScan, regex_opening

# Cue hits in shared windows for a romantic reading: one per WORDS_PER_CUE words of the story,
# at least MIN_SHORT_CUES (a drabble shows it once or twice) and at most MIN_ROMANCE_CUES (a
# novel's couple passes however long the novel).
MIN_ROMANCE_CUES = 6
MIN_SHORT_CUES = 2
WORDS_PER_CUE = 800
MIN_ROMANCE_RATE = 0.10  # … and per shared window
MIN_SHARED_WINDOWS = 3  # for a platonic relationship
POLY_SHARE = 0.6  # a third partner's cues with each of the pair, relative to the pair's
MAX_CAST = 8
_NOBODY: frozenset[str] = frozenset()
# A pair the story keeps in far more romantic scenes than its "romantic" pairs is the couple,
# however long the novel that dilutes its rate (a slow burn over a hundred chapters).
DOMINANT_CUES = 20
DOMINANT_RATE = 0.05
DOMINANT_FACTOR = 3.0
# One cue word counts at most this often for a pair ("bed" ten times in a sickroom is one
# fact), or once per CAP_CHARS characters of a longer story (a novel's couple kisses often).
SAME_CUE_CAP = 2
CAP_CHARS = 5000
SCENE_PARAGRAPHS = 3  # a window: this many paragraphs in a row (one exchange of a scene)

# Romantic and sexual cues.  Swearing is not sex: "fuck" counts only inflected, with a person
# as its object ("fucked him", "fucking her"); "fuck me" and "fuck him" are oaths (in the
# corpus the bare form is as frequent in gen stories as in romances); "cunt", "mine", "jealous", someone else's
# "wedding", a "heart" that pounds or a "date" in the calendar not at all.
_WORD_CUES = (
    "kiss(?:ed|es|ing)?", "stroked", "stroking", "shiver(?:ed|s|ing)?", "whimper(?:ed|s|ing)?",
    "groan(?:ed|s|ing)?", "suck(?:ed|ing)", "lovers?", "girlfriend(?:'s)?", "boyfriend(?:'s)?",
    "fianc[ée]e?", "darling", "sweetheart", "love you", "in love", "made love", "making love",
    "make love", "naked", "undress(?:ed|ing)?", "moan(?:ed|s|ing)?", "caress(?:ed|es|ing)?",
    "cuddl(?:e|ed|es|ing)", "nuzzl(?:e|ed|es|ing)", "sex", "orgasm(?:s|ed)?", "aroused?",
    "arousal", "breasts?", "nipples?", "cock", "clit", "erection", "flirt(?:ed|ing|s)?",
    "beloved", r"fuck(?:ed|ing|s)\s+(?:him|her)", r"shag(?:ged|ging|s)?\s+(?:him|her)",
    "thighs?", "lips?", "bed", "tongue", "hips", "desire[ds]?", "wife", "husband", "married",
    "dating", "romantic", "blush(?:ed|ing)?", "embrace[ds]?", "honey",
    # closeness that friends and family in a story seldom show: arms, hands held as a couple,
    # a courtship, a partner of one's own
    "snuggl(?:e|ed|es|ing)", "hand in hand", "in (?:his|her|my|your) arms",
    "held (?:him|her) close", "fingers (?:intertwined|interlaced|laced|entwined)",
    "hands (?:intertwined|interlaced|laced|entwined)", "palm to palm", "court(?:ing|ship|ed)",
    "gay",
)  # fmt: skip
# Chinese and Japanese write words without spaces, so no word boundaries: kiss, embrace,
# "I love/like you", lover, sex, blush, lips, heartbeat, marriage, wife, husband, bed;
# moan, shiver, stroke, suck, naked, undress, thigh, tongue, desire, orgasm, nipple.
_CJK_CUES = (
    "吻|拥抱|抱住|爱你|喜欢你|爱人|恋人|情人|做爱|脸红|嘴唇|心动|心跳|结婚|妻子|丈夫|床|キス|好きだ"
    "|呻吟|颤抖|抚摸|吮|赤裸|裸体|脱衣|大腿|舌头|欲望|高潮|乳头"
)
ROMANCE_CUES = re.compile(rf"\b(?:{'|'.join(_WORD_CUES)})\b|{_CJK_CUES}", re.I)
# The same cues as two case-sensitive patterns over lower-cased text (romance_cue_spans):
# ROMANCE_CUES's case folding and unanchored CJK branch made every position of a novel slow,
# and grouping the words by their first letter halves the English scan again.  English and
# CJK matches cannot overlap (letters of one script).
_ROMANCE_WORDS = re.compile(rf"\b{grouped_alternation(_WORD_CUES)}\b")
_ROMANCE_SCAN = WordStartScan(_ROMANCE_WORDS, map(regex_opening, _WORD_CUES))
_ROMANCE_CJK = re.compile(_CJK_CUES)


def romance_cue_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ROMANCE_CUES's matches in ``text``, in order."""
    low = lower_aligned(text)
    spans = [m.span() for m in _ROMANCE_SCAN.finditer(low)]
    if not low.isascii():
        spans = sorted(spans + [m.span() for m in _ROMANCE_CJK.finditer(low)])
    return spans


# Cue words that in their sentence are about something else.  A bed slept in ("fell asleep
# on her narrow bed", "Giles was asleep in the other bed") is where anyone sleeps, however
# chaste the story.  One's own lips bitten, pursed or wet, or one's own tongue run over them,
# are nerves or appetite ("The Doctor ran his tongue over his lips"), not a kiss — unlike
# "ran his tongue over her lips", whose pronouns differ.
_SLEEP_RE = re.compile(
    r"\b(?:asleep|slept|sleeps?|sleeping|sleepy|sleepily|naps?|napping|woke|wakes?|waking|"
    r"awake|awoke)\b",
    re.I,
)
_SLEEP_REACH = 80  # characters either side of "bed" in which sleep is what it is for
_OWN_LIPS_RE = re.compile(
    r"(?:(?:\b(he|she|i|they)\s+)?\b(?:bit|bites|biting|pursed|purses|pursing|wet|wets|"
    r"moistened|moistens|chewed|chews|chewing)\s+(his|her|their|my)\s+(?:lower\s+|bottom\s+)?"
    r"|\b(?:ran|runs|run|running)\s+(his|her|their|my)\s+tongue\s+(?:over|along|across)\s+"
    r"\3\s+)$",
    re.I,
)
# The possessive a subject pronoun takes: "she bit her lip" is her own; "she bit his lip" not.
_OWN = {"he": "his", "she": "her", "i": "my", "they": "their"}
_TONGUE_BEFORE_RE = re.compile(r"\b(?:ran|runs|run|running)\s+(his|her|their|my)\s+$", re.I)
_TONGUE_AFTER_RE = re.compile(r"\s+(?:over|along|across)\s+(his|her|their|my)\s+lips?\b", re.I)


def _no_romance_here(text: str, start: int, end: int) -> bool:
    """Is the cue word at ``text[start:end]`` about sleep or one's own mouth (see above)?"""
    word = text[start:end].lower()
    if word == "bed":
        return bool(_SLEEP_RE.search(text, max(0, start - _SLEEP_REACH), end + _SLEEP_REACH))
    if word in ("lips", "lip"):
        m = _OWN_LIPS_RE.search(text[max(0, start - 60) : start])
        subject, whose = (m.group(1), m.group(2)) if m else (None, None)
        return bool(m) and not (subject and whose and _OWN[subject.lower()] != whose.lower())
    if word == "tongue":
        before = _TONGUE_BEFORE_RE.search(text[max(0, start - 30) : start])
        after = _TONGUE_AFTER_RE.match(text, end)
        return bool(before and after and before.group(1).lower() == after.group(1).lower())
    return False


@dataclass(slots=True)
class PairReading:
    a: str
    b: str
    shared_windows: int
    romance_cues: int
    kind: str  # "/" romantic, "&" platonic
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.romance_cues / self.shared_windows if self.shared_windows else 0.0

    @property
    def score(self) -> float:
        return self.romance_cues + 0.1 * self.shared_windows


@dataclass(slots=True)
class RelationshipResult:
    pairs: list[PairReading]  # romantic first, strongest first
    main: tuple[str, ...] | None  # characters of the main pairing, or None (gen)


def read_relationships(
    story: StoryText, cast: list[CastMember], leads: set[str] | None = None
) -> RelationshipResult:
    """Read every pair of ``cast``; ``leads`` (the main characters, when known) are the only
    ones who can widen the main pairing into a threesome or more."""
    cast = cast[:MAX_CAST]
    if len(cast) < 2:
        return RelationshipResult([], None)
    starts = story.paragraph_starts
    n_paras = len(starts)
    # A short story has fewer chances to show it: the bar scales with length, 2 to 6 cues.
    words = story.text.count(" ") + 1
    min_cues = max(MIN_SHORT_CUES, min(MIN_ROMANCE_CUES, words / WORDS_PER_CUE))
    present: dict[str, set[int]] = {}
    for member in cast:
        paras = {story.paragraph_at(s) for s, _ in member.mentions} | set(member.implied)
        present[member.name] = paras
    names_at: dict[int, set[str]] = defaultdict(set)
    for name, paras in present.items():
        for p in paras:
            names_at[p].add(name)
    cues_by_para: dict[int, list[tuple[int, int]]] = defaultdict(list)
    text = story.text
    for start, end in romance_cue_spans(text):
        if not _no_romance_here(text, start, end):
            cues_by_para[story.paragraph_at(start)].append((start, end))

    cue_paras = sorted(cues_by_para)
    same_cue_cap = max(SAME_CUE_CAP, len(text) / CAP_CHARS)
    readings = []
    spans_of: dict[tuple[str, str], tuple[list[tuple[int, int]], set[int]]] = {}
    for x, y in itertools.combinations(cast, 2):
        windows = _shared_windows(present[x.name], present[y.name], n_paras)
        # A paragraph about somebody else ("Willow kissed Tara" beside Xander's window) is not
        # about this pair: its cues count when it names both, or nobody but them.
        # (Only paragraphs with cues are looked at: a novel has thousands without.)
        pair = {x.name, y.name}
        cue_spans = [
            span
            for p in cue_paras
            if any(p - k in windows for k in range(SCENE_PARAGRAPHS))
            and (pair <= names_at.get(p, _NOBODY) or names_at.get(p, _NOBODY) <= pair)
            for span in cues_by_para[p]
        ]
        cue_spans = _capped(text, sorted(set(cue_spans)), same_cue_cap)
        cues = len(cue_spans)
        if not windows:
            continue
        romantic = cues >= min_cues and cues / len(windows) >= MIN_ROMANCE_RATE
        if romantic and _family(x.name, y.name):
            romantic = False  # sisters who share every scene (and its kisses) are not a couple
        if not romantic and len(windows) < MIN_SHARED_WINDOWS:
            continue
        reading = PairReading(x.name, y.name, len(windows), cues, "/" if romantic else "&")
        reading.evidence = _evidence(story, cue_spans if romantic else [], windows, starts)
        readings.append(reading)
        spans_of[(x.name, y.name)] = (cue_spans, windows)
    dominant = _dominant(readings)
    if dominant is not None:
        dominant.kind = "/"
        cue_spans, windows = spans_of[(dominant.a, dominant.b)]
        dominant.evidence = _evidence(story, cue_spans, windows, starts)
    readings.sort(key=lambda r: (r.kind != "/", -r.score))
    return RelationshipResult(readings, _main_pairing(readings, leads))


def _capped(text: str, spans: list[tuple[int, int]], cap: float) -> list[tuple[int, int]]:
    """``spans`` with at most ``cap`` of any one cue word."""
    seen: dict[str, int] = defaultdict(int)
    kept = []
    for start, end in spans:
        word = text[start:end].lower()
        seen[word] += 1
        if seen[word] <= cap:
            kept.append((start, end))
    return kept


def _family(a: str, b: str) -> bool:
    """Two characters of one surname ("Mary Crawley", "Sybil Crawley"): family, not lovers."""
    sa, sb = _surname(a), _surname(b)
    return sa is not None and sa == sb


def _surname(name: str) -> str | None:
    words = [w for w in display_name(name).split() if w[:1].isupper()]
    while words and (words[-1].strip(".").upper() in _SUFFIXES):
        words.pop()  # "Friedrich von Goldenbaum IV", "Robert Crawley Jr."
    return words[-1] if len(words) >= 2 and len(words[-1]) > 2 else None


_SUFFIXES = frozenset(["I", "II", "III", "IV", "V", "VI", "JR", "SR"])


def _dominant(readings: list[PairReading]) -> PairReading | None:
    """A platonic-looking pair whose romantic cues dwarf every romantic pair's: in a long
    story with many scenes together the rate falls under the bar, yet it is the couple."""
    top = max((r.romance_cues for r in readings if r.kind == "/"), default=0)
    best = max((r for r in readings if r.kind == "&"), key=lambda r: r.romance_cues, default=None)
    if best is None or _family(best.a, best.b):
        return None
    if (
        best.romance_cues >= max(DOMINANT_CUES, DOMINANT_FACTOR * top)
        and best.rate >= DOMINANT_RATE
    ):
        return best
    return None


def _shared_windows(a: set[int], b: set[int], n: int) -> set[int]:
    """Windows (p … p + SCENE_PARAGRAPHS - 1) in which both characters appear."""
    shared = set()
    reach = SCENE_PARAGRAPHS - 1
    if len(b) < len(a):
        a, b = b, a  # symmetric: walk the smaller set
    for p in a:
        for q in range(p - reach, p + reach + 1):
            if 0 <= q < n and q in b:
                shared.add(min(p, q))
    return shared


def _evidence(
    story: StoryText, cue_spans: list[tuple[int, int]], windows: set[int], starts: list[int]
) -> list[Evidence]:
    if cue_spans:
        # The windows with the densest cues say most about the pair.
        by_para: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for span in cue_spans:
            by_para[story.paragraph_at(span[0])].append(span)
        best = sorted(by_para.items(), key=lambda kv: -len(kv[1]))[:3]
        return [
            story.evidence(spans[0][0], spans[-1][1], f"{len(spans)} romantic cues")
            for _, spans in best
        ]
    first = sorted(windows)[:2]
    return [story.evidence(starts[w], starts[w] + 1, "together in this scene") for w in first]


def _main_pairing(
    readings: list[PairReading], leads: set[str] | None = None
) -> tuple[str, ...] | None:
    romantic = [r for r in readings if r.kind == "/"]
    if not romantic:
        return None
    top = romantic[0]
    group = [top.a, top.b]
    scores = {frozenset((r.a, r.b)): r.romance_cues for r in romantic}
    others = {n for r in romantic for n in (r.a, r.b)} - set(group)
    if leads is not None:
        others &= leads  # a passing character is not a third partner
    for other in sorted(
        others, key=lambda o: (-sum(scores.get(frozenset((o, g)), 0) for g in group), o)
    ):
        if all(
            scores.get(frozenset((other, g)), 0) >= POLY_SHARE * top.romance_cues for g in group
        ):
            group.append(other)
    return tuple(sorted(group))
