"""Connecting to Dask: a ``LocalCluster`` on this machine or a running scheduler."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from .._extras import require_extra
from ..errors import InputError

__all__ = ["check_scheduler", "dask_client"]


def check_scheduler(scheduler: str) -> str:
    """``scheduler`` if it is ``"local"`` or a ``tcp://``/``tls://`` address, else an error."""
    if scheduler != "local" and not scheduler.startswith(("tcp://", "tls://")):
        raise InputError("--scheduler", f"expected 'local' or tcp://HOST:PORT, got {scheduler!r}")
    require_extra("dask", what="running on Dask (--scheduler)")
    return scheduler


@contextlib.contextmanager
def dask_client(scheduler: str, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler``, closed (with its cluster) on exit.

    ``"local"`` starts a ``LocalCluster`` of ``workers`` processes (default: one per core) with
    one thread each, so one worker uses one core; ``tcp://HOST:PORT`` connects to a running
    scheduler (started with ``dask scheduler`` / ``dask worker``).
    """
    from distributed import Client, LocalCluster

    if check_scheduler(scheduler) == "local":
        n = workers or os.cpu_count() or 1
        if n < 1:
            raise InputError("--workers", f"must be at least 1, got {n}")
        with (
            LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(
            "--scheduler", f"cannot reach the Dask scheduler at {scheduler} ({exc})"
        ) from None
    with client:
        yield client
