"""`make bench`: the web app's search page — page weight, and server time of GET /search.

The library is the whole shared corpus (antennapedia, ao3-html, ao3-listings-ds9: ~10k works),
built once with `ficsift add` into --library (kept between runs).  Requests go through the whole
ASGI app in process (routing, search, templates, gzip), so the times are the server's, without
network.  Target: p95 ≤ 100 ms.

The page is served in two parts: GET /search (results, pagination, filter form) and, fetched
by the page right after it shows, GET /search/facets (the sidebar's tag counts, cached per
query until the library changes).  Both are timed; the facet times are cold (cache emptied
before every request), the worst case.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from ficsift.library import open_library
from ficsift.web import create_app

FOLDERS = ("antennapedia", "ao3-html", "ao3-listings-ds9")
QUERIES = [
    ("everything", "/search"),
    ("page 5", "/search?page=5"),
    ("fandom include", "/search?tag=fandom:Star+Trek:+Deep+Space+Nine"),
    ("include + exclude", "/search?tag=fandom:Star+Trek:+Deep+Space+Nine&xtag=character:Quark"),
    ("ship, main only", "/search?tag=relationship:Julian+Bashir/Elim+Garak&main=1"),
    ("rating + complete", "/search?rating=Explicit&rating=Mature&complete=yes"),
    ("words range, by kudos", "/search?words_min=5000&words_max=50000&sort=kudos"),
    ("by quality", "/search?sort=quality"),
    ("no crossovers, no MCD", "/search?crossover=exclude&xwarning=Major+Character+Death"),
    ("hide read", "/search?hide_read=1&sort=updated"),
    ("free text", "/search?q=wormhole+prophets"),
    ("phrase + filter", '/search?q="the+wormhole"+complete:yes'),
    ("semantic-ish text", "/search?q=vampire+willow+keeps+tara+as+a+pet"),
    ("query language", '/search?q=ship:"Garak/Bashir"+words>5000+sort:kudos'),
    ("text + facets", "/search?q=giles&tag=fandom:Buffy+the+Vampire+Slayer"),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ensure_library(directory: Path, shared: Path) -> int:
    with open_library(directory) as lib:
        works = lib.stats().works
    if works:
        return works
    folders = [str(shared / "corpus" / f) for f in FOLDERS if (shared / "corpus" / f).is_dir()]
    print(f"building {directory} from {', '.join(folders)} (once; a few minutes)", flush=True)
    exe = Path(sys.executable).with_name("ficsift")
    subprocess.call([str(exe), "add", *folders, "--library", str(directory)])
    with open_library(directory) as lib:
        return lib.stats().works


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared", type=Path)
    parser.add_argument("--library", default=Path("/tmp/webbench"), type=Path)
    parser.add_argument("--rounds", default=7, type=int, help="times each query is timed")
    opts = parser.parse_args()

    works = ensure_library(opts.library, opts.shared)
    print(f"web bench: library {opts.library}, {works:,} works")
    with TestClient(create_app(opts.library)) as client:
        gz = {"Accept-Encoding": "gzip"}
        html = client.get("/search", headers={"Accept-Encoding": "identity"}).content
        css = client.get("/static/style.css").content
        js = client.get("/static/app.js").content
        raw = len(html) + len(css) + len(js)
        packed = sum(len(gzip.compress(b, 6)) for b in (html, css, js))
        print(
            f"page weight /search (20 results): HTML {len(html) / 1024:.1f} KB + CSS "
            f"{len(css) / 1024:.1f} KB + JS {len(js) / 1024:.1f} KB = {raw / 1024:.1f} KB "
            f"({packed / 1024:.1f} KB gzipped); no images, fonts or third-party requests"
        )
        for _, url in QUERIES:  # warm caches (vector index, templates) once
            assert client.get(url, headers=gz).status_code == 200, url
        all_times: list[float] = []
        rows = []
        for name, url in QUERIES:
            times = []
            for _ in range(opts.rounds):
                started = time.perf_counter()
                response = client.get(url, headers=gz)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            all_times += times
            total = response.text.count('class="blurb"')
            rows.append((name, statistics.median(times), max(times), total))
        state = client.app.state.ficsift  # type: ignore[attr-defined]
        facet_times: list[float] = []
        facet_rows = []
        for _name, url in QUERIES:
            times = []
            for _ in range(max(2, opts.rounds // 2)):
                state.changed()  # cold: no cached counts
                started = time.perf_counter()
                response = client.get(url.replace("/search", "/search/facets", 1), headers=gz)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            facet_times += times
            facet_rows.append(statistics.median(times))
        print(f"{'query':<24}{'p50 ms':>8}{'max ms':>8}  blurbs  facets p50 ms (cold)")
        for (name, p50, worst, shown), facet_p50 in zip(rows, facet_rows, strict=True):
            print(f"{name:<24}{p50:>8.1f}{worst:>8.1f}  {shown:>6}  {facet_p50:>8.1f}")
        p50, p95 = percentile(all_times, 0.5), percentile(all_times, 0.95)
        verdict = "meets" if p95 <= 100 else "MISSES"
        print(
            f"GET /search over {len(all_times)} requests: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
            f"({verdict} the 100 ms p95 target)"
        )
        f50, f95 = percentile(facet_times, 0.5), percentile(facet_times, 0.95)
        print(
            f"GET /search/facets (sidebar counts, fetched after the page shows; cold) over "
            f"{len(facet_times)} requests: p50 {f50:.1f} ms, p95 {f95:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
