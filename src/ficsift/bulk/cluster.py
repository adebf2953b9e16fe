"""Where the reading runs: a Ray cluster given by address, or a quiet local one started here."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from types import TracebackType


@dataclass(frozen=True, slots=True)
class Cluster:
    """How to reach Ray.

    ``address``: an existing cluster (``"auto"``, ``"host:6379"``, ``"ray://host:10001"``);
    ``None`` starts a local Ray for this run.  ``workers``: the local Ray's CPUs (default:
    all), or on an existing cluster at most this many files read at once (default: its
    CPUs).  ``temp_dir``: the local Ray's session folder; its Unix sockets must fit in
    107 bytes, so it is kept short (Ray's default is /tmp/ray).
    """

    address: str | None = None
    workers: int | None = None
    temp_dir: str | None = None


class RayUnavailable(RuntimeError):
    """Ray could not be started or reached: the whole import waits for it, nothing was read."""


class RaySession:
    """Ray for one import, started on first use and shut down at the end if started here.

    Nothing is started for an import whose files are all unchanged (Ray takes seconds to
    start); a Ray this process had already joined (a test's, an application's) is used as
    it is and left running.
    """

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._started = False

    def ensure(self) -> None:
        # Ray reports usage statistics over the network unless told not to.
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        import ray

        if ray.is_initialized():
            return
        cluster = self.cluster
        local = cluster.address is None
        # A local Ray turns on token authentication (good) and warns that it did (noise).
        logging.getLogger("ray._private.authentication").setLevel(logging.ERROR)
        try:
            ray.init(
                address=cluster.address,
                num_cpus=cluster.workers if local else None,
                include_dashboard=False,
                log_to_driver=False,  # the workers' output would interleave with the report
                logging_level=logging.WARNING,
                # A local Ray listens on the loopback interface only.
                _node_ip_address="127.0.0.1" if local else None,
                _temp_dir=cluster.temp_dir if local else None,
            )
        except Exception as exc:  # no cluster at the address, no room for a local one, …
            where = cluster.address or "a local Ray"
            raise RayUnavailable(f"cannot start Ray ({where}): {exc}") from exc
        self._started = True
        quiet_ray_data()

    def close(self) -> None:
        if self._started:
            import ray

            ray.shutdown()
            self._started = False

    def __enter__(self) -> RaySession:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def quiet_ray_data() -> None:
    """No progress bars and no per-run log lines from Ray Data: the import reports itself."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
