#!/usr/bin/env python3
"""Compile AO3's tag ontology into ``src/ficsift/ontology/data/ontology.zip``.

Run from the project root (the shared data sits beside it, at ``../shared``)::

    .venv/bin/python scripts/build_ontology.py [--shared ../shared] [--out PATH]

Sources (all under ``shared/``; see ``shared/README.md``).  Only derived facts are kept — tag
names, synonym links, meta/sub tag links, work counts and character/relationship → fandom
links with their evidence counts.  No story text, summary or title is copied.

* ``ontology/scourgify-ao3-2021/tags.csv`` — freeform synonym → canonical freeform (MIT)
* ``ontology/scourgify-ao3-2021/characters.csv`` — character synonym → canonical character (MIT)
* ``ontology/scourgify-ao3-2021/universes.csv`` — fandom → franchise (alias/media/related) (MIT)
* ``ontology/scourgify-ao3-2021/fandoms.csv`` — fandom alias → canonical fandom (MIT)
* ``ontology/scourgify-ao3-2021/genres.csv`` — tag spelling → genre bucket (MIT)
* ``ontology/scourgify-ao3-2021/tropes.csv`` — trope/character/fandom spelling → canonical (MIT)
* ``ontology/ao3-metatags-2023.csv`` — sub tag → meta tag (facts from AO3)
* ``ontology/ao3-canonical-freeforms-2015.json`` — canonical freeform → work count (ISC)
* ``ontology/trigger-warnings/`` — Wiegmann et al. 2023 trigger taxonomy (MIT)
* ``corpus/ao3-listings-ds9/*.html`` — tags of ~10,300 AO3 work blurbs (co-occurrence only)
* ``corpus/ao3-ships-top-kudos/*.csv`` — fandom, relationship and tagged ship of ~50,000 works
* ``corpus/antennapedia/metadata/fandoms.json`` — the archive's fandom names (not its stories:
  the stories' own tags are left out so they can serve as an honest evaluation set)

The output is a zip of deflated members (so the API can load each part only when it is first
needed): JSON, except names, spelling keys and synonyms, which are text and integer arrays
(``_store.encode_compact``); ``header.json`` holds ``format``, ``version``, ``built_from`` and
``sources``.
It is deterministic: the same sources give the same bytes (sorted keys, fixed zip dates).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import json
import sys
import time
import zipfile
from pathlib import Path

from ficsift.ontology import _build as B
from ficsift.ontology._store import COMPACT, encode_compact

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared"
DEFAULT_OUT = ROOT / "src" / "ficsift" / "ontology" / "data" / "ontology.zip"
FORMAT = 2  # names, lookup and synonyms as text and arrays (ontology/_store.py)

SOURCES: list[tuple[str, str, str]] = [
    ("ontology/scourgify-ao3-2021/tags.csv", "freeform synonyms -> canonical", "MIT (scourgify)"),
    ("ontology/scourgify-ao3-2021/characters.csv", "character synonyms", "MIT (scourgify)"),
    ("ontology/scourgify-ao3-2021/universes.csv", "fandom -> franchise", "MIT (scourgify)"),
    ("ontology/scourgify-ao3-2021/fandoms.csv", "fandom aliases", "MIT (scourgify)"),
    ("ontology/scourgify-ao3-2021/genres.csv", "genre buckets", "MIT (scourgify)"),
    ("ontology/scourgify-ao3-2021/tropes.csv", "trope spellings", "MIT (scourgify)"),
    ("ontology/ao3-metatags-2023.csv", "meta/sub tag hierarchy", "facts from AO3"),
    ("ontology/ao3-canonical-freeforms-2015.json", "freeform work counts", "ISC (ao3tags)"),
    ("ontology/trigger-warnings", "trigger-warning taxonomy", "MIT (acl23-trigger-warnings)"),
    ("corpus/ao3-listings-ds9", "blurb tag co-occurrence", "facts from AO3 listings"),
    ("corpus/ao3-ships-top-kudos", "ship -> fandom", "facts scraped from AO3"),
    ("corpus/antennapedia/metadata/fandoms.json", "fandom names", "CC BY-NC-SA 3.0 US"),
]


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.reader(fh)][1:]


def _digest(path: Path) -> tuple[str, int]:
    """sha256 over a file, or over a directory's files (sorted by name, with their names)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for p in files:
        if path.is_dir():
            h.update(p.relative_to(path).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest(), len(files)


def read_sources(shared: Path) -> B.Sources:
    onto, corpus = shared / "ontology", shared / "corpus"
    sc = onto / "scourgify-ao3-2021"
    src = B.Sources()
    src.freeform_syn = [(m, n) for m, n, _ in _rows(sc / "tags.csv")]
    src.character_syn = [(m, n) for m, n, _ in _rows(sc / "characters.csv")]
    src.universes = [(m, n, r) for m, n, r in _rows(sc / "universes.csv")]
    src.fandom_alias = [(a, c) for a, c in _rows(sc / "fandoms.csv")]
    src.genres = [(m, n) for m, n, _ in _rows(sc / "genres.csv")]
    src.tropes = [(v, c, r) for v, c, r in _rows(sc / "tropes.csv")]
    src.metatags = [(c, p) for c, p in _rows(onto / "ao3-metatags-2023.csv")]
    counts = json.loads((onto / "ao3-canonical-freeforms-2015.json").read_text(encoding="utf-8"))
    for name, n in counts.items():
        name = html.unescape(name).strip()
        src.freeform_counts[name] = max(int(n), src.freeform_counts.get(name, -1))
    tw = onto / "trigger-warnings"
    src.tw_fine = json.loads((tw / "tw-fine-open.json").read_text(encoding="utf-8"))
    src.tw_coarse = json.loads((tw / "tw-coarse.json").read_text(encoding="utf-8"))
    src.tw_map = json.loads((tw / "map-fine-to-coarse.json").read_text(encoding="utf-8"))
    with (tw / "institutional-sources-merged.csv").open(encoding="utf-8", newline="") as fh:
        src.tw_institutional = [(r["Labels"], r["Merged List"]) for r in csv.DictReader(fh)]
    src.works = B.read_listings(sorted((corpus / "ao3-listings-ds9").glob("*.html")))
    for path in sorted((corpus / "ao3-ships-top-kudos").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                src.ships.append((r["fandom"], r["taggedRel"], r["relationship"]))
    meta = json.loads((corpus / "antennapedia/metadata/fandoms.json").read_text(encoding="utf-8"))
    for slug, info in sorted(meta.items()):
        src.archive_fandoms.append((slug.removeprefix("f:"), info["title"]))
    return src


def build(shared: Path) -> bytes:
    """The data file's bytes: a zip of JSON members, ``header.json`` first."""
    sources_meta = []
    for rel, what, licence in SOURCES:
        digest, nfiles = _digest(shared / rel)
        sources_meta.append(
            {"path": rel, "what": what, "licence": licence, "sha256": digest, "files": nfiles}
        )
    sections = B.compile_ontology(read_sources(shared))
    combined = hashlib.sha256(
        json.dumps([s["sha256"] for s in sources_meta]).encode()
        + b"".join(Path(m.__file__).read_bytes() for m in B.BUILD_MODULES)
        + Path(__file__).read_bytes()
    ).hexdigest()
    header = {
        "format": FORMAT,
        "version": f"{FORMAT}.{combined[:12]}",
        "built_from": "scripts/build_ontology.py",
        "sources": sources_meta,
        "stats": sections.pop("stats"),
        "members": sorted(sections),
    }
    members: list[tuple[str, bytes]] = []
    for name, obj in [("header", header), *sorted(sections.items())]:
        if name in COMPACT:  # text and arrays: several times faster to open than JSON
            members += sorted(encode_compact(name, obj).items())
        else:
            raw = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            members.append((f"{name}.json", raw.encode("utf-8")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for member, raw_bytes in members:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, raw_bytes, compresslevel=9)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    data = build(args.shared)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(args.out.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    if not args.quiet:
        secs = time.perf_counter() - t0
        print(f"wrote {args.out} ({len(data) / 1e6:.2f} MB) in {secs:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
