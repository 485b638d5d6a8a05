"""``brainfuse bench --phantom``: every fusion method on phantom cases with known truth.

Fusion has no ground truth, so the field ranks methods with metrics computed against the
sources, which can be gamed. On phantom cases (:func:`brainfuse.phantom.make_ensemble`) the
truth is known, so this benchmark ranks methods by what a reader needs
(:mod:`brainfuse.metrics.task`):

- **detectability** of a hyper- and of a hypo-metabolic lesion by the channelized Hotelling
  observer (location-known, background known statistically: every case has its own lesion and
  anatomy), d′ and AUC from the lesion-present cases and their lesion-absent twins; a colour
  rendering is read as a reader with the colour bar would: the value read back through the
  palette and the luminance, each with its own channels;
- **contrast recovery**, contrast-to-noise ratio, **anatomical fidelity** (gradient correlation
  and SSIM with the noise-free MRI inside the brain), **noise amplification** and, for colour
  renderings, **colour read-back** of the true activity;

and then asks which of the field's metrics (every metric of every profile of
:mod:`brainfuse.metrics.profiles`) track those scores: Spearman's ρ and Kendall's τ
(``scipy.stats``) between each metric's per-method mean and each task-based score, across the
methods and renderings of a modality.

Everything is seeded: the same settings give the same files, byte for byte.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..color import rgb_to_grey
from ..errors import BrainFuseError, InputError
from ..fusion import fuse_arrays, get_method, list_methods
from ..metrics import PROFILES, evaluate
from ..metrics.task import cho_cases, palette_readback, score_case
from ..phantom import MODALITIES, Case, make_ensemble
from .phantom_report import PhantomBenchResult, write_phantom_report

__all__ = [
    "TASK_SCORES",
    "PhantomBenchResult",
    "correlate_metrics",
    "run_phantom_bench",
]

#: The task-based scores of a row, and whether higher is better. ``d_prime`` is the mean of the
#: hot- and cold-lesion CHO d′; ``noise_amplification`` is better near or below 1 (lower).
TASK_SCORES: dict[str, bool] = {
    "d_prime": True,
    "d_prime_hot": True,
    "d_prime_cold": True,
    "crc": True,
    "cnr": True,
    "gradient_correlation": True,
    "ssim_anatomy": True,
    "noise_amplification": False,
    "colour_rho": True,
}

_TASKS = (("hot", True), ("cold", False))
_SOURCES = ("source:functional", "source:anatomy")


def _task_seed(seed: int, modality: str, task: str) -> int:
    # one ensemble per (modality, task), derived from the run's seed and stable across runs
    return int(
        np.random.SeedSequence(
            [int(seed), sum(map(ord, modality)), sum(map(ord, task))]
        ).generate_state(1, dtype=np.uint32)[0]
    )


def _check(
    methods: Sequence[str],
    cases: int,
    ndim: int,
    modalities: Sequence[str],
    metric_cases: int,
    profiles: Sequence[str],
    out: Path,
) -> None:
    if not methods:
        raise InputError("--methods", "give at least one method")
    if len(set(methods)) != len(methods):
        raise InputError("--methods", "a method is listed twice")
    for m in methods:
        get_method(m)
    if not (isinstance(cases, int) and cases >= 8):
        raise InputError("--cases", f"the observer needs at least 8 case pairs, got {cases}")
    if ndim not in (2, 3):
        raise InputError("--ndim", f"must be 2 or 3, got {ndim}")
    for mod in modalities:
        if mod not in MODALITIES:
            raise InputError("--modalities", f"unknown {mod!r}; valid: {', '.join(MODALITIES)}")
    if not modalities:
        raise InputError("--modalities", "give at least one modality")
    if metric_cases < 0:
        raise InputError("--metric-cases", f"must be 0 or more, got {metric_cases}")
    for p in profiles:
        if p not in PROFILES:
            raise InputError("--profiles", f"unknown profile {p!r}; valid: {', '.join(PROFILES)}")
    if out.exists() and not out.is_dir():
        raise InputError(out, "exists and is not a folder")


def _renderings(case: Case, colour: bool) -> list[str]:
    out = ["grey"]
    if colour and case.palette is not None and case.ndim == 2:
        out.append("colour")
    return out


def _inputs(case: Case, rendering: str) -> tuple[np.ndarray, np.ndarray]:
    b = case.functional_rgb() if rendering == "colour" else case.functional
    return case.anatomy, b


def _fused(method: str, case: Case, rendering: str, params: Mapping[str, Any]) -> np.ndarray:
    a, b = _inputs(case, rendering)
    if method == "source:functional":
        return b
    if method == "source:anatomy":
        return a
    out = fuse_arrays(a, b, method, **params)
    return np.clip(out, 0, 255)  # what a viewer shows; some methods overshoot 0..255


def _observed(img: np.ndarray, case: Case, rendering: str) -> np.ndarray:
    """What the observer reads: a grey image as it is; a colour image as two planes, the value
    read back through the palette (the colour bar) and the luminance."""
    if rendering != "colour" or img.ndim != case.ndim + 1:
        return img
    value = palette_readback(img, case.palette)
    return np.stack([value, rgb_to_grey(img.astype(np.float32))], axis=-1)


def _metric_slice(x: np.ndarray, case: Case) -> np.ndarray:
    """Volumes are scored by the metrics on the axial slice through the lesion."""
    if case.ndim == 3:
        k = round(case.lesions[0].centre[2])
        return np.ascontiguousarray(x[:, :, k])
    return x


def _metrics(
    fused: np.ndarray, case: Case, rendering: str, profiles: Sequence[str]
) -> dict[str, float]:
    a, b = _inputs(case, rendering)
    f, a, b = (_metric_slice(x, case) for x in (fused, a, b))
    out: dict[str, float] = {}
    for p in profiles:
        try:
            values = evaluate(f, a, b, profile=p)
        except InputError:
            continue
        for name, v in values.items():
            out[f"{p}:{name}"] = float(v)
    return out


def _mean(values: Sequence[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def _rows_for(
    modality: str,
    ensembles: Mapping[str, Any],
    methods: Sequence[str],
    colour: bool,
    metric_cases: int,
    profiles: Sequence[str],
    params: Mapping[str, Mapping[str, Any]],
    n_channels: int,
    bar: Any,
    failures: list[str],
) -> list[dict[str, Any]]:
    rows = []
    first = ensembles["hot"].present[0]
    for rendering in _renderings(first, colour):
        for method in [*_SOURCES, *methods]:
            row: dict[str, Any] = {"modality": modality.upper(), "rendering": rendering}
            row["method"] = method
            per_case: list[dict[str, float]] = []
            metric_rows: list[dict[str, float]] = []
            try:
                for task, _hyper in _TASKS:
                    ens = ensembles[task]
                    fp = [_fused(method, c, rendering, params.get(method, {})) for c in ens.present]
                    fa = [_fused(method, c, rendering, params.get(method, {})) for c in ens.absent]
                    bar.update(len(fp) + len(fa))
                    res = cho_cases(
                        [_observed(f, c, rendering) for f, c in zip(fp, ens.present, strict=True)],
                        [_observed(f, c, rendering) for f, c in zip(fa, ens.absent, strict=True)],
                        ens.present,
                        ens.absent,
                        n_channels=n_channels,
                    )
                    row[f"d_prime_{task}"] = res.d_prime
                    row[f"auc_{task}"] = res.auc
                    row[f"auc_empirical_{task}"] = res.auc_empirical
                    for f, c in zip(fp, ens.present, strict=True):
                        per_case.append(score_case(f, c))
                    for f, c in zip(fp[:metric_cases], ens.present[:metric_cases], strict=True):
                        metric_rows.append(_metrics(f, c, rendering, profiles))
            except BrainFuseError as exc:
                failures.append(f"{method} ({modality.upper()}, {rendering}): {exc}")
                continue
            row["d_prime"] = 0.5 * (row["d_prime_hot"] + row["d_prime_cold"])
            for key in per_case[0]:
                row[key] = _mean([s[key] for s in per_case])
            for key in sorted({k for m in metric_rows for k in m}):
                row[key] = _mean([m.get(key, math.nan) for m in metric_rows])
            rows.append(row)
    return rows


def correlate_metrics(
    rows: Sequence[Mapping[str, Any]], scores: Sequence[str] = ("d_prime", "crc", "ssim_anatomy")
) -> list[dict[str, Any]]:
    """Rank correlation of every metric with the task-based scores, across methods.

    Within each modality, over the rows of the fusion methods (grey and colour renderings; the
    ``source:`` rows left out), Spearman's ρ and Kendall's τ-b (``scipy.stats.spearmanr``,
    ``kendalltau``) between each metric's per-method mean and each task-based score.

    Parameters
    ----------
    rows : sequence of dict
        :attr:`PhantomBenchResult.rows`.
    scores : sequence of str, optional
        The task-based scores to correlate with (default d′, CRC and anatomical SSIM).

    Returns
    -------
    correlations : list of dict
        Keys ``modality, metric, score, spearman, spearman_p, kendall, kendall_p, n``; NaN
        where a metric is constant or has fewer than 4 finite rows.

    Examples
    --------
    >>> rows = [{"modality": "PET", "method": m, "d_prime": d, "crc": d, "paper:X": -d}
    ...         for m, d in zip("abcde", [1.0, 2.0, 3.0, 4.0, 5.0])]
    >>> [(c["metric"], round(c["spearman"], 6)) for c in correlate_metrics(rows, ["d_prime"])]
    [('paper:X', -1.0)]
    """
    from scipy import stats

    out = []
    for modality in sorted({r["modality"] for r in rows}):
        sub = [r for r in rows if r["modality"] == modality and r["method"] not in _SOURCES]
        metrics = sorted({k for r in sub for k in r if ":" in k})
        for metric in metrics:
            for score in scores:
                pairs = [
                    (r.get(metric, math.nan), r.get(score, math.nan))
                    for r in sub
                    if math.isfinite(r.get(metric, math.nan))
                    and math.isfinite(r.get(score, math.nan))
                ]
                x = np.array([p[0] for p in pairs])
                y = np.array([p[1] for p in pairs])
                entry = {"modality": modality, "metric": metric, "score": score, "n": len(pairs)}
                if len(pairs) < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
                    entry.update(spearman=math.nan, spearman_p=math.nan)
                    entry.update(kendall=math.nan, kendall_p=math.nan)
                else:
                    sp = stats.spearmanr(x, y)
                    kt = stats.kendalltau(x, y)
                    entry.update(spearman=float(sp.statistic), spearman_p=float(sp.pvalue))
                    entry.update(kendall=float(kt.statistic), kendall_p=float(kt.pvalue))
                out.append(entry)
    return out


def run_phantom_bench(
    methods: Sequence[str] | None = None,
    *,
    out: str | os.PathLike[str],
    cases: int = 24,
    seed: int = 0,
    ndim: int = 2,
    modalities: Sequence[str] = ("pet",),
    counts: str | float = "medium",
    colour: bool = True,
    metric_cases: int = 6,
    profiles: Sequence[str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    n_channels: int = 3,
    progress: bool = True,
) -> PhantomBenchResult:
    """Rank fusion methods on phantom cases by task-based scores, and test the metrics.

    For each modality, two ensembles of ``cases`` lesion-present cases and their lesion-absent
    twins (hot lesions, cold lesions; :func:`brainfuse.phantom.make_ensemble` with
    ``vary="anatomy"``) are fused by every method, grey and, for PET and SPECT in 2D, in colour
    (the functional image through its palette). Two reference rows are added: the functional
    source alone and the MRI alone. The report is written into ``out``.

    Parameters
    ----------
    methods : sequence of str, optional
        Registered method names (default: all of them).
    out : str or os.PathLike
        The report folder (created; files in it are replaced).
    cases : int, optional
        Case pairs per task (default 24; at least 8). The CHO is trained on half of them.
    seed : int, optional
        The run's seed (default 0).
    ndim : {2, 3}, optional
        2D slices through the lesion (default) or 3D volumes (grey only; the metrics are then
        computed on the axial slice through the lesion).
    modalities : sequence of {"pet", "spect", "ct"}, optional
        Default ``("pet",)``.
    counts : str or float, optional
        The count level of :func:`brainfuse.phantom.make_case` (default ``"medium"``).
    colour : bool, optional
        Also fuse the colour renderings of PET and SPECT (default True).
    metric_cases : int, optional
        Lesion-present cases per task scored by every metric of every profile (default 6: the
        metrics cost about a second per image; the task-based scores use all cases).
    profiles : sequence of str, optional
        Metric profiles (default: all).
    params : mapping, optional
        ``{method: {parameter: value}}``.
    n_channels : int, optional
        Laguerre–Gauss channels per colour plane of the observer (default 3: a colour image
        then gives 9 channel outputs, whose covariance the default 24 case pairs, 12 per
        training half, still estimate).
    progress : bool, optional
        Show a progress bar (on a terminal).

    Returns
    -------
    result : PhantomBenchResult

    Raises
    ------
    InputError
        If a setting is refused (before any work) or every method fails.
    """
    from tqdm import tqdm

    names = list(methods) if methods is not None else [m.name for m in list_methods()]
    profiles = list(PROFILES) if profiles is None else list(profiles)
    out_dir = Path(out)
    _check(names, cases, ndim, modalities, metric_cases, profiles, out_dir)
    params = {k: dict(v) for k, v in (params or {}).items()}
    for name, p in params.items():
        if name not in names:
            raise InputError("-p", f"parameters given for '{name}', which is not in --methods")
        get_method(name).bind(p)
    out_dir.mkdir(parents=True, exist_ok=True)
    renders = 2 if colour and ndim == 2 else 1
    total = sum(
        2 * 2 * cases * (len(names) + 2) * (renders if MODALITIES[m]["palette"] else 1)
        for m in modalities
    )
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    examples: dict[str, Case] = {}
    with tqdm(total=total, desc="phantom bench", unit="image", disable=not progress or None) as bar:
        for modality in modalities:
            ensembles = {
                task: make_ensemble(
                    cases,
                    _task_seed(seed, modality, task),
                    modality=modality,
                    ndim=ndim,
                    hyper=hyper,
                    counts=counts,
                )
                for task, hyper in _TASKS
            }
            examples[modality] = ensembles["hot"].present[0]
            rows += _rows_for(
                modality, ensembles, names, colour, metric_cases, profiles, params,
                n_channels, bar, failures,
            )  # fmt: skip
    if not any(r["method"] not in _SOURCES for r in rows):
        raise InputError("--methods", "every method failed: " + "; ".join(failures[:3]))
    settings = {
        "methods": names,
        "cases": cases,
        "seed": seed,
        "ndim": ndim,
        "modalities": list(modalities),
        "counts": counts,
        "colour": colour,
        "metric_cases": metric_cases,
        "profiles": profiles,
        "params": params,
        "n_channels": n_channels,
    }
    result = PhantomBenchResult(rows, correlate_metrics(rows), failures, settings)

    def fuse_example(method: str, case: Case, rendering: str) -> np.ndarray:
        return _fused(method, case, rendering, params.get(method, {}))

    write_phantom_report(out_dir, result, examples, fuse_example)
    return result
