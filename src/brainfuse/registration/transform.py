"""The result of a registration: a homogeneous matrix from fixed to moving coordinates.

Coordinates
-----------
2D images: pixel coordinates ``(x, y)`` with ``x`` the column and ``y`` the row, the centre of the
top-left pixel at ``(0, 0)``. Volumes: NIfTI world coordinates in millimetres (the frame of the
``affine`` of each volume, RAS+). The matrix maps a point of the *fixed* image to the point of the
*moving* image that lands on it, so the registered moving image is ``moving(matrix @ p)`` sampled
at every fixed point ``p``.

JSON file (``brainfuse register --transform-out T.json``)::

    {
      "type": "brainfuse-transform",
      "version": 1,
      "ndim": 2,                          # 2 (image) or 3 (volume)
      "space": "pixel",                   # "pixel" (x = column, y = row) or "world-mm"
      "maps": "fixed->moving",
      "transform": "rigid",               # "rigid" or "affine"
      "method": "mi",                     # the registration method that produced it
      "matrix": [[...], [...], [0, 0, 1]],  # (ndim+1) x (ndim+1), last row 0 ... 0 1
      "fixed": "mri.png",                 # optional: the files, for the record
      "moving": "pet.png"
    }

Only ``matrix`` is needed to apply the transform; the other keys describe it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_path

__all__ = ["TRANSFORM_KINDS", "Transform"]

#: Transform models a registration can estimate.
TRANSFORM_KINDS = ("rigid", "affine")

_FORMAT = "brainfuse-transform"
_SPACES = {2: "pixel", 3: "world-mm"}


@dataclass(frozen=True, eq=False)
class Transform:
    """A homogeneous ``(d+1) x (d+1)`` matrix mapping fixed coordinates to moving coordinates.

    Calling it maps ``(N, d)`` fixed points to moving points.

    Parameters
    ----------
    matrix : array_like
        3×3 for 2D images (pixel ``(x = column, y = row)``), 4×4 for volumes (world mm); finite,
        last row ``0 ... 0 1``, non-singular. Stored read-only as float64.
    kind : {"rigid", "affine"}, optional
        The model that was estimated (default ``"rigid"``).
    method : str, optional
        Name of the registration method (``"mi"``, ``"bggmm"`` ...), or ``""`` (default).
    meta : dict, optional
        Free-form facts kept in the JSON file (input paths, metric value ...).

    Raises
    ------
    InputError
        If the matrix is not 3×3 or 4×4, holds NaN or infinite values, has another last row, or
        is singular, or ``kind`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration import Transform
    >>> t = Transform(np.array([[1.0, 0, 3], [0, 1, 4], [0, 0, 1]]))
    >>> t
    Transform(rigid 2D pixel, method='', [1 0 3; 0 1 4])
    >>> t(np.array([[0.0, 0.0], [1.0, 1.0]]))
    array([[3., 4.],
           [4., 5.]])
    >>> t.inverse().matrix[:2, 2]
    array([-3., -4.])
    """

    matrix: np.ndarray
    kind: str = "rigid"
    method: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        m = np.array(self.matrix, dtype=np.float64)
        if m.ndim != 2 or m.shape not in ((3, 3), (4, 4)):
            raise InputError(None, f"a transform matrix must be 3x3 or 4x4, got shape {m.shape}")
        if not np.isfinite(m).all():
            raise InputError(None, "transform matrix contains NaN or infinite values")
        d = m.shape[0] - 1
        if not np.allclose(m[d], np.eye(d + 1)[d], atol=1e-9):
            raise InputError(None, f"the last row of a transform matrix must be {[0] * d + [1]}")
        if abs(np.linalg.det(m[:d, :d])) < 1e-12:
            raise InputError(None, "transform matrix is singular")
        if self.kind not in TRANSFORM_KINDS:
            raise InputError(None, f"unknown transform '{self.kind}'; valid: rigid, affine")
        m[d] = np.eye(d + 1)[d]
        m.setflags(write=False)
        object.__setattr__(self, "matrix", m)

    @property
    def ndim(self) -> int:
        """2 for images, 3 for volumes."""
        return self.matrix.shape[0] - 1

    @property
    def space(self) -> str:
        """``"pixel"`` (2D) or ``"world-mm"`` (3D)."""
        return _SPACES[self.ndim]

    @classmethod
    def identity(cls, ndim: int, **kwargs: Any) -> Transform:
        """The transform that moves nothing.

        Parameters
        ----------
        ndim : int
            2 (images) or 3 (volumes).
        **kwargs
            ``kind``, ``method`` or ``meta`` of the transform.

        Returns
        -------
        transform : Transform
            The identity matrix of size ``ndim + 1``.

        Examples
        --------
        >>> from brainfuse.registration import Transform
        >>> Transform.identity(2, method="mi")
        Transform(rigid 2D pixel, method='mi', [1 0 0; 0 1 0])
        """
        return cls(np.eye(ndim + 1), **kwargs)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Map ``(N, d)`` fixed points to moving points."""
        p = np.asarray(points, dtype=np.float64)
        return p @ self.matrix[:-1, :-1].T + self.matrix[:-1, -1]

    def inverse(self) -> Transform:
        """The transform from moving to fixed coordinates.

        Returns
        -------
        inverse : Transform
            Same kind, method and meta.
        """
        return Transform(np.linalg.inv(self.matrix), self.kind, self.method, dict(self.meta))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object described in the module docstring.

        Returns
        -------
        obj : dict
            ``type``, ``version``, ``ndim``, ``space``, ``maps``, ``transform``, ``method``,
            ``matrix`` and the ``meta`` entries.
        """
        return {
            "type": _FORMAT,
            "version": 1,
            "ndim": self.ndim,
            "space": self.space,
            "maps": "fixed->moving",
            "transform": self.kind,
            "method": self.method,
            "matrix": [[float(v) for v in row] for row in self.matrix],
            **self.meta,
        }

    @classmethod
    def from_dict(cls, obj: dict[str, Any], source: str | None = None) -> Transform:
        """Inverse of :meth:`to_dict`; only ``matrix`` is required.

        Parameters
        ----------
        obj : dict
            The JSON object (see the module docstring); keys it does not know go to ``meta``.
        source : str, optional
            The file it came from, named in error messages.

        Returns
        -------
        transform : Transform
            ``kind`` defaults to ``"affine"`` when the object does not say.

        Raises
        ------
        InputError
            If ``obj`` has no ``matrix``, another ``type``, or a matrix that is not a valid
            transform.

        Examples
        --------
        >>> from brainfuse.registration import Transform
        >>> Transform.from_dict({"matrix": [[1, 0, 2], [0, 1, 0], [0, 0, 1]]})
        Transform(affine 2D pixel, method='', [1 0 2; 0 1 0])
        """
        if not isinstance(obj, dict) or "matrix" not in obj:
            raise InputError(source, "not a transform: no 'matrix' key")
        if obj.get("type", _FORMAT) != _FORMAT:
            raise InputError(source, f"not a {_FORMAT} file (type {obj.get('type')!r})")
        try:
            matrix = np.array(obj["matrix"], dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(source, f"'matrix' is not a numeric matrix ({exc})") from None
        known = {"type", "version", "ndim", "space", "maps", "transform", "method", "matrix"}
        meta = {k: v for k, v in obj.items() if k not in known}
        try:
            return cls(matrix, obj.get("transform", "affine"), obj.get("method", ""), meta)
        except InputError as exc:
            raise InputError(source, exc.problem) from None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the JSON file atomically.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write.

        Returns
        -------
        path : pathlib.Path
            The path written.
        """
        out = Path(path)
        with atomic_path(out) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Transform:
        """Read a JSON file written by :meth:`save`.

        Parameters
        ----------
        path : str or os.PathLike
            The JSON file.

        Returns
        -------
        transform : Transform
            The transform it holds.

        Raises
        ------
        InputError
            If the file is missing, unreadable, not JSON or not a transform.

        Examples
        --------
        >>> import tempfile, os
        >>> from brainfuse.registration import Transform
        >>> path = os.path.join(tempfile.mkdtemp(), "t.json")
        >>> Transform.load(Transform.identity(2).save(path))
        Transform(rigid 2D pixel, method='', [1 0 0; 0 1 0])
        """
        p = Path(path)
        try:
            obj = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(p, "file not found") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(p, f"cannot read transform JSON ({exc})") from None
        return cls.from_dict(obj, str(p))

    def __repr__(self) -> str:
        rows = "; ".join(" ".join(f"{v:.4g}" for v in row) for row in self.matrix[:-1])
        return f"Transform({self.kind} {self.ndim}D {self.space}, method={self.method!r}, [{rows}])"
