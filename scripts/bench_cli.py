"""`make bench` (CLI): what a one-shot `ficsift` command costs, start to exit.

Each command is run as a reader runs it (the `ficsift` script, a fresh interpreter), on the
shared-corpus library (antennapedia, ao3-html, ao3-listings-ds9: ~10.5k works) built once with
`ficsift add` into --library and kept between runs.  One run of each command first warms the
disk cache, Python's bytecode cache and ficsift's derived cache (the built primer and the
ontology's image, ficsift/derived_cache.py, which a reader's first tag search builds once:
about 2 s); then --runs runs each, reporting p50 and max of wall
time and of CPU time (user + system of the process).  Target (issue 13): a one-shot search
≤ 0.5 s; `--help` well under that.  `analyze` of one short story is timed beside them (issue
12: loading what understanding needs must not slow a command's start).

Python's bytecode goes to .bench/pycache (PYTHONPYCACHEPREFIX), written even where the
environment says PYTHONDONTWRITEBYTECODE: an installed ficsift has its bytecode compiled, and
recompiling ~50 modules each run would add ~0.2 s that no reader pays.

`python -X importtime` of the text search is written to .bench/cli-importtime.txt for a look
at what the command imports.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

FOLDERS = ("antennapedia", "ao3-html", "ao3-listings-ds9")
# name -> the arguments after `ficsift`; {library} is the library folder, {story} one story
# of the shared corpus (a 1,178-word AO3 download: what understanding one fic costs a reader
# before the story's own words, ~0.01 s of it, are read)
COMMANDS = {
    "--help": ["--help"],
    "search --help": ["search", "--help"],
    "search text (vampire willow)": ["search", "vampire willow", "--library", "{library}"],
    "search filters only": ["search", "words>5000 sort:quality", "--library", "{library}"],
    "search a tag (tag:Vampires)": ["search", "tag:Vampires", "--library", "{library}"],
    "analyze one story (text only)": ["analyze", "{story}", "--text-only"],
}
STORY = "corpus/ao3-html/A_Funeral_Shroud_for.html"
TARGET_SECONDS = 0.5


def ficsift_exe() -> str:
    return str(Path(sys.executable).with_name("ficsift"))


def child_env(pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache.absolute())
    return env


def ensure_library(directory: Path, shared: Path, env: dict[str, str]) -> None:
    if (directory / "library.sqlite3").exists():
        return
    folders = [str(shared / "corpus" / f) for f in FOLDERS if (shared / "corpus" / f).is_dir()]
    print(f"building {directory} from {', '.join(folders)} (once; about a minute)", flush=True)
    subprocess.run(
        [ficsift_exe(), "add", *folders, "--library", str(directory)],
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of `ficsift ARGS`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [ficsift_exe(), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared", type=Path)
    parser.add_argument("--library", default=Path(".bench/cli-library"), type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=Path(".bench/cli.json"), type=Path)
    opts = parser.parse_args()
    env = child_env(Path(".bench/pycache"))
    ensure_library(opts.library, opts.shared, env)
    results: dict[str, dict[str, float]] = {}
    print(f"one-shot CLI on {opts.library} ({opts.runs} runs each after a warm-up run)")
    load_before = os.getloadavg()[0]
    for name, template in COMMANDS.items():
        story = str(opts.shared / STORY)
        args = [
            a.replace("{library}", str(opts.library)).replace("{story}", story) for a in template
        ]
        run_once(args, env)  # warm: disk cache, bytecode
        walls, cpus = zip(*(run_once(args, env) for _ in range(opts.runs)), strict=True)
        results[name] = {
            "wall_p50_s": round(statistics.median(walls), 3),
            "wall_max_s": round(max(walls), 3),
            "cpu_p50_s": round(statistics.median(cpus), 3),
            "cpu_max_s": round(max(cpus), 3),
            "n": len(walls),
        }
        row = results[name]
        print(
            f"  {name:<30} wall p50 {row['wall_p50_s']:.2f} s (max {row['wall_max_s']:.2f})"
            f"  CPU p50 {row['cpu_p50_s']:.2f} s (max {row['cpu_max_s']:.2f})",
            flush=True,
        )
    load = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    print(
        f"  load average {load['before']:.1f} before, {load['after']:.1f} after (2 cores);"
        f" target: a one-shot search ≤ {TARGET_SECONDS} s"
    )
    text_search = [a.replace("{library}", str(opts.library)) for a in COMMANDS[
        "search text (vampire willow)"]]  # fmt: skip
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ficsift.cli", *text_search],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    ).stderr
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    (opts.out.parent / "cli-importtime.txt").write_text(imports)
    opts.out.write_text(json.dumps({"commands": results, "load_average": load}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
