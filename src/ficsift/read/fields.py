"""Labelled metadata fields ("Rating: M", "Pairing: W/T") into a Document.

Fic headers in plain text, FanFicFare's EPUB title page, old archive pages and front-matter
files all say the same things with different labels.  One table maps a label to where the
value goes, so no reader carries its own copy of this logic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from ficsift.model import Document, SeriesRef, Status, TagType

# label (lower-case, no trailing colon) -> TagType for tag-valued fields
TAG_LABELS: dict[str, TagType] = {
    "fandom": TagType.FANDOM,
    "fandoms": TagType.FANDOM,
    "category": TagType.FANDOM,  # FanFicFare/FFN "Category" is the fandom; AO3's is below
    "categories": TagType.FANDOM,
    "pairing": TagType.RELATIONSHIP,
    "pairings": TagType.RELATIONSHIP,
    "relationship": TagType.RELATIONSHIP,
    "relationships": TagType.RELATIONSHIP,
    "ship": TagType.RELATIONSHIP,
    "ships": TagType.RELATIONSHIP,
    "character": TagType.CHARACTER,
    "characters": TagType.CHARACTER,
    "rating": TagType.RATING,
    "rated": TagType.RATING,
    "warning": TagType.WARNING,
    "warnings": TagType.WARNING,
    "archive warning": TagType.WARNING,
    "archive warnings": TagType.WARNING,
    "genre": TagType.FREEFORM,
    "genres": TagType.FREEFORM,
    "tags": TagType.FREEFORM,
    "additional tags": TagType.FREEFORM,
    "freeform": TagType.FREEFORM,
    "freeforms": TagType.FREEFORM,
    "keywords": TagType.FREEFORM,
    "content warnings": TagType.FREEFORM,
    "content notes": TagType.FREEFORM,
    "content note": TagType.FREEFORM,
    "trigger warnings": TagType.FREEFORM,
    "ao3 category": TagType.CATEGORY,
}
AO3_CATEGORIES = frozenset({"F/F", "F/M", "Gen", "M/M", "Multi", "Other"})
TEXT_LABELS = {
    "title": "title",
    "story": "title",
    "author": "authors",
    "authors": "authors",
    "by": "authors",
    "writer": "authors",
    "summary": "summary",
    "description": "summary",
    "disclaimer": "disclaimer",
    "a/n": "notes",
    "an": "notes",
    "author's note": "notes",
    "authors note": "notes",
    "author's notes": "notes",
    "note": "notes",
    "notes": "notes",
    "status": "status",
    "words": "words",
    "word count": "words",
    "wordcount": "words",
    "language": "language",
    "published": "published",
    "posted": "published",
    "updated": "updated",
    "completed": "completed",
    "series": "series",
    "source": "url",
    "url": "url",
    "link": "url",
}
KNOWN_LABELS = frozenset(TAG_LABELS) | frozenset(TEXT_LABELS) | {
    "feedback", "archive", "archiving", "spoilers", "timeline", "beta", "betas", "beta reader",
    "dedication", "prompt", "challenge", "length", "chapters", "date", "setting",
    "recipient", "for", "written for", "gift for", "part", "parts", "beta'd by", "betaed by",
}  # fmt: skip

# Separators only (items are stripped after): "\s*[,;]\s*" tried from every space of a long
# run of spaces is quadratic.
# Commas and semicolons part a list, but not a number's thousands ("Warhammer 40,000").
_LIST_SPLIT_RE = re.compile(r";|,(?!(?<=\d,)\d{3}\b)|(?<=\s)\|(?=\s)")
_NUMBER_RE = re.compile(r"\d[\d,.\s]*")
_LABEL_RE = re.compile(r"^\s*([A-Za-z][A-Za-z' /]{0,24}?)\s*:\s*(.*)$", re.S)


# Identities that hold across formats: the same AO3 work as HTML, EPUB and listing blurb.
# Only archiveofourown.org itself: other archives run AO3's software with their own ids.
_AO3_WORK_RE = re.compile(
    r"(?:archiveofourown\.org|ao3\.org)/(?:collections/[^/]+/)?works/(\d+)", re.I
)
_FFN_STORY_RE = re.compile(r"fanfiction\.net/s/(\d+)", re.I)


def work_key_for(url: str) -> str:
    """``ao3:<id>`` / ``ffn:<id>`` for AO3 and FFN story URLs; the URL itself otherwise."""
    if match := _AO3_WORK_RE.search(url):
        return f"ao3:{match.group(1)}"
    if match := _FFN_STORY_RE.search(url):
        return f"ffn:{match.group(1)}"
    return url


# A label set in Markdown emphasis: "**Author:** x", "**Author**: x", "_Rating:_ T".
_EMPHASISED_LABEL_RE = re.compile(r"^\s*([*_]{1,2})([A-Za-z][A-Za-z' /]{0,24}?)(:?)\1(:?)\s*")


def _plain_label(line: str) -> str:
    if line[:1] not in "*_" and line.lstrip()[:1] not in "*_":
        return line
    match = _EMPHASISED_LABEL_RE.match(line)
    if match and (match.group(3) or match.group(4)):
        return f"{match.group(2)}: {line[match.end() :]}"
    return line


def split_label(line: str) -> tuple[str, str] | None:
    """("rating", "PG-13") for "Rating: PG-13" (or "**Rating:** PG-13") when the label is one
    fics use; else None."""
    match = _LABEL_RE.match(_plain_label(line))
    if not match:
        return None
    label = normalise_label(match.group(1))
    if label not in KNOWN_LABELS:
        return None
    return label, match.group(2).strip()


def split_any_label(line: str) -> tuple[str, str] | None:
    """("recipient", "ravenmoth") for any line shaped "<a short label>: value", known or not
    (a header's own fields beside the ones fics share)."""
    match = _LABEL_RE.match(_plain_label(line))
    if not match or len(match.group(1).split()) > 3:
        return None
    return normalise_label(match.group(1)), match.group(2).strip()


def normalise_label(label: str) -> str:
    return " ".join(label.lower().replace("\u2019", "'").strip(" :").split())


def split_list(value: str) -> list[str]:
    return [v.strip() for v in _LIST_SPLIT_RE.split(value) if v.strip()]


# The largest figure a file may state (words, kudos, hits, chapters, series parts…): far past
# any real one, far below SQLite's 2**63 (a 25-digit "kudos" once aborted a whole import).
MAX_COUNT = 10**12


# A figure a site rounds ("Words: 5k+" on FanFiction.net's mobile pages, "1.2k" kudos).
_ROUNDED_RE = re.compile(r"^(\d{1,6}(?:\.\d{1,3})?)\s?([kKmM])\+?$")


def parse_count(value: object) -> int | None:
    """A count as a file states it ("1,234", " 17 "): an int in 0..MAX_COUNT, else None.

    Every figure read from a file goes through here, so an absurd one costs that figure,
    never the work (nor, in the writer, its neighbours).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= MAX_COUNT else None
    if not isinstance(value, str):
        return None
    digits = value.strip().replace(",", "")
    if rounded := _ROUNDED_RE.match(digits):  # "5k+", "1.2k": the site's rounding, kept
        scale = 1_000 if rounded.group(2) in "kK" else 1_000_000
        return round(float(rounded.group(1)) * scale)
    # The length test comes first: int() of thousands of digits is slow, then refused.
    if not digits or len(digits) > 13 or not digits.isascii() or not digits.isdigit():
        return None
    number = int(digits)
    return number if number <= MAX_COUNT else None


def parse_int(value: str | None) -> int | None:
    """The first number in free text ("About 12,000 words") through :func:`parse_count`."""
    if not value:
        return None
    match = _NUMBER_RE.search(value)
    if not match:
        return None
    return parse_count(re.sub(r"[^\d]", "", match.group(0)[:64]))


_SAFE_URL_RE = re.compile(r"https?://[^\s\x00-\x1f\x7f<>\"]+\Z", re.I)


def safe_url(value: object, base: str | None = None) -> str | None:
    """``value`` when it is an http(s) URL, else None: the one gate for URLs taken from files.

    A story file is hostile: a ``javascript:``/``data:``/``vbscript:`` link in it must never
    reach the library (it would be shown as a link).  A site-relative ``/path`` is joined to
    ``base`` (the site's origin) when one is given, and a protocol-relative ``//host/path``
    takes the base's scheme.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if base and url.startswith("//"):  # protocol-relative ("//www.fanfiction.net/s/…")
        url = base.split("//", 1)[0] + url
    elif base and url.startswith("/"):
        url = base.rstrip("/") + url
    if len(url) > 2048 or not _SAFE_URL_RE.match(url):
        return None
    return url


_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[T ])")
_TIME_RE = re.compile(r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_YEAR_MONTH_RE = re.compile(r"(\d{4})(?:-(\d{1,2}))?$")
_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y",
                 "%Y/%m/%d", "%Y.%m.%d")  # fmt: skip


def parse_date(value: object) -> str | None:
    """A date as the library keeps it (ISO: ``2021-03-03``, a time after it kept; or
    ``2021-03``/``2021``), from the spellings fics use; None when it is no real date.

    "2013-13-45" is None: a bad date costs that field (the caller keeps a note), never the
    story, and nothing downstream ever meets a date it cannot parse.
    """
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > 64:
        return None
    if match := _ISO_DATE_RE.match(text):
        y, m, d = (int(g) for g in match.groups())
        if not _real_date(y, m, d):
            return None
        rest = text[match.end() :]
        iso = f"{y:04d}-{m:02d}-{d:02d}"
        return iso + rest if rest and _TIME_RE.match(rest) else iso
    if match := _YEAR_MONTH_RE.match(text):
        year, month = int(match.group(1)), match.group(2)
        if month is None:
            return f"{year:04d}" if year >= 1 else None
        return f"{year:04d}-{int(month):02d}" if _real_date(year, int(month), 1) else None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def note_dropped(doc: Document, what: str, value: object, why: str) -> None:
    """Keep a note that a field was dropped (and its text, so nothing the author wrote is lost)."""
    shown = " ".join(str(value).split())
    if len(shown) > 80:
        shown = shown[:77] + "..."
    doc.extra.setdefault("warnings", []).append(f"{what} {shown!r} dropped: {why}")


def status_from_word(value: str) -> Status:
    v = value.strip().lower()
    if v in {"complete", "completed", "finished", "yes", "done", "complete work"}:
        return Status.COMPLETE
    if v in {"in-progress", "in progress", "wip", "work in progress", "incomplete", "ongoing",
             "no", "abandoned", "hiatus", "on hiatus"}:  # fmt: skip
        return Status.IN_PROGRESS
    return Status.UNKNOWN


NO_PAIRING = frozenset({"gen", "none", "n/a", "no pairing", "no pairings"})
# A value that says the field is empty ("Series: N/A", "Characters: None" on eFiction pages).
NOTHING = frozenset({"none", "n/a", "na", "nothing", "-", "--", "none given", "not applicable"})
# … except where "none" is itself news: "Pairing: none" is a gen story, "Warnings: None" says
# no archive warning applies (as AO3's own tag does).
_SAYS_NONE = frozenset({TagType.RELATIONSHIP, TagType.WARNING})


def _says_no_pairing(item: str) -> bool:
    """ "gen", "none", "None (Xander-centric gen)": the field says there is no pairing."""
    value = item.strip().lower()
    return value in NO_PAIRING or bool(re.match(r"(?:none|gen|n/a)\s*\(", value))


def apply_fields(doc: Document, fields: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Apply labelled fields to ``doc``; returns the pairs it found no home for.

    Tag-valued fields keep their label (``Tag.label``) and each list item as spelled.
    """
    unplaced: list[tuple[str, str]] = []
    for raw_label, value in fields:
        label = normalise_label(raw_label)
        value = value.strip()
        if not value:
            continue
        tag_type = TAG_LABELS.get(label)
        if value.strip(" .").lower() in NOTHING and tag_type not in _SAYS_NONE:
            continue
        if tag_type is not None:
            items = split_list(value) if tag_type != TagType.RATING else [value]
            for n, item in enumerate(items):
                kind = TagType.CATEGORY if item in AO3_CATEGORIES else tag_type
                if kind == TagType.RELATIONSHIP and _says_no_pairing(item):
                    kind = TagType.CATEGORY  # "Pairing: gen" says there is none: AO3's Gen
                tag = doc.add_tag(item, kind, label=raw_label.strip())
                if tag is not None and label == "pairing" and n == 0 and kind == tag_type:
                    # "Pairing: Giles/Buffy" names the story's pairing, whatever order the
                    # tag list gave: it is the main one.
                    tag.main = True
            continue
        target = TEXT_LABELS.get(label)
        if target == "title":
            doc.title = doc.title or value
        elif target == "authors":
            for name in split_list(value.replace(" & ", ", ").replace(" and ", ", ")):
                if name not in doc.authors:
                    doc.authors.append(name)
        elif target == "summary":
            doc.summary = doc.summary or value
        elif target == "disclaimer":
            doc.disclaimer = doc.disclaimer or f"{raw_label.strip()}: {value}"
        elif target == "notes":
            doc.notes.append(value)
        elif target == "status":
            status = status_from_word(value)
            if status != Status.UNKNOWN:
                doc.status = status
        elif target == "words":
            words = parse_int(value)
            if words is None and any(ch.isdigit() for ch in value):
                note_dropped(doc, raw_label.strip(), value, "not a sane count")
            doc.stats.words = words if words is not None else doc.stats.words
        elif target == "language":
            doc.language = value
        elif target in {"published", "updated", "completed"}:
            set_date(doc, target, value)
        elif target == "series":
            doc.series.append(SeriesRef(name=value))
        elif target == "url":
            add_urls(doc, [value])
        else:
            unplaced.append((raw_label, value))
    if unplaced:
        doc.extra.setdefault("fields", {}).update({k: v for k, v in unplaced})
    return unplaced


def set_date(doc: Document, which: str, value: object) -> None:
    """Set ``doc.published``/``updated``/``completed`` from a file's value, or drop a bad one
    with a note (the text kept among the unplaced fields)."""
    date = parse_date(value)
    if date is None:
        note_dropped(doc, which, value, "not a real date")
        doc.extra.setdefault("fields", {}).setdefault(which, " ".join(str(value).split()))
        return
    setattr(doc, which, date)


def add_urls(doc: Document, values: Iterable[object]) -> None:
    """Links a file names for the work: http(s) only; any other scheme is dropped with a note."""
    for value in values:
        url = safe_url(value)
        if url is None:
            note_dropped(doc, "link", value, "only http(s) links are kept")
        else:
            doc.extra.setdefault("urls", []).append(url)
