"""Brain phantoms with known truth, built from the MNI152 templates shipped with nilearn.

Two layers:

- :mod:`~brainfuse.phantom.mni`: the embedded demo phantom (:func:`make_phantom`: the MNI152 T1,
  an FDG-PET-like and a SPECT-like volume with two fixed lesions), used by ``brainfuse demo``
  and the web viewer.
- :mod:`~brainfuse.phantom.cases`: the case generator for evaluation (:func:`make_case`,
  :func:`make_ensemble`): seeded MRI + PET/SPECT/CT cases, 2D or 3D, with lesions drawn by the
  seed (or planted), their lesion-absent twins, and the truth (noise-free anatomy, true activity,
  lesion masks) that :mod:`brainfuse.metrics.task` scores fused images against.
"""

from .cases import (
    ANATOMIES,
    COUNT_LEVELS,
    MODALITIES,
    Case,
    CaseLesion,
    Ensemble,
    PlantedLesion,
    case_seeds,
    make_case,
    make_ensemble,
    make_twins,
)
from .mni import (
    FWHM_TO_SIGMA,
    LESION_SLICE_Z_MM,
    LESIONS,
    Lesion,
    Phantom,
    activity_map,
    gaussian_psf,
    load_mni_templates,
    make_phantom,
)

__all__ = [
    "ANATOMIES",
    "COUNT_LEVELS",
    "FWHM_TO_SIGMA",
    "LESIONS",
    "LESION_SLICE_Z_MM",
    "MODALITIES",
    "Case",
    "CaseLesion",
    "Ensemble",
    "Lesion",
    "Phantom",
    "PlantedLesion",
    "activity_map",
    "case_seeds",
    "gaussian_psf",
    "load_mni_templates",
    "make_case",
    "make_ensemble",
    "make_phantom",
    "make_twins",
]
