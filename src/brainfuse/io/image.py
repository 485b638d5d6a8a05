"""The one container for 2D images and 3D volumes: :class:`Image`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = ["Image", "Modality", "guess_modality", "to_fusion_scale"]


class Modality(str, Enum):
    """Imaging modality of an :class:`Image`.

    Attributes
    ----------
    MRI, CT, PET, SPECT : Modality
        The acquisition modalities.
    FUSED : Modality
        A fusion result.
    UNKNOWN : Modality
        Not known (value ``"unknown"``).

    Examples
    --------
    >>> from brainfuse.io.image import Modality
    >>> Modality.parse("pt"), Modality.PET.functional, Modality.CT.functional
    (<Modality.PET: 'PET'>, True, False)
    """

    MRI = "MRI"
    CT = "CT"
    PET = "PET"
    SPECT = "SPECT"
    FUSED = "FUSED"
    UNKNOWN = "unknown"

    @property
    def functional(self) -> bool:
        """True for the emission modalities (PET, SPECT), usually shown in colour."""
        return self in (Modality.PET, Modality.SPECT)

    @classmethod
    def parse(cls, value: str | Modality | None) -> Modality:
        """Modality from a case-insensitive name (``"pet"``, ``"MR"``, ``"t1"`` ...).

        Parameters
        ----------
        value : str, Modality or None
            A name or alias (MR, T1, T2, PD → MRI; NM → SPECT; PT → PET), a Modality (returned as it
            is), or None (UNKNOWN).

        Returns
        -------
        modality : Modality

        Raises
        ------
        InputError
            If the name is none of the modalities or aliases.

        Examples
        --------
        >>> from brainfuse.io.image import Modality
        >>> Modality.parse("MR").value, Modality.parse(None).value
        ('MRI', 'unknown')
        """
        if value is None:
            return cls.UNKNOWN
        if isinstance(value, Modality):
            return value
        key = value.strip().upper()
        aliases = {"MR": "MRI", "T1": "MRI", "T2": "MRI", "PD": "MRI", "NM": "SPECT", "PT": "PET"}
        key = aliases.get(key, key)
        for m in cls:
            if m.value.upper() == key:
                return m
        names = ", ".join(m.value for m in cls)
        raise InputError(None, f"unknown modality '{value}'; valid: {names}")


_MODALITY_TOKENS = {
    "SPECT": Modality.SPECT,
    "PET": Modality.PET,
    "CT": Modality.CT,
    "SCCT": Modality.CT,
    "MRI": Modality.MRI,
    "MR": Modality.MRI,
    "T1": Modality.MRI,
    "T2": Modality.MRI,
    "PD": Modality.MRI,
}


def guess_modality(path: str | Path) -> Modality:
    """Guess the modality from a path: the file name first, then the parent folders.

    A name that names no modality (or several) gives :attr:`Modality.UNKNOWN`.

    Parameters
    ----------
    path : str or pathlib.Path
        A file or folder path.

    Returns
    -------
    modality : Modality

    Examples
    --------
    >>> from brainfuse.io.image import guess_modality
    >>> [guess_modality(p).value for p in ("MRI_PET/PET/11.png", "T1.nii", "scct.nii", "a.png")]
    ['PET', 'MRI', 'CT', 'unknown']
    """
    p = Path(path)
    parts = [p.name.split(".")[0], *(q.name for q in p.parents)][:3]
    for part in parts:
        tokens = {t for t in _split_tokens(part.upper())}
        found = {m for t, m in _MODALITY_TOKENS.items() if t in tokens}
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            return Modality.UNKNOWN
    return Modality.UNKNOWN


def _split_tokens(name: str) -> list[str]:
    out, cur = [], ""
    for ch in name:
        if ch.isalnum():
            cur += ch
        else:
            if cur:
                out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


@dataclass(eq=False)
class Image:
    """A 2D image or a 3D volume with its geometry, modality and colour.

    Attributes
    ----------
    array : numpy.ndarray
        ``float32`` samples: ``(H, W)`` grey, ``(H, W, 3)`` RGB (``rgb=True``), or ``(X, Y, Z)``
        volume in the voxel order of its NIfTI file.
    rgb : bool
        True when ``array`` holds a pseudo-colour (or true-colour) RGB image. Grey images
        stored as RGB with equal channels are loaded as grey.
    modality : Modality
        :class:`Modality` of the image.
    spacing : tuple of float
        Pixel or voxel size in millimetres per spatial axis (row, column) / (x, y, z).
    affine : numpy.ndarray or None
        ``4x4`` voxel-to-world (RAS+, mm) matrix of a volume; ``None`` for 2D images.
    colormap : str or None
        Name of the palette used to show a grey functional image in colour (a DICOM PET
        palette or a matplotlib colour map), or ``None``.
    bit_depth : int or None
        Bits per sample of the source file (8, 16, 32, 64), ``None`` for images built in memory.
    display_values : bool
        True when the samples are display values on the 0..255 scale, used as they are: 8-bit
        2D image files, NumPy arrays, fused results. False for measurements (NIfTI and DICOM
        volumes, 16-bit and float images), which :func:`to_fusion_scale`
        stretches to 0..255.
    source : str or None
        The file it was loaded from, if any.
    """

    array: np.ndarray
    rgb: bool = False
    modality: Modality = Modality.UNKNOWN
    spacing: tuple[float, ...] = ()
    affine: np.ndarray | None = None
    colormap: str | None = None
    bit_depth: int | None = None
    display_values: bool = False
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        arr = np.asarray(self.array)
        if arr.dtype != np.float32:
            arr = arr.astype(np.float32)
        self.array = arr
        self.modality = Modality.parse(self.modality)
        if self.rgb:
            if arr.ndim != 3 or arr.shape[2] != 3:
                raise InputError(self.source, f"an RGB image must be HxWx3, got shape {arr.shape}")
        elif arr.ndim not in (2, 3):
            raise InputError(self.source, f"expected a 2D image or a 3D volume, got {arr.ndim}D")
        if arr.size == 0:
            raise InputError(self.source, f"is empty: shape {arr.shape} has an axis of length 0")
        nd = self.ndim
        if not self.spacing:
            self.spacing = (
                tuple(float(s) for s in np.sqrt((self.affine[:3, :3] ** 2).sum(axis=0)))
                if self.affine is not None and nd == 3
                else (1.0,) * nd
            )
        self.spacing = tuple(float(s) for s in self.spacing)
        if len(self.spacing) != nd:
            raise InputError(self.source, f"spacing {self.spacing} does not match {nd}D data")
        if nd == 3 and self.affine is None:
            self.affine = np.diag([*self.spacing, 1.0])
        if self.affine is not None:
            self.affine = np.asarray(self.affine, dtype=np.float64)
            if self.affine.shape != (4, 4):
                raise InputError(self.source, f"affine must be 4x4, got {self.affine.shape}")
            linear = self.affine[:3, :3]
            if not np.isfinite(self.affine).all() or abs(np.linalg.det(linear)) < 1e-12:
                raise InputError(
                    self.source,
                    "the header's voxel-to-world matrix is singular or not finite: "
                    "the volume has no place in space",
                )

    @property
    def ndim(self) -> int:
        """Number of spatial dimensions: 2 for images, 3 for volumes."""
        return 2 if self.rgb else self.array.ndim

    @property
    def shape(self) -> tuple[int, ...]:
        """Spatial shape (without the colour axis)."""
        return tuple(self.array.shape[: self.ndim])

    @property
    def is_volume(self) -> bool:
        return self.ndim == 3

    def grey(self) -> np.ndarray:
        """Grey samples: the array itself, or the BT.601 luma of an RGB image.

        Returns
        -------
        grey : numpy.ndarray
            float32, the spatial shape.
        """
        if not self.rgb:
            return self.array
        from ..color import rgb_to_grey

        return rgb_to_grey(self.array)

    def replace(self, **changes: Any) -> Image:
        """A copy with some fields replaced (``array``, ``rgb``, ``modality`` ...).

        Parameters
        ----------
        **changes
            New values of fields of :class:`Image`.

        Returns
        -------
        image : Image
            The copy (the array is shared unless replaced).

        Examples
        --------
        >>> import numpy as np
        >>> from brainfuse.io.image import Image, Modality
        >>> Image(np.zeros((2, 3), np.float32)).replace(modality=Modality.CT)
        Image(image 2x3, modality=CT, spacing=(1.0, 1.0), bit_depth=None)
        """
        return dataclasses.replace(self, **changes)

    def __repr__(self) -> str:
        kind = "RGB image" if self.rgb else ("volume" if self.is_volume else "image")
        src = f", source={self.source!r}" if self.source else ""
        return (
            f"Image({kind} {'x'.join(map(str, self.shape))}, modality={self.modality.value}, "
            f"spacing={self.spacing}, bit_depth={self.bit_depth}{src})"
        )


def to_fusion_scale(image: Image) -> np.ndarray:
    """Samples of ``image`` on the 0..255 scale fusion methods and metrics work on.

    Parameters
    ----------
    image : Image
        A loaded image or volume.

    Returns
    -------
    numpy.ndarray
        ``float32``: the samples as they are when ``image.display_values`` is true and they
        lie in 0..255 (8-bit 2D images, arrays, fused results); otherwise the samples mapped
        linearly so that their minimum is 0 and their maximum 255 (a constant image maps to 0).

    Examples
    --------
    >>> import numpy as np
    >>> volume = Image(np.array([[[0.0, 0.5], [1.0, 0.25]]], np.float32))  # 0..1, a volume
    >>> to_fusion_scale(volume).max()
    np.float32(255.0)
    """
    arr = image.array
    if (
        image.display_values
        and float(arr.min(initial=0.0)) >= 0
        and float(arr.max(initial=0)) <= 255
    ):
        return arr
    lo, hi = float(arr.min()), float(arr.max())
    if hi <= lo:
        return np.zeros_like(arr)
    return ((arr - lo) * np.float32(255.0 / (hi - lo))).astype(np.float32)
