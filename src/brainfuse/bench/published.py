"""Published results on the Harvard test pairs of CDDFuse, as data.

Two sources, both computed with CDDFuse's own evaluation code (``utils/Evaluator.py`` of
Zhaozixiang1228/MMIF-CDDFuse, fused outputs min–max stretched and saved as 8-bit PNG) on exactly the
21 MRI-CT, 42 MRI-PET and 73 MRI-SPECT pairs of ``harvard-cddfuse-test``:

- :data:`CDDFUSE_TABLE5`: Zhao et al., "CDDFuse: Correlation-Driven Dual-Branch Feature
  Decomposition for Multi-Modality Image Fusion", CVPR 2023, Table 5 (values as printed, two
  decimals). ``CDDFuse*`` was trained on medical data; the others on infrared-visible data.
- :data:`MEASURED_PEERS`: peers and trivial baselines measured by the BrainFuse maintainers with
  the same Evaluator on a 2-core CPU (MATR and IFCNN from their public code and weights).

The test sets are identified by content: :data:`TEST_SET_DIGESTS` holds, per set, the SHA-256 of
the lines ``"<file name>\\t<sha256 of the MRI file>\\t<sha256 of the other file>\\n"`` in file-name
order (see :func:`brainfuse.bench.pairs.pair_set_digest`), so the published rows are shown only
next to results on those very pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CDDFUSE_METRICS",
    "CDDFUSE_TABLE5",
    "MEASURED_PEERS",
    "TEST_SET_DIGESTS",
    "PublishedRow",
    "published_rows",
]

#: The eight metrics printed by CDDFuse's ``test_MIF.py``, in its order.
CDDFUSE_METRICS = ("EN", "SD", "SF", "MI", "SCD", "VIF", "Qabf", "SSIM")

#: Content digests of the three sets of ``harvard-cddfuse-test`` (21, 42 and 73 pairs).
TEST_SET_DIGESTS = {
    "MRI-CT": "b36116516037565004759e4171e41526a9552f26f9e165b99a79fc20300b44fb",
    "MRI-PET": "b3a73c990c9cb7b997d17734c22ee01951fd073e340d9b26a8330a292eb9137a",
    "MRI-SPECT": "b54b6454e640054f6d594a30fa52605e54d7802b45f5e0f8d30de1416fa139b9",
}

_CDDFUSE_CITATION = "Zhao et al., CDDFuse, CVPR 2023, Table 5"
_MEASURED_CITATION = "BrainFuse maintainers, CDDFuse Evaluator, 2-core CPU"


@dataclass(frozen=True)
class PublishedRow:
    """One row of a published table: a method's mean metrics on one test set.

    Parameters
    ----------
    pair_set : str
        The test set (``"MRI-CT"``, ``"MRI-PET"``, ``"MRI-SPECT"``).
    method : str
        The method as the source names it.
    values : dict of str to float
        Mean of each metric of :data:`CDDFUSE_METRICS`.
    source : str
        Who published or measured it.
    """

    pair_set: str
    method: str
    values: dict[str, float]
    source: str


def _rows(source: str, table: dict[str, dict[str, tuple[float, ...]]]) -> tuple[PublishedRow, ...]:
    return tuple(
        PublishedRow(pair_set, method, dict(zip(CDDFUSE_METRICS, vals, strict=True)), source)
        for pair_set, by_method in table.items()
        for method, vals in by_method.items()
    )


#: CDDFuse (CVPR 2023) Table 5: EN, SD, SF, MI, SCD, VIF, Qabf, SSIM per method and set.
CDDFUSE_TABLE5 = _rows(
    _CDDFUSE_CITATION,
    {
        "MRI-CT": {
            "TarDAL": (4.75, 61.14, 28.38, 1.94, 0.81, 0.32, 0.35, 0.61),
            "RFN-Nest": (5.30, 52.95, 33.42, 1.98, 0.58, 0.33, 0.52, 0.49),
            "DeFusion": (4.63, 66.38, 21.56, 2.20, 1.12, 0.47, 0.44, 1.29),
            "ReCoNet": (4.41, 66.96, 20.16, 2.03, 1.24, 0.40, 0.42, 1.29),
            "CDDFuse": (4.83, 88.59, 33.83, 2.24, 1.74, 0.50, 0.59, 1.31),
            "U2Fusion": (4.88, 52.98, 22.54, 2.08, 0.75, 0.37, 0.46, 0.49),
            "SDNet": (5.02, 60.07, 29.41, 2.14, 0.97, 0.38, 0.47, 0.51),
            "EMFusion": (4.76, 72.76, 22.56, 2.34, 1.32, 0.56, 0.49, 1.31),
            "CDDFuse*": (4.88, 79.17, 38.14, 2.61, 1.41, 0.61, 0.68, 1.34),
        },
        "MRI-PET": {
            "TarDAL": (3.81, 57.65, 23.65, 1.36, 1.46, 0.57, 0.58, 0.68),
            "RFN-Nest": (4.77, 50.57, 29.11, 1.53, 0.96, 0.39, 0.52, 0.42),
            "DeFusion": (4.17, 64.65, 22.35, 1.74, 1.48, 0.58, 0.56, 1.45),
            "ReCoNet": (3.66, 65.25, 21.72, 1.51, 1.49, 0.44, 0.51, 1.40),
            "CDDFuse": (4.24, 81.72, 28.04, 1.87, 1.82, 0.66, 0.65, 1.46),
            "U2Fusion": (3.73, 57.07, 23.27, 1.69, 1.27, 0.40, 0.49, 1.39),
            "SDNet": (3.83, 61.40, 31.97, 1.71, 1.40, 0.47, 0.57, 1.46),
            "EMFusion": (4.21, 56.80, 26.01, 1.82, 1.31, 0.62, 0.67, 1.47),
            "CDDFuse*": (4.23, 70.73, 29.57, 2.03, 1.69, 0.71, 0.71, 1.49),
        },
        "MRI-SPECT": {
            "TarDAL": (3.66, 53.46, 18.50, 1.44, 0.90, 0.64, 0.52, 0.36),
            "RFN-Nest": (4.39, 44.01, 23.77, 1.60, 0.72, 0.45, 0.58, 0.37),
            "DeFusion": (3.81, 56.65, 15.45, 1.80, 1.27, 0.61, 0.56, 1.46),
            "ReCoNet": (3.22, 60.07, 17.40, 1.50, 1.47, 0.46, 0.54, 1.40),
            "CDDFuse": (3.91, 71.82, 20.68, 1.89, 1.92, 0.66, 0.69, 1.44),
            "U2Fusion": (3.47, 52.97, 19.58, 1.68, 1.28, 0.48, 0.57, 1.41),
            "SDNet": (3.43, 49.62, 22.20, 1.69, 1.09, 0.55, 0.66, 1.48),
            "EMFusion": (3.74, 51.93, 17.14, 1.88, 1.12, 0.71, 0.74, 1.49),
            "CDDFuse*": (3.90, 58.31, 20.87, 2.49, 1.35, 0.97, 0.78, 1.48),
        },
    },
)

#: Peers and trivial baselines measured with CDDFuse's Evaluator on the same pairs.
MEASURED_PEERS = _rows(
    _MEASURED_CITATION,
    {
        "MRI-CT": {
            "MATR": (5.070, 54.37, 19.75, 2.883, 0.252, 0.805, 0.494, 0.472),
            "IFCNN-MAX": (4.871, 51.07, 25.05, 2.184, 0.565, 0.443, 0.530, 0.486),
            "pixel average": (4.614, 60.15, 20.53, 2.678, 1.105, 0.458, 0.416, 1.326),
            "pixel max": (4.472, 84.22, 33.53, 3.630, 1.500, 0.636, 0.629, 1.376),
        },
        "MRI-PET": {
            "MATR": (4.577, 55.51, 27.34, 2.217, 0.300, 0.732, 0.713, 0.449),
            "IFCNN-MAX": (4.527, 54.77, 25.18, 1.711, 1.201, 0.544, 0.639, 0.451),
            "pixel average": (3.893, 61.26, 18.89, 2.205, 1.517, 0.667, 0.573, 1.468),
            "pixel max": (3.853, 75.49, 27.33, 3.036, 1.705, 0.920, 0.714, 1.510),
        },
        "MRI-SPECT": {
            "MATR": (4.152, 56.58, 20.07, 2.313, 0.658, 0.814, 0.756, 0.397),
            "IFCNN-MAX": (4.069, 49.73, 19.63, 1.817, 0.723, 0.611, 0.705, 0.415),
            "pixel average": (3.827, 59.30, 14.38, 2.343, 1.640, 0.651, 0.647, 1.501),
            "pixel max": (3.541, 60.20, 18.59, 2.879, 1.351, 0.741, 0.686, 1.507),
        },
    },
)


def published_rows(pair_set: str) -> list[PublishedRow]:
    """The published rows of one test set: CDDFuse's Table 5, then the measured peers.

    Parameters
    ----------
    pair_set : str
        ``"MRI-CT"``, ``"MRI-PET"`` or ``"MRI-SPECT"``.

    Returns
    -------
    rows : list of PublishedRow
        Empty for any other name.

    Examples
    --------
    >>> from brainfuse.bench.published import published_rows
    >>> rows = published_rows("MRI-CT")
    >>> rows[-1].method, rows[-1].values["MI"]
    ('pixel max', 3.63)
    """
    return [r for r in (*CDDFUSE_TABLE5, *MEASURED_PEERS) if r.pair_set == pair_set]
