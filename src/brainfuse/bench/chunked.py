"""Fusing volumes chunk by chunk with Dask, where the method allows it.

Splitting a volume into slabs of whole slices (along the last axis) changes nothing for two
kinds of methods, so their chunked result equals :func:`brainfuse.fusion.fuse_arrays` on the
whole volume bit for bit:

- the voxel-wise rules (average, maximum, minimum, weighted) combine each voxel alone (not the
  rest of the ``pixel`` family: PCA fusion takes its weights from moments of the whole volume);
- 2D-only methods (``dims=(2,)``) are applied slice by slice along the last axis anyway.

Any other method (an n-dimensional filter or transform, whose result at a voxel depends on its
neighbours in all three directions) gets the whole volume in one piece.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._extras import require
from ..fusion import fuse_arrays, get_method

__all__ = ["VOXELWISE_METHODS", "can_chunk", "fuse_chunked", "fuse_volume"]

#: Methods whose result at a voxel depends on the two input values at that voxel only.
VOXELWISE_METHODS = ("average", "maximum", "minimum", "weighted")


def can_chunk(method: str) -> bool:
    """True when ``method`` gives the same volume fused whole or by slabs of slices.

    Parameters
    ----------
    method : str
        A registered fusion method name.

    Returns
    -------
    chunkable : bool
        True for the voxel-wise rules (:data:`VOXELWISE_METHODS`) and 2D-only methods.

    Raises
    ------
    InputError
        If the method is unknown.

    Examples
    --------
    >>> from brainfuse.bench.chunked import can_chunk
    >>> can_chunk("maximum"), can_chunk("pca"), can_chunk("papcnn")
    (True, False, True)
    """
    m = get_method(method)
    return m.name in VOXELWISE_METHODS or 3 not in m.dims


def _fuse_block(x: np.ndarray, y: np.ndarray, method: str, params: dict[str, Any]) -> np.ndarray:
    return fuse_arrays(x, y, method, **params)


def _graph(a: np.ndarray, b: np.ndarray, method: str, params: dict[str, Any], slab: int) -> Any:
    require("dask", extra="dask", what="chunked fusion")
    import dask.array as da

    chunks = (*a.shape[:-1], slab if can_chunk(method) else a.shape[-1])
    return da.map_blocks(
        _fuse_block,
        da.from_array(a, chunks=chunks),
        da.from_array(b, chunks=chunks),
        method=method,
        params=params,
        dtype=np.float32,
        meta=np.empty((0, 0, 0), np.float32),
    )


def fuse_chunked(
    a: np.ndarray,
    b: np.ndarray,
    method: str,
    *,
    slab: int = 16,
    client: Any = None,
    **params: Any,
) -> np.ndarray:
    """Fuse grey volumes ``a`` and ``b`` by slabs of ``slab`` slices (see the module docstring).

    The result equals ``fuse_arrays(a, b, method, **params)`` exactly; a method that cannot be
    chunked (:func:`can_chunk`) is run on the whole volume.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two grey volumes, one shape, on the 0..255 scale.
    method : str
        A registered fusion method name.
    slab : int, optional
        Slices per chunk along the last axis (default 16).
    client : distributed.Client, optional
        The cluster to run the slabs on; without one they run on Dask's local threads.
    **params
        The method's parameters.

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape.

    Raises
    ------
    MissingExtraError
        If Dask is not installed (``pip install brainfuse[dask]``).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.bench.chunked import fuse_chunked
    >>> a = np.arange(27, dtype=np.float32).reshape(3, 3, 3); b = a[::-1].copy()
    >>> bool((fuse_chunked(a, b, "maximum", slab=1) == np.maximum(a, b)).all())
    True
    """
    a = np.ascontiguousarray(a, dtype=np.float32)
    b = np.ascontiguousarray(b, dtype=np.float32)
    bound = get_method(method).bind(params)
    if a.ndim != 3 or a.shape != b.shape:
        return fuse_arrays(a, b, method, **bound)
    graph = _graph(a, b, method, bound, max(1, int(slab)))
    if client is not None:
        return np.asarray(client.compute(graph).result())
    return np.asarray(graph.compute(scheduler="threads"))


def fuse_volume(
    a: np.ndarray, b: np.ndarray, method: str, params: dict[str, Any]
) -> tuple[np.ndarray, int]:
    """Fuse a volume pair inside a benchmark task; return the volume and its number of chunks.

    On a Dask worker, a method that :func:`can_chunk` is split into two slabs per worker of the
    cluster, computed across it; anywhere else (or for other methods) the volume is fused whole.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two grey volumes on the 0..255 scale.
    method : str
        A registered fusion method name.
    params : dict
        The method's bound parameters.

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape.
    chunks : int
        The number of pieces it was computed in (1: whole).

    Examples
    --------
    Outside a Dask worker the volume is fused whole:

    >>> import numpy as np
    >>> from brainfuse.bench.chunked import fuse_volume
    >>> a = np.zeros((2, 2, 2), np.float32); b = np.full((2, 2, 2), 10, np.float32)
    >>> fused, chunks = fuse_volume(a, b, "average", {})
    >>> float(fused.max()), chunks
    (5.0, 1)
    """
    try:
        from distributed import get_worker, worker_client

        get_worker()
    except (ImportError, ValueError):
        return fuse_arrays(a, b, method, **params), 1
    if not can_chunk(method) or a.ndim != 3 or a.shape != b.shape:
        return fuse_arrays(a, b, method, **params), 1
    with worker_client() as client:
        pieces = 2 * max(1, len(client.scheduler_info()["workers"]))
        slab = math.ceil(a.shape[-1] / pieces)
        graph = _graph(
            np.ascontiguousarray(a, np.float32),
            np.ascontiguousarray(b, np.float32),
            method,
            params,
            slab,
        )
        return np.asarray(client.compute(graph).result()), graph.npartitions
