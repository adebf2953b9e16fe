"""Abandoned works in progress: silent far longer than their own pace, or said to be.

A work in progress is *abandoned* when its last update lies further back than both a year
and three of its own usual gaps between chapters — a fic that updated monthly and has been
silent for fourteen months is abandoned, one that updated every eight months is not until
two years have passed.  A note, summary, title or tag saying the work is on hiatus,
discontinued or abandoned counts at once ("Abandoned Work - Unfinished and Discontinued" is
an AO3 tag), unless it says so in the negative ("not abandoned", "back from hiatus").

The verdict depends on today's date, so it is split in two:

* :func:`abandonment` reads what does not change with time — the last update, the usual
  gap, a cue — and gives the day from which the work counts as abandoned (``since``).  It
  can be stored with the work.
* :func:`wip_state` compares that day with today: ``active`` or ``abandoned`` (None for a
  work that is not in progress).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise
from statistics import median

from ficsift.model import Document, Status, TagOrigin, TagType


class WipState(StrEnum):
    ACTIVE = "active"
    ABANDONED = "abandoned"


MIN_SILENCE = timedelta(days=365)  # never abandoned sooner than a year after an update
GAPS = 3  # …nor sooner than this many of the work's usual gaps between chapters

# Said about the work itself.  "Abandoned" alone is too common in summaries ("an abandoned
# warehouse", "abandoned by his family") to count: only when the work is its subject.
_WORK = r"(?:story|fic|fanfic|work|series|this)"
_CUE_RE = re.compile(
    r"\b(?:on\s+(?:an?\s+)?(?:indefinite\s+|temporary\s+|permanent\s+)?hiatus|hiatus"
    r"|discontinued"
    rf"|{_WORK}\s+(?:is|has\s+been|was|'s)\s+(?:now\s+|officially\s+)*abandoned"
    r"|abandoned\s+(?:work|fic|story)"
    r"|up\s+for\s+adoption"
    r"|(?:will\s+not|won't|will\s+never)\s+be\s+(?:continued|finished|completed|updated)"
    r"|no\s+longer\s+(?:be\s+)?(?:updat|continu|writ)\w*)\b"
    r"|[\[(]\s*abandoned\s*[\])]",
    re.I,
)
# Words shortly before a cue that take it back ("no longer on hiatus", "back from hiatus",
# "after a long hiatus, here is chapter 5").
_UNSAID_RE = re.compile(
    r"\b(?:not|n't|never|no\s+longer|back\s+from|after|return(?:ed|ing)?\s+from|out\s+of|"
    r"end(?:ed|s|ing)?|over|off|break|without)\b[^.!?\n]{0,25}$",
    re.I,
)
# …or just after it ("the hiatus is over").
_ENDED_RE = re.compile(
    r"^[^.!?\n]{0,15}?\b(?:is|was|has\s+been|'s)\s+(?:now\s+|finally\s+|officially\s+)*"
    r"(?:over|ended|done|lifted)\b",
    re.I,
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Abandonment:
    """What a work in progress's own history says about when it counts as abandoned."""

    last_update: date | None
    usual_gap: timedelta | None  # None with fewer than two dated chapters
    since: date | None  # abandoned from this day on; None when nothing dates the work
    cue: str = ""  # the words that say it is abandoned or on hiatus

    def to_json(self) -> dict[str, object]:
        return {
            "last_update": self.last_update.isoformat() if self.last_update else None,
            "usual_gap_days": self.usual_gap.days if self.usual_gap else None,
            "since": self.since.isoformat() if self.since else None,
            "cue": self.cue or None,
        }


def abandonment(doc: Document, update_dates: Iterable[str] = ()) -> Abandonment | None:
    """When ``doc`` counts as abandoned; None unless it is a work in progress.

    ``update_dates`` are dates the work is known to have changed (ISO dates or datetimes:
    chapter dates, or the library's recorded updates), besides its published and updated
    dates.
    """
    if doc.status is not Status.IN_PROGRESS:
        return None
    dates = sorted({d for d in map(parse_date, [doc.published, doc.updated, *update_dates]) if d})
    last = dates[-1] if dates else None
    gap = usual_gap(dates, len(doc.chapters) or doc.stats.chapters_posted or 0)
    cue = find_cue(_cue_texts(doc))
    if cue:
        since = last or date.min
    elif last is not None:
        since = last + max(MIN_SILENCE, GAPS * gap if gap else MIN_SILENCE)
    else:
        since = None
    return Abandonment(last, gap, since, cue)


def wip_state(found: Abandonment | None, today: date) -> WipState | None:
    """``abandoned`` once ``today`` reaches ``found.since``; ``active`` before, or when
    nothing dates the work; None for a work that is not in progress."""
    if found is None:
        return None
    if found.since is not None and today >= found.since:
        return WipState.ABANDONED
    return WipState.ACTIVE


def usual_gap(dates: list[date], chapters: int) -> timedelta | None:
    """The work's usual time between chapters.

    With three or more distinct dates (a chapter's each), the median gap between them; else
    the span from first to last spread over the chapters posted after the first.
    """
    if len(dates) >= 3:
        return timedelta(days=median((b - a).days for a, b in pairwise(dates)))
    if len(dates) == 2 and chapters >= 2:
        return (dates[1] - dates[0]) / (chapters - 1)
    return None


def find_cue(texts: Iterable[str]) -> str:
    """The first words in ``texts`` saying the work is abandoned or paused ("" if none)."""
    for value in texts:
        for match in _CUE_RE.finditer(value):
            before = value[max(0, match.start() - 40) : match.start()]
            if not _UNSAID_RE.search(before) and not _ENDED_RE.match(value[match.end() :]):
                return " ".join(match.group(0).split()).strip("[]() ")
    return ""


def parse_date(value: str | None) -> date | None:
    if not value or not _DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _cue_texts(doc: Document) -> list[str]:
    """Where a work's current state is told: its title, summary, work notes, the notes of
    its latest chapter, and its tags (older chapters' notes tell of pauses long over)."""
    texts = [doc.title or "", doc.summary or "", *doc.notes, *doc.end_notes]
    if doc.chapters:
        last = doc.chapters[-1]
        texts += [*last.notes, *last.end_notes]
    texts += [t.name for t in doc.tags_of(TagType.FREEFORM, TagOrigin.AUTHOR)]
    return texts
