"""A small fixture primer, so cast tests do not depend on the full curated data."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficsift.understand.primer import Primer, load_primer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def primer() -> Primer:
    return load_primer(str(FIXTURES / "primer.yaml"))
