"""DRBIF (disentangled representation, complementary group lasso) as a registered method."""

from __future__ import annotations

import numpy as np

from .learned import BACKGROUND_DOC, MODALITY, WEIGHTS_DOC
from .registry import param, register

__all__ = ["drbif"]


@register(
    "drbif",
    family="learned",
    dims=(2,),
    learned=True,
    reference="Wang A. et al. 2022, Front. Neurosci. 16 (DRBIF)",
    params={
        "rule": param(
            "fusion of the complementary features: add, max or l1", choices=("add", "max", "l1")
        ),
        "modality": MODALITY,
        "weights": WEIGHTS_DOC,
        "zero_background": BACKGROUND_DOC,
    },
)
def drbif(
    a: np.ndarray,
    b: np.ndarray,
    *,
    rule: str = "add",
    modality: str = "auto",
    weights: str = "",
    zero_background: bool = True,
) -> np.ndarray:
    r"""DRBIF: complementary/redundant feature disentanglement, fused in feature space (CNN).

    Encoders split each image into complementary features C (one encoder per modality) and
    redundant features R (one shared encoder); the decoder turns the fused features back into an
    image. Trained here (one model per pair set, ``train`` split of the Harvard atlas) with
    reconstruction, redundancy-consistency and complementary group-lasso losses; see
    :mod:`brainfuse.models.drbif` and ``docs/learned-ii.md``. Any image size on the CPU; volumes
    slice by slice. From the command line:
    ``brainfuse fuse mri.png ct.png -m drbif -p rule=l1 -o fused.png``.

    Parameters
    ----------
    a : numpy.ndarray
        The MRI, 2D, on the 0..255 scale.
    b : numpy.ndarray
        The CT, PET or SPECT image (grey), ``a``'s shape, on the 0..255 scale.
    rule : {"add", "max", "l1"}, optional
        Fusion of the complementary features: their sum (default), their maximum, or their
        ℓ1-activity weighted mean.
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
    With the decoder DeS, the fused image is

    .. math:: F = \mathrm{DeS}\left(C_f + (R_1 + R_2)/2\right),

    with :math:`C_f = C_1 + C_2` (``add``), :math:`\max(C_1, C_2)` (``max``) or the
    ℓ1-activity weighted mean (``l1``).

    References
    ----------
    .. [1] A. Wang et al., "A disentangled representation based brain image fusion via group
       lasso penalty", Frontiers in Neuroscience 16:937861, 2022.
       doi:10.3389/fnins.2022.937861

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> b = np.zeros((16, 16), np.float32); b[:, 8:] = 80
    >>> f = brainfuse.fuse(a, b, "drbif", modality="ct")
    >>> f.shape, f.dtype, float(f[0, 0])
    ((16, 16), dtype('float32'), 0.0)
    """
    from ..models.drbif import fuse

    return fuse(
        a,
        b,
        modality=modality,
        weights=weights or None,
        rule=rule,
        zero_background=zero_background,
    )
