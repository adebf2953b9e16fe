"""One local Ray for the bulk tests (it takes seconds to start), on loopback only."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ficsift.bulk import Cluster, RaySession


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Cluster]:
    # Ray's Unix sockets live under the temp folder, and a socket path has 107 bytes at
    # most: pytest's tmp_path is too deep for it.
    temp = tempfile.mkdtemp(prefix="fsray", dir="/tmp")
    cluster = Cluster(workers=2, temp_dir=temp)
    with RaySession(cluster) as session:
        session.ensure()
        yield cluster
    shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="session")
def sample(corpus: Path) -> list[Path]:
    """A few real files of each kind: AO3 downloads, Markdown stories, listing pages, a
    ship's CSV (small ones, so a test takes seconds)."""

    def smallest(folder: Path, pattern: str, n: int) -> list[Path]:
        files = sorted(folder.glob(pattern), key=lambda p: (p.stat().st_size, p.name))
        return files[:n]

    files = (
        smallest(corpus / "ao3-html", "*.html", 3)
        + smallest(corpus / "antennapedia", "*/*.md", 4)
        + smallest(corpus / "ao3-listings-ds9", "*.html", 4)
        + smallest(corpus / "ao3-ships-top-kudos", "*.csv", 1)
    )
    assert len(files) == 12
    return files
