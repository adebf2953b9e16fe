"""Find a story's parts in a run of paragraphs: header, notes, disclaimer, chapters, end notes.

Fics posted as plain text (FFN downloads, old archives, copy-pasted pages) carry their
front matter inline: an author's note, a "Disclaimer: I do not own…" line, then "Chapter 1".
This module recognises those parts in a list of :class:`~ficsift.read.html.Block` so plain
text, generic HTML and EPUB chapters share one structure finder.

The rules, in order of trust:

1. Chapter headings in their common spellings ("Chapter 2", "Chapter Two: Title", "Part III",
   "~*~ 3 ~*~", "Prologue") split the story.  Everything before the first heading is front
   matter unless it is long prose (then it is an untitled opening chapter).
2. Front matter is sorted into labelled fields ("Rating: M"), the disclaimer, and notes.
3. Labelled notes ("A/N:", "Author's note") at a chapter's start or end leave the story text.
4. Status cues: "to be continued" or promised updates mean in-progress; "The End" complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ficsift.model import Chapter, Document, Status, count_words
from ficsift.read.fields import apply_fields, split_any_label, split_label
from ficsift.read.html import SCENE_BREAK, Block, text_block_html

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_WORD_NUMBER = rf"(?:(?:{_TENS})(?:[\s-]?(?:{_UNITS}))?|{_TEENS}|{_UNITS}|hundred)"
_NUMBER = rf"(?:\d{{1,4}}|[ivxlc]{{1,7}}|{_WORD_NUMBER})"
_TITLE_SEP = r"[:.\-–—~|)]"

# "Chapter" as fics in other languages write it (German, Spanish, Portuguese, French,
# Italian, Dutch, Polish, Russian).
_CHAPTER_WORDS = (
    r"chapter|chap\.?|ch\.|part|book|section|kapitel|teil|cap[ií]tulo|parte|chapitre|partie|"
    r"capitolo|hoofdstuk|rozdzia[lł]|глава|часть"
)
_CHAPTER_RE = re.compile(
    rf"^(?:{_CHAPTER_WORDS})\s*(?P<num>{_NUMBER})\b"
    rf"(?:(?P<sep>\s*{_TITLE_SEP}+\s*)|\s+)?(?P<title>[^\n]*)$",
    re.I,
)
_SPECIAL_RE = re.compile(
    rf"^(?P<kind>prologue|epilogue|interlude|coda|afterword|prolog|pr[oó]logo|epilog|"
    rf"ep[ií]logo|пролог|эпилог)\b(?:\s*{_TITLE_SEP}*\s*(?P<title>[^\n]*))?$",
    re.I,
)
# "第3章", "第十二话 …": a chapter in Chinese and Japanese.
_CJK_CHAPTER_RE = re.compile(
    r"^第\s*[0-9０-９一二三四五六七八九十百千零〇两]{1,6}\s*[章话話回节節]"
)
_DECORATION = r"[~*\-=#_.•·◇◆<>\[\]()+oO°\s]"
_DECORATED_NUMBER_RE = re.compile(
    rf"^(?P<left>{_DECORATION}*)(?P<num>\d{{1,3}}|[ivxlc]{{1,6}})(?P<right>{_DECORATION}*)$", re.I
)
_SCENE_BREAK_RE = re.compile(r"^(?:[\s*~\-_=#+.•·◇◆○●§xX<>/\\|]{3,}|-o-|o+O+o+|oOo|[*#~+§])$")
_MARKDOWN_HEADING_RE = re.compile(r"^#{1,6}\s+")

_NOTE_START_RE = re.compile(
    r"^\W{0,3}(?:(?:final|closing|last|ending|quick|short|long|important)\s+)?"
    r"(?:a/n|a\.n\.|an:|author['’]?s?['’]? ?notes?|authors? notes?|note|notes|"
    r"end notes?|beta['’]?d? by|thanks to|edit|ps|p\.s\.)\b|"
    r"^\W{0,8}(?:作者按|作者的话|作者注|译者注|译注|作者有话说)",
    re.I,
)
_DISCLAIMER_RE = re.compile(
    r"^\W{0,3}(?:disclaimer|dis(?:claimer)?:)|"
    r"\b(?:i|we) (?:do not|don't|dont) own\b|\bbelongs? to\b.{0,80}\b(?:not me|and\b|productions?|"
    r"enterprises|network|studios?|mutant enemy|whedon|bbc|rowling|paramount)|"
    r"\bno (?:copyright )?infringement\b|\bnot mine\b|\bno profit\b",
    re.I,
)
# A paragraph that opens as a disclaimer: at a chapter's start, never story.
_DISCLAIMER_START_RE = re.compile(r"^\W{0,3}disclaimer\b", re.I)
WIP_CUE_RE = re.compile(
    r"\bto be continued\b|\btbc\b|\bcontinued in (?:the )?next\b|\bnext chapter\b|\bmore (?:to come|soon)\b|"
    r"\bupdates?\b[^.!?\n]{0,40}\b(?:will|won't|can't|may|might|soon|frequent|regular|when)\b|"
    r"\b(?:frequent|regular|weekly|monthly|slow|sporadic)\w* updates?\b|"
    r"\bwork in progress\b|\bwip\b|\bwill (?:update|post)\b|\bstay tuned\b",
    re.I,
)
COMPLETE_CUE_RE = re.compile(
    r"^\W{0,4}(?:the end|fin|finis|end|the very end|complete|finished)\W{0,4}$|\bone[- ]?shot\b",
    re.I,
)


_NOTE_LABELS = frozenset(
    {"disclaimer", "a/n", "an", "note", "notes", "author's note", "authors note"}
)


@dataclass(slots=True)
class StoryParts:
    """What :func:`split_story` found."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    disclaimer: str | None = None
    chapters: list[Chapter] = field(default_factory=list)
    end_notes: list[str] = field(default_factory=list)
    status: Status = Status.UNKNOWN


def text_blocks(text: str) -> list[Block]:
    """Paragraph blocks of plain text.

    Paragraphs are separated by blank lines; a file that never has a blank line (one
    paragraph per line) is split at every line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n\ufeff")
    if "\n\n" in text or "\n" not in text:
        parts = re.split(r"\n[ \t\u00a0]*\n", text)
    else:
        parts = text.split("\n")
    blocks = []
    for part in parts:
        lines = [" ".join(line.split()) for line in part.split("\n")]
        kept = [line for line in lines if line]
        # A "Chapter N" line followed directly by its text (no blank line between) is a
        # heading of its own: left in the paragraph, the chapters would never be split.
        if len(kept) > 1 and chapter_heading(kept[0]):
            blocks.append(Block(kept[0], text_block_html(kept[0])))
            kept = kept[1:]
        para = " ".join(kept) if _hard_wrapped(kept) else "\n".join(kept)
        if para:
            para = SCENE_BREAK if is_scene_break(para) else para
            blocks.append(Block(para, text_block_html(para)))
    return blocks


_WRAP_WIDTHS = (45, 100)  # characters of the lines a writer wraps text at (FanFicFare: 78)


def _hard_wrapped(lines: list[str]) -> bool:
    """Whether a paragraph's lines were wrapped at a width (FanFicFare's text output, old
    archives' .txt files) rather than broken by the author (verse, a letter's lines): every
    line but the last about as long as the others, and most ending mid-sentence."""
    body = lines[:-1]
    if not body:
        return False
    lengths = [len(line) for line in body]
    if min(lengths) < _WRAP_WIDTHS[0] or max(lengths) > _WRAP_WIDTHS[1]:
        return False
    if len(body) > 1 and max(lengths) - min(lengths) > 30:
        return False
    ended = sum(1 for line in body if line[-1] in '.!?"”’)')
    return ended * 2 <= len(body)


def one_chapter(blocks: list[Block], title: str | None) -> tuple[list[Chapter], StoryParts]:
    """A run of blocks that is one chapter (a forum post, a chapter of a file that marks its
    own chapters): its chapters (one, or more when headings inside it split it), its opening
    notes and end notes peeled off, and what :func:`split_story` found before the story."""
    parts = split_story(blocks, set())
    chapters = []
    for chapter in parts.chapters:
        chapter.title = title
        title = None
        chapters.append(chapter)
    if chapters:
        chapters[-1].end_notes.extend(parts.end_notes)
    return chapters, parts


def is_scene_break(text: str) -> bool:
    return len(text) <= 40 and "\n" not in text and bool(_SCENE_BREAK_RE.match(text.strip()))


def chapter_heading(text: str) -> str | None:
    """The heading as written when ``text`` is a chapter heading, else None.

    >>> chapter_heading("Chapter Two: The Cell")
    'Chapter Two: The Cell'
    >>> chapter_heading("Part of me wanted to stay.") is None
    True
    """
    line = _MARKDOWN_HEADING_RE.sub("", text.strip())
    if not line or len(line) > 200 or "\n" in line:
        return None
    match = _CHAPTER_RE.match(line)
    if match:
        title = match.group("title") or ""
        if match.group("sep") or not title:
            return line.strip(" ~*-=#")
        # No separator: "Chapter Two The Cell" is a heading; "Chapter one of her life was
        # over." and "Part of me…" are prose.
        capitalised = title[0].isupper() or title[0] in "\"'“‘("
        if capitalised and len(title.split()) <= 8 and title[-1:] not in ".,;":
            return line.strip(" ~*-=#")
        return None
    match = _SPECIAL_RE.match(line)
    if match and (not match.group("title") or len(line.split()) <= 10):
        return line.strip(" ~*-=#")
    if _CJK_CHAPTER_RE.match(line) and len(line) <= 40:
        return line.strip(" ~*-=#")
    match = _DECORATED_NUMBER_RE.match(line)
    if match and (match.group("left").strip() or match.group("right").strip()):
        return line.strip(" ~*-=#_.•·◇◆<>[]()+°")
    return None


def split_story(blocks: list[Block], headings: set[int] | None = None) -> StoryParts:
    """Split paragraph blocks into front matter, chapters and end notes.

    ``headings`` names block indexes the caller already knows are chapter headings (HTML
    ``<h2>``s, say); otherwise headings are recognised from the text.
    """
    parts = StoryParts()
    if headings is None:
        headings = {i for i, b in enumerate(blocks) if chapter_heading(b.text)}
    heads = _drop_table_of_contents(sorted(headings), blocks)

    if not heads:
        front_end = _front_matter_end(blocks)
        _sort_front(blocks[:front_end], parts)
        bodies: list[tuple[str | None, list[Block]]] = [(None, blocks[front_end:])]
    else:
        front = blocks[: heads[0]]
        if _is_prose(front):
            bodies = [(None, front)]  # an untitled opening chapter
        else:
            _sort_front(front, parts)
            bodies = []
        for n, start in enumerate(heads):
            stop = heads[n + 1] if n + 1 < len(heads) else len(blocks)
            heading = blocks[start].text
            bodies.append(
                (chapter_heading(heading) or heading.strip(" #"), blocks[start + 1 : stop])
            )

    for n, (title, body) in enumerate(bodies):
        notes, story, end_notes = _peel_notes(body)
        if n == len(bodies) - 1:
            parts.end_notes.extend(end_notes)
            end_notes = []
        if not story and not notes and title is None:
            continue
        parts.chapters.append(
            Chapter(
                title=title,
                text="\n\n".join(b.text for b in story),
                html="".join(b.html or text_block_html(b.text) for b in story),
                notes=notes,
                end_notes=end_notes,
            )
        )
    parts.status = story_status(parts, blocks)
    return parts


def _drop_table_of_contents(heads: list[int], blocks: list[Block]) -> list[int]:
    """Headings with nothing between them (a contents list) are not chapter starts."""
    kept = []
    for n, idx in enumerate(heads):
        nxt = heads[n + 1] if n + 1 < len(heads) else len(blocks)
        if nxt - idx > 1:
            kept.append(idx)
    return kept


def _front_matter_end(blocks: list[Block]) -> int:
    """Index of the first story block when there are no chapter headings.

    Leading labelled fields, disclaimers and labelled notes are front matter; so is a short
    run of note-like paragraphs closed by a scene break within the first few blocks.
    """
    i = 0
    while i < len(blocks) and _is_front_block(blocks[i].text, first=i == 0):
        i += 1
    for j in range(i, min(len(blocks), i + 6)):
        if _is_break(blocks[j].text):
            if all(_is_noteish(b.text) for b in blocks[i:j]) and j > i:
                return j + 1
            break
    while i < len(blocks) and _is_break(blocks[i].text):
        i += 1
    return i


def _is_break(text: str) -> bool:
    """A scene break: an ``<hr>``, or one typed ("~~~", "* * *", "o0o")."""
    return text == SCENE_BREAK or is_scene_break(text)


def labelled_lines(text: str) -> list[tuple[str, str]]:
    """Every line's (label, value) when each line of the block is a labelled field, else [].

    A header may have fields of its own ("Recipient:", "Part: 1 of 4") beside those fics
    share: it is still a header when those it shares are three at least, and twice as many.
    """
    pairs = []
    own = 0
    for line in filter(str.strip, text.split("\n")):
        pair = split_label(line)
        if pair is None:
            pair = split_any_label(line)
            if pair is None:
                return []
            own += 1
        pairs.append(pair)
    shared = len(pairs) - own
    return pairs if not own or (shared >= 3 and shared >= 2 * own) else []


def _is_front_block(text: str, first: bool) -> bool:
    if labelled_lines(text) or _DISCLAIMER_RE.search(text) or _NOTE_START_RE.match(text):
        return True
    return first and (
        (len(text) < 80 and text.lower().startswith("by "))
        or _title_and_byline(text) is not None
        or _titled_header(text) is not None
        or bool(_MARKDOWN_TITLE_RE.match(text))
    )


def _is_noteish(text: str) -> bool:
    return bool(
        _NOTE_START_RE.match(text)
        or WIP_CUE_RE.search(text)
        or re.search(
            r"\b(?:this (?:fic|story|chapter)|fanfic|review|reviews|readers?|enjoy|hope you|"
            r"please (?:vote|comment|review|leave)|vote and comment|kudos|"
            r"thank(?:s| you)\b.{0,30}\b(?:reading|reads|kudos|comments|reviews|support)|"
            r"thanks? (?:you )?(?:so much )?(?:for|to)|sorry (?:for|this|it)\b.{0,40}"
            r"\b(?:took|wait|late|delay))\b",
            text,
            re.I,
        )
    )


def _is_prose(front: list[Block]) -> bool:
    """An opening long enough, and free of note cues, to be story rather than notes."""
    words = sum(count_words(b.text) for b in front)
    if words < 400:
        return False
    labelled = sum(
        1
        for b in front
        if labelled_lines(b.text) or _NOTE_START_RE.match(b.text) or _DISCLAIMER_RE.search(b.text)
    )
    return labelled == 0


def _sort_front(front: list[Block], parts: StoryParts) -> None:
    for i, block in enumerate(front):
        text = block.text
        if _is_break(text):
            continue
        labelled = labelled_lines(text)
        if labelled and not all(label in _NOTE_LABELS for label, _ in labelled):
            # A header block (LJ/Dreamwidth "Title: … Rating: … Notes: …"): every field
            # typed; its note and disclaimer lines go where notes go, not the whole block.
            for label, value in labelled:
                if label == "disclaimer":
                    parts.disclaimer = (
                        value if parts.disclaimer is None else f"{parts.disclaimer}\n\n{value}"
                    )
                elif label in _NOTE_LABELS:
                    parts.notes.append(value)
                else:
                    parts.fields.append((label, value))
        elif _DISCLAIMER_RE.search(text) and (labelled or len(text) < 600):
            parts.disclaimer = text if parts.disclaimer is None else f"{parts.disclaimer}\n\n{text}"
        elif i == 0 and len(text) < 80 and text.lower().startswith("by "):
            parts.fields.append(("author", text[3:].strip()))
        elif byline := _title_and_byline(text):
            parts.fields.extend([("title", byline[0]), ("author", byline[1])])
        elif titled := _titled_header(text):
            parts.fields.extend(titled)
        elif i == 0 and (heading := _MARKDOWN_TITLE_RE.match(text)):
            parts.fields.append(("title", heading.group(1).strip()))
        else:
            parts.notes.append(_strip_note_label(text))


_BYLINE_RE = re.compile(r"^by:?\s+(\S.{0,78})$", re.I)
_MARKDOWN_TITLE_RE = re.compile(r"^#\s+(\S[^\n]{0,150})$")


def _title_and_byline(text: str) -> tuple[str, str] | None:
    """ "Silver Millennium Requiem / by Starlight" (or "By: quillfeather", as FanFiction.net
    shows it): a title line over a byline, as a page heads its story."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) != 2 or len(lines[0]) > 120 or lines[0][-1:] in ".,;!?":
        return None
    byline = _BYLINE_RE.match(lines[1])
    return (lines[0], byline.group(1).strip()) if byline else None


def _titled_header(text: str) -> list[tuple[str, str]] | None:
    """A header block under a bare title line ("The Long Patrol / Author: … / Rating: T"):
    the title, then the fields."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 3 or len(lines[0]) > 120 or split_any_label(lines[0]) is not None:
        return None
    fields = labelled_lines("\n".join(lines[1:]))
    return [("title", lines[0].lstrip("# ").strip()), *fields] if len(fields) >= 2 else None


def _peel_notes(body: list[Block]) -> tuple[list[str], list[Block], list[str]]:
    """Labelled notes at the start and end of a chapter body, and the story between.

    A note may run over several paragraphs: after an "A/N:" paragraph, the paragraphs up to a
    scene break close by (the usual separator between notes and story) are note too, and so
    are following paragraphs that talk about the fic rather than tell it.
    """
    start, stop = 0, len(body)
    while start < stop and (
        body[start].text == SCENE_BREAK
        or _NOTE_START_RE.match(body[start].text)
        or _DISCLAIMER_START_RE.match(body[start].text)
    ):
        start += 1
        start = _note_continues(body, start, stop, step=1)
    while stop > start and (
        body[stop - 1].text == SCENE_BREAK
        or _NOTE_START_RE.match(body[stop - 1].text)
        or _is_end_marker(body[stop - 1].text)
        or _is_navigation(body[stop - 1].text)
    ):
        stop -= 1
    while (earlier := _end_note_block(body, start, stop)) < stop:  # notes may follow notes
        stop = earlier
    stop = _after_the_end(body, start, stop)
    notes = [_strip_note_label(b.text) for b in body[:start] if b.text != SCENE_BREAK]
    end = [
        b.text
        for b in body[stop:]
        if b.text != SCENE_BREAK and not _is_end_marker(b.text) and not _is_navigation(b.text)
    ]
    end_notes = [_strip_note_label(t) for t in end]
    return notes, body[start:stop], end_notes


_NOTE_REACH = 12  # paragraphs an opening note may span before its separator


def _note_continues(body: list[Block], i: int, stop: int, step: int) -> int:
    """Index past a note that began just before ``i``: to a nearby scene break, or past
    meta-talk paragraphs."""
    if i == 0 or not _NOTE_START_RE.match(body[i - 1].text):
        return i
    for j in range(i, min(stop, i + _NOTE_REACH)):
        if body[j].text == SCENE_BREAK:
            # The break closes the note only if what lies before it reads as note: story
            # paragraphs before the story's own first scene break are no note.
            between = body[i:j]
            if (
                all(_is_noteish(b.text) for b in between)
                or sum(count_words(b.text) for b in between) < 60
            ):
                return j + 1
            break
    while i < stop and _is_noteish(body[i].text) and count_words(body[i].text) < 120:
        i += step
    return i


_END_NOTE_REACH = 3  # short unlabelled paragraphs after the last break that may be a note


def _end_note_block(body: list[Block], start: int, stop: int) -> int:
    """Where end notes begin: a labelled note right after the chapter's last scene break
    takes everything after that break with it, however long; a few short paragraphs there
    that talk about the fic ("thank you all so much for 10k reads!!") are a note too."""
    for j in range(stop - 1, start - 1, -1):
        if _is_break(body[j].text):
            after = body[j + 1 : stop]
            if after and _NOTE_START_RE.match(after[0].text):
                return j
            if 0 < len(after) <= _END_NOTE_REACH and all(
                _is_noteish(b.text) and count_words(b.text) < 60 for b in after
            ):
                return j
            break
    return stop


_AFTER_END_REACH = 6  # short paragraphs after "The End" that are the page's, not the story's


def _after_the_end(body: list[Block], start: int, stop: int) -> int:
    """Where the story ends when an end marker ("~ To Be Continued ~", "The End") is followed
    only by a few short paragraphs: a personal page's links, counter and webring."""
    for j in range(stop - 1, max(start, stop - _AFTER_END_REACH - 1) - 1, -1):
        if _is_end_marker(body[j].text):
            after = body[j + 1 : stop]
            return j if all(count_words(b.text) < 40 for b in after) else stop
    return stop


# A page's way back or on ("Back to my Fic Archive", "Next Chapter", "Return to Index"),
# left at a story's end when a page was saved or converted.
_NAVIGATION_RE = re.compile(
    r"^\W{0,3}(?:(?:back to|return to|go back to)\b.*|(?:next|previous|prev)(?: chapter| part)?"
    r"|home|index|table of contents|contents)[\s»›>|<«‹\-–—]*$",
    re.I,
)


def _is_navigation(text: str) -> bool:
    """A link's words, not a sentence: a story's "Back to square one." ends as prose does."""
    text = text.strip()
    return len(text) < 80 and text[-1:] not in '.!?"”’…' and bool(_NAVIGATION_RE.match(text))


def _is_end_marker(text: str) -> bool:
    return len(text) < 40 and bool(
        re.match(r"^\W{0,4}(?:to be continued|tbc|the end|fin|end|continued)\W{0,4}$", text, re.I)
    )


def _strip_note_label(text: str) -> str:
    return re.sub(
        r"^\W{0,3}(?:(?:final|closing|last|ending|quick|short|long|important)\s+)?"
        r"(?:a/n|a\.n\.|author['’]?s?['’]? ?notes?)\s*[:.\-–—]?\s*",
        "",
        text,
        flags=re.I,
    ).strip()


def story_status(parts: StoryParts, blocks: list[Block]) -> Status:
    """Complete / in-progress from what the text says at its edges and in its notes."""
    notes = parts.notes + parts.end_notes
    for chapter in parts.chapters[-1:]:
        notes += chapter.notes + chapter.end_notes
    return status_cues([b.text for b in blocks[-4:]], notes)[0]


def status_cues(tail: list[str], notes: list[str]) -> tuple[Status, str]:
    """(status, why) from the last paragraphs of a story and its notes; the one rule book."""
    for text in reversed(tail):
        if re.match(r"^\W{0,4}(?:to be continued|tbc|continued)\W{0,4}$", text, re.I):
            return Status.IN_PROGRESS, "the story ends with “to be continued”"
        if len(text) < 40 and COMPLETE_CUE_RE.search(text):
            return Status.COMPLETE, f"the story ends with “{text.strip()}”"
    note_text = "\n".join(notes)
    wip = WIP_CUE_RE.search(note_text)
    if COMPLETE_CUE_RE.search(note_text) and not wip:
        return Status.COMPLETE, "a note calls it finished"
    if wip:
        return Status.IN_PROGRESS, f"a note promises more: “{wip.group(0)}”"
    return Status.UNKNOWN, ""


def apply_parts(doc: Document, parts: StoryParts) -> None:
    """Put what :func:`split_story` found into ``doc`` without overwriting what it has."""
    apply_fields(doc, parts.fields)
    doc.notes.extend(parts.notes)
    if parts.disclaimer and not doc.disclaimer:
        doc.disclaimer = parts.disclaimer
    doc.chapters.extend(parts.chapters)
    doc.end_notes.extend(parts.end_notes)
    if doc.status == Status.UNKNOWN:
        doc.status = parts.status
