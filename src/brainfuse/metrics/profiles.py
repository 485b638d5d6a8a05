"""Profiles: which computation each metric name means, one profile per reference codebase.

The same name means different computations in different codebases (log base, sum or average
over the two sources, input scaling, window, even bugs). A :class:`Profile` fixes all of them:

- ``paper``: each metric as its original publication defines it (the default);
- ``cddfuse``: CDDFuse's ``utils/Evaluator.py`` (Python), the medical-fusion reference;
- ``vifb``, ``mefb``: the MATLAB toolboxes of Zhang et al. (VIFB 2020, MEFB 2021);
- ``liu2012``: Zheng Liu's toolbox of the TPAMI 2012 study (and FunFuseAn's copy of it);
- ``tang``: Linfeng Tang's Evaluation-for-Image-Fusion (MATLAB).

Profiles and their metrics are entries of the project's one registry shape
(:mod:`brainfuse.registry`): :data:`PROFILES` holds the profiles (kind ``"metric profile"``,
family ``"paper"`` or ``"reference code"``), and each profile's :attr:`Profile.metrics` its
:class:`Metric` entries (kind ``"metric"``, family = the profile), so ``to_dict()`` of either
has the keys of a fusion method's. Every metric callable takes ``(fused, a, b)``; metrics of
the fused image alone ignore the sources. Where a reference implementation has a bug, its
profile reproduces it and the metric's ``note`` says so.

>>> from brainfuse.metrics import PROFILES, list_metrics
>>> PROFILES.names()
['paper', 'cddfuse', 'vifb', 'mefb', 'liu2012', 'tang']
>>> [m.name for m in list_metrics("cddfuse")][:4]
['EN', 'SD', 'SF', 'AG']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from ..errors import InputError
from ..registry import Entry, Registry
from . import edges, fmi, hvs, information, noreference, phase, ranking, sources, structural
from .grey import cddfuse_grey, grey_bt601, grey_matlab

__all__ = [
    "DIRECTIONS",
    "METRICS",
    "PROFILES",
    "Metric",
    "MetricFn",
    "MetricListing",
    "Profile",
    "ProfileRegistry",
    "get_profile",
    "list_metrics",
    "rank_key",
]

#: A metric as a profile computes it: ``(fused, a, b) -> value``.
MetricFn = Callable[[np.ndarray, np.ndarray, np.ndarray], float]


#: How a metric's values rank: larger first, smaller first, or closest to zero first.
DIRECTIONS = ("higher-is-better", "lower-is-better", "zero-is-best")


def rank_key(value: float, direction: str) -> float:
    """``value`` as a number where smaller ranks better under ``direction`` (see
    :data:`DIRECTIONS`): −v, v or |v|; NaN ranks last (+inf).

    Parameters
    ----------
    value : float
        A metric value.
    direction : str
        One of :data:`DIRECTIONS`.

    Returns
    -------
    float

    Examples
    --------
    >>> [rank_key(-0.2, d) for d in DIRECTIONS]
    [0.2, -0.2, 0.2]
    """
    if math.isnan(value):
        return math.inf
    if direction == "lower-is-better":
        return value
    return abs(value) if direction == "zero-is-best" else -value


@dataclass(frozen=True)
class Metric(Entry):
    """One metric as a profile computes it: a registry :class:`~brainfuse.registry.Entry` of
    kind ``"metric"`` whose family is the profile.

    ``func`` is the computation, ``(fused, a, b) -> float``; ``reference`` the metric's
    paper; ``dims`` ``(2,)`` or ``(2, 3)`` when it is defined on volumes too;
    ``capabilities`` holds its direction: ``"higher-is-better"``, ``"lower-is-better"`` or
    ``"zero-is-best"`` (rSFe, signed). The profile-specific remark (a reproduced bug, a
    convention) is :attr:`note`, also appended to the one-line ``summary``.

    Attributes
    ----------
    note : str
        How this profile's computation departs from the paper's, or what it reproduces.
    """

    note: str = ""

    @property
    def volumes(self) -> bool:
        """True when the metric is defined on 3D volumes too."""
        return 3 in self.dims

    @property
    def direction(self) -> str:
        """``"higher-is-better"``, ``"lower-is-better"`` or ``"zero-is-best"`` (rSFe)."""
        return next(iter(self.capabilities & set(DIRECTIONS)), "higher-is-better")

    def rank_key(self, value: float) -> float:
        """``value`` as a number where smaller ranks better: −v, v or |v| by :attr:`direction`.

        Parameters
        ----------
        value : float
            A value of this metric.

        Returns
        -------
        float

        Examples
        --------
        >>> from brainfuse.metrics import list_metrics
        >>> rsfe = next(m for m in list_metrics("paper") if m.name == "rSFe")
        >>> sorted([0.3, -0.1, -0.5], key=rsfe.rank_key)
        [-0.1, 0.3, -0.5]
        """
        return rank_key(value, self.direction)

    def __call__(self, fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        """The metric's value on grey arrays (see :func:`~brainfuse.metrics.evaluate`)."""
        return float(self.func(fused, a, b))


@dataclass(frozen=True)
class Profile(Entry):
    """A named set of metric conventions: a registry :class:`~brainfuse.registry.Entry` of
    kind ``"metric profile"``.

    ``func`` is ``score(fused, a, b, names=None) -> {name: value}`` on grey arrays already
    checked and in the profile's type (:meth:`score`); ``reference`` is the codebase or
    paper the profile reproduces.

    Attributes
    ----------
    metrics : mapping of str to Metric
        The profile's metrics by name, in listing order.
    grey : callable
        Reduces an ``HxWx3`` RGB image to the grey image the reference code would compute
        (:mod:`brainfuse.metrics.grey`).
    dtype : type
        The floating type the reference works in (``float32`` for CDDFuse, whose reader
        returns ``float32``).
    default : tuple of str
        The metrics :func:`~brainfuse.metrics.evaluate` computes when none are named (all of
        them when empty).
    """

    metrics: Mapping[str, Metric] = field(default_factory=dict)
    grey: Callable[[np.ndarray], np.ndarray] = grey_bt601
    dtype: type = np.float64
    default: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        """The one-line summary (what the profile follows)."""
        return self.summary

    def names(self) -> list[str]:
        """The metric names, in listing order."""
        return list(self.metrics)

    def metric(self, name: str) -> Metric:
        """The metric called ``name``; an :class:`InputError` lists the valid names."""
        try:
            return self.metrics[name]
        except KeyError:
            valid = ", ".join(self.metrics)
            raise InputError(
                None, f"unknown metric '{name}' for profile '{self.name}'; valid: {valid}"
            ) from None

    def score(
        self, fused: np.ndarray, a: np.ndarray, b: np.ndarray, names: Iterable[str] | None = None
    ) -> dict[str, float]:
        """``{name: value}`` of the named metrics (all by default) on grey arrays that are
        already checked and in :attr:`dtype` (:func:`~brainfuse.metrics.evaluate` does both)."""
        return self.func(fused, a, b, names)


class ProfileRegistry(Registry[Profile]):
    """The metric profiles: a :class:`~brainfuse.registry.Registry` that also reads as a
    mapping of names (``PROFILES["cddfuse"]``, ``"tang" in PROFILES``, ``list(PROFILES)``).

    ``PROFILES[name]`` with an unknown name raises the registry's :class:`InputError`, which
    lists the valid names.
    """

    def __getitem__(self, name: str) -> Profile:
        return self.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())


# --- what each metric is ------------------------------------------------------------------

_XYDEAS = "Xydeas & Petrović 2000, Electron. Lett. 36(4):308-309"
_PIELLA = "Piella & Heijmans 2003, ICIP, vol. 3, 173-176"
_HAGHIGHAT = "Haghighat, Aghagolzadeh & Seyedarabi 2011, Comput. Electr. Eng. 37(5):744-756"
_JAGALINGAM = "Jagalingam & Hegde 2015, Aquatic Procedia 4:133-142"
_AMINI = "Amini & Mostaar 2022, J. Med. Signals Sens. 12(1):25-31 (reported, not defined)"

#: Metric name -> (one-line summary, the metric's paper), as the ``paper`` profile names them.
_ABOUT: dict[str, tuple[str, str]] = {
    "EN": (
        "Shannon entropy of F's grey-level histogram",
        "Roberts, van Aardt & Ahmed 2008, J. Appl. Remote Sens. 2:023522",
    ),
    "SD": (
        "standard deviation of F's intensities",
        "Ma, Ma & Li 2019, Inf. Fusion 45:153-178 (survey)",
    ),
    "SF": (
        "spatial frequency of F (row and column differences)",
        "Eskicioglu & Fisher 1995, IEEE Trans. Commun. 43(12):2959-2965",
    ),
    "AG": ("average gradient of F", "Cui et al. 2015, Opt. Commun. 341:199-209"),
    "EI": (
        "edge intensity of F: mean Sobel gradient magnitude",
        "Rajalingam & Priya 2018, Int. J. Eng. Sci. Invent.",
    ),
    "MI": (
        "mutual information of F with A plus that with B",
        "Qu, Zhang & Yan 2002, Electron. Lett. 38(7):313-315",
    ),
    "NMI": (
        "normalised mutual information Q_MI of F with the sources (0..2)",
        "Hossny, Nahavandi & Creighton 2008, Electron. Lett. 44(18):1066-1067",
    ),
    "FMI": ("feature mutual information (fast-FMI) of F with the sources", _HAGHIGHAT),
    "FMI_edge": ("feature mutual information (fast-FMI), edge features", _HAGHIGHAT),
    "FMI_dct": ("feature mutual information (fast-FMI), DCT features", _HAGHIGHAT),
    "FMI_w": ("feature mutual information (fast-FMI), wavelet features", _HAGHIGHAT),
    "FMI_pixel": ("feature mutual information (fast-FMI) of F with the sources", _HAGHIGHAT),
    "NCIE": (
        "nonlinear correlation information entropy of A, B and F (0..1)",
        "Wang, Shen & Jin 2008, in Image Fusion (T. Stathaki, ed.), 469-492",
    ),
    "TE": (
        "Tsallis mutual information of F with the sources (q = 1.85)",
        "Cvejić, Canagarajah & Bull 2006, Electron. Lett. 42(11):626-627",
    ),
    "TE_Nava": (
        "Nava's normalised Tsallis mutual information (q = 0.43137)",
        "Nava, Cristóbal & Escalante-Ramírez 2007, SPIE Newsroom",
    ),
    "CE": (
        "cross entropy of the sources' grey-level histograms to F's",
        "Bulanon, Burks & Alchanatis 2009, Biosyst. Eng. 103(1):12-22",
    ),
    "SSIM": (
        "structural similarity of F with the sources",
        "Wang, Bovik, Sheikh & Simoncelli 2004, IEEE TIP 13(4):600-612",
    ),
    "MS_SSIM": (
        "multi-scale structural similarity of F with the sources (5 scales)",
        "Wang, Simoncelli & Bovik 2003, Asilomar Conf. Signals, Systems and Computers",
    ),
    "MEF_SSIM": (
        "structural similarity of F with a structure built from both sources (3 scales)",
        "Ma, Zeng & Wang 2015, IEEE TIP 24(11):3345-3356",
    ),
    "Q_S": ("Piella's saliency-weighted SSIM fusion index", _PIELLA),
    "Q_W": ("Piella's weighted fusion quality index", _PIELLA),
    "Q_E": ("Piella's edge-dependent fusion quality index", _PIELLA),
    "Q_C": (
        "Cvejić's SSIM-based similarity metric",
        "Cvejić, Łoza, Bull & Canagarajah 2005, Int. J. Signal Process. 2(3):178-182",
    ),
    "Q_Y": (
        "Yang's SSIM-based similarity metric",
        "Yang, Zhang, Wang & Liu 2008, Inf. Fusion 9(2):156-160",
    ),
    "Qabf": ("Xydeas–Petrović edge preservation Q^AB/F (0..1)", _XYDEAS),
    "Q_G": ("Xydeas–Petrović edge preservation, per-pixel weighted mean", _XYDEAS),
    "Nabf": (
        "fusion artefacts: edges of F stronger than in both sources",
        "Shreyamsha Kumar 2013, Signal Image Video Process. 7:1125-1143",
    ),
    "Q_M": ("Wang and Liu's multiscale (Haar) edge preservation", "Wang & Liu 2008, ICSP"),
    "Q_P": (
        "Zhao's phase-congruency feature metric",
        "Zhao, Laganière & Liu 2007, Int. J. Innov. Comput. Inf. Control 3(6A)",
    ),
    "VIF": (
        "pixel-domain visual information fidelity of F with the sources",
        "Sheikh & Bovik 2006, IEEE TIP 15(2):430-444",
    ),
    "VIFF": (
        "Han's visual information fidelity for fusion",
        "Han, Cai, Cao & Xu 2013, Inf. Fusion 14(2):127-135",
    ),
    "Q_CB": (
        "Chen–Blum perceptual contrast preservation",
        "Chen & Blum 2009, Image Vis. Comput. 27(10):1421-1432",
    ),
    "Q_CV": (
        "Chen–Varshney regional perceptual distortion",
        "Chen & Varshney 2007, Inf. Fusion 8(2):193-207",
    ),
    "SCD": (
        "sum of the correlations of differences",
        "Aslantas & Bendes 2015, AEU Int. J. Electron. Commun. 69(12):1890-1896",
    ),
    "CC": (
        "mean correlation coefficient of F with the sources",
        "Ma, Yu, Liang, Li & Jiang 2019, Inf. Fusion 48:11-26 (FusionGAN)",
    ),
    "MSE": ("mean squared error of F to the sources, averaged", _JAGALINGAM),
    "RMSE": ("root mean squared error of F to the sources, averaged", _JAGALINGAM),
    "PSNR": ("peak signal-to-noise ratio of F to the sources (dB)", _JAGALINGAM),
    "rSFe": (
        "ratio of spatial-frequency error (signed, 0 is ideal)",
        "Zheng, Essock, Hansen & Haun 2007, Inf. Fusion 8:177-192",
    ),
    "discrepancy": ("mean absolute difference of F to the functional source B", _AMINI),
    "OP": ("overall performance: discrepancy per unit of average gradient", _AMINI),
}


def _fused_only(fn: Callable[[np.ndarray], float]) -> MetricFn:
    def wrapped(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        return fn(fused)

    wrapped.__name__ = getattr(fn, "__name__", "metric")
    return wrapped


def _m(
    name: str,
    fn: MetricFn,
    *,
    lower: bool = False,
    volumes: bool = False,
    note: str = "",
    about: str | None = None,
) -> Metric:
    """A metric entry; its summary and paper are those of ``about`` (default: ``name``) in
    :data:`_ABOUT`; the profile fills in the family."""
    summary, reference = _ABOUT[about or name]
    if name == "rSFe":
        direction = "zero-is-best"
    else:
        direction = "lower-is-better" if lower else "higher-is-better"
    return Metric(
        name=name,
        kind="metric",
        family="",
        func=fn,
        summary=f"{summary}; {note}" if note else summary,
        reference=reference,
        dims=(2, 3) if volumes else (2,),
        capabilities=frozenset({direction}),
        note=note,
    )


def _scorer(metrics: Mapping[str, Metric]) -> Callable[..., dict[str, float]]:
    def score(
        fused: np.ndarray, a: np.ndarray, b: np.ndarray, names: Iterable[str] | None = None
    ) -> dict[str, float]:
        return {n: metrics[n](fused, a, b) for n in (metrics if names is None else names)}

    return score


def _profile(
    name: str,
    family: str,
    summary: str,
    reference: str,
    metrics: dict[str, Metric],
    grey: Callable[[np.ndarray], np.ndarray],
    *,
    dtype: type = np.float64,
    default: tuple[str, ...] = (),
) -> Profile:
    """A profile entry; its metrics become entries of the family ``name``."""
    for key, metric in metrics.items():
        if key != metric.name:
            raise ValueError(f"profile '{name}': metric '{metric.name}' listed as '{key}'")
    own = {key: replace(metric, family=name) for key, metric in metrics.items()}
    return Profile(
        name=name,
        kind="metric profile",
        family=family,
        func=_scorer(own),
        summary=summary,
        reference=reference,
        dims=(2, 3),
        capabilities=frozenset({"color"}),
        metrics=own,
        grey=grey,
        dtype=dtype,
        default=default,
    )


# --- paper ------------------------------------------------------------------------------


def _paper_vif(f: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return hvs.vifp(f, a, b)


def _paper() -> Profile:
    m = {
        "EN": _m("EN", _fused_only(noreference.entropy), volumes=True),
        "SD": _m("SD", _fused_only(noreference.standard_deviation), volumes=True),
        "SF": _m("SF", _fused_only(noreference.spatial_frequency), volumes=True),
        "AG": _m("AG", _fused_only(noreference.average_gradient)),
        "EI": _m("EI", _fused_only(noreference.edge_intensity)),
        "MI": _m("MI", information.mutual_information, volumes=True),
        "NMI": _m("NMI", information.normalized_mutual_information, volumes=True),
        "FMI": _m("FMI", fmi.feature_mutual_information, note="pixel features (fmi.m default)"),
        "FMI_edge": _m("FMI_edge", partial(fmi.feature_mutual_information, feature="edge")),
        "FMI_dct": _m("FMI_dct", partial(fmi.feature_mutual_information, feature="dct")),
        "FMI_w": _m("FMI_w", partial(fmi.feature_mutual_information, feature="wavelet")),
        "NCIE": _m("NCIE", information.ncie),
        "TE": _m("TE", information.tsallis_mutual_information),
        "CE": _m("CE", information.cross_entropy, lower=True, volumes=True),
        "SSIM": _m("SSIM", structural.ssim, volumes=True),
        "MS_SSIM": _m("MS_SSIM", structural.ms_ssim),
        "MEF_SSIM": _m("MEF_SSIM", structural.mef_ssim),
        "Q_S": _m("Q_S", structural.piella),
        "Q_W": _m("Q_W", partial(structural.piella, variant="Q_W")),
        "Q_E": _m("Q_E", partial(structural.piella, variant="Q_E")),
        "Q_C": _m("Q_C", structural.cvejic),
        "Q_Y": _m("Q_Y", structural.yang),
        "Qabf": _m("Qabf", edges.qabf),
        "Nabf": _m("Nabf", edges.nabf, lower=True),
        "Q_M": _m("Q_M", edges.wang_qm),
        "Q_P": _m("Q_P", phase.zhao_qp),
        "VIF": _m("VIF", _paper_vif, note="pixel-domain VIFp, mean over the two sources"),
        "VIFF": _m("VIFF", hvs.viff),
        "Q_CB": _m("Q_CB", hvs.qcb),
        "Q_CV": _m("Q_CV", hvs.qcv, lower=True),
        "SCD": _m("SCD", sources.scd, volumes=True),
        "CC": _m("CC", sources.correlation_coefficient, volumes=True),
        "MSE": _m("MSE", sources.mse, lower=True, volumes=True),
        "RMSE": _m("RMSE", sources.rmse, lower=True, volumes=True),
        "PSNR": _m("PSNR", sources.psnr, volumes=True),
        "rSFe": _m("rSFe", sources.rsfe, note="signed; 0 is ideal, rank by |rSFe|"),
        "discrepancy": _m(
            "discrepancy",
            lambda f, a, b: ranking.discrepancy(f, b),
            lower=True,
            note="undefined in its paper; our reading (brainfuse.metrics.ranking)",
        ),
        "OP": _m(
            "OP",
            lambda f, a, b: ranking.overall_performance(f, b),
            lower=True,
            note="undefined in its paper; our reading (brainfuse.metrics.ranking)",
        ),
    }
    return _profile(
        "paper",
        "paper",
        "each metric as its original publication defines it; two-source values averaged "
        "where the paper scores one source (SSIM, VIF), summed where it adds them (MI, TE)",
        "see each metric's docstring",
        m,
        grey_bt601,
        default=(
            *("EN", "SD", "SF", "AG", "EI", "MI", "NMI", "TE", "NCIE", "CE", "SSIM"),
            *("VIF", "VIFF", "Qabf", "SCD", "CC", "MSE", "RMSE", "PSNR", "rSFe"),
        ),
    )


# --- cddfuse ----------------------------------------------------------------------------


def _cddfuse_vif(f: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return hvs.vifp(f, a, b, combine="sum")


def _cddfuse() -> Profile:
    m = {
        "EN": _m("EN", _fused_only(noreference.entropy), volumes=True),
        "SD": _m("SD", _fused_only(noreference.standard_deviation), volumes=True),
        "SF": _m(
            "SF",
            _fused_only(partial(noreference.spatial_frequency, normalise="pairs")),
            volumes=True,
        ),
        "AG": _m(
            "AG",
            _fused_only(
                partial(noreference.average_gradient, differences="central", denominator="pixels")
            ),
        ),
        "MI": _m(
            "MI",
            partial(information.mutual_information, bins="values", base=math.e),
            volumes=True,
            note="nats; every distinct value is a class (sklearn mutual_info_score)",
        ),
        "MSE": _m("MSE", sources.mse, lower=True, volumes=True),
        "CC": _m("CC", sources.correlation_coefficient, volumes=True),
        "PSNR": _m("PSNR", partial(sources.psnr, peak="max"), volumes=True),
        "SCD": _m("SCD", sources.scd, volumes=True),
        "VIF": _m(
            "VIF",
            _cddfuse_vif,
            note="Evaluator.VIFF: pixel-domain VIFp summed over the two sources",
        ),
        "Qabf": _m("Qabf", edges.qabf),
        "SSIM": _m(
            "SSIM",
            partial(
                structural.ssim,
                window="uniform",
                win_size=7,
                data_range=2.0,
                sample_covariance=True,
                combine="sum",
            ),
            volumes=True,
            note="scikit-image defaults with data_range=2 (stabilising constants ~0), summed",
        ),
    }
    return _profile(
        "cddfuse",
        "reference code",
        "CDDFuse utils/Evaluator.py (Zhaozixiang1228/MMIF-CDDFuse@fd8da1f), float32 inputs",
        "Z. Zhao et al., CDDFuse, CVPR 2023",
        m,
        cddfuse_grey,
        dtype=np.float32,
        default=(
            *("EN", "SD", "SF", "MI", "SCD", "VIF", "Qabf", "SSIM"),
            *("AG", "MSE", "CC", "PSNR"),
        ),
    )


# --- MATLAB toolboxes -------------------------------------------------------------------

_LIU_PIELLA = partial(structural.piella, clip_variances=False)
_AG_MATLAB = partial(noreference.average_gradient, differences="central", denominator="interior")


def _vifb() -> Profile:
    m = {
        "AG": _m("AG", _fused_only(_AG_MATLAB), note="MATLAB gradient, sum/((M-1)(N-1))"),
        "CE": _m("CE", information.cross_entropy, lower=True, volumes=True),
        "EI": _m("EI", _fused_only(noreference.edge_intensity)),
        "EN": _m("EN", _fused_only(partial(noreference.entropy, quantise="floor")), volumes=True),
        "MI": _m(
            "MI",
            partial(information.mutual_information, bins="minmax", base=math.e),
            volumes=True,
            note="metricsMutinf: min-max to 256 levels, natural log, summed",
        ),
        "PSNR": _m(
            "PSNR",
            partial(sources.psnr, per_source="vifb"),
            volumes=True,
            note="bug reproduced: 'MSE' = sqrt(sum of squares)/(MN)",
        ),
        "Qabf": _m("Qabf", partial(edges.qabf, intensity_scale=255.0)),
        "Q_CB": _m("Q_CB", hvs.qcb),
        "Q_CV": _m("Q_CV", hvs.qcv, lower=True),
        "RMSE": _m(
            "RMSE",
            partial(sources.rmse, per_source="vifb"),
            lower=True,
            volumes=True,
            note="bug reproduced: sqrt(sum of squares)/(MN) per source",
        ),
        "SF": _m("SF", _fused_only(noreference.spatial_frequency), volumes=True),
        "SSIM": _m("SSIM", partial(structural.ssim, combine="sum"), volumes=True),
        "SD": _m(
            "SD",
            _fused_only(noreference.standard_deviation),
            volumes=True,
            note="metricsVariance (returns the standard deviation)",
        ),
    }
    return _profile(
        "vifb",
        "reference code",
        "VIFB's MATLAB metrics (xingchenzhang/VIFB@22b2ea9), run under GNU Octave",
        "X. Zhang, P. Ye, G. Xiao, VIFB, CVPR Workshops 2020",
        m,
        grey_matlab,
    )


def _mefb() -> Profile:
    m = {
        "CE": _m("CE", information.cross_entropy, lower=True, volumes=True),
        "EN": _m("EN", _fused_only(partial(noreference.entropy, quantise="floor")), volumes=True),
        "FMI": _m(
            "FMI",
            partial(fmi.feature_mutual_information, feature="edge"),
            note="edge features of Octave's edge() (MATLAB's thinning differs)",
        ),
        "NMI": _m(
            "NMI",
            partial(information.normalized_mutual_information, normalise=True),
            volumes=True,
        ),
        "PSNR": _m(
            "PSNR",
            partial(sources.psnr, per_source="vifb"),
            volumes=True,
            note="bug reproduced: 'MSE' = sqrt(sum of squares)/(MN)",
        ),
        "NCIE": _m("NCIE", information.ncie),
        "TE": _m(
            "TE",
            partial(information.tsallis_mutual_information, liu_marginals=True),
            note="Liu's tsallis.m marginals reproduced (not the paper's values)",
        ),
        "AG": _m("AG", _fused_only(_AG_MATLAB)),
        "EI": _m("EI", _fused_only(noreference.edge_intensity)),
        "Qabf": _m("Qabf", partial(edges.qabf, intensity_scale=255.0)),
        "Q_P": _m("Q_P", phase.zhao_qp),
        "SD": _m("SD", _fused_only(noreference.standard_deviation), volumes=True),
        "SF": _m("SF", _fused_only(noreference.spatial_frequency), volumes=True),
        "Q_C": _m("Q_C", structural.cvejic),
        "Q_W": _m(
            "Q_W",
            structural.edge_piella_mefb,
            note="metricsQw returns Piella's weighted index of the edge images",
        ),
        "Q_Y": _m("Q_Y", structural.yang),
        "MEF_SSIM": _m("MEF_SSIM", structural.mef_ssim),
        "Q_CB": _m("Q_CB", partial(hvs.qcb, unit_scale=True)),
        "Q_CV": _m("Q_CV", hvs.qcv, lower=True),
        "VIFF": _m("VIFF", hvs.viff, note="MEFB calls it VIF (Han et al. 2013)"),
    }
    return _profile(
        "mefb",
        "reference code",
        "MEFB's MATLAB metrics (xingchenzhang/MEFB@9e185bf), run under GNU Octave",
        "X. Zhang, Benchmarking and comparing multi-exposure image fusion algorithms, "
        "Inf. Fusion 74, 2021",
        m,
        grey_matlab,
    )


def _liu2012() -> Profile:
    m = {
        "NMI": _m(
            "NMI",
            partial(information.normalized_mutual_information, normalise=True),
            volumes=True,
            note="Q_MI (metricMI switch 1)",
        ),
        "TE": _m(
            "TE",
            partial(information.tsallis_mutual_information, liu_marginals=True),
            note="metricMI switch 2 (Cvejic, q = 1.85), tsallis.m marginals reproduced",
        ),
        "TE_Nava": _m(
            "TE_Nava",
            partial(information.nava_mutual_information, liu_marginals=True),
            note="metricMI switch 3 (Nava, q = 0.43137): the TPAMI study's Q_TE",
        ),
        "NCIE": _m("NCIE", information.ncie),
        "Q_G": _m("Q_G", edges.qabf_liu, note="metricXydeas"),
        "Q_M": _m("Q_M", edges.wang_qm, note="metricPWW"),
        "rSFe": _m("rSFe", sources.rsfe, note="metricZheng (Q_SF); signed, 0 is ideal"),
        "Q_P": _m("Q_P", phase.zhao_qp, note="metricZhao"),
        "Q_S": _m("Q_S", _LIU_PIELLA, note="metricPeilla switch 1"),
        "Q_W": _m("Q_W", partial(_LIU_PIELLA, variant="Q_W"), note="switch 2"),
        "Q_E": _m(
            "Q_E",
            partial(_LIU_PIELLA, variant="Q_E"),
            note="switch 3 fails in the code (Q undefined); Q_W x edge Q_W here",
        ),
        "Q_C": _m(
            "Q_C",
            structural.cvejic,
            note="metricCvejic switch 2 returns NaN on black backgrounds; 0/0 windows dropped",
        ),
        "Q_Y": _m(
            "Q_Y",
            structural.yang,
            note="metricYang returns NaN on black backgrounds; 0/0 windows dropped",
        ),
        "Q_CB": _m("Q_CB", hvs.qcb, note="metricChenBlum"),
        "Q_CV": _m("Q_CV", hvs.qcv, lower=True, note="metricChen"),
    }
    return _profile(
        "liu2012",
        "reference code",
        "Zheng Liu's fusion metric toolbox (zhengliu6699/imageFusionMetrics@d6f7f1a)",
        "Z. Liu et al., IEEE TPAMI 34(1), 94-109, 2012",
        m,
        grey_matlab,
    )


def _tang_cc(f: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Tang's ``CC_evaluation``: centres B on mean(A) in the covariance (harmless: the
    fused image's deviations sum to 0)."""
    f, a, b = (np.asarray(x, dtype=np.float64) for x in (f, a, b))
    df = f - f.mean()
    vals = []
    for x in (a, b):
        num = float(np.sum((x - a.mean()) * df))
        dx = x - x.mean()
        den = math.sqrt(float(np.sum(dx * dx)) * float(np.sum(df * df)))
        vals.append(num / den if den else 0.0)
    return (vals[0] + vals[1]) / 2


def _tang_mi(f: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Tang's ``MI_evaluation``: histograms indexed by ``uint8`` value + 1, which saturates, so
    the joint histogram merges levels 254 and 255 while the marginal entropies do not."""
    fl = noreference.grey_levels(f)
    total = 0.0
    for x in (a, b):
        xl = noreference.grey_levels(x)
        h = information.joint_histogram(np.minimum(xl, 254), np.minimum(fl, 254)) / xl.size
        hx = np.bincount(xl.ravel(), minlength=256) / xl.size
        hf = np.bincount(fl.ravel(), minlength=256) / fl.size
        total += _entropy_bits(hx) + _entropy_bits(hf) - _entropy_bits(h)
    return total


def _entropy_bits(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-np.sum(p * np.log2(p)))


def _tang_mse(f: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return sources.mse(f / 255.0, a / 255.0, b / 255.0)


def _tang_psnr(f: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    m = _tang_mse(f, a, b)
    return 20 * math.log10(255 / math.sqrt(m)) if m > 0 else math.inf


def _tang_nabf(f: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return edges.nabf(a, b, f)


def _tang() -> Profile:
    m = {
        "EN": _m("EN", _fused_only(noreference.entropy), volumes=True),
        "SF": _m(
            "SF",
            _fused_only(partial(noreference.spatial_frequency, normalise="pairs")),
            volumes=True,
        ),
        "SD": _m("SD", _fused_only(noreference.standard_deviation), volumes=True),
        "PSNR": _m(
            "PSNR",
            _tang_psnr,
            volumes=True,
            note="bug reproduced: MSE on 0..1 with peak 255 (+48.13 dB)",
        ),
        "MSE": _m("MSE", _tang_mse, lower=True, volumes=True, note="on the 0..1 scale"),
        "MI": _m(
            "MI",
            _tang_mi,
            volumes=True,
            note="bits, summed; bug reproduced: joint histogram merges levels 254 and 255",
        ),
        "VIF": _m("VIF", _cddfuse_vif, note="vifp_mscale summed over the two sources"),
        "AG": _m("AG", _fused_only(_AG_MATLAB)),
        "CC": _m("CC", _tang_cc, volumes=True, note="mean(A) used for B (no effect)"),
        "SCD": _m("SCD", sources.scd, volumes=True),
        "Qabf": _m("Qabf", edges.qabf),
        "Nabf": _m(
            "Nabf",
            _tang_nabf,
            lower=True,
            note="bug reproduced: analysis_nabf(A, B, F) called with F as a source",
        ),
        "SSIM": _m(
            "SSIM",
            partial(structural.ssim, window="gaussian-replicate", data_range=1.0),
            volumes=True,
            note="MATLAB ssim() with its default DynamicRange 1 for double; not in the "
            "golden set (Octave lacks ssim)",
        ),
        "MS_SSIM": _m(
            "MS_SSIM", structural.mef_ssim, note="analysis_ms_ssim is MEF-SSIM", about="MEF_SSIM"
        ),
        "FMI_pixel": _m(
            "FMI_pixel",
            partial(fmi.feature_mutual_information, feature="edge"),
            note="despite the name, edge features (Octave edge() thinning)",
        ),
        "FMI_dct": _m("FMI_dct", partial(fmi.feature_mutual_information, feature="dct")),
        "FMI_w": _m(
            "FMI_w",
            partial(fmi.feature_mutual_information, feature="wavelet"),
            note="PyWavelets 'dmey'; not in the golden set (Octave lacks dwt2)",
        ),
    }
    return _profile(
        "tang",
        "reference code",
        "Linfeng Tang's Evaluation-for-Image-Fusion (MATLAB), run under GNU Octave",
        "L. Tang et al., Evaluation-for-Image-Fusion (github.com/Linfeng-Tang)",
        m,
        grey_matlab,
    )


#: Every metric profile, by name (``PROFILES["cddfuse"]``, ``PROFILES.list("reference code")``).
PROFILES: ProfileRegistry = ProfileRegistry("metric profile")
for _p in (_paper(), _cddfuse(), _vifb(), _mefb(), _liu2012(), _tang()):
    PROFILES.add(_p)


def get_profile(name: str) -> Profile:
    """The metric profile called ``name``.

    Parameters
    ----------
    name : str
        ``paper``, ``cddfuse``, ``vifb``, ``mefb``, ``liu2012`` or ``tang``.

    Returns
    -------
    Profile
        The registered profile.

    Raises
    ------
    InputError
        An unknown name (about ``--profile``); the message lists the valid names.

    Examples
    --------
    >>> get_profile("cddfuse").reference
    'Z. Zhao et al., CDDFuse, CVPR 2023'
    """
    try:
        return PROFILES.get(name)
    except InputError as exc:
        raise InputError("--profile", exc.problem) from None


def list_metrics(profile: str | None = None) -> list[Metric]:
    """The metrics of one profile, or of every profile (each metric's family is its profile).

    Parameters
    ----------
    profile : str, optional
        A profile name (see :data:`PROFILES`); None lists every profile's metrics, profile
        by profile.

    Returns
    -------
    list of Metric
        Registry entries in listing order; ``to_dict()`` of each has the keys of a fusion
        method's.

    Raises
    ------
    InputError
        An unknown profile; the message lists the valid names.

    Examples
    --------
    >>> [m.name for m in list_metrics("liu2012")][:3]
    ['NMI', 'TE', 'TE_Nava']
    >>> list_metrics("paper")[0].to_dict()["capabilities"]
    ['higher-is-better']
    """
    profiles = PROFILES.list() if profile is None else [get_profile(profile)]
    return [m for p in profiles for m in p.metrics.values()]


class MetricListing:
    """Every profile's metrics, listed like a registry (``brainfuse list metrics --family
    PROFILE``): the family of a metric is its profile, and the same name may appear in several
    profiles, each computing it its own way."""

    kind = "metric"

    def list(self, family: str | None = None) -> list[Metric]:
        """The metrics of profile ``family`` (every profile's when None)."""
        return list_metrics(family)

    def names(self) -> list[str]:
        """The metric names, profile by profile (a name may repeat)."""
        return [m.name for m in list_metrics()]

    def families(self) -> list[str]:
        """The profiles."""
        return PROFILES.names()

    def get(self, name: str) -> Metric:
        """The metric ``name`` as the ``paper`` profile computes it (else the first profile
        that has it)."""
        for metric in list_metrics():
            if metric.name == name and metric.family == "paper":
                return metric
        for metric in list_metrics():
            if metric.name == name:
                return metric
        raise InputError(
            None, f"unknown metric '{name}'; valid: {', '.join(dict.fromkeys(self.names()))}"
        )


#: Every profile's metrics, for ``brainfuse list metrics``.
METRICS = MetricListing()
