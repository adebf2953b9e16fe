"""Stories told to "you": second-person narration, and the reader-insert.

AO3 tags a story whose narration says "you" throughout ``POV Second Person``; when that "you"
is nobody in particular — the reader steps into the story, often as "Y/N" — the work also
gets the character ``Reader`` and the freeform ``Reader-Insert``.  Readers look for these and,
as often, blacklist them, yet the story's own text is the only place they show when an
author leaves them untagged.

The narration is read, not the dialogue: any story's characters say "you" to each other.  A
story is told in the second person when most of its narration paragraphs say "you" and the
word is frequent there.  On the shared corpus the one reader-insert work reads 120 such words
per 1,000 words of narration, in 99% of its paragraphs; no third-person or first-person story
reaches 30 per 1,000 or a third of its paragraphs (a letter, an address to the reader in a
frame story), so the bars below sit between the two with room on both sides.

The "you" is the reader, not a named character told in the second person ("You are Dean
Winchester"), when the story writes a name placeholder ("Y/N", "(your name)") or names no
lead of its own.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ficsift.understand.story import StoryText
from ficsift.understand.textops import QUOTED_RE, lower_aligned

SHARE = 0.5  # of the narration paragraphs (of MIN_PARAGRAPH_WORDS or more) that say "you"
RATE = 40.0  # "you", "your"… per 1,000 words of narration
# Narration is at least this share of a second-person story's words, so a story whose whole
# text holds "you" (in any case, in any word: "young" too) under RATE × NARRATION_FLOOR times
# per 1,000 words is not one: one count at memory speed spares nearly every story the
# paragraph-by-paragraph reading.
NARRATION_FLOOR = 0.5
OPENING_CHARS = 30_000  # the point of view shows in the opening (~5,000 words)
MIN_PARAGRAPH_WORDS = 8  # a shorter paragraph ("You nod.") says too little either way
MIN_PARAGRAPHS = 5  # fewer narration paragraphs: too short to tell
EVIDENCE = 3

# Dialogue as the rest of understanding reads it, and in single quotes too (British style):
# "you" said to someone in either is not narration.
_DIALOGUE_RE = re.compile(QUOTED_RE.pattern + r"|‘[^’\n]*’(?!\w)")
_YOU_RE = re.compile(r"\b(?:[Yy]ou|YOU|[Yy]our|[Yy]ours|[Yy]ourself)\b")
# "Y/N", "(Y/N)", "[y/n]", "(your name)", "[Your Name]": where the reader's name goes.
_PLACEHOLDER_RE = re.compile(r"(?<![\w/])[Yy]/[Nn](?![\w/])|[(\[][Yy]our [Nn]ame[)\]]")


@dataclass
class SecondPerson:
    """A story told in the second person (see the module's docstring)."""

    share: float  # narration paragraphs saying "you", of those long enough to tell
    rate: float  # per 1,000 words of narration
    placeholder: bool  # a "Y/N" or "(your name)" somewhere in the text
    spans: list[tuple[int, int]] = field(default_factory=list)  # "you" in narration, first few


def read_second_person(story: StoryText) -> SecondPerson | None:
    """The story's second-person reading; None when it is not told in the second person (or
    has too little narration to tell)."""
    text = story.text
    # A story told to "you" is so from its opening: the narration read is the opening's (a
    # novel costs what a short story does).
    opening = min(len(text), OPENING_CHARS)
    if 1000 * lower_aligned(text).count("you", 0, opening) < RATE * NARRATION_FLOOR * max(
        1, text.count(" ", 0, opening)
    ):
        return None
    starts = [s for s in story.paragraph_starts if s < opening] + [opening]
    long_ones = with_you = words = yous = 0
    spans: list[tuple[int, int]] = []
    for start, end in itertools.pairwise(starts):
        paragraph = text[start:end]
        if not paragraph.strip():
            continue
        # Blank out dialogue, keeping offsets: "you" said to someone is not narration.
        narration = _DIALOGUE_RE.sub(lambda m: " " * len(m.group(0)), paragraph)
        n_words = len(narration.split())
        found = list(_YOU_RE.finditer(narration))
        words += n_words
        yous += len(found)
        if n_words >= MIN_PARAGRAPH_WORDS:
            long_ones += 1
            if found:
                with_you += 1
                if len(spans) < EVIDENCE:
                    spans.append((start + found[0].start(), start + found[0].end()))
    if long_ones < MIN_PARAGRAPHS or not words:
        return None
    share, rate = with_you / long_ones, 1000 * yous / words
    if share < SHARE or rate < RATE:
        return None
    placeholder = _PLACEHOLDER_RE.search(text) is not None
    return SecondPerson(share=share, rate=rate, placeholder=placeholder, spans=spans)
