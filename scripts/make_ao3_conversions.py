"""AO3's EPUB/MOBI/AZW3/PDF downloads, remade from the ao3-html downloads (for `make eval`).

AO3 makes every ebook download by running calibre's ``ebook-convert`` on its HTML download
(options from AO3's source, written down in ``corpus/wild/README.md``).  Running the same
pipeline with Debian's ``calibre`` over ``corpus/ao3-html`` gives downloads of works whose
every field is known (the HTML reading), so scripts/eval_read.py can check each format
against its HTML twin.  The books go to a cache folder outside the repository (stories are
never committed); a book already made is kept.

    python scripts/make_ao3_conversions.py --shared ../shared --out .eval/conversions
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ficsift.model import Document, TagType
from ficsift.read import read_bytes

FORMATS = ("epub", "mobi", "azw3", "pdf")
# AO3's chapter XPath: the chapter headings of its HTML download, and the preface/afterword.
CHAPTERS = (
    "//h:body/h:div[@id='chapters']/h:h2[@class='toc-heading']"
    " | //h:body/h:div[@id='chapters']/h:div[@class='meta group']/h:h2[@class='heading']"
    " | //h:body/h:div[@id='preface' or @id='afterword']/h:h2[@class='toc-heading']"
)
TAG_ORDER = (
    TagType.RATING,
    TagType.WARNING,
    TagType.CATEGORY,
    TagType.FANDOM,
    TagType.RELATIONSHIP,
    TagType.CHARACTER,
    TagType.FREEFORM,
)


def ao3_options(doc: Document, fmt: str) -> list[str]:
    """ebook-convert options as AO3's download writer passes them for ``doc``."""
    authors = " & ".join(doc.authors)
    tags = ["Fanworks", *(t.name for kind in TAG_ORDER for t in doc.tags_of(kind))]
    opts = [
        "--input-encoding", "utf-8",
        "--toc-threshold", "0",
        "--use-auto-toc",
        "--title", doc.title or "",
        "--title-sort", doc.title or "",
        "--authors", authors,
        "--author-sort", authors,
        "--comments", doc.summary or "",
        "--tags", ", ".join(tags),
        "--publisher", "Archive of Our Own",
        "--chapter", CHAPTERS,
    ]  # fmt: skip
    if doc.updated or doc.published:
        opts += ["--pubdate", (doc.updated or doc.published or "")[:10]]
    if doc.language:
        opts += ["--language", doc.language]
    if doc.series:
        opts += ["--series", doc.series[0].name]
        if doc.series[0].part:
            opts += ["--series-index", str(doc.series[0].part)]
    if fmt == "epub":
        opts.append("--no-default-epub-cover")
    if fmt == "pdf":
        opts += ["--pdf-default-font-size", "17", "--subset-embedded-fonts"]
        for side in ("left", "right", "top", "bottom"):
            opts += [f"--pdf-page-margin-{side}", "36"]
    return opts


def convert(html: Path, out: Path, fmt: str) -> str:
    target = out / f"{html.stem}.{fmt}"
    if target.exists():
        return f"kept {target.name}"
    doc = read_bytes(str(html), html.read_bytes())[0]
    partial = target.with_suffix(f".part.{fmt}")
    cmd = ["ebook-convert", str(html), str(partial), *ao3_options(doc, fmt)]
    # PDF output renders with Qt WebEngine: headless, and without Chromium's sandbox, which
    # refuses to start as root (a container's build user).
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if os.geteuid() == 0:
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = "--no-sandbox"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, env=env)
    if done.returncode != 0:
        return f"FAILED {target.name}: {done.stderr.strip().splitlines()[-1:]}"
    partial.rename(target)
    return f"made {target.name}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--out", default=".eval/conversions")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--jobs", type=int, default=2)
    opts = parser.parse_args()
    if not shutil.which("ebook-convert"):
        print("ebook-convert not found: apt-get install -y calibre", file=sys.stderr)
        return 1
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted((Path(opts.shared) / "corpus" / "ao3-html").glob("*.html"))
    jobs = [(html, fmt) for html in sources for fmt in opts.formats.split(",")]
    with ThreadPoolExecutor(opts.jobs) as pool:
        for line in pool.map(lambda job: convert(job[0], out, job[1]), jobs):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
