"""Markdown or HTML with YAML front matter (static-site fic archives, e.g. antennapedia).

Front matter keys map onto the Document; ``tags:`` entries keep their typed prefixes
(``c:`` character, ``p:`` pairing, ``f:`` fandom, ``genre:``, ``kink:`` …) as the tag's label
and the value as the tag's name, so nothing the author typed is lost.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from typing import Any

import yaml

from ficsift.model import Document, SeriesRef, Status, TagType
from ficsift.read.base import RawFile, Reader, ReadError, register
from ficsift.read.decode import decode_bytes
from ficsift.read.fields import TAG_LABELS, TEXT_LABELS, add_urls, apply_fields, split_list
from ficsift.read.html import SCENE_BREAK, Block, fragment_text, is_heading_html, sanitize_html
from ficsift.read.nesting import check_nesting
from ficsift.read.structure import apply_parts, is_scene_break, split_story

# Closed by "---" or "..." (YAML), or by a shorter run of dashes: hand-edited archives have
# front matter closed by "--", and a reader would still expect the story to load.
_FRONT_RE = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:-{2,}|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_KEY_LINE_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s?(.*)$")
_ITEM_LINE_RE = re.compile(r"^\s*-\s+(.*)$")
_MAX_FRONT = 256 * 1024
_MD_HEADING_LINE_RE = re.compile(r"^#{1,3}[ \t]+(\S[^\n]*)$", re.M)
_INLINE_STARTS = (
    "<em",
    "<i>",
    "<i ",
    "<b>",
    "<b ",
    "<strong",
    "<span",
    "<a ",
    "<u>",
    "<s>",
    "<small",
    "<sup",
    "<sub",
)
# Emphasis never spans a line break here, so a stray "*" cannot italicise half a story.
# One pattern per delimiter, each applied only up to its last possible closer (_emphasis).
_MD_STRONG = {d: re.compile(rf"{re.escape(d)}(?=\S)([^\n]+?)(?<=\S){re.escape(d)}") for d in ("**", "__")}  # fmt: skip
_MD_EM = {d: re.compile(rf"(?<![\w*]){re.escape(d)}(?=\S)([^\n]+?)(?<=\S){re.escape(d)}(?![\w*])") for d in "*_"}  # fmt: skip

# tag prefix -> (type, label); unprefixed tags are freeforms
TAG_PREFIXES: dict[str, TagType] = {
    "c": TagType.CHARACTER,
    "p": TagType.RELATIONSHIP,
    "f": TagType.FANDOM,
    "w": TagType.WARNING,
    "warning": TagType.WARNING,
    "r": TagType.RATING,
    "rating": TagType.RATING,
}
# Keys whose values go through the shared labelled-field table (ficsift.read.fields): every
# label fics use there ("rated", "ship", "word count", "additional tags"), and "date".  A key
# with "_" or "-" reads as the label with a space ("word_count", "archive-warnings").
_OWN_KEYS = {"notes", "note", "tags", "keywords", "series", "source", "url", "link"}
FIELD_KEYS = (set(TAG_LABELS) | set(TEXT_LABELS) | {"date"}) - _OWN_KEYS
# A blog's category for its fic posts ("category: fic") is no fandom.
_GENERIC_CATEGORIES = frozenset(
    {"fic", "fics", "fanfic", "fanfics", "fanfiction", "fan fiction", "fiction", "story",
     "stories", "writing", "writings", "words", "posts", "post", "uncategorized", "archive"}
)  # fmt: skip
# Whether the work is finished, as a yes or no ("complete: true", "wip: false").
_FINISHED_KEYS = {"complete": True, "completed": True, "finished": True, "wip": False,
                  "in progress": False, "incomplete": False}  # fmt: skip


@register
class FrontMatterReader(Reader):
    format = "frontmatter"

    @classmethod
    def sniff(cls, raw: RawFile) -> int:
        head = raw.data[:8].lstrip(b"\xef\xbb\xbf")
        if head.startswith(b"---") and raw.suffix in {
            ".md",
            ".markdown",
            ".html",
            ".htm",
            ".txt",
            "",
        }:
            return 80
        return 0

    def read(self, raw: RawFile) -> list[Document]:
        text = decode_bytes(raw.data)
        match = _FRONT_RE.match(text)
        if not match:
            raise ReadError("front matter is not closed by a '---' line")
        if len(match.group(1)) > _MAX_FRONT:
            raise ReadError("front matter too large")
        meta = _load_yaml(match.group(1))
        doc = Document(source=raw.source(self.format))
        _apply_meta(doc, meta)
        blocks = body_blocks(text[match.end() :])
        headings = {i for i, b in enumerate(blocks) if is_heading_html(b.html)}
        apply_parts(doc, split_story(blocks, headings or None))
        doc.title = doc.title or raw.title_guess
        if not doc.has_text:
            raise ReadError("no story text after the front matter")
        return [doc]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, with dates left as written: YAML's own date constructor raises on
    "2013-13-45" and took the whole file with it; a date is checked as a field instead."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def _load_yaml(text: str) -> dict[str, Any]:
    try:
        # Aliases are refused: they let a few lines expand into gigabytes ("billion laughs").
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_Loader)):
            raise ReadError("front matter uses YAML aliases (refused)")
        data = yaml.load(text, Loader=_Loader)
    # A value YAML cannot build (ValueError, OverflowError…) or nesting too deep for it
    # (RecursionError) costs the strict reading, not the story.
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        lenient = _lenient_front_matter(text)
        if not lenient:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            raise ReadError(f"invalid YAML front matter{where}") from None
        return lenient
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ReadError("front matter is not a mapping of keys to values")
    return data


def _lenient_front_matter(text: str) -> dict[str, Any]:
    """``key: value`` lines and ``- item`` lists, for front matter that is not valid YAML.

    Hand-written front matter often has an unquoted colon in a summary ("his guitar: it
    would all…"), which YAML rejects; the author's intent is still plain.
    """
    data: dict[str, Any] = {}
    key: str | None = None
    for line in text.splitlines():
        item = _ITEM_LINE_RE.match(line)
        if item and key is not None:
            current = data.get(key)
            data[key] = [*(current if isinstance(current, list) else []), _unquote(item.group(1))]
            continue
        match = _KEY_LINE_RE.match(line)
        if match:
            key = match.group(1)
            data[key] = _unquote(match.group(2)) if match.group(2).strip() else []
        elif key is not None and isinstance(data.get(key), str) and line.strip():
            data[key] = f"{data[key]} {line.strip()}"  # a folded continuation line
    return data


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip() or None


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [s for v in value if (s := _scalar(v))]
    s = _scalar(value)
    return [s] if s else []


def _apply_meta(doc: Document, meta: dict[str, Any]) -> None:
    fields: list[tuple[str, str]] = []
    for key, value in meta.items():
        key_l = re.sub(r"[_-]+", " ", str(key)).strip().lower()
        if isinstance(value, bool) and key_l in _FINISHED_KEYS:
            finished = value == _FINISHED_KEYS[key_l]
            doc.status = Status.COMPLETE if finished else Status.IN_PROGRESS
        elif key_l in {"category", "categories"} and all(
            s.strip().lower() in _GENERIC_CATEGORIES for s in _strings(value)
        ):
            doc.extra.setdefault("fields", {})[str(key)] = ", ".join(_strings(value))
        elif key_l in FIELD_KEYS:
            label = "published" if key_l == "date" else key_l
            fields.extend((label, s) for s in _strings(value))
        elif key_l == "notes":
            doc.notes.extend(fragment_text(s) for s in _strings(value) if fragment_text(s))
        elif key_l in {"tags", "keywords"}:
            for tag in _strings(value):
                _add_prefixed_tag(doc, tag)
        elif key_l in {"altlink", "link", "url", "source"}:
            add_urls(doc, _strings(value))
        elif key_l in {"idtag", "id"} and (s := _scalar(value)):
            doc.extra["id"] = s
        elif key_l == "series":
            doc.series.extend(SeriesRef(name=s) for s in _strings(value))
        elif (s := _scalar(value)) is not None:
            doc.extra.setdefault("fields", {})[str(key)] = s
    apply_fields(doc, fields)
    if doc.summary:
        doc.summary = fragment_text(doc.summary) or doc.summary


def _add_prefixed_tag(doc: Document, tag: str) -> None:
    prefix, sep, value = tag.partition(":")
    if not sep or not value.strip() or " " in prefix:
        doc.add_tag(tag, TagType.FREEFORM)
        return
    tag_type = TAG_PREFIXES.get(prefix.lower(), TagType.FREEFORM)
    if tag_type == TagType.RELATIONSHIP and value.strip().lower() == "gen":
        tag_type = TagType.CATEGORY  # "p:gen" says there is no pairing: AO3's Gen category
    if prefix.lower() == "s":
        doc.series.append(SeriesRef(name=value.strip()))
    for item in split_list(value) if tag_type == TagType.CHARACTER else [value]:
        doc.add_tag(item, tag_type, label=prefix)


def body_blocks(body: str) -> list[Block]:
    """Paragraph blocks of a Markdown-or-HTML body (paragraphs separated by blank lines).

    The body is sanitised once as a whole (nh3 per paragraph costs more than the rest of
    reading) and then cut at blank lines.
    """
    check_nesting(body, "front matter story HTML")  # before nh3 parses it
    body = _MD_HEADING_LINE_RE.sub(lambda m: f"<h2>{htmllib.escape(m.group(1).strip())}</h2>", body)
    clean = sanitize_html(_markdown_inline(body))
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", clean):
        chunk = chunk.strip()
        if not chunk:
            continue
        text = fragment_text(chunk)
        if not text:
            continue
        if is_heading_html(chunk) and "\n" not in text:
            blocks.append(Block(text, f"<h2>{htmllib.escape(text)}</h2>"))
        elif is_scene_break(text) or re.fullmatch(r"<hr\b[^>]*>", chunk):
            blocks.append(Block(SCENE_BREAK, "<hr/>"))
        elif chunk.startswith("<") and not chunk.startswith(_INLINE_STARTS):
            blocks.append(Block(text, chunk))
        else:
            blocks.append(Block(text, "<p>" + chunk.replace("\n", "<br/>") + "</p>"))
    return blocks


def _markdown_inline(chunk: str) -> str:
    """The Markdown a fic body uses: *em*, _em_, **strong**; raw HTML passes through."""
    if "*" not in chunk and "_" not in chunk:
        return chunk
    for delimiter, pattern in _MD_STRONG.items():
        chunk = _emphasis(pattern, delimiter, r"<strong>\1</strong>", chunk, em=False)
    for delimiter, pattern in _MD_EM.items():
        chunk = _emphasis(pattern, delimiter, r"<em>\1</em>", chunk, em=True)
    return chunk


def _emphasis(pattern: re.Pattern[str], delimiter: str, repl: str, text: str, em: bool) -> str:
    """``pattern.sub`` line by line, each line only up to the last place a span could close.

    From an opener with no closer after it, the lazy pattern scans to the line's end; a line
    of openers ("**a **a **a…") made that quadratic (80 KB: 55 s).  No match ends past the
    last possible closer, so cutting the line there changes nothing but the time.
    """
    if delimiter not in text:
        return text
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if delimiter in line and (end := _last_closer(line, delimiter, em)) > 0:
            lines[n] = pattern.sub(repl, line[:end]) + line[end:]
    return "\n".join(lines)


def _last_closer(line: str, delimiter: str, em: bool) -> int:
    """Where the last ``delimiter`` that could close a span ends (after a non-space and, for
    emphasis, before no word character or "*"); -1 when there is none."""
    size = len(delimiter)
    end = len(line)
    while (at := line.rfind(delimiter, 1, end)) > 0:
        after = line[at + size : at + size + 1]
        if not line[at - 1].isspace() and not (
            em and (after == "*" or after.isalnum() or after == "_")
        ):
            return at + size
        end = at + size - 1  # the next candidate may overlap this one ("***")
    return -1
