"""`make bench` (scale): the cost curve of a library at 10k, 100k (and, with --full, 1M) works.

    python scripts/bench_scale.py                       # 10k and 100k on SQLite (.bench/)
    python scripts/bench_scale.py --full                # also 1M (about an hour on 2 cores)
    python scripts/bench_scale.py --library 'postgresql://…?options=-csearch_path%3Dscale_{size}'

Each library is built by scripts/make_scale_corpus.py (the real shared works, the real
ship-CSV works, then ASSEMBLED works made of shuffled real records; see there) in a process
of its own, then the post-import refresh `ficsift add` runs (scores, text vectors).  A
--library spec is anything ``open_library`` takes; ``{size}`` in it is replaced by the size
(a directory without it gets ``scale-{size}`` inside).  Builds are kept (their figures in
.bench/scale-builds/) and reused unless --rebuild.

Reported per size and library: build time (store, refresh), size on disk, the build's peak
memory; the warm-up of a fresh search process as a server does it (the time from starting
the process to its first answered search, after ``warm_up`` loaded the ontology, vectors,
facet counts and columns); that process's memory once warm and after the queries; and p50/p95
wall (and CPU) time over ~50 distinct queries of each class, each asked once, made from real
records with a fixed seed:

- filter: tags, ships, fandoms, ratings, words/kudos bounds, sorts (no text);
- full-text: 1-3 words from real summaries, ``semantic:off``;
- hybrid: 3-8 words from real summaries, words and meaning (text vectors) blended;
- facets: the top-10 facet counts over a broad result (a rating, a fandom, everything).

Targets at 1M works on this 2-core machine (issue 15): filter and full-text p95 ≤ 50 ms,
hybrid ≤ 150 ms, warm-up ≤ 30 s, memory ≤ 4 GB.  The machine's 2 cores are shared with other
jobs: the load average is printed, and CPU times show the work itself.  Writes a markdown
table and .bench/scale.json.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
TARGETS = {
    "filter": 50.0,
    "full-text": 50.0,
    "hybrid": 150.0,
    "warm_up_s": 30.0,
    "memory_mb": 4096.0,
}
CLASSES = ("filter", "full-text", "hybrid", "facets")
# common words a reader would not search for alone
STOP = frozenset(
    re.findall(
        r"\w+",
        "the and that with from this have they their them were what when where which while "
        "would could should about after before into your just been than then there these those "
        "some more only other over also very will does dont cant wont isnt",
    )
)


def spec_for(template: str, size: int) -> str:
    if "{size}" in template:
        return template.replace("{size}", str(size))
    if "://" in template:
        return template
    return str(Path(template) / f"scale-{size}")


def build_info_path(spec: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", spec.split("@")[-1]).strip("-")[-60:]
    return (
        Path(".bench/scale-builds") / f"{slug}-{hashlib.sha1(spec.encode()).hexdigest()[:8]}.json"
    )


# --- queries made from real records -----------------------------------------------------------


def _q(name: str) -> str | None:
    name = name.strip()
    return f'"{name}"' if name and '"' not in name and len(name) < 80 else None


def make_queries(shared: Path, seed: int, per_class: int) -> dict[str, list[tuple[str, int]]]:
    """(query text, facets) per class, from the ship rows and the DS9 summaries."""
    from scale_corpus import load_pools

    pools = load_pools(shared / "corpus", seed)
    rng = random.Random(seed)
    rows = pools.rows
    words_of = [
        [w for w in re.findall(r"[a-z]+", s.lower()) if len(w) > 3 and w not in STOP]
        for s in pools.summaries
    ]
    words_of = [w for w in words_of if len(w) >= 8]
    ratings = ["General Audiences", "Teen And Up Audiences", "Mature", "Explicit"]

    tag_type = {"tags": "freeform", "fandom": "fandom", "relationship": "relationship"}

    def row_value(key: str) -> str:
        """A real tag of a ship-CSV row or, half the time, of a DS9 blurb (the works a
        10k library holds), quoted."""
        while True:
            listed = pools.listing_tags.get(tag_type[key])
            if listed and rng.random() < 0.5:
                value = rng.choice(listed)
            else:
                value = rng.choice(rows).get(key, "")
                if key == "tags":
                    value = rng.choice(value.split(",")) if value else ""
            quoted = _q(value)
            if quoted:
                return quoted

    def filter_query() -> str:
        kind = rng.randrange(6)
        if kind == 0:
            return f"ship:{row_value('relationship')}"
        if kind == 1:
            return f"fandom:{row_value('fandom')} rating:{_q(rng.choice(ratings))} complete:yes"
        if kind == 2:
            return f"tag:{row_value('tags')} words>{rng.choice([1000, 5000, 20000])} sort:kudos"
        if kind == 3:
            return f"fandom:{row_value('fandom')} -tag:{row_value('tags')} sort:quality"
        if kind == 4:
            low = rng.choice([500, 1000, 5000])
            return f"words:{low}..{low * rng.choice([4, 10])} kudos>{rng.choice([10, 100, 1000])} sort:quality"
        return f"tag:{row_value('tags')} tag:{row_value('tags')}"

    def words(lo: int, hi: int) -> str:
        ws = rng.choice(words_of)
        start = rng.randrange(len(ws))
        return " ".join(ws[start : start + rng.randint(lo, hi)])

    def facet_query() -> str:
        kind = rng.randrange(4)
        if kind == 0:
            return f"rating:{_q(rng.choice(ratings))}"
        if kind == 1:
            return f"fandom:{row_value('fandom')}"
        if kind == 2:
            return f"complete:yes words>{rng.choice([1000, 5000])}"
        return ""

    return {
        "filter": [(filter_query(), 0) for _ in range(per_class)],
        "full-text": [(words(1, 3) + " semantic:off", 0) for _ in range(per_class)],
        "hybrid": [(words(3, 8), 0) for _ in range(per_class)],
        "facets": [(facet_query(), 10) for _ in range(per_class)],
    }


# --- the measuring child: a fresh process, as a server starts ----------------------------------


def memory_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else 0.0


def measure_child(spec: str, queries_path: str) -> int:
    """Run in a fresh process: warm up as ``ficsift serve`` does, answer one search, then
    time every query once; print the figures as JSON on the last line."""
    marks = {"imported": time.time()}
    from ficsift.library import open_library
    from ficsift.search import parse_query, search
    from ficsift.search.engine import warm_up

    marks["imports_done"] = time.time()
    lib = open_library(spec)
    warm_up(lib)
    gc.collect()
    gc.freeze()  # as the web app does once warm (ficsift.web.state)
    marks["warm"] = time.time()
    search(lib, parse_query("love"))
    marks["first_search"] = time.time()
    warm_rss = memory_mb("VmRSS")
    queries = json.loads(Path(queries_path).read_text())
    latency: dict[str, dict[str, float]] = {}
    hits: dict[str, int] = {}
    for name, items in queries.items():
        walls: list[float] = []
        cpus: list[float] = []
        for text, facets in items:
            wall, cpu = time.perf_counter(), time.process_time()
            page = search(lib, parse_query(text), facets=facets)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            hits[name] = hits.get(name, 0) + (1 if page.total else 0)
        latency[name] = {
            "p50_ms": pct(walls, 0.5), "p95_ms": pct(walls, 0.95), "max_ms": pct(walls, 1.0),
            "cpu_p50_ms": pct(cpus, 0.5), "cpu_p95_ms": pct(cpus, 0.95),
            "n": len(walls), "with_results": hits.get(name, 0),
        }  # fmt: skip
    out = {
        "marks": marks, "warm_rss_mb": warm_rss, "after_rss_mb": memory_mb("VmRSS"),
        "peak_rss_mb": memory_mb("VmHWM"), "latency": latency, "works": lib.work_count(),
    }  # fmt: skip
    print(json.dumps(out))
    return 0


def measure(spec: str, queries_path: Path) -> dict[str, object]:
    started = time.time()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure", spec, str(queries_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"measuring {spec} failed:\n{done.stderr[-3000:]}")
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    marks = out.pop("marks")
    assert isinstance(marks, dict)
    out["interpreter_and_imports_s"] = round(marks["imports_done"] - started, 2)
    out["warm_up_only_s"] = round(marks["warm"] - marks["imports_done"], 2)
    out["warm_up_s"] = round(marks["first_search"] - started, 2)  # process start → first answer
    return out


def build(spec: str, size: int, opts: argparse.Namespace) -> dict[str, object]:
    info_path = build_info_path(spec)
    if not opts.rebuild and info_path.exists():
        info: dict[str, object] = json.loads(info_path.read_text())
        print(f"  reusing the build of {spec} ({info_path})", flush=True)
        return info
    command = [
        sys.executable, str(SCRIPTS / "make_scale_corpus.py"), "--shared", opts.shared,
        "--size", str(size), "--library", spec, "--seed", str(opts.seed),
        "--text-share", str(opts.text_share), "--json", str(info_path), "--rebuild",
    ]  # fmt: skip
    print("  $ " + " ".join(command[1:]), flush=True)
    subprocess.run(command, check=True)
    return dict(json.loads(info_path.read_text()))


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return " ✓" if value <= target else " ✗"


def _n(value: object) -> str:
    """A figure with thousands separators; a note (a build measured by hand) as it is."""
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def table(rows: list[dict[str, object]], full: bool) -> str:
    head = (
        "| works | library | build s (store + refresh) | disk MB | build peak MB | warm-up s "
        "| warm / after-queries RSS MB | filter p50/p95 ms (CPU) | full-text | hybrid | facets |"
    )
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        b, m = r["build"], r["measure"]
        assert isinstance(b, dict) and isinstance(m, dict)
        lat = m["latency"]
        big = int(str(r["size"])) >= 1_000_000  # (merged copies leave a few works fewer)
        cells = [
            _n(b["works"]), str(r["kind"]),
            f"{b['build_seconds']} ({b['store_seconds']} + {b['refresh_seconds']})",
            _n(b["disk_mb"]), _n(b["build_peak_rss_mb"]),
            f"{m['warm_up_s']}" + (verdict(m["warm_up_s"], TARGETS["warm_up_s"]) if big else ""),
            f"{m['warm_rss_mb']:,} / {m['after_rss_mb']:,}"
            + (verdict(m["after_rss_mb"], TARGETS["memory_mb"]) if big else ""),
        ]  # fmt: skip
        for name in CLASSES:
            row = lat[name]
            target = TARGETS.get(name) if big else None
            cells.append(
                f"{row['p50_ms']} / {row['p95_ms']}{verdict(row['p95_ms'], target)}"
                f" (CPU {row['cpu_p50_ms']} / {row['cpu_p95_ms']})"
            )
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(
        "| **target at 1M** | | | | | ≤ 30 | ≤ 4,096 | p95 ≤ 50 | p95 ≤ 50 | p95 ≤ 150 | |"
    )
    if not full:
        lines.append("\n(1M rows with `--full`.)")
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        return measure_child(sys.argv[2], sys.argv[3])
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--full", action="store_true", help="add 1,000,000 to --sizes")
    parser.add_argument(
        "--library",
        action="append",
        help="library spec (repeatable; default .bench): a directory or a postgresql:// URL; "
        "{size} is replaced by the size",
    )
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--text-share", type=float, default=0.1)
    parser.add_argument("--queries", type=int, default=50, help="queries per class")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--out", default=".bench/scale.json")
    opts = parser.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    if opts.full and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    templates = opts.library or [".bench"]
    queries = make_queries(Path(opts.shared), opts.seed, opts.queries)
    queries_path = Path(".bench/scale-queries.json")
    queries_path.parent.mkdir(parents=True, exist_ok=True)
    queries_path.write_text(json.dumps(queries, indent=1))
    # rows of earlier runs (other sizes or libraries) are kept: the 1M point can be run alone
    out = Path(opts.out)
    earlier = json.loads(out.read_text()).get("rows", []) if out.exists() else []
    rows: list[dict[str, object]] = []
    every = earlier

    def save() -> list[dict[str, object]]:
        done = {(r["size"], r["spec"]) for r in rows}
        kept = [r for r in earlier if (r["size"], r["spec"]) not in done]
        every = sorted(kept + rows, key=lambda r: (int(str(r["size"])), str(r["kind"])))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"targets_at_1m": TARGETS, "rows": every}, indent=2))
        return every

    for size in sizes:
        for template in templates:
            spec = spec_for(template, size)
            kind = spec.split("://")[0] if "://" in spec else "sqlite"
            print(f"{size:,} works, {kind}: {spec}", flush=True)
            info = build(spec, size, opts)
            print("  build: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
            figures = measure(spec, queries_path)
            load = os.getloadavg()[0]
            figures["load_average"] = round(load, 1)
            lat = figures["latency"]
            assert isinstance(lat, dict)
            print(
                f"  warm-up {figures['warm_up_s']} s (of which interpreter and imports "
                f"{figures['interpreter_and_imports_s']} s); RSS warm {figures['warm_rss_mb']} MB,"
                f" after the queries {figures['after_rss_mb']} MB; load {load:.1f} (2 cores)",
                flush=True,
            )
            for name in CLASSES:
                row = lat[name]
                print(
                    f"  {name:<10} p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms  "
                    f"(CPU p50 {row['cpu_p50_ms']:>6.1f}, p95 {row['cpu_p95_ms']:>6.1f})  "
                    f"n={row['n']}, {row['with_results']} with results",
                    flush=True,
                )
            rows.append(
                {"size": size, "spec": spec, "kind": kind, "build": info, "measure": figures}
            )
            every = save()
    print()
    print(table(every, any(int(str(r["size"])) >= 1_000_000 for r in every)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
