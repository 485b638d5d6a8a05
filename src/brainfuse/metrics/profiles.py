"""Profiles: which computation each metric name means, one profile per reference codebase.

The same name means different computations in different codebases (log base, sum or average
over the two sources, input scaling, window, even bugs). A :class:`Profile` fixes all of them:

- ``paper``: each metric as its original publication defines it (the default);
- ``cddfuse``: CDDFuse's ``utils/Evaluator.py`` (Python), the medical-fusion reference;
- ``vifb``, ``mefb``: the MATLAB toolboxes of Zhang et al. (VIFB 2020, MEFB 2021);
- ``liu2012``: Zheng Liu's toolbox of the TPAMI 2012 study (and FunFuseAn's copy of it);
- ``tang``: Linfeng Tang's Evaluation-for-Image-Fusion (MATLAB).

Every metric callable takes ``(fused, a, b)``; metrics of the fused image alone ignore the
sources. Where a reference implementation has a bug, its profile reproduces it and the
metric's ``note`` says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from ..errors import InputError
from ..rounding import round_half_away
from . import edges, fmi, hvs, information, noreference, phase, seed_measures, sources, structural

__all__ = ["PROFILES", "Metric", "Profile", "get_profile"]

MetricFn = Callable[[np.ndarray, np.ndarray, np.ndarray], float]


@dataclass(frozen=True)
class Metric:
    """One metric as a profile computes it."""

    name: str
    fn: MetricFn
    higher_is_better: bool = True
    volumes: bool = False
    note: str = ""

    def __call__(self, fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        return float(self.fn(fused, a, b))


@dataclass(frozen=True)
class Profile:
    """A named set of metric conventions.

    ``dtype`` is the floating type the reference works in (``float32`` for CDDFuse, whose
    reader returns ``float32``); ``grey`` reduces an ``HxWx3`` RGB image to the grey image the
    reference code would compute. ``default`` lists the metrics :func:`evaluate` computes
    when none are named (all of them when empty).
    """

    name: str
    description: str
    reference: str
    metrics: dict[str, Metric]
    grey: Callable[[np.ndarray], np.ndarray]
    dtype: type = np.float64
    default: tuple[str, ...] = field(default=())

    def names(self) -> list[str]:
        return list(self.metrics)


def _fused_only(fn: Callable[[np.ndarray], float]) -> MetricFn:
    def wrapped(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        return fn(fused)

    wrapped.__name__ = getattr(fn, "__name__", "metric")
    return wrapped


def _m(
    name: str, fn: MetricFn, *, lower: bool = False, volumes: bool = False, note: str = ""
) -> Metric:
    return Metric(name, fn, higher_is_better=not lower, volumes=volumes, note=note)


# --- colour reduction -------------------------------------------------------------------


def _grey_bt601(rgb: np.ndarray) -> np.ndarray:
    from ..color import rgb_to_grey

    return rgb_to_grey(rgb).astype(np.float64)


def _grey_cddfuse(rgb: np.ndarray) -> np.ndarray:
    from .protocol import cddfuse_grey

    return cddfuse_grey(rgb)


def _grey_matlab(rgb: np.ndarray) -> np.ndarray:
    """MATLAB ``rgb2gray`` of a ``uint8`` image: its weights, rounded half away from zero."""
    w = np.array([0.298936021293775, 0.587043074451121, 0.114020904255103])
    y = np.asarray(rgb, dtype=np.float64) @ w
    return np.clip(round_half_away(y), 0, 255)


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
            lambda f, a, b: seed_measures.discrepancy(f, b),
            lower=True,
            note="seed 004; mean |F - B| (our reading, see docs)",
        ),
        "OP": _m(
            "OP",
            lambda f, a, b: seed_measures.overall_performance(f, b),
            lower=True,
            note="seed 004; discrepancy / AG (our reading, see docs)",
        ),
    }
    return Profile(
        "paper",
        "each metric as its original publication defines it; two-source values averaged "
        "where the paper scores one source (SSIM, VIF), summed where it adds them (MI, TE)",
        "see each metric's docstring",
        m,
        _grey_bt601,
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
    return Profile(
        "cddfuse",
        "CDDFuse utils/Evaluator.py (Zhaozixiang1228/MMIF-CDDFuse@fd8da1f), float32 inputs",
        "Z. Zhao et al., CDDFuse, CVPR 2023",
        m,
        _grey_cddfuse,
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
    return Profile(
        "vifb",
        "VIFB's MATLAB metrics (xingchenzhang/VIFB@22b2ea9), run under GNU Octave",
        "X. Zhang, P. Ye, G. Xiao, VIFB, CVPR Workshops 2020",
        m,
        _grey_matlab,
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
    return Profile(
        "mefb",
        "MEFB's MATLAB metrics (xingchenzhang/MEFB@9e185bf), run under GNU Octave",
        "X. Zhang, Benchmarking and comparing multi-exposure image fusion algorithms, "
        "Inf. Fusion 74, 2021",
        m,
        _grey_matlab,
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
    return Profile(
        "liu2012",
        "Zheng Liu's fusion metric toolbox (zhengliu6699/imageFusionMetrics@d6f7f1a)",
        "Z. Liu et al., IEEE TPAMI 34(1), 94-109, 2012",
        m,
        _grey_matlab,
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
        "MS_SSIM": _m("MS_SSIM", structural.mef_ssim, note="analysis_ms_ssim is MEF-SSIM"),
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
    return Profile(
        "tang",
        "Linfeng Tang's Evaluation-for-Image-Fusion (MATLAB), run under GNU Octave",
        "L. Tang et al., Evaluation-for-Image-Fusion (github.com/Linfeng-Tang)",
        m,
        _grey_matlab,
    )


PROFILES: dict[str, Profile] = {
    p.name: p for p in (_paper(), _cddfuse(), _vifb(), _mefb(), _liu2012(), _tang())
}


def get_profile(name: str) -> Profile:
    """The profile called ``name``; an :class:`InputError` lists the valid names."""
    try:
        return PROFILES[name]
    except KeyError:
        valid = ", ".join(PROFILES)
        raise InputError("--profile", f"unknown profile '{name}'; valid: {valid}") from None
