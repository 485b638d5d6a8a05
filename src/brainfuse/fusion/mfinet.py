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
    """MFINet: Restormer features, gated feature interaction, learned reconstruction (CNN).

    A network trained here without supervision on the ``train`` split of the Harvard atlas
    (one model per pair set: CT-MRI, PET-MRI, SPECT-MRI) with the loss of Song et al. 2024,
    ``10·(1 − SSIM(F, max(A, B))) + 100·‖|∇F| − max(|∇A|, |∇B|)‖² + ‖F − A‖² + ‖F − B‖²``.
    The architecture, widths and training are in :mod:`brainfuse.models.mfinet` and
    ``docs/learned-ii.md``. Runs on the CPU on any image size; volumes slice by slice.

    Reference: W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou, J. Shi, "CT and MRI image fusion via
    multimodal feature interaction network", Netw. Model. Anal. Health Inform. Bioinform. 2024.

    Example: ``brainfuse fuse mri.png ct.png -m mfinet -o fused.png``.
    """
    from ..models.mfinet import fuse

    return fuse(a, b, modality=modality, weights=weights or None, zero_background=zero_background)
