"""The pages of an exported work, laid out as AO3's own download lays out a work.

Readers know that layout (a title page of typed tags — Rating, Archive Warnings, Category,
Fandoms, Relationships, Characters, Additional Tags, Stats — then each chapter with its
summary and notes set apart from the text, then the end notes), and every reader of AO3
downloads, ficsift's own included, reads it back: the same title, authors, chapters and
typed tags.  What is not the author's — ficsift's inferred tags and the reader's own rating
and notes — sits outside the author's metadata block, so reading the book back never turns
it into author tags or author's notes.

Every piece is an XHTML fragment built from escaped text (:func:`ficsift.export.xhtml.text`)
or sanitised story HTML; the EPUB and the HTML export wrap the same pieces.
"""

from __future__ import annotations

from collections.abc import Iterator

from ficsift.export.xhtml import paragraphs, story_html, text
from ficsift.library import StoredWork
from ficsift.library.views import ReadingState
from ficsift.model import Chapter, Document, Status, TagOrigin, TagType
from ficsift.understand.content_lexicon import CONTENT_LABEL, trigger_label

# (type, label for one tag, label for several), in AO3's order
TAG_ROWS: tuple[tuple[TagType, str, str], ...] = (
    (TagType.RATING, "Rating", "Ratings"),
    (TagType.WARNING, "Archive Warning", "Archive Warnings"),
    (TagType.CATEGORY, "Category", "Categories"),
    (TagType.FANDOM, "Fandom", "Fandoms"),
    (TagType.RELATIONSHIP, "Relationship", "Relationships"),
    (TagType.CHARACTER, "Character", "Characters"),
    (TagType.FREEFORM, "Additional Tags", "Additional Tags"),
)
_FOUND_LABELS = {
    TagType.FANDOM: "Fandoms", TagType.RELATIONSHIP: "Relationships",
    TagType.CHARACTER: "Characters", TagType.FREEFORM: "Tags", TagType.WARNING: "Warnings",
    TagType.RATING: "Rating", TagType.CATEGORY: "Category",
}  # fmt: skip
_READING_STATUS = {"want": "want to read", "reading": "reading", "read": "read",
                   "dropped": "dropped"}  # fmt: skip

STYLESHEET = """\
body { font-family: serif; line-height: 1.4; margin: 0 1em; }
h1, h2 { font-family: sans-serif; }
dl.tags, dl.found { font-size: 0.9em; }
dl.tags dt, dl.found dt { font-weight: bold; margin-top: 0.4em; }
dl.tags dd, dl.found dd { margin-left: 1.5em; }
.byline { font-style: italic; margin-bottom: 1em; }
.message { font-size: 0.8em; color: #555; }
blockquote.userstuff { margin: 0.5em 1.5em; font-size: 0.95em; }
div.meta { border-bottom: 1px solid #999; margin-bottom: 1em; }
div.meta > p, #afterword p { font-weight: bold; margin-bottom: 0; }
.ficsift-found, .ficsift-mine { border-top: 1px dashed #999; margin-top: 1em; font-size: 0.9em; }
"""


def story_url(stored: StoredWork) -> str | None:
    """The URL the work was read from (its text source's, else any source's)."""
    return stored.document.source.url or next((s.url for s in stored.sources if s.url), None)


def chapter_label(chapter: Chapter, index: int) -> str:
    """What the table of contents calls a chapter."""
    return chapter.title or f"Chapter {index + 1}"


def preface(doc: Document, url: str | None, reading: ReadingState | None = None) -> str:
    """The title page: where the work came from, its typed tags and stats, title, authors,
    summary and notes; then ficsift's findings and, given ``reading``, the reader's own."""
    out = ['<div id="preface">']
    if url and url.lower().startswith(("http://", "https://")):
        out.append(
            f'<p class="message">Exported by ficsift from <a href="{text(url)}">{text(url)}</a></p>'
        )
    out.append('<div class="meta"><dl class="tags">')
    for tag_type, one, several in TAG_ROWS:
        names = _author_tags(doc, tag_type)
        if not names and tag_type is not TagType.RATING:
            continue
        # A rating row even when the source gave none: a reader sees that it was not stated.
        value = ", ".join(f'<a class="tag">{text(n)}</a>' for n in names) or "Not stated"
        out.append(f"<dt>{one if len(names) <= 1 else several}:</dt><dd>{value}</dd>")
    if doc.language:
        out.append(f"<dt>Language:</dt><dd>{text(doc.language)}</dd>")
    if doc.series:
        parts = [
            (f"Part {s.part} of " if s.part else "") + f"<a>{text(s.name)}</a>" for s in doc.series
        ]
        out.append(f"<dt>Series:</dt><dd>{'<br/>'.join(parts)}</dd>")
    out.append(f"<dt>Stats:</dt><dd>{text(stats_line(doc))}</dd></dl>")
    out.append(f"<h1>{text(doc.title or 'Untitled')}</h1>")
    if doc.authors:
        # rel="author" is how readers of AO3's layout find the authors; such a link needs a
        # target, and the title page itself is the one every copy has.
        byline = ", ".join(f'<a rel="author" href="#preface">{text(a)}</a>' for a in doc.authors)
        out.append(f'<div class="byline">by {byline}</div>')
    if doc.summary:
        out.append(_labelled("Summary", doc.summary))
    out.extend(_labelled("Notes", note) for note in doc.notes)
    if doc.disclaimer:
        out.append(_labelled("Disclaimer", doc.disclaimer))
    out.append("</div>")
    out.append(_found(doc))
    if reading is not None:
        out.append(_mine(reading))
    out.append("</div>")
    return "".join(out)


def stats_line(doc: Document) -> str:
    """AO3's stats line: "Published: … Updated: … Words: 1,180 Chapters: 3/? Kudos: …"."""
    dates = (("Published", doc.published), ("Updated", doc.updated), ("Completed", doc.completed))
    parts = [f"{label}: {value}" for label, value in dates if value and " " not in value.strip()]
    parts.append(f"Words: {doc.words:,}")
    posted = len(doc.chapters) or doc.stats.chapters_posted or 0
    if doc.status is Status.COMPLETE:
        parts.append(f"Chapters: {posted}/{posted}")
    elif doc.status is Status.IN_PROGRESS:
        total = doc.stats.chapters_total
        parts.append(f"Chapters: {posted}/{total if total and total > posted else '?'}")
    for label in ("kudos", "hits", "bookmarks", "comments"):
        value = getattr(doc.stats, label)
        if value is not None:
            parts.append(f"{label.capitalize()}: {value:,}")
    return " ".join(parts)


def chapter(doc: Document, index: int) -> str:
    """One chapter: its heading, summary and notes, the text, then its end notes."""
    ch = doc.chapters[index]
    out = []
    if ch.title or ch.summary or ch.notes:
        out.append('<div class="meta group">')
        if ch.title:
            out.append(f'<h2 class="heading">{text(ch.title)}</h2>')
        if ch.summary:
            out.append(_labelled("Chapter Summary", ch.summary))
        out.extend(_labelled("Chapter Notes", note) for note in ch.notes)
        out.append("</div>")
    out.append(f'<div class="userstuff">{story_html(ch.html, ch.text)}</div>')
    if ch.end_notes:
        notes = "".join(_labelled("Chapter End Notes", note) for note in ch.end_notes)
        out.append(f'<div class="meta" id="endnotes{index + 1}">{notes}</div>')
    return "".join(out)


def afterword(doc: Document) -> str | None:
    """The work's end notes, or None when it has none."""
    if not doc.end_notes:
        return None
    notes = "".join(_labelled("End Notes", note) for note in doc.end_notes)
    return f'<div id="afterword"><div id="endnotes">{notes}</div></div>'


def _author_tags(doc: Document, tag_type: TagType) -> list[str]:
    return list(dict.fromkeys(t.name for t in doc.tags_of(tag_type, TagOrigin.AUTHOR)))


def _labelled(label: str, value: str) -> str:
    """AO3's ``<p>Label</p><blockquote>`` pair (the label must be a bare ``p``)."""
    return f'<p>{text(label)}</p><blockquote class="userstuff">{paragraphs(value)}</blockquote>'


def _found(doc: Document) -> str:
    """ficsift's inferred tags, apart from the author's (their own list, not ``dl.tags``)."""
    rows = [
        f"<dt>{label}:</dt><dd>{text(', '.join(dict.fromkeys(names)))}</dd>"
        for label, names in _found_rows(doc)
        if names
    ]
    if not rows:
        return ""
    return (
        '<div class="ficsift-found"><h2>Found in the text by ficsift</h2>'
        f'<dl class="found">{"".join(rows)}</dl></div>'
    )


def _found_rows(doc: Document) -> Iterator[tuple[str, list[str]]]:
    """(row label, tag names) of the inferred tags: AO3's archive warnings apart from the fine
    content labels, which are shown by their readable names ("Blood and Gore")."""
    for tag_type, label in _FOUND_LABELS.items():
        tags = doc.tags_of(tag_type, TagOrigin.INFERRED)
        if tag_type is TagType.WARNING:
            yield label, [t.canonical or t.name for t in tags if t.label != CONTENT_LABEL]
            yield "Content", [trigger_label(t.name) for t in tags if t.label == CONTENT_LABEL]
        else:
            yield label, [t.canonical or t.name for t in tags]


def _mine(reading: ReadingState) -> str:
    """The reader's own rating, status and notes."""
    lines = []
    if reading.rating:
        stars = "★" * reading.rating + "☆" * (5 - reading.rating)
        lines.append(f"<p>Your rating: {stars} ({reading.rating}/5)</p>")
    if reading.status:
        lines.append(f"<p>Status: {text(_READING_STATUS.get(reading.status, reading.status))}</p>")
    if reading.notes.strip():
        lines.append(f'<blockquote class="mine">{paragraphs(reading.notes)}</blockquote>')
    if not lines:
        return ""
    return f'<div class="ficsift-mine"><h2>Your notes</h2>{"".join(lines)}</div>'
