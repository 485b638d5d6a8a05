"""Fusion quality metrics, each convention a named profile, matched to the reference code.

>>> from brainfuse.metrics import evaluate
>>> scores = evaluate(fused, mri, pet, profile="cddfuse")          # doctest: +SKIP

The package is laid out in layers; each module imports only modules of the layers below it:

1. :mod:`~brainfuse.metrics._common`: input checks, MATLAB-style windows and filters.
2. The metric functions (pure NumPy/SciPy/OpenCV, grey arrays on the 0..255 scale):
   :mod:`~.noreference` (EN, SD, SF, AG, EI), :mod:`~.sources` (SCD, CC, MSE, RMSE, PSNR,
   rSFe), :mod:`~.information` (MI, NMI, TE, NCIE, CE), :mod:`~.fmi` (FMI),
   :mod:`~.structural` (SSIM, MS-SSIM, MEF-SSIM, Q_S, Q_W, Q_E, Q_C, Q_Y), :mod:`~.edges`
   (Qabf, Liu's Q_G, Nabf, Q_M), :mod:`~.phase` (Q_P), :mod:`~.hvs` (VIFp, VIFF, Q_CB,
   Q_CV) and :mod:`~.ranking` (the discrepancy and OP of Amini & Mostaar 2022, MdAFuse's
   normalisation of metric tables).
3. :mod:`~.grey`: how each reference codebase reduces colour to grey and reads files.
4. :mod:`~.profiles`: which computation each name means in each codebase, as registry
   entries (:data:`PROFILES`, :func:`list_metrics`).
5. :mod:`~.evaluate`: every metric of a profile on one (fused, A, B) triple.
6. :mod:`~.protocol` (CDDFuse's evaluation pipeline: reading, colour reduction, PNG
   quantisation of the fused output), :mod:`~.batch` (files and folders, CSV) and
   :mod:`~.cli` (``brainfuse metrics``).

See ``docs/metrics.md``.
"""

from .edges import nabf, qabf, qabf_liu, wang_qm
from .evaluate import evaluate
from .fmi import feature_mutual_information
from .grey import cddfuse_grey, cddfuse_quantise_fused, read_cddfuse_grey
from .hvs import qcb, qcv, viff, vifp
from .information import (
    cross_entropy,
    mutual_information,
    nava_mutual_information,
    ncie,
    normalized_mutual_information,
    tsallis_mutual_information,
)
from .noreference import (
    average_gradient,
    edge_intensity,
    entropy,
    spatial_frequency,
    standard_deviation,
)
from .phase import zhao_qp
from .profiles import PROFILES, Metric, Profile, get_profile, list_metrics
from .protocol import CDDFUSE_PROTOCOL_METRICS, evaluate_cddfuse_protocol
from .ranking import discrepancy, normalise_scores, overall_performance
from .sources import correlation_coefficient, mse, psnr, rmse, rsfe, scd
from .structural import cvejic, mef_ssim, ms_ssim, piella, ssim, yang

__all__ = [
    "CDDFUSE_PROTOCOL_METRICS",
    "PROFILES",
    "Metric",
    "Profile",
    "average_gradient",
    "cddfuse_grey",
    "cddfuse_quantise_fused",
    "correlation_coefficient",
    "cross_entropy",
    "cvejic",
    "discrepancy",
    "edge_intensity",
    "entropy",
    "evaluate",
    "evaluate_cddfuse_protocol",
    "feature_mutual_information",
    "get_profile",
    "list_metrics",
    "mef_ssim",
    "ms_ssim",
    "mse",
    "mutual_information",
    "nabf",
    "nava_mutual_information",
    "ncie",
    "normalise_scores",
    "normalized_mutual_information",
    "overall_performance",
    "piella",
    "psnr",
    "qabf",
    "qabf_liu",
    "qcb",
    "qcv",
    "read_cddfuse_grey",
    "rmse",
    "rsfe",
    "scd",
    "spatial_frequency",
    "ssim",
    "standard_deviation",
    "tsallis_mutual_information",
    "viff",
    "vifp",
    "wang_qm",
    "yang",
    "zhao_qp",
]
