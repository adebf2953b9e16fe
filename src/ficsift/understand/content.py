"""Rating, AO3 archive warnings and fine trigger labels, inferred from the story text alone.

Method (no neural model; see :mod:`ficsift.understand.content_lexicon` for the cues):

1. **One matcher.**  Every cue phrase of every label is compiled into a single
   case-insensitive regex shaped as a character trie (``kill(?:s|ed|ing|er)?``), so Python's
   regex engine walks the text once and never retries alternatives that share a prefix; a
   matched string is mapped back to its cue by a dictionary lookup.  Longer phrases win over
   the words inside them, which is how stop phrases work ("bloody hell" is swearing, "blood
   pressure" is nothing).  Only the story text is read — notes and disclaimers never drive a
   warning.
2. **Negation and hedging**, where cheap: a cue flagged negatable does not count after "not",
   "never", "no", "without", "n't" within two words ("there was no blood", "didn't kill");
   one flagged hedgeable also not after "nearly", "could", "would", "if", "'ll", … ("she
   nearly died", "I'll kill him").
3. **Passages, not totals.**  Each label's hits are summed in sliding windows of
   :data:`WINDOW` characters (a scene's worth); the label's *score* is its strongest passage
   plus half of each of the next four non-overlapping passages, and a cue repeated within a
   passage adds only a quarter of its weight again.  A cluster of different cues in one
   scene therefore counts more than the same cues scattered over a novel, and a novel is
   not rated on its length.  Those passages are the evidence, strongest first.
4. **Warnings** are round thresholds on those scores, tuned on the shared corpus (AO3
   works' warnings) and documented where they are defined; confidence is
   ``score / (score + threshold)`` (0.5 at the threshold).
5. **The rating** is learned: :func:`rating_features` (each axis's strongest passage, the
   density of sexual and profane cues) go through three logistic regressions fitted on the
   authors' ratings of the shared corpus and cross-validated by ``eval_understand.py``
   (:class:`~ficsift.understand.calibration.RatingModel`, shipped in the calibration).  Its
   confidence is the probability of the rating given; under the model's bar no rating is
   guessed.

``Tag.extra["scores"]`` on the rating gives densities — summed cue weight per 10,000 words
— of sexual, violent (incl. gore) and profane cues, for display and comparison across works;
``extra["passages"]`` each axis's passage score, ``extra["probabilities"]`` the four ratings'.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ficsift.model import Evidence, Tag, TagOrigin, TagType
from ficsift.understand.calibration import RATING_NAMES, RatingModel, load_calibration, sigmoid
from ficsift.understand.content_lexicon import (
    COARSE,
    CONTENT_LABEL,
    NOT_NAMES,
    UNDER_AGE_WORDS,
    lexicon,
)
from ficsift.understand.story import StoryText
from ficsift.understand.textops import (
    common_word_share,
    in_quotes,
    lower_aligned,
    quoted_spans,
)

WINDOW = 1500  # characters in a passage (~250 words): one scene, one sex or fight sequence
MAX_EVIDENCE = 5

# Passage-score levels (see module docstring, step 3).  A passage of explicit sex has many
# weight-3 anatomical/act cues; 12 is four of them (or a couple of passages): the
# "pornography" label's threshold.  A sexual passage of 8 is a described sex scene (an age
# stated near one counts toward Underage).
EXPLICIT_AT = 12.0
MATURE_SEXUAL_AT = 8.0
# Graphic violence (blood, wounds, torture acts clustered in scenes; well above a mention of
# blood or a fight): the archive warning, and the level where a scene of it makes a story
# Mature (:data:`GRAPHIC_SLOPE`).
GRAPHIC_VIOLENCE_AT = 15.0
# The rating's axes reported per story in ``extra["passages"]``.
AXES = ("r.explicit", "r.sexual", "r.gore", "r.violence", "r.swear", "r.romance")

# Archive warnings.
# Major Character Death: a main or significant character's death in the story's own time, told
# by the narration ("Tara died", "killed Tara", "Bronner is dead"; see named_deaths), with the
# story's other death cues (a funeral, mourning) as support at half weight.  10 is one such
# death and a scene of aftermath, or several deaths; in the shared AO3 works it keeps the one
# author-warned death and none of the unwarned ones (eval_content.py).
DEATH_AT = 10.0
NONCON_AT = 6.0  # two plain statements (rape, non-consensual …) or one amid struggle cues
UNDERAGE_AT = 6.0  # an age under 18 (or "underage", …) stated in or just before a sex scene
UNDERAGE_NEAR = MATURE_SEXUAL_AT  # the sexual passage score that makes a nearby age count
FINE_AT = 6.0  # a fine trigger label: e.g. two naming cues in one scene, or spread cues
# Overrides: "pornography" is the Explicit rating's own threshold; common words ("dead",
# "war") need more; for the gravest labels a missed warning costs more than an extra one, so
# one naming cue plus any support ("He raped me." beside "violated") is enough.
FINE_AT_OVERRIDES = {
    "pornography": EXPLICIT_AT,
    "death": 8.0,
    "collective-violence": 8.0,
    "sexual-abuse": 4.5,
    "child-abuse": 4.5,
    "suicide": 4.5,
    "self-harm": 4.5,
}

ARCHIVE = {
    "r.gore": ("Graphic Depictions Of Violence", GRAPHIC_VIOLENCE_AT),
    "a.death.named": ("Major Character Death", DEATH_AT),
    "a.noncon": ("Rape/Non-Con", NONCON_AT),
    "a.underage": ("Underage", UNDERAGE_AT),
}
ARCHIVE_AT = {name: threshold for name, threshold in ARCHIVE.values()}
RATINGS = RATING_NAMES  # AO3's four, lowest first

_NEGATION_RE = re.compile(
    r"(?:\b(?:not|never|no|without|nor|hardly|barely|neither)|n['’]t)\s+(?:[\w'’]+\s+){0,2}$"
)
_HEDGE_RE = re.compile(
    r"(?:\b(?:nearly|almost|could|would|might|may|should|must|if|unless|will|gonna|going to"
    r"|wants? to|wanted to|threaten(?:ed|s)? to|tried to|try to|pretend(?:ed)? to|as if)"
    r"|['’]ll)\s+(?:[\w'’]+\s+){0,2}$"  # not "'d": "he'd died" is "he had died"
)
# Common English words no other major fic language shares ("a", "in" are French/German too).
_COMMON_WORDS = frozenset(
    ["the", "and", "was", "of", "to", "he", "she", "it", "you", "that", "his", "her", "with"]
)
_AGE_RE = re.compile(
    rf"\b(?:{UNDER_AGE_WORDS})[- ]years?[- ]old\b"
    rf"|\b(?:was|is|only|just|turned|turning|aged?|barely)\s+(?:{UNDER_AGE_WORDS})\b"
    r"(?![- ](?:minutes|hours|days|weeks|months|years|times|o'clock|and|or|percent|hundred))"
    rf"|\b(?:{UNDER_AGE_WORDS})(?:th|st|nd|rd)? birthday\b",
    re.I,
)
# "since I was fifteen", "when she was sixteen": someone's past, not the scene's participants.
_BACKSTORY_RE = re.compile(r"\b(?:when|since|until|till|before|after|back then)\s+\w+\s*$", re.I)
_NAME_RE = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b")
_NOT_NAMES = frozenset(NOT_NAMES.split())


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    weight: float
    phrase: str


@dataclass(slots=True)
class Passage:
    score: float
    hits: list[Hit]


@dataclass(slots=True)
class LabelScore:
    label: str
    score: float = 0.0
    total: float = 0.0
    passages: list[Passage] = field(default_factory=list)


# ---- analysis ------------------------------------------------------------------------------


@dataclass
class Analysis:
    story: StoryText
    words: int
    english: float  # share of sampled words that are common English words (0 for CJK text)
    hits: dict[str, list[Hit]]
    _scores: dict[str, LabelScore] = field(default_factory=dict)

    def score(self, label: str) -> LabelScore:
        if label not in self._scores:
            self._scores[label] = passages(label, self.hits.get(label, []))
        return self._scores[label]

    def density(self, *labels: str) -> float:
        total = sum(h.weight for label in labels for h in self.hits.get(label, []))
        return round(total * 10_000 / max(self.words, 1), 2)

    @property
    def confident(self) -> float:
        """How far to trust the lexicon here: low for text that is not English."""
        return min(1.0, self.english / 0.15)  # English fiction: 0.18-0.35 on the corpus


REPEAT = 0.25  # a cue repeated within a passage adds a quarter of its weight each time
SECONDARY = 0.5  # weight of each of the next four passages after the strongest


def passages(label: str, hits: list[Hit]) -> LabelScore:
    """Strongest non-overlapping WINDOW-sized passages of ``hits`` (sorted by start).

    A passage's score is the sum of its distinct cues' weights plus REPEAT of the weight of
    each repetition: "blood" seven times is not a massacre, "blood, gash, bone snapped" is.
    """
    out = LabelScore(label, total=sum(h.weight for h in hits))
    if not hits:
        return out
    sums, j, acc = [], 0, 0.0
    seen: dict[str, int] = {}
    for i, h in enumerate(hits):  # window i = hits starting in [h.start, h.start + WINDOW)
        while j < len(hits) and hits[j].start < h.start + WINDOW:
            nxt = hits[j]
            n = seen.get(nxt.phrase, 0)
            acc += nxt.weight if n == 0 else nxt.weight * REPEAT
            seen[nxt.phrase] = n + 1
            j += 1
        sums.append((acc, i, j))
        n = seen[h.phrase] - 1  # h leaves the window: the next copy becomes the first
        acc -= h.weight if n == 0 else h.weight * REPEAT
        seen[h.phrase] = n
    taken: list[tuple[int, int]] = []
    for s, i, j in sorted(sums, key=lambda t: (-t[0], t[1])):
        lo, hi = hits[i].start, hits[i].start + WINDOW
        if any(lo < b and a < hi for a, b in taken):
            continue
        taken.append((lo, hi))
        out.passages.append(Passage(round(s, 2), hits[i:j]))
        if len(out.passages) == MAX_EVIDENCE:
            break
    out.score = out.passages[0].score + SECONDARY * sum(p.score for p in out.passages[1:])
    return out


# The last story analysed and its analysis: the pipeline calls infer_warnings then
# infer_rating on one story, which should scan it once.  One entry keeps memory bounded.
_last: list[tuple[StoryText, Analysis]] = []


def analyze(story: StoryText) -> Analysis:
    """Match the lexicon over the story once (cached for the last story analysed)."""
    if _last and _last[0][0] is story:
        return _last[0][1]
    text = story.text
    lex = lexicon()
    hits: dict[str, list[Hit]] = {}
    near_sex: list[tuple[int, int, str, tuple[tuple[str, float], ...]]] = []
    for m in lex.regex.finditer(lower_aligned(text)):
        s, e = m.span()
        cue = lex.cue(text[s:e])
        if cue is None or not cue.labels:
            continue
        flags = cue.flags
        if "l" in flags and not text[s].islower():
            continue
        if "n" in flags or "h" in flags:
            before = text[max(0, s - 40) : s].lower()
            if _NEGATION_RE.search(before) or ("h" in flags and _HEDGE_RE.search(before)):
                continue
        if "s" in flags:
            near_sex.append((s, e, cue.phrase, tuple(cue.labels)))
            continue
        for label, w in cue.labels:
            hits.setdefault(label, []).append(Hit(s, e, w, cue.phrase))
    _keep_near_sex(hits, near_sex)
    english = common_word_share(text, _COMMON_WORDS)
    result = Analysis(story, story.words, english, hits)
    _ages_near_sex(result)
    _last[:] = [(story, result)]
    return result


def _keep_near_sex(
    hits: dict[str, list[Hit]], deferred: list[tuple[int, int, str, tuple[tuple[str, float], ...]]]
) -> None:
    """Cues flagged ``s`` count only within a passage of explicit sexual cues."""
    explicit = [h.start for h in hits.get("r.explicit", [])]
    if not deferred or not explicit:
        return
    for s, e, phrase, labels in deferred:
        i = bisect.bisect_left(explicit, s - WINDOW)
        if i < len(explicit) and explicit[i] <= s + WINDOW:
            for label, w in labels:
                hits.setdefault(label, []).append(Hit(s, e, w, phrase))
    for label in {label for *_, labels in deferred for label, _ in labels}:
        if label in hits:
            hits[label].sort(key=lambda h: h.start)


def named_deaths(a: Analysis, names: Sequence[str] = ()) -> LabelScore:
    """Deaths in the story's own time of the characters ``names`` (the story's main and
    significant ones; without them, names that recur through the story).

    A death cue counts only as an *event* that befalls one of them, told by the narration:
    the character is its subject ("Tara died", "Tara was killed", "Tara is dead", "Tara's
    heart stopped") or object ("killed Tara"); not a line of dialogue ("You were dead"), not
    the past of the past ("Tara had died", "since Tara died", "after Joyce's death"), not a
    funeral, a grave or mourning on their own (a death recalled from canon, an off-screen
    relative's).  Each event counts its cue's weight (see :func:`passages`)."""
    text = a.story.text
    given = {
        part
        for n in names
        for part in re.sub(r"\(.*?\)", " ", n).split()
        if len(part) > 2 and part[0].isupper()
    }
    if not given:
        given = _recurring_names(a)
    quoted = quoted_spans(text)
    events = []
    for h in a.hits.get("a.death", []):
        if h.phrase not in _EVENT_CUES or in_quotes(quoted, h.start):
            continue
        before = text[max(0, h.start - 60) : h.start]
        m = _SUBJECT_RE.search(before)
        if m and m.group(1) in given and not _RECALLED_RE.search(before[: m.start(1)]):
            events.append(Hit(h.start, h.end, h.weight, f"{h.phrase} ({m.group(1)})"))
    for m in (m for pattern in _KILLED_RES for m in pattern.finditer(text)):
        name = m.group(2)
        if name in given and not in_quotes(quoted, m.start()):
            before = text[max(0, m.start() - 30) : m.start()]
            if not _RECALLED_RE.search(before) and not before.rstrip().endswith("had"):
                events.append(Hit(m.start(), m.end(), EVENT_WEIGHT, f"{m.group(1)} {name}"))
    events.sort(key=lambda h: h.start)
    return passages("a.death.named", events)


# Death cues that are the event itself (not "had died": the past of the past; not aftermath).
_EVENT_CUES = frozenset(
    ["died", "dies", "is dead", "was dead", "has died", "was killed", "is killed",
     "got killed", "passed away", "stopped breathing", "bled out", "was murdered",
     "was executed", "breathed her last", "breathed his last", "breathed their last"]
)  # fmt: skip
EVENT_WEIGHT = 2.0
# The character right before the cue: "Tara", "Tara finally", "Tara's heart", "Tara, shot,".
_SUBJECT_RE = re.compile(
    r"\b([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)(?:['’]s (?:heart|body))?(?:,? (?:\w+ly|just|then|finally|"
    r"quietly|suddenly|too|already|simply|now)){0,2}\s*$"
)
# One pattern per verb, each led by its literal (the word boundary looked behind): six fast
# literal searches take a fifth of the time of one alternation tried at every position.
_KILLED_RES = tuple(
    re.compile(rf"({verb})(?<!\w{verb}) ([A-Z][a-z]+)\b")
    for verb in ("killed", "murdered", "executed", "slew", "beheaded", "strangled")
)
# A death told as the past of the story's past, or as what someone remembers.
_RECALLED_RE = re.compile(
    r"\b(?:since|after|before|ever since|the day|the night|the year|remembered|remember|"
    r"memory of|years ago|long ago|when)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def _recurring_names(a: Analysis) -> set[str]:
    """Capitalised words that recur through the story: the characters that matter."""
    text = a.story.text
    min_count = max(8, a.words // 1500)
    counts: dict[str, int] = {}
    for name in _NAME_RE.findall(text):
        if name not in _NOT_NAMES:
            counts[name] = counts.get(name, 0) + 1
    return {n for n, c in counts.items() if c >= min_count}


def _ages_near_sex(a: Analysis) -> None:
    """Underage cues ("underage", "jailbait") and stated ages under 18 count toward the
    Underage warning only within or just before a sexual passage, and not in backstory
    ("since I was fifteen"); "underage drinking" is a stop phrase."""
    text = a.story.text
    words = a.hits.get("a.underage", [])
    found: set[Hit] = set()
    for p in a.score("r.sexual").passages:
        if p.score < UNDERAGE_NEAR:
            continue
        lo, hi = max(0, p.hits[0].start - WINDOW), p.hits[-1].end + WINDOW // 2
        found.update(h for h in words if lo <= h.start < hi)
        for m in _AGE_RE.finditer(text, lo, hi):
            if not _BACKSTORY_RE.search(text, max(0, m.start() - 24), m.start()):
                found.add(Hit(m.start(), m.end(), UNDERAGE_AT, m.group()))
    a.hits["a.underage"] = sorted(found, key=lambda h: (h.start, h.end, h.phrase, h.weight))


# ---- evidence and tags ----------------------------------------------------------------------


# How evidence names the rating's axes.
_SHOWN = {
    "r.explicit": "explicit sex",
    "r.sexual": "sexual content",
    "r.gore": "graphic violence",
    "r.violence": "violence",
    "r.swear": "swearing",
    "r.romance": "romance",
}


def _evidence(story: StoryText, label: str, ps: Iterable[Passage]) -> list[Evidence]:
    """One Evidence per passage: the sentences around its strongest cue and the cues within
    200 characters of it (a whole 1,500-character window would be too long to show)."""
    out = []
    for p in ps:
        top = max(p.hits, key=lambda h: h.weight)
        near = [h for h in p.hits if abs(h.start - top.start) <= 200]
        cues = ", ".join(dict.fromkeys(h.phrase for h in near))
        reason = f"{_SHOWN.get(label, label)}: {cues}"
        out.append(story.evidence(near[0].start, near[-1].end, reason))
        if len(out) == MAX_EVIDENCE:
            break
    return out


def _rating_evidence(story: StoryText, drivers: list[LabelScore]) -> list[Evidence]:
    """The passages that decided the rating, the deciding axis's strongest first, without
    showing one scene twice (the explicit and the sexual axes share their scenes)."""
    chosen: list[tuple[str, Passage]] = []
    for d in drivers:
        for p in d.passages:
            lo, hi = p.hits[0].start, p.hits[-1].end
            if all(hi <= q.hits[0].start or lo >= q.hits[-1].end for _, q in chosen):
                chosen.append((d.label, p))
    return [e for label, p in chosen[:MAX_EVIDENCE] for e in _evidence(story, label, [p])]


def _confidence(score: float, threshold: float, trust: float) -> float:
    return round(trust * score / (score + threshold), 3)


# The rating's features (:func:`rating_features`), in the order the fitted model weighs them:
# the strongest passage of each axis (how far one scene goes) and, for sex and swearing, the
# cues per 10,000 words (how much of the story it is: a short story of one sex scene is rated
# on it, a novel with one crude line is not).  Nothing here knows a fandom.
RATING_FEATURES = (
    "explicit peak", "sexual peak", "sexual density", "explicit density", "swear peak",
    "swear density", "gore peak", "violence peak", "romance peak", "captivity peak",
)  # fmt: skip
# Graphic violence is Mature on AO3, but the shared corpus holds no scene of it past a
# passage score of 8 (its violent stories are rated General or Teen by their authors), so the
# fitted model cannot learn it.  It enters as a prior, or-ed with the fitted P(Mature): a
# passage at the Graphic Depictions Of Violence level gives 0.5, a quarter more 0.8.
GRAPHIC_SLOPE = 6.0


def _log1p(x: float) -> float:
    return math.log1p(max(0.0, x))


def _peak(s: LabelScore) -> float:
    return s.passages[0].score if s.passages else 0.0


def rating_features(a: Analysis) -> tuple[float, ...]:
    """The story's :data:`RATING_FEATURES` (log scale)."""
    return (
        _log1p(_peak(a.score("r.explicit"))),
        _log1p(_peak(a.score("r.sexual"))),
        _log1p(a.density("r.sexual") / 10),
        _log1p(a.density("r.explicit") / 10),
        _log1p(_peak(a.score("r.swear"))),
        _log1p(a.density("r.swear") / 10),
        _log1p(_peak(a.score("r.gore"))),
        _log1p(_peak(a.score("r.violence"))),
        _log1p(_peak(a.score("r.romance"))),
        _log1p(_peak(a.score("kidnapping"))),
    )


def rating_probabilities(a: Analysis, model: RatingModel) -> dict[str, float]:
    """The four AO3 ratings' probabilities: the fitted model's, with graphic violence or-ed
    into Mature (see :data:`GRAPHIC_SLOPE`)."""
    gore = _peak(a.score("r.gore"))
    graphic = sigmoid(GRAPHIC_SLOPE * math.log(gore / GRAPHIC_VIOLENCE_AT)) if gore else 0.0
    return model.probabilities(rating_features(a), mature_prior=graphic)


# Which axes a rating's evidence shows.
_DRIVERS = (
    (),
    ("r.swear", "r.violence", "r.sexual", "r.romance"),
    ("r.sexual", "r.gore", "kidnapping"),
    ("r.explicit", "r.sexual"),
)


def infer_rating(story: StoryText, model: RatingModel | None = None) -> Tag | None:
    """AO3 rating, or None when the evidence is too weak to say.

    Four probabilities from the fitted model (``model``, else the shipped calibration's):
    the side (General/Teen vs Mature/Explicit) is the likelier one, the rating the likelier
    within it, and its probability the confidence.  None when the side's probability is under
    the model's bar, when there is no fitted model, or when the text is not English (or
    empty): the lexicon cannot judge it."""
    model = model if model is not None else load_calibration().rating
    a = analyze(story)
    if model is None or not a.words or a.confident < 0.3:
        return None
    probs = rating_probabilities(a, model)
    mature = probs[RATINGS[2]] + probs[RATINGS[3]]
    if max(mature, 1 - mature) < model.bar:
        return None
    side = (2, 3) if mature >= 0.5 else (0, 1)
    level = max(side, key=lambda i: probs[RATINGS[i]])
    drivers = sorted(
        (s for s in (a.score(label) for label in _DRIVERS[level]) if s.passages),
        key=lambda s: -s.score,
    )
    return Tag(
        name=RATINGS[level],
        type=TagType.RATING,
        origin=TagOrigin.INFERRED,
        confidence=round(probs[RATINGS[level]], 3),
        evidence=_rating_evidence(story, drivers),
        extra={
            "scores": {
                "sexual": a.density("r.sexual"),
                "violence": a.density("r.violence", "r.gore"),
                "language": a.density("r.swear"),
            },
            "passages": {label[2:]: a.score(label).score for label in AXES},
            "probabilities": {k: round(v, 3) for k, v in probs.items()},
        },
    )


def infer_warnings(story: StoryText, names: Sequence[str] = ()) -> list[Tag]:
    """AO3 archive warnings (label "archive") and fine trigger labels (label CONTENT_LABEL,
    ``extra["coarse"]``), each with confidence and its strongest passages as evidence.

    ``names`` are the story's main characters, when the caller knows them; they make Major
    Character Death look for those names beside death cues instead of recurring capitals.
    """
    a = analyze(story)
    trust = a.confident
    if trust < 0.3:  # not English (or almost no text): the lexicon cannot judge it
        return []
    out = []
    for name, s in archive_scores(story, names).items():
        threshold = ARCHIVE_AT[name]
        if s.score >= threshold:
            out.append(_tag(story, name, "archive", s, threshold, trust, {}))
    for label, coarse in COARSE.items():
        s = a.score(label)
        threshold = FINE_AT_OVERRIDES.get(label, FINE_AT)
        if s.score >= threshold:
            out.append(_tag(story, label, CONTENT_LABEL, s, threshold, trust, {"coarse": coarse}))
    return out


def archive_scores(story: StoryText, names: Sequence[str] = ()) -> dict[str, LabelScore]:
    """Each AO3 archive warning's score (compared with :data:`ARCHIVE_AT`)."""
    a = analyze(story)
    out = {}
    for label, (name, _threshold) in ARCHIVE.items():
        if label == "a.death.named":
            out[name] = _major_death(named_deaths(a, names), a.score("a.death"))
        else:
            out[name] = a.score(label)
    return out


def _major_death(named: LabelScore, any_death: LabelScore) -> LabelScore:
    """A lead's death in the story's time, with the story's other death cues (funeral,
    mourning) as support at half weight — support only: without such a death, nothing."""
    if not named.passages:
        return named
    starts = {p.hits[0].start for p in named.passages}
    extra = [p for p in any_death.passages if p.hits[0].start not in starts]
    return LabelScore(
        named.label,
        score=named.score + 0.5 * any_death.score,
        total=named.total,
        passages=(named.passages + extra)[:MAX_EVIDENCE],
    )


def _tag(
    story: StoryText,
    name: str,
    kind: str,
    s: LabelScore,
    threshold: float,
    trust: float,
    extra: dict,
) -> Tag:
    return Tag(
        name=name,
        type=TagType.WARNING,
        origin=TagOrigin.INFERRED,
        label=kind,
        confidence=_confidence(s.score, threshold, trust),
        evidence=_evidence(story, name, s.passages),
        extra=extra,
    )
