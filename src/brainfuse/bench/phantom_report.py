"""The report of ``brainfuse bench --phantom``: JSON, CSV, Markdown, PNG figures and HTML.

Every file is written atomically and holds no time stamp, so equal runs give equal bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..io.atomic import atomic_path

if TYPE_CHECKING:
    from ..phantom import Case

__all__ = ["PhantomBenchResult", "ranking_columns", "write_phantom_report"]


@dataclass(frozen=True)
class PhantomBenchResult:
    """What :func:`run_phantom_bench` measured.

    Attributes
    ----------
    rows : list of dict
        One per (modality, rendering, method): the task-based scores (means over the cases;
        CHO per task) and each metric's mean (``"profile:name"`` keys).
    correlations : list of dict
        One per (modality, metric, task score): Spearman ρ, Kendall τ, their p-values, and the
        number of rows.
    failures : list of str
        Methods that could not run (e.g. missing weights), with the reason.
    settings : dict
        The settings, for the report.
    """

    rows: list[dict[str, Any]]
    correlations: list[dict[str, Any]]
    failures: list[str]
    settings: dict[str, Any]


#: Columns of the ranking table: (key, header, format).
_COLUMNS = (
    ("d_prime", "d′ (mean)", "{:.2f}"),
    ("d_prime_hot", "d′ hot", "{:.2f}"),
    ("d_prime_cold", "d′ cold", "{:.2f}"),
    ("auc_hot", "AUC hot", "{:.3f}"),
    ("auc_cold", "AUC cold", "{:.3f}"),
    ("crc", "CRC", "{:.3f}"),
    ("cnr", "CNR", "{:.2f}"),
    ("gradient_correlation", "grad. corr. (MRI)", "{:.3f}"),
    ("ssim_anatomy", "SSIM (MRI)", "{:.3f}"),
    ("noise_amplification", "noise ampl.", "{:.2f}"),
    ("colour_rho", "colour ρ", "{:.3f}"),
)


def ranking_columns() -> list[str]:
    """The keys of the ranking table's score columns, in order.

    Returns
    -------
    keys : list of str

    Examples
    --------
    >>> ranking_columns()[:2]
    ['d_prime', 'd_prime_hot']
    """
    return [c[0] for c in _COLUMNS]


def _fmt(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return spec.format(value)


def _clean(x: Any) -> Any:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, np.generic):
        return _clean(x.item())
    return x


def _write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _groups(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, list[Mapping[str, Any]]]]:
    keys = []
    for r in rows:
        k = (r["modality"], r["rendering"])
        if k not in keys:
            keys.append(k)
    out = []
    for mod, ren in keys:
        sub = [r for r in rows if r["modality"] == mod and r["rendering"] == ren]
        sub.sort(key=lambda r: (-_num(r.get("d_prime")), r["method"]))
        out.append((mod, ren, sub))
    return out


def _num(x: Any) -> float:
    return float(x) if isinstance(x, (int, float)) and math.isfinite(x) else -math.inf


def _ranking_md(rows: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for mod, ren, sub in _groups(rows):
        lines += [f"### {mod}, {ren}", ""]
        lines.append("| rank | method | " + " | ".join(c[1] for c in _COLUMNS) + " |")
        lines.append("|---:|---|" + "---:|" * len(_COLUMNS))
        rank = 0
        for r in sub:
            source = r["method"].startswith("source:")
            rank += 0 if source else 1
            label = f"*{r['method']}*" if source else r["method"]
            cells = [_fmt(r.get(k), f) for k, _, f in _COLUMNS]
            lines.append(f"| {'' if source else rank} | {label} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _correlation_md(correlations: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for mod in sorted({c["modality"] for c in correlations}):
        sub = [c for c in correlations if c["modality"] == mod]
        scores = list(dict.fromkeys(c["score"] for c in sub))
        metrics = list(dict.fromkeys(c["metric"] for c in sub))
        table = {(c["metric"], c["score"]): c for c in sub}
        n = max((c["n"] for c in sub), default=0)
        lines += [f"### {mod} ({n} method rows: Spearman ρ / Kendall τ)", ""]
        lines.append("| metric | " + " | ".join(scores) + " |")
        lines.append("|---|" + "---:|" * len(scores))
        order = sorted(metrics, key=lambda m: -abs(_num(table[(m, scores[0])]["spearman"])))
        for m in order:
            cells = [
                f"{_fmt(table[(m, s)]['spearman'], '{:+.2f}')} / "
                f"{_fmt(table[(m, s)]['kendall'], '{:+.2f}')}"
                for s in scores
            ]
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _csv(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(keys)
    for r in rows:
        w.writerow([_csv_cell(r.get(k)) for k in keys])
    return buf.getvalue()


def _csv_cell(v: Any) -> str:
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ""
    return "" if v is None else str(v)


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _ranking_png(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    from ..viz.render import save_figure

    groups = _groups(rows)
    n = max(len(g[2]) for g in groups)
    fig = _figure(4.2 * len(groups), 0.22 * n + 1.4)
    for i, (mod, ren, sub) in enumerate(groups):
        ax = fig.add_subplot(1, len(groups), i + 1)
        y = np.arange(len(sub))[::-1]
        hot = [_num(r.get("d_prime_hot")) for r in sub]
        cold = [_num(r.get("d_prime_cold")) for r in sub]
        ax.barh(y + 0.2, np.maximum(hot, 0), height=0.4, color="#d95f02", label="hot lesion")
        ax.barh(y - 0.2, np.maximum(cold, 0), height=0.4, color="#1b9e77", label="cold lesion")
        ax.set_yticks(y, [r["method"] for r in sub], fontsize=7)
        ax.set_xlabel("CHO d′ (held-out)")
        ax.set_title(f"{mod}, {ren}", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        if i == 0:
            ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    save_figure(fig, path)


def _correlation_png(path: Path, correlations: Sequence[Mapping[str, Any]]) -> None:
    from ..viz.render import save_figure

    mods = sorted({c["modality"] for c in correlations})
    if not mods:
        return
    metrics = sorted({c["metric"] for c in correlations})
    scores = list(dict.fromkeys(c["score"] for c in correlations))
    table = {(c["modality"], c["metric"], c["score"]): c["spearman"] for c in correlations}
    cols = [(m, s) for m in mods for s in scores]
    grid = np.array([[_nan(table.get((m, met, s))) for m, s in cols] for met in metrics])
    order = np.argsort(-np.nan_to_num(grid[:, 0], nan=-2.0), kind="stable")
    grid = grid[order]
    fig = _figure(2.0 + 0.9 * len(cols), 0.16 * len(metrics) + 1.6)
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(grid, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(metrics)), [metrics[i] for i in order], fontsize=6)
    ax.set_xticks(range(len(cols)), [f"{m}\n{s}" for m, s in cols], fontsize=7)
    ax.xaxis.tick_top()
    fig.colorbar(im, ax=ax, label="Spearman ρ across methods", shrink=0.5)
    fig.tight_layout()
    save_figure(fig, path)


def _nan(x: Any) -> float:
    return float(x) if isinstance(x, (int, float)) else math.nan


def _examples_png(
    path: Path,
    rows: Sequence[Mapping[str, Any]],
    examples: Mapping[str, Case],
    fuse: Callable[[str, Case, str], np.ndarray],
) -> None:
    from ..viz.render import save_figure

    panels = []
    for mod, ren, sub in _groups(rows):
        case = examples.get(mod.lower())
        if case is None:
            continue
        fusions = [r for r in sub if not r["method"].startswith("source:")]
        picks = fusions[:3] + fusions[-3:] if len(fusions) > 6 else fusions
        panels.append((mod, ren, case, picks))
    if not panels:
        return
    ncol = 3 + max(len(p[3]) for p in panels)
    fig = _figure(1.6 * ncol, 1.9 * len(panels) + 0.2)
    for i, (mod, ren, case, picks) in enumerate(panels):
        k = round(case.lesions[0].centre[2]) if case.ndim == 3 else None

        def sl(x, k=k):
            return x if k is None else np.rot90(x[:, :, k])

        mask = sl(case.lesions[0].mask)
        functional = case.functional_rgb() if ren == "colour" else case.functional
        images = [
            ("MRI", sl(case.anatomy), None),
            (f"{mod} ({ren})", sl(functional), None),
            ("true activity", sl(case.activity), None),
        ]
        for r in picks:
            f = fuse(r["method"], case, ren)
            images.append((f"{r['method']}\nd′ {_fmt(r.get('d_prime'), '{:.2f}')}", sl(f), None))
        for j, (title, img, _) in enumerate(images):
            ax = fig.add_subplot(len(panels), ncol, i * ncol + j + 1)
            arr = np.asarray(img, dtype=np.float64)
            if arr.ndim == 3:
                ax.imshow(np.clip(arr / 255.0, 0, 1), interpolation="nearest")
            else:
                ax.imshow(arr, cmap="gray", interpolation="nearest")
            ax.contour(mask, levels=[0.5], colors="#00ff00", linewidths=0.5)
            ax.set_title(title, fontsize=6)
            ax.set_axis_off()
    fig.tight_layout()
    save_figure(fig, path)


def _html(result: PhantomBenchResult, ranking_md: str, corr_md: str) -> str:
    s = result.settings
    settings = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in s.items()
    )
    fails = "".join(f"<li>{html.escape(f)}</li>" for f in result.failures) or "<li>none</li>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BrainFuse phantom benchmark</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:auto}} img{{max-width:100%}}
pre{{font-size:12px;overflow-x:auto}} th{{text-align:left}}</style></head><body>
<h1>Phantom benchmark: task-based ranking of fusion methods</h1>
<p>Simulated data: MNI152 phantom cases with planted lesions and known truth
(<code>brainfuse.phantom</code>). The CHO d′ measures how detectable a lesion stays
(hot and cold lesions, location known); CRC, anatomical fidelity, noise amplification and
colour read-back are measured against the truth.</p>
<table>{settings}</table>
<h2>Ranking</h2><img src="ranking.png" alt="CHO d' per method">
<pre>{html.escape(ranking_md)}</pre>
<h2>Examples (lesion outlined in green)</h2><img src="examples.png" alt="examples">
<h2>Which metric can I trust?</h2><img src="correlations.png" alt="rank correlations">
<pre>{html.escape(corr_md)}</pre>
<h2>Failures</h2><ul>{fails}</ul>
</body></html>
"""


def write_phantom_report(
    out: Path,
    result: PhantomBenchResult,
    examples: Mapping[str, Case],
    fuse: Callable[[str, Case, str], np.ndarray],
) -> Path:
    """Write ``results.json``, ``ranking.{csv,md}``, ``correlations.{csv,md}``, the figures
    and ``index.html`` into ``out``.

    Parameters
    ----------
    out : pathlib.Path
        The report folder (exists).
    result : PhantomBenchResult
        What was measured.
    examples : mapping of str to Case
        One case per modality for the example figure.
    fuse : callable
        ``fuse(method, case, rendering) -> image``: fuses the examples as the run did.

    Returns
    -------
    index : pathlib.Path
        ``out / "index.html"``.
    """
    payload = {
        "settings": result.settings,
        "rows": result.rows,
        "correlations": result.correlations,
        "failures": result.failures,
    }
    _write_text(out / "results.json", json.dumps(_clean(payload), indent=1, sort_keys=True) + "\n")
    keys = ["modality", "rendering", "method"]
    keys += sorted({k for r in result.rows for k in r} - set(keys))
    _write_text(out / "ranking.csv", _csv(result.rows, keys))
    ckeys = ["modality", "metric", "score", "spearman", "spearman_p", "kendall", "kendall_p", "n"]
    _write_text(out / "correlations.csv", _csv(result.correlations, ckeys))
    ranking_md = _ranking_md(result.rows)
    corr_md = _correlation_md(result.correlations)
    _write_text(out / "ranking.md", ranking_md)
    _write_text(out / "correlations.md", corr_md)
    _ranking_png(out / "ranking.png", result.rows)
    _correlation_png(out / "correlations.png", result.correlations)
    _examples_png(out / "examples.png", result.rows, examples, fuse)
    index = out / "index.html"
    _write_text(index, _html(result, ranking_md, corr_md))
    return index
