"""Stage 0, on the reader's request only: stories fetched from the web by FanFicFare.

The only part of ficsift that uses the network.  A story URL becomes an EPUB (FanFicFare's
site adapters and writer), which ficsift's own EPUB reader reads into the library like any
file; see :mod:`ficsift.fetch.fetcher`.
"""

from __future__ import annotations

from ficsift.fetch.download import FetchError, FetchSettings, StoryRef, locate
from ficsift.fetch.fetcher import (
    FetchReport,
    fetch_urls,
    fetch_works,
    story_of,
    works_in_progress,
)
from ficsift.fetch.shelf import Shelf

__all__ = [
    "FetchError",
    "FetchReport",
    "FetchSettings",
    "Shelf",
    "StoryRef",
    "fetch_urls",
    "fetch_works",
    "locate",
    "story_of",
    "works_in_progress",
]
