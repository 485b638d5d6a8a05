"""MFINet (multimodal feature interaction network) as a registered fusion method."""

from __future__ import annotations

import numpy as np

from .learned import BACKGROUND_DOC, MODALITY, WEIGHTS_DOC
from .registry import register

__all__ = ["mfinet"]


@register(
    "mfinet",
    family="learned",
    dims=(2,),
    learned=True,
    reference="Song et al. 2024, Netw. Model. Anal. Health Inform. Bioinform. (MFINet)",
    params={
        "modality": MODALITY,
        "weights": WEIGHTS_DOC,
        "zero_background": BACKGROUND_DOC,
    },
)
def mfinet(
    a: np.ndarray,
    b: np.ndarray,
    *,
    modality: str = "auto",
    weights: str = "",
    zero_background: bool = True,
) -> np.ndarray:
    r"""MFINet: Restormer features, gated feature interaction, learned reconstruction (CNN).

    A network trained here without supervision on the ``train`` split of the Harvard atlas (one
    model per pair set: CT-MRI, PET-MRI, SPECT-MRI) with the loss of Song et al. [1]_. The
    architecture, widths and training are in :mod:`brainfuse.models.mfinet` and
    ``docs/learned-ii.md``. Runs on the CPU on any image size; volumes slice by slice. From the
    command line: ``brainfuse fuse mri.png ct.png -m mfinet -o fused.png``.

    Parameters
    ----------
    a : numpy.ndarray
        The MRI, 2D, on the 0..255 scale.
    b : numpy.ndarray
        The CT, PET or SPECT image (grey), ``a``'s shape, on the 0..255 scale.
    modality : {"auto", "ct", "pet", "spect"}, optional
        Which trained model to use; ``"auto"`` takes B's modality from its image when known
        (through :func:`brainfuse.fuse_pair`), else CT.
    weights : str, optional
        A weights file written by ``brainfuse train``; empty (default) uses the shipped weights.
    zero_background : bool, optional
        Set the result to 0 where both inputs are 0 (default True).

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, on the 0..255 scale.

    Notes
    -----
    The training loss, on intensities in [0, 1], is

    .. math:: L = 10 (1 - \mathrm{SSIM}(F, \max(A, B)))
              + 100 \, \| |\nabla F| - \max(|\nabla A|, |\nabla B|) \|^2
              + \|F - A\|^2 + \|F - B\|^2.

    References
    ----------
    .. [1] W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou and J. Shi, "CT and MRI image fusion via
       multimodal feature interaction network", Network Modeling Analysis in Health Informatics
       and Bioinformatics 13, 2024.

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> b = np.zeros((16, 16), np.float32); b[:, 8:] = 80
    >>> f = brainfuse.fuse(a, b, "mfinet", modality="ct")
    >>> f.shape, f.dtype, float(f[0, 0])
    ((16, 16), dtype('float32'), 0.0)
    """
    from ..models.mfinet import fuse

    return fuse(a, b, modality=modality, weights=weights or None, zero_background=zero_background)
