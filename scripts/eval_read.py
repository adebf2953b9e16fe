"""`make eval` (reading): how exactly ficsift reads the shared corpus.

1. AO3 preface fields of every ao3-html file against an independent regex reading of the
   file's <dl class="tags"> (every field, exact string match).
2. Chapters and story words of every ao3-html file against the stated "Chapters: x/y" and
   "Words:" (AO3 counts differ slightly; the mean and worst relative difference are shown).
3. Plain-text structure: each ao3-html work re-typed as an FFN-style .txt (author's notes
   as "A/N:", "Chapter N: Title" headings, end notes) and read back with the plain-text
   reader; chapters and story words must match the HTML reading, and no note may leak in.
4. Antennapedia front matter: title, rating and character tags against a plain YAML reading.
5. DS9 listing pages: blurbs read against `<li id="work_` occurrences, stats coverage.
6. wild/: every file against expected.json (what a careful reader reads off it), per format
   and per field: files right / total and field accuracy.
7. AO3 conversions (scripts/make_ao3_conversions.py: EPUB/MOBI/AZW3/PDF made from the
   ao3-html downloads with AO3's own ebook-convert options): each must read with the same
   fields as its HTML (title, authors, typed tags, rating, status, chapters and their titles,
   words, summary, notes, date, series).

Writes .eval/read.json beside the printed table.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from ficsift.model import Document, Source, TagType
from ficsift.read import ReadError, read_bytes

DT_DD = re.compile(r"<dt>([^<]+):</dt>\s*<dd>(.*?)</dd>", re.S)
LINK = re.compile(r"<a [^>]*>(.*?)</a>", re.S)
FIELD_TYPES = {
    "Rating": TagType.RATING,
    "Archive Warning": TagType.WARNING,
    "Category": TagType.CATEGORY,
    "Fandom": TagType.FANDOM,
    "Relationship": TagType.RELATIONSHIP,
    "Character": TagType.CHARACTER,
    "Additional Tags": TagType.FREEFORM,
}


def preface_fields(path: Path) -> dict[str, list[str]]:
    head = path.read_text("utf-8").split('<div id="chapters"', 1)[0]
    dl = head.split('<dl class="tags">', 1)[1].split("</dl>", 1)[0]
    return {
        label: [" ".join(html.unescape(m).split()) for m in LINK.findall(body)]
        for label, body in DT_DD.findall(dl)
        if label in FIELD_TYPES
    }


def as_plain_text(doc: Document) -> str:
    """The work as an FFN-style text file: each note "A/N:"-labelled and set off from the
    story by a scene-break line, as plain-text authors do."""

    def notes(items: list[str]) -> list[str]:
        return [f"A/N: {note}" for note in items] + (["* * *"] if items else [])

    parts = notes(doc.notes)
    for n, chapter in enumerate(doc.chapters, 1):
        parts.append(f"Chapter {n}: {chapter.title or ''}".rstrip(": "))
        parts.extend(notes(chapter.notes))
        parts.append(chapter.text)
        parts.extend(["* * *", *notes(chapter.end_notes)[:-1]] if chapter.end_notes else [])
    parts.extend(["* * *", *notes(doc.end_notes)[:-1]] if doc.end_notes else [])
    return "\n\n".join(parts)


# --- files as readers have them: wild/expected.json and the generated AO3 conversions -----

TAG_FIELDS = {
    "fandoms": TagType.FANDOM,
    "relationships": TagType.RELATIONSHIP,
    "characters": TagType.CHARACTER,
    "freeforms": TagType.FREEFORM,
    "warnings": TagType.WARNING,
    "category": TagType.CATEGORY,
}
STAT_FIELDS = ("words", "chapters_posted", "kudos", "hits", "bookmarks", "comments")


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _read_all(path: Path) -> tuple[list[Document], str | None]:
    try:
        return read_bytes(str(path), path.read_bytes()), None
    except ReadError as exc:
        return [], str(exc)


def work_checks(doc: Document, want: dict[str, Any]) -> dict[str, bool]:
    """Field name -> read right, for every field ``want`` (an expected.json entry) states."""
    got: dict[str, bool] = {}
    for key, value in want.items():
        if key == "title":
            got[key] = _norm(doc.title) == _norm(value)
        elif key == "authors":
            got[key] = [_norm(a) for a in doc.authors] == [_norm(a) for a in value]
        elif key in TAG_FIELDS:
            got[key] = {_norm(t.name) for t in doc.tags_of(TAG_FIELDS[key])} == {
                _norm(v) for v in value
            }
        elif key == "rating":
            got[key] = [_norm(t.name) for t in doc.tags_of(TagType.RATING)] == [_norm(value)]
        elif key == "language":
            got[key] = _norm(doc.language) in {_norm(value), _norm(value)[:2]}
        elif key == "status":
            got[key] = doc.status.value == value
        elif key == "chapters":
            got[key] = len(doc.chapters) == value
        elif key == "words":
            got[key] = abs(doc.words - value) <= max(5, want.get("words_tol", 0.05) * value)
        elif key == "max_story_words":
            # words present in the file: a metadata-only work's doc.words is the site's figure
            got[key] = sum(c.words for c in doc.chapters) <= value
        elif key == "published":
            got[key] = (doc.published or "")[:10] == value
        elif key == "series":
            got[key] = any(_norm(s.name) == _norm(value) for s in doc.series)
        elif key == "summary_prefix":
            # the gold prefix was joined from text nodes ("AU , in"): compare without spaces
            got[key] = "".join(_norm(doc.summary).split()).startswith(
                "".join(_norm(value).split())[:40]
            )
        elif key == "stats":
            for stat, number in value.items():
                got[f"stats.{stat}"] = getattr(doc.stats, stat, None) == number or (
                    doc.extra.get(stat) == number
                )
    return got


def listing_checks(docs: list[Document], want: dict[str, Any]) -> dict[str, bool]:
    got = {"n_works": len(docs) == want["n_works"]}
    for n, blurb in enumerate(want["works"]):
        doc = docs[n] if n < len(docs) else None
        for key, ok in (work_checks(doc, blurb) if doc else {k: False for k in blurb}).items():
            got[key] = got.get(key, True) and ok
    return got


def wild_file(root: Path, entry: dict[str, Any]) -> dict[str, bool]:
    docs, error = _read_all(root / entry["path"])
    if entry["kind"] == "no-story":
        return {"no story": error is not None or all(d.words == 0 for d in docs)}
    if entry["kind"] == "listing":
        return listing_checks(docs, entry["fields"])
    if not docs:
        return {key: False for key in work_checks(Document(Source("", "")), entry["fields"])}
    return work_checks(docs[0], entry["fields"])


def html_fields(doc: Document) -> dict[str, Any]:
    """What a download of ``doc`` converted by AO3's pipeline must read as (the HTML reading)."""
    want: dict[str, Any] = {
        "title": doc.title,
        "authors": doc.authors,
        "rating": doc.tags_of(TagType.RATING)[0].name if doc.tags_of(TagType.RATING) else None,
        "status": doc.status.value,
        "chapters": len(doc.chapters),
        "words": doc.words,
        "words_tol": 0.02,
        "published": (doc.published or "")[:10] or None,
        "summary_prefix": (doc.summary or "")[:60] or None,
    }
    want.update({key: [t.name for t in doc.tags_of(kind)] for key, kind in TAG_FIELDS.items()})
    if doc.series:
        want["series"] = doc.series[0].name
    return {k: v for k, v in want.items() if v is not None}


def conversion_checks(doc: Document, twin: Document) -> dict[str, bool]:
    got = work_checks(doc, html_fields(twin))
    got["chapter titles"] = [_norm(c.title) for c in doc.chapters] == [
        _norm(c.title) for c in twin.chapters
    ]
    got["notes"] = len(doc.notes) + len(doc.end_notes) == len(twin.notes) + len(twin.end_notes)
    return got


def tally(rows: list[tuple[str, dict[str, bool]]]) -> dict[str, dict[str, float]]:
    """Per format: files right / total and field accuracy, plus accuracy per field."""
    out: dict[str, dict[str, float]] = {}
    for fmt in [*sorted({f for f, _ in rows}), "ALL"]:
        mine = [checks for f, checks in rows if fmt in (f, "ALL")]
        fields = [ok for checks in mine for ok in checks.values()]
        row: dict[str, float] = {
            "files right": sum(all(c.values()) for c in mine),
            "files": len(mine),
            "field accuracy": sum(fields) / max(1, len(fields)),
        }
        if fmt == "ALL":
            for name in sorted({k for c in mine for k in c}):
                values = [c[name] for c in mine if name in c]
                row[f"field {name}"] = sum(values) / len(values)
        out[fmt] = row
    return out


def wild_results(corpus: Path, conversions: Path, verbose: bool) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    wild = corpus / "wild"
    entries = json.loads((wild / "expected.json").read_text("utf-8"))["files"]
    rows = []
    for entry in entries:
        checks = wild_file(wild, entry)
        rows.append((entry["format"], checks))
        if verbose and not all(checks.values()):
            wrong = ", ".join(k for k, ok in checks.items() if not ok)
            print(f"  wild WRONG {entry['path']}: {wrong}")
    for fmt, row in tally(rows).items():
        results[f"wild {fmt}"] = row
    converted = sorted(p for p in conversions.glob("*.*") if p.suffix != ".html")
    if converted:
        rows = []
        twins: dict[str, Document] = {}
        for path in converted:
            html_path = corpus / "ao3-html" / (path.stem + ".html")
            if path.stem not in twins:
                twins[path.stem] = read_bytes(str(html_path), html_path.read_bytes())[0]
            docs, _ = _read_all(path)
            want = html_fields(twins[path.stem])
            checks = (
                conversion_checks(docs[0], twins[path.stem])
                if docs
                else {k: False for k in [*want, "chapter titles", "notes"]}
            )
            rows.append((path.suffix.lstrip("."), checks))
            if verbose and not all(checks.values()):
                wrong = ", ".join(k for k, ok in checks.items() if not ok)
                print(f"  conversion WRONG {path.name}: {wrong}")
        for fmt, row in tally(rows).items():
            results[f"ao3 conversions {fmt}"] = row
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--out", default=".eval/read.json")
    parser.add_argument(
        "--conversions",
        default=".eval/conversions",
        help="AO3 downloads made by scripts/make_ao3_conversions.py (skipped when absent)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="name every wrong file")
    opts = parser.parse_args()
    corpus = Path(opts.shared) / "corpus"
    results: dict[str, dict[str, float]] = wild_results(
        corpus, Path(opts.conversions), opts.verbose
    )

    fields_total = fields_exact = 0
    chapters_ok = 0
    word_diffs = []
    txt_chapters_ok = txt_words_ok = txt_leaks = 0
    ao3_files = sorted((corpus / "ao3-html").glob("*.html"))
    for path in ao3_files:
        doc = read_bytes(str(path), path.read_bytes())[0]
        for label, expected in preface_fields(path).items():
            got = [t.name for t in doc.tags_of(FIELD_TYPES[label])]
            fields_total += 1
            fields_exact += got == expected
        stated = doc.stats
        chapters_ok += stated.chapters_posted == len(doc.chapters)
        if stated.words:
            word_diffs.append(abs(doc.words - stated.words) / stated.words)
        back = read_bytes(path.stem + ".txt", as_plain_text(doc).encode())[0]
        txt_chapters_ok += len(back.chapters) == len(doc.chapters)
        txt_words_ok += abs(back.words - doc.words) <= max(5, 0.005 * doc.words)
        notes = [n for n in doc.notes + doc.end_notes if len(n) > 40]
        txt_leaks += any(n[:40] in back.text for n in notes)
    n = len(ao3_files)
    results["ao3-html preface"] = {
        "files": n,
        "fields": fields_total,
        "exact": fields_exact / fields_total,
    }
    results["ao3-html structure"] = {
        "files": n,
        "chapters = stated x": chapters_ok / n,
        "words mean rel diff": sum(word_diffs) / len(word_diffs),
        "words max rel diff": max(word_diffs),
    }
    results["plain-text structure"] = {
        "files": n,
        "chapters match": txt_chapters_ok / n,
        "words match (0.5%)": txt_words_ok / n,
        "notes leaked into text": txt_leaks / n,
    }

    title_ok = rating_ok = chars_ok = 0
    md_files = sorted((corpus / "antennapedia").rglob("*.md"))
    for path in md_files:
        text = path.read_text("utf-8")
        head = re.match(r"---\n(.*?)\n-{2,}[ \t]*\n", text, re.S)
        assert head, path
        try:
            meta = yaml.safe_load(head.group(1))
        except yaml.YAMLError:
            meta = {
                k: v.strip().strip("'\"")
                for k, v in re.findall(r"^(\w+):\s*(.*)$", head.group(1), re.M)
            }
            meta["tags"] = re.findall(r"^\s*-\s*(.+)$", head.group(1), re.M)
        doc = read_bytes(str(path), path.read_bytes())[0]
        title_ok += doc.title == str(meta.get("title"))
        rating_ok += [t.name for t in doc.tags_of(TagType.RATING)] == (
            [meta["rating"]] if meta.get("rating") else []
        )
        expected_chars = {t[2:] for t in meta.get("tags") or [] if str(t).startswith("c:")}
        chars_ok += {t.name for t in doc.tags_of(TagType.CHARACTER)} == expected_chars
    m = len(md_files)
    results["antennapedia front matter"] = {
        "files": m,
        "title": title_ok / m,
        "rating": rating_ok / m,
        "characters": chars_ok / m,
    }

    pages = sorted((corpus / "ao3-listings-ds9").glob("*.html"))
    blurbs = expected = with_kudos = with_hits = 0
    for path in pages:
        data = path.read_bytes()
        expected += len(re.findall(rb'<li id="work_\d+" class="work blurb', data))
        docs = read_bytes(str(path), data)
        blurbs += len(docs)
        with_kudos += sum(d.stats.kudos is not None for d in docs)
        with_hits += sum(d.stats.hits is not None for d in docs)
    results["ds9 listings"] = {
        "pages": len(pages),
        "blurbs read / present": blurbs / expected,
        "blurbs": blurbs,
        "with kudos": with_kudos / blurbs,
        "with hits": with_hits / blurbs,
    }

    print(f"{'measure':<44}{'value':>12}")
    for group, values in results.items():
        print(f"[{group}]")
        for key, value in values.items():
            shown = f"{value:.4f}" if isinstance(value, float) else f"{value:,}"
            print(f"  {key:<42}{shown:>12}")
    out = Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
