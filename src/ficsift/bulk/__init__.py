"""Bulk import on a Ray cluster: the importer's pipeline with its reading spread over Ray.

Discovery, skipping unchanged files and storing stay in this process (the driver), exactly as
in ``ficsift add`` (:func:`ficsift.importer.import_paths`); only reading and understanding, the
three quarters of the work that need no library, run as Ray Data tasks, on a local Ray or on
a cluster's nodes.  So the library ends up as ``ficsift add`` leaves it, and a run that was
killed resumes from the files it had not stored (see docs/bulk.md).
"""

from __future__ import annotations

from ficsift.bulk.cluster import Cluster, RaySession, RayUnavailable
from ficsift.bulk.pipeline import bulk_import

__all__ = ["Cluster", "RaySession", "RayUnavailable", "bulk_import"]
