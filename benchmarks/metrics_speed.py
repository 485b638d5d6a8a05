"""Speed of the fusion metrics: the CDDFuse protocol per triple, over the 136 test pairs, and a
182x218x182 volume triple.

Run (from the repository root; one thread, as every benchmark)::

    .venv/bin/python -m benchmarks.metrics_speed

It writes ``docs/results/metrics-speed.json`` and ``docs/results/metrics-speed.md``.

The *baseline* below is a straightforward NumPy/SciPy/scikit-learn/scikit-image port of the
formulas of CDDFuse's ``utils/Evaluator.py`` (2D ``convolve2d`` windows, ``mutual_info_score``,
``structural_similarity`` with ``data_range=2``). It lives only here, to measure the reference
algorithm's cost side by side and to check that ``brainfuse.metrics`` gives the same values;
it is not part of the package.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks import _harness as harness

PROTOCOL = ("EN", "SD", "SF", "MI", "SCD", "VIF", "Qabf", "SSIM")


# --- baseline: the reference Evaluator's algorithm, ported as written -------------------


def _baseline_vif_pair(ref: np.ndarray, dist: np.ndarray) -> float:
    from scipy.signal import convolve2d

    sigma_nsq, eps = 2.0, 1e-10
    num = den = 0.0
    for scale in range(1, 5):
        n = 2 ** (4 - scale + 1) + 1
        sd = n / 5.0
        m = (n - 1.0) / 2.0
        y, x = np.ogrid[-m : m + 1, -m : m + 1]
        h = np.exp(-(x * x + y * y) / (2.0 * sd * sd))
        h[h < np.finfo(h.dtype).eps * h.max()] = 0
        win = np.rot90(h / h.sum(), 2)
        if scale > 1:
            ref = convolve2d(ref, win, mode="valid")[::2, ::2]
            dist = convolve2d(dist, win, mode="valid")[::2, ::2]
        mu1 = convolve2d(ref, win, mode="valid")
        mu2 = convolve2d(dist, win, mode="valid")
        s1 = convolve2d(ref * ref, win, mode="valid") - mu1 * mu1
        s2 = convolve2d(dist * dist, win, mode="valid") - mu2 * mu2
        s12 = convolve2d(ref * dist, win, mode="valid") - mu1 * mu2
        s1[s1 < 0] = 0
        s2[s2 < 0] = 0
        g = s12 / (s1 + eps)
        sv = s2 - g * s12
        g[s1 < eps] = 0
        sv[s1 < eps] = s2[s1 < eps]
        s1[s1 < eps] = 0
        g[s2 < eps] = 0
        sv[s2 < eps] = 0
        sv[g < 0] = s2[g < 0]
        g[g < 0] = 0
        sv[sv <= eps] = eps
        num += np.sum(np.log10(1 + g * g * s1 / (sv + sigma_nsq)))
        den += np.sum(np.log10(1 + s1 / sigma_nsq))
    v = num / den
    return 1.0 if np.isnan(v) else float(v)


def _baseline_qabf_arrays(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from scipy.signal import convolve2d

    h1 = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=np.float32)
    h3 = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)
    sx = convolve2d(img, h3, mode="same")
    sy = convolve2d(img, h1, mode="same")
    g = np.sqrt(sx * sx + sy * sy)
    a = np.zeros_like(img)
    a[sx == 0] = math.pi / 2
    a[sx != 0] = np.arctan(sy[sx != 0] / sx[sx != 0])
    return g, a


def _baseline_qabf_q(a_x, g_x, a_f, g_f):
    gq = np.zeros_like(a_x)
    gq[g_x > g_f] = g_f[g_x > g_f] / g_x[g_x > g_f]
    gq[g_x == g_f] = g_f[g_x == g_f]
    gq[g_x < g_f] = g_x[g_x < g_f] / g_f[g_x < g_f]
    aq = 1 - np.abs(a_x - a_f) / (math.pi / 2)
    return 0.9994 / (1 + np.exp(-15 * (gq - 0.5))) * (0.9879 / (1 + np.exp(-22 * (aq - 0.8))))


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    dx, dy = x - x.mean(), y - y.mean()
    return float(np.sum(dx * dy) / np.sqrt(np.sum(dx**2) * np.sum(dy**2)))


def baseline_metrics(f: np.ndarray, ir: np.ndarray, vi: np.ndarray) -> dict[str, object]:
    """The 8 protocol metrics as the reference Evaluator computes them (X(F, IR, VIS)),
    one zero-argument callable each."""
    import sklearn.metrics as skm
    from skimage.metrics import structural_similarity

    def en() -> float:
        u8 = np.uint8(np.round(f)).ravel()
        h = np.bincount(u8) / u8.shape[0]
        return float(-sum(h * np.log2(h + (h == 0))))

    def qabf() -> float:
        g_a, a_a = _baseline_qabf_arrays(ir)
        g_b, a_b = _baseline_qabf_arrays(vi)
        g_f, a_f = _baseline_qabf_arrays(f)
        q_a = _baseline_qabf_q(a_a, g_a, a_f, g_f)
        q_b = _baseline_qabf_q(a_b, g_b, a_f, g_f)
        return float(np.sum(q_a * g_a + q_b * g_b) / np.sum(g_a + g_b))

    return {
        "EN": en,
        "SD": lambda: float(np.std(f)),
        "SF": lambda: float(
            np.sqrt(np.mean((f[:, 1:] - f[:, :-1]) ** 2) + np.mean((f[1:, :] - f[:-1, :]) ** 2))
        ),
        "MI": lambda: float(
            skm.mutual_info_score(f.ravel(), ir.ravel())
            + skm.mutual_info_score(f.ravel(), vi.ravel())
        ),
        "SCD": lambda: _corr(ir, f - vi) + _corr(vi, f - ir),
        "VIF": lambda: _baseline_vif_pair(ir, f) + _baseline_vif_pair(vi, f),
        "Qabf": qabf,
        "SSIM": lambda: float(
            structural_similarity(f, ir, data_range=2) + structural_similarity(f, vi, data_range=2)
        ),
    }


def baseline_protocol(f: np.ndarray, ir: np.ndarray, vi: np.ndarray) -> dict[str, float]:
    return {k: fn() for k, fn in baseline_metrics(f, ir, vi).items()}


# --- inputs -----------------------------------------------------------------------------


def protocol_triples(
    limit: int | None = None,
) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(name, F, A, B) for the 136 test pairs: sources read as CDDFuse reads them, F the
    pixel maximum quantised as test_MIF.py saves it."""
    from brainfuse.metrics import cddfuse_quantise_fused, read_cddfuse_grey

    root = harness.DATA / "harvard-cddfuse-test"
    out = []
    for pair_set in ("MRI_CT", "MRI_PET", "MRI_SPECT"):
        other = pair_set.split("_")[1]
        for p in sorted((root / pair_set / "MRI").glob("*.png")):
            a = read_cddfuse_grey(p)
            b = read_cddfuse_grey(root / pair_set / other / p.name)
            f = cddfuse_quantise_fused(np.maximum(a, b)).astype(np.float32)
            out.append((f"{pair_set}/{p.name}", f, a, b))
    return out[:limit] if limit else out


def volume_triple() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 182x218x182 triple: SPM12's T1 and PET templates (91x109x91, 2 mm) upsampled x2
    (linear), each stretched to 0..255, and their average as the fused volume."""
    import nibabel as nib
    from scipy import ndimage

    vols = []
    for name in ("T1.nii", "PET.nii"):
        v = np.asarray(
            nib.load(harness.DATA / "volumes" / "spm12" / name).dataobj, dtype=np.float64
        )
        v = np.nan_to_num(ndimage.zoom(v, 2, order=1))
        v = (v - v.min()) / (v.max() - v.min()) * 255
        vols.append(v)
    a, b = vols
    return (a + b) / 2, a, b


def _timed(fn, repeats: int) -> dict[str, float]:
    """Median and minimum wall time and median CPU time (seconds) of ``repeats`` calls."""
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"median": statistics.median(wall), "min": min(wall), "cpu": statistics.median(cpu)}


def _side_by_side(ours, base, rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """Time two functions alternately (one call each per round), so that the load of a
    shared machine affects both alike; see :func:`_timed` for the figures."""
    ours()
    t_ours: dict[str, list[float]] = {"wall": [], "cpu": []}
    t_base: dict[str, list[float]] = {"wall": [], "cpu": []}
    for _ in range(rounds):
        for fn, acc in ((ours, t_ours), (base, t_base)):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            acc["wall"].append(time.perf_counter() - t0)
            acc["cpu"].append(time.process_time() - c0)
    return tuple(  # type: ignore[return-value]
        {
            "median": statistics.median(t["wall"]),
            "min": min(t["wall"]),
            "cpu": statistics.median(t["cpu"]),
            "cpu_min": min(t["cpu"]),
        }
        for t in (t_ours, t_base)
    )


def main() -> None:
    from brainfuse.metrics import PROFILES, evaluate

    options = harness.parser(__doc__)
    options.add_argument("--baseline-pairs", type=int, default=136, help="pairs for the baseline")
    options.add_argument("--repeats", type=int, default=15, help="rounds on the single triple")
    args = options.parse_args()
    harness.require_data("harvard-cddfuse-test")
    harness.require_data("volumes/spm12")
    cv2.setNumThreads(1)
    triples = protocol_triples()
    name, f, a, b = triples[0]

    def ours(f=f, a=a, b=b):
        return evaluate(f, a, b, metrics=PROTOCOL, profile="cddfuse")

    def base(f=f, a=a, b=b):
        return baseline_protocol(f, b, a)

    t_ours, t_base = _side_by_side(ours, base, args.repeats)
    base_fns = baseline_metrics(f, b, a)
    per_metric, per_metric_base = {}, {}
    for m in PROTOCOL:
        per_metric[m], per_metric_base[m] = _side_by_side(
            lambda m=m: evaluate(f, a, b, metrics=[m], profile="cddfuse"), base_fns[m], 5
        )
    c0 = time.process_time()
    ours_all = [evaluate(f, a, b, metrics=PROTOCOL, profile="cddfuse") for _, f, a, b in triples]
    cpu_ours_all = time.process_time() - c0
    nb = min(args.baseline_pairs, len(triples))
    c0 = time.process_time()
    base_all = [baseline_protocol(f, b, a) for _, f, a, b in triples[:nb]]
    cpu_base_all = time.process_time() - c0
    max_rel = {
        m: max(abs(o[m] - r[m]) / abs(r[m]) for o, r in zip(ours_all, base_all, strict=False))
        for m in PROTOCOL
    }

    fv, av, bv = volume_triple()
    vol_metrics = {
        p: [n for n, spec in PROFILES[p].metrics.items() if spec.volumes]
        for p in ("paper", "cddfuse")
    }
    t_vol = {
        p: _timed(lambda p=p, names=names: evaluate(fv, av, bv, metrics=names, profile=p), 1)
        for p, names in vol_metrics.items()
    }
    load = os.getloadavg()

    result = {
        "command": ".venv/bin/python -m benchmarks.metrics_speed",
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        "load_average_1_5_15min": load,
        "triple": name,
        "protocol_s_per_triple": {"brainfuse": t_ours, "baseline": t_base},
        "speedup_cpu_median": t_base["cpu"] / t_ours["cpu"],
        "speedup_cpu_min": t_base["cpu_min"] / t_ours["cpu_min"],
        "speedup_wall_min": t_base["min"] / t_ours["min"],
        "per_metric_s": per_metric,
        "per_metric_baseline_s": per_metric_base,
        "pairs": len(triples),
        "pairs_cpu_s": {"brainfuse": cpu_ours_all, "baseline": cpu_base_all},
        "baseline_pairs": nb,
        "max_relative_difference_vs_baseline": max_rel,
        "volume_shape": list(fv.shape),
        "volume_metrics": vol_metrics,
        "volume_s": t_vol,
    }

    def ms(t: dict[str, float]) -> str:
        wall = f"wall min {t['min'] * 1e3:.1f}, median {t['median'] * 1e3:.1f}"
        return f"{t['cpu'] * 1e3:.1f} ms CPU median, {t['cpu_min'] * 1e3:.1f} min ({wall})"

    lines = [
        "# Metric speed (CDDFuse protocol and a volume triple)",
        "",
        f"Command: `{result['command']}` (one thread). Shared 2-core machine, load average "
        f"{load[0]:.1f} during the run: CPU times are the figures to compare, wall times are "
        "inflated by the other processes.",
        "",
        f"- 8 protocol metrics, one 256x256 triple ({name}), timed alternately over "
        f"{args.repeats} rounds: brainfuse {ms(t_ours)}; baseline port of the Evaluator "
        f"{ms(t_base)}; speed-up {result['speedup_cpu_median']:.1f}x (median CPU), "
        f"{result['speedup_cpu_min']:.1f}x (best CPU), {result['speedup_wall_min']:.1f}x "
        "(best wall).",
        f"- {len(triples)} pairs of harvard-cddfuse-test (F = pixel max): brainfuse "
        f"{cpu_ours_all:.2f} s CPU ({cpu_ours_all / len(triples) * 1e3:.1f} ms per triple); "
        f"baseline {cpu_base_all:.1f} s CPU for {nb} pairs "
        f"({cpu_base_all / nb * 1e3:.0f} ms per triple).",
        "- Per metric (ms CPU, median of 5 alternating rounds, brainfuse / baseline): "
        + ", ".join(
            f"{k} {v['cpu'] * 1e3:.2f} / {per_metric_base[k]['cpu'] * 1e3:.1f}"
            for k, v in per_metric.items()
        ),
        "- Largest relative difference from the baseline over the pairs: "
        + ", ".join(f"{k} {v:.1e}" for k, v in max_rel.items()),
        f"- Volume triple {'x'.join(map(str, fv.shape))} (SPM12 T1 and PET upsampled x2): "
        + "; ".join(
            f"{p}: {t['cpu']:.2f} s CPU, {t['median']:.2f} s wall for {', '.join(vol_metrics[p])}"
            for p, t in t_vol.items()
        ),
        "",
    ]
    _figure(per_metric, per_metric_base, harness.RESULTS / "metrics-speed.png")
    lines.insert(-1, "![CPU time per metric](metrics-speed.png)")
    harness.write_json(harness.RESULTS / "metrics-speed.json", result)
    harness.write_text(harness.RESULTS / "metrics-speed.md", "\n".join(lines))
    print("\n".join(lines))


def _figure(ours: dict, base: dict, path: Path) -> None:
    import matplotlib.pyplot as plt

    names = list(ours)
    y = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    ax.barh(y + 0.2, [base[n]["cpu"] * 1e3 for n in names], 0.4, label="baseline (Evaluator port)")
    ax.barh(y - 0.2, [ours[n]["cpu"] * 1e3 for n in names], 0.4, label="brainfuse.metrics")
    ax.set_yticks(y, names)
    ax.set_xscale("log")
    ax.set_xlabel("CPU time per 256x256 triple (ms, log scale)")
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("CDDFuse protocol metrics, one core")
    fig.tight_layout()
    harness.save_figure(fig, path)
    plt.close(fig)


if __name__ == "__main__":
    main()
