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

Writes .eval/read.json beside the printed table.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

import yaml

from ficsift.model import Document, TagType
from ficsift.read import read_bytes

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--out", default=".eval/read.json")
    opts = parser.parse_args()
    corpus = Path(opts.shared) / "corpus"
    results: dict[str, dict[str, float]] = {}

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
