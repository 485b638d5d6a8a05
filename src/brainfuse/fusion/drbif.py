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
    """DRBIF: complementary/redundant feature disentanglement, fused in feature space (CNN).

    Encoders split each image into complementary features C (one encoder per modality) and
    redundant features R (one shared encoder); the fused image is ``DeS(Cf + (R1 + R2)/2)``
    with ``Cf = C1 + C2`` (``add``), ``max(C1, C2)`` (``max``) or the ℓ1-activity weighted
    mean (``l1``). Trained here (one model per pair set, ``train`` split of the Harvard
    atlas) with reconstruction, redundancy-consistency and complementary group-lasso losses;
    see :mod:`brainfuse.models.drbif` and ``docs/learned-ii.md``. Any image size on the CPU;
    volumes slice by slice.

    Reference: A. Wang et al., "A Disentangled Representation Based Brain Image Fusion via
    Group Lasso Penalty", Frontiers in Neuroscience 16, 2022.

    Example: ``brainfuse fuse mri.png ct.png -m drbif -p rule=l1 -o fused.png``.
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
