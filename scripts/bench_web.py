"""`make bench`: the web app's search page — page weight, server time, and load.

The library is the whole shared corpus (antennapedia, ao3-html, ao3-listings-ds9: ~10k works),
built once with `ficsift add` into --library (kept between runs).

1. Server time: requests go through the whole ASGI app in process (routing, search,
   templates, gzip), so the times are the server's, without network.  Target: p95 ≤ 100 ms.
   The page is served in two parts: GET /search (results, pagination, filter form) and,
   fetched by the page right after it shows, GET /search/facets (the sidebar's tag counts,
   cached per query until the library changes).  Both are timed; the facet times are cold
   (cache emptied before every request), the worst case.
2. Load: `ficsift serve` as a reader runs it (several worker processes) on a scratch copy of
   the library, driven by `wrk` (installed with apt-get when missing and possible; else an
   asyncio HTTP/1.1 load generator here, same figures) over a mix of `/search?q=…` queries:
   1 connection, 20 connections, and 20 connections while a web import runs (a folder of
   stories not in the library yet).  Targets: ≥ 100 req/s at 20 connections with p99 ≤ 300 ms,
   and p99 ≤ 600 ms during the import.  Each request is a real search: no page is cached.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from ficsift.library import open_library
from ficsift.web import create_app

BASE = "http://localhost"  # the apps below allow the loopback names on port 80

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


# -- load --------------------------------------------------------------------------------------

# What readers type in the box: free text, phrases, text with the query language.
LOAD_QUERIES = [
    "/search?q=wormhole+prophets",
    "/search?q=garak",
    "/search?q=giles",
    "/search?q=love",
    "/search?q=vampire+willow+keeps+tara+as+a+pet",
    '/search?q="the+wormhole"+complete:yes',
    '/search?q=ship:"Garak/Bashir"+words>5000+sort:kudos',
    "/search?q=kira+odo+station",
    "/search?q=slayer+watcher+library",
    "/search?q=hurt+comfort",
]
# Copied under new names, so they are read again as new files (~30 MB of stories).
IMPORT_FOLDERS = ("wild", "ao3-html", "antennapedia")


@dataclass
class Load:
    """One load run's figures."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.rate:7.1f} req/s  p50 {self.p50_ms:6.1f} ms  p99 {self.p99_ms:6.1f} ms  "
            f"({self.requests} requests, {self.errors} errors; {self.tool})"
        )


def find_wrk() -> str | None:
    """wrk, installed with apt-get when missing and this is root on Debian; else None."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("installing wrk (apt-get install -y wrk) …", flush=True)
    subprocess.call(
        ["apt-get", "install", "-y", "-q", "wrk"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return shutil.which("wrk")


WRK_SCRIPT = """
paths = {%s}
n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(wrk: str, url: str, connections: int, seconds: int) -> Load:
    paths = ", ".join(json.dumps(q) for q in LOAD_QUERIES)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % paths)
    try:
        done = subprocess.run(
            [
                wrk,
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"bench: wrk failed against {url}: {done.stderr.strip()}")
        out = done.stdout
    finally:
        os.unlink(script.name)

    def latency(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(found.group(1)) * _UNITS[found.group(2)] if found else float("nan")

    summary = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    requests = int(summary.group(1)) if summary else 0
    units = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}
    took = float(summary.group(2)) * units[summary.group(3)] if summary else seconds
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|timeout):? (\d+)", out))
    return Load(requests, took, latency("50"), latency("99"), errors, "wrk")


async def _client(
    host: str, port: int, deadline: float, times: list[float], errors: list[int], start: int
) -> None:
    """One keep-alive connection sending the queries in turn until the deadline."""
    reader, writer = await asyncio.open_connection(host, port)
    n = start
    try:
        while time.perf_counter() < deadline:
            path = LOAD_QUERIES[n % len(LOAD_QUERIES)]
            n += 1
            began = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"content-length: *(\d+)", head, re.I).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            times.append((time.perf_counter() - began) * 1000)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(1)
    finally:
        writer.close()


def run_python(url: str, connections: int, seconds: int) -> Load:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    times: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(host, int(port), deadline, times, errors, i) for i in range(connections))
        )

    began = time.perf_counter()
    asyncio.run(main())
    took = time.perf_counter() - began
    return Load(
        len(times),
        took,
        percentile(times, 0.5),
        percentile(times, 0.99),
        len(errors),
        "python load generator",
    )


def cpu_seconds(root: int) -> float:
    """CPU time used so far by a process and its children (the server's workers): what a
    request costs, whatever else shares the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if root in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    library: Path, import_root: Path, workers: int | None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    exe = Path(sys.executable).with_name("ficsift")
    command = [
        str(exe),
        "serve",
        "--library",
        str(library),
        "--port",
        str(port),
        "--import-root",
        str(import_root),
    ]
    if workers:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/api/csrf", timeout=2).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise SystemExit("bench: the server did not start") from None
            time.sleep(0.2)
    for _ in range(3):  # every worker warm: its ontology, vectors and caches loaded
        for path in LOAD_QUERIES:
            urllib.request.urlopen(url + path, timeout=60).read()
    time.sleep(3)
    return server, url


def post_json(url: str, data: object) -> dict[str, object]:
    request = urllib.request.Request(
        url, json.dumps(data).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, object] = json.loads(response.read())
        return result


def load_bench(opts: argparse.Namespace) -> None:
    wrk = None if opts.python_load else find_wrk()

    def drive(url: str, connections: int, seconds: int) -> Load:
        return (
            run_wrk(wrk, url, connections, seconds)
            if wrk
            else run_python(url, connections, seconds)
        )

    with tempfile.TemporaryDirectory(prefix="ficsift-webload-") as scratch_dir:
        scratch = Path(scratch_dir)
        server = None
        if opts.url:
            url = opts.url
        else:
            shutil.copytree(
                opts.library,
                scratch / "library",
                ignore=shutil.ignore_patterns("imports", "uploads"),
            )
            server, url = start_server(scratch / "library", scratch, opts.workers)
        try:
            print(
                f"load: {url} ({opts.workers or 'default'} workers), {len(LOAD_QUERIES)} "
                f"different /search?q=… pages in turn"
            )
            print(
                f"  machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
                "(other work on it takes its share)"
            )
            one = drive(url, 1, opts.seconds)
            print(f"  1 connection:            {one.line()}", flush=True)
            used = cpu_seconds(server.pid) if server else 0.0
            twenty = drive(url, 20, opts.seconds)
            print(f"  20 connections:          {twenty.line()}", flush=True)
            if server and twenty.requests:
                per = (cpu_seconds(server.pid) - used) / twenty.requests * 1000
                cores = os.cpu_count() or 1
                print(
                    f"  server CPU per request:  {per:.1f} ms: {cores} idle cores would serve "
                    f"about {cores * 1000 / per:.0f} req/s"
                )
            folder = scratch / "new-fics"
            for copy in ("a", "b"):  # twice, so the import outlasts the run
                for name in IMPORT_FOLDERS:
                    source = opts.shared / "corpus" / name
                    if source.is_dir():
                        shutil.copytree(source, folder / copy / name)
            job = post_json(url + "/api/import", {"path": str(folder)})
            time.sleep(1.0)  # the import process has started reading

            def import_read() -> float:
                with urllib.request.urlopen(f"{url}/api/import/{job['id']}", timeout=30) as r:
                    state = json.loads(r.read())
                return float(state["done_bytes"]) / 2**20 if state["state"] == "running" else -1

            # The import runs niced (searches first): under 20 connections it may get almost
            # no CPU, so one connection is driven too, leaving it a core to store with.
            # How much it read during each run is printed: a starved import flatters a figure.
            for connections in (1, 20):
                before = import_read()
                during = drive(url, connections, opts.seconds)
                after = import_read()
                still = (
                    f"it read {after - before:.1f} MB meanwhile"
                    if after >= 0 and before >= 0
                    else "it finished during the run"
                )
                label = f"{connections} connection{'s' * (connections > 1)} + import:"
                print(f"  {label:<25}{during.line()}  ({still})", flush=True)
            rate_ok = twenty.rate >= 100 and twenty.p99_ms <= 300
            import_ok = during.p99_ms <= 600
            print(
                f"load targets: ≥ 100 req/s with p99 ≤ 300 ms at 20 connections: "
                f"{'met' if rate_ok else 'MISSED'}; p99 ≤ 600 ms during an import: "
                f"{'met' if import_ok else 'MISSED'}"
            )
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(30)
                except subprocess.TimeoutExpired:
                    server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared", type=Path)
    parser.add_argument("--library", default=Path("/tmp/webbench"), type=Path)
    parser.add_argument("--rounds", default=7, type=int, help="times each query is timed")
    parser.add_argument("--seconds", default=15, type=int, help="length of each load run")
    parser.add_argument("--workers", default=None, type=int, help="server processes")
    parser.add_argument("--url", help="load a server already running here instead")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--only-load", action="store_true", help="skip the in-process timings")
    opts = parser.parse_args()

    works = ensure_library(opts.library, opts.shared)
    print(f"web bench: library {opts.library}, {works:,} works")
    if not opts.only_load:
        server_times(opts)
    load_bench(opts)
    return 0


def server_times(opts: argparse.Namespace) -> None:
    with TestClient(create_app(opts.library, port=80), base_url=BASE) as client:
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


if __name__ == "__main__":
    sys.exit(main())
