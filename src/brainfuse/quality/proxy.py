"""The proxy MOS of phantom cases: five levels from task-based scores against the known truth.

Radiologists in Tang et al. scored fused images by "information fidelity, contrast, grayscale
tolerance and the region of interest (lesion area)". A phantom case of
:func:`brainfuse.phantom.make_case` knows what a reader would want to see — the true lesion
contrast and the noise-free anatomy — so each fused image gets the task score

.. math:: T = \\tfrac12\\,\\mathrm{clip}(\\mathrm{CRC}, 0, 1)
          + \\tfrac12\\,\\mathrm{clip}(\\mathrm{SSIM}_\\mathrm{anatomy}, 0, 1)

with CRC the contrast recovery of the lesion (NEMA NU 2-2018; the fraction of the true
lesion-to-background contrast the fused image keeps) and SSIM_anatomy the structural similarity
with the noise-free anatomy inside the brain (:func:`brainfuse.metrics.task.score_case`, which
computes both). The proxy MOS is the quintile of ``T`` among the training images of the
database: 1 for the lowest fifth, 5 for the highest. This is a proxy for what radiologists
value, built from the phantom's truth; it is not a reader study.

The cases are 2D axial slices (MNI152 anatomy from nilearn, 117 × 99 pixels of 2 mm) through
a planted lesion of 3-20 mm, PET, SPECT or CT at the medium count level; they are placed,
unscaled, in the middle of a 128 × 128 frame (zero padding) for the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .database import SIZE, SourcePair

__all__ = ["PHANTOM_SEEDS", "mos_levels", "phantom_pairs", "task_score"]

#: First seed of the phantom cases of each split (cases ``seed, seed + 1, ...``).
PHANTOM_SEEDS: dict[str, int] = {"train": 1000, "val": 2000, "test": 3000}

_MODALITIES = ("pet", "spect", "ct")


def _frame(x: np.ndarray) -> tuple[np.ndarray, tuple[slice, slice]]:
    h, w = x.shape
    if h > SIZE or w > SIZE:
        raise ValueError(f"phantom slice {x.shape} larger than {SIZE}x{SIZE}")
    top, left = (SIZE - h) // 2, (SIZE - w) // 2
    out = np.zeros((SIZE, SIZE), np.float32)
    sl = (slice(top, top + h), slice(left, left + w))
    out[sl] = x
    return out, sl


def phantom_pairs(per_modality: Sequence[int] = (20, 5, 10)) -> list[SourcePair]:
    """Phantom cases for the database: ``per_modality`` (train, val, test) each of PET, SPECT, CT.

    Parameters
    ----------
    per_modality : sequence of 3 int, optional
        Cases per modality for the train, val and test splits (default 20, 5, 10).

    Returns
    -------
    pairs : list of SourcePair
        128 × 128 framed MRI and functional image on 0..255; ``truth`` holds the case and the
        slices of the frame that hold it.

    Raises
    ------
    MissingExtraError
        Without nilearn (``pip install 'brainfuse[demo]'``).
    """
    from ..phantom import make_case

    out: list[SourcePair] = []
    for split, count in zip(PHANTOM_SEEDS, per_modality, strict=True):
        for m_idx, modality in enumerate(_MODALITIES):
            for k in range(count):
                seed = PHANTOM_SEEDS[split] + 100 * m_idx + k
                case = make_case(seed, modality=modality)
                a, sl = _frame(np.clip(case.anatomy, 0, 255))
                b, _ = _frame(np.clip(case.functional, 0, 255))
                name = f"p_{modality}_{seed}"
                out.append(SourcePair(name, a, b, split, "phantom", (case, sl)))
    return out


def task_score(fused: np.ndarray, pair: SourcePair) -> float:
    """The task score ``T`` of a fused (framed 128 × 128) image of a phantom pair.

    Parameters
    ----------
    fused : numpy.ndarray
        The fused image on 0..255, 128 × 128.
    pair : SourcePair
        From :func:`phantom_pairs`.

    Returns
    -------
    score : float
        In [0, 1]; higher is better.
    """
    from ..metrics.task import score_case

    case, sl = pair.truth
    s = score_case(np.asarray(fused, dtype=np.float64)[sl], case)
    crc = 0.0 if not np.isfinite(s["crc"]) else float(np.clip(s["crc"], 0.0, 1.0))
    anatomy = float(np.clip(s["ssim_anatomy"], 0.0, 1.0))
    return 0.5 * crc + 0.5 * anatomy


def mos_levels(scores: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Quintile levels 1..5 of ``scores`` by the quintiles of ``reference``.

    Parameters
    ----------
    scores : numpy.ndarray
        Task scores to level.
    reference : numpy.ndarray
        The task scores whose 20/40/60/80 % quantiles are the thresholds (the training images).

    Returns
    -------
    levels : numpy.ndarray
        Integers 1..5.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.proxy import mos_levels
    >>> ref = np.arange(10.0)
    >>> mos_levels(np.array([0.0, 2.5, 9.0, 100.0]), ref).tolist()
    [1, 2, 5, 5]
    """
    edges = np.quantile(np.asarray(reference, dtype=float), [0.2, 0.4, 0.6, 0.8])
    return 1 + np.searchsorted(edges, np.asarray(scores, dtype=float), side="right")


def describe() -> dict[str, Any]:
    """What the proxy is, for a manifest.

    Returns
    -------
    info : dict
    """
    return {
        "harvard": "MOS = 5 - degradation level (0..4) applied to a method's output",
        "phantom": "quintile (of the train images) of 0.5*clip(CRC,0,1) + "
        "0.5*clip(SSIM with the noise-free anatomy in the brain,0,1)",
    }
