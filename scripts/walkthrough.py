"""`make run`: a short walkthrough of ficsift on the embedded default library.

An empty library is filled from the shared corpus (real fics and AO3 listing pages); then the
library's stats and a few works are shown with the same commands a reader would type.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

from ficsift.library import default_library_dir, open_library


def run(*args: str) -> int:
    exe = Path(sys.executable).with_name("ficsift")
    print(f"\n$ ficsift {shlex.join(args)}", flush=True)
    return subprocess.call([str(exe), *args])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared", help="the shared data folder")
    opts = parser.parse_args()
    corpus = Path(opts.shared) / "corpus"
    print(f"Library: {default_library_dir()}  (set FICSIFT_HOME or pass --library to use another)")
    with open_library() as library:
        empty = library.stats().works == 0
    if empty and corpus.is_dir():
        folders = [corpus / name for name in ("antennapedia", "ao3-html", "ao3-listings-ds9")]
        run("add", *[str(f) for f in folders if f.is_dir()])
    elif empty:
        print(f"(no shared corpus at {corpus}; add your own fics with `ficsift add FOLDER`)")
    run("stats")
    run("list", "--limit", "10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
