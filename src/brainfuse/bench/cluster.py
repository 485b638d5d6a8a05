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
    """Check a ``--scheduler`` value.

    Parameters
    ----------
    scheduler : str
        ``"local"`` or a ``tcp://``/``tls://`` scheduler address.

    Returns
    -------
    scheduler : str
        ``scheduler`` itself.

    Raises
    ------
    InputError
        If it is neither.
    MissingExtraError
        If the ``dask`` extra is not installed (``pip install brainfuse[dask]``).

    Examples
    --------
    >>> from brainfuse.bench.cluster import check_scheduler
    >>> check_scheduler("local"), check_scheduler("tcp://127.0.0.1:8786")
    ('local', 'tcp://127.0.0.1:8786')
    """
    if scheduler != "local" and not scheduler.startswith(("tcp://", "tls://")):
        raise InputError("--scheduler", f"expected 'local' or tcp://HOST:PORT, got {scheduler!r}")
    require_extra("dask", what="running on Dask (--scheduler)")
    return scheduler


@contextlib.contextmanager
def dask_client(scheduler: str, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler``, closed (with its cluster) on exit.

    Parameters
    ----------
    scheduler : str
        ``"local"`` starts a ``LocalCluster`` of ``workers`` processes with one thread each, so
        one worker uses one core; ``tcp://HOST:PORT`` connects to a running scheduler (started
        with ``dask scheduler`` / ``dask worker``).
    workers : int, optional
        Workers of a local cluster (≥ 1; default one per core).

    Yields
    ------
    client : distributed.Client

    Raises
    ------
    InputError
        If ``scheduler`` is not valid, ``workers`` is below 1, or the scheduler cannot be
        reached.
    MissingExtraError
        If the ``dask`` extra is not installed (checked by :func:`check_scheduler`).
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
