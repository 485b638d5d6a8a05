"""The benchmark's report: per-pair and summary tables, speed, a picture grid and ``index.html``.

Everything is computed from the task records in ``results/``, in a fixed order (methods as
given, pair sets and file names sorted), and floats are written with ``repr`` (shortest exact
form), so two runs that computed the same numbers write byte-identical CSV files wherever the
tasks ran. Timings vary from run to run and live only in ``speed.csv`` and the Markdown/HTML.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..io.atomic import atomic_path
from ..metrics.profiles import rank_key
from .published import PublishedRow
from .runner import Task

__all__ = [
    "MethodStats",
    "Summary",
    "load_records",
    "pairs_csv",
    "speed_csv",
    "summarise",
    "summary_csv",
    "summary_html",
    "summary_markdown",
    "write_report",
]


@dataclass(frozen=True)
class MethodStats:
    """One method's scores on one pair set: mean, std (n − 1) and rank per metric.

    Parameters
    ----------
    method : str
        The fusion method.
    pair_set : str
        The pair set.
    n : int
        The number of pairs.
    mean, std : dict of str to float
        Mean and sample standard deviation of each metric.
    rank : dict of str to int
        Competition rank of each metric among the methods run (1 = best).
    median_ms : float
        Median fusion time per pair, milliseconds.
    """

    method: str
    pair_set: str
    n: int
    mean: dict[str, float]
    std: dict[str, float]
    rank: dict[str, int]
    median_ms: float


@dataclass(frozen=True)
class Summary:
    """Everything the report shows.

    Parameters
    ----------
    metrics : list of str
        The metrics, in first-seen order.
    direction : dict of str to str
        The direction of each metric (:data:`brainfuse.metrics.profiles.DIRECTIONS`).
    stats : list of MethodStats
        Per pair set (sorted), per method (in the order given).
    records : list of dict
        The task records.
    """

    metrics: list[str]
    direction: dict[str, str]
    stats: list[MethodStats]
    records: list[dict[str, Any]]


def load_records(tasks: Sequence[Task], out: Path) -> list[dict[str, Any]]:
    """The records of ``tasks`` from ``out/results``, in task order.

    Parameters
    ----------
    tasks : sequence of Task
        The tasks.
    out : pathlib.Path
        The report folder.

    Returns
    -------
    records : list of dict
        The JSON records (:meth:`TaskResult.record`).
    """
    return [json.loads(t.result_path(out).read_text(encoding="utf-8")) for t in tasks]


def _ranks(values: list[float], direction: str) -> list[int]:
    """Competition ranks (1 = best, ties share the best rank; NaN ranks last)."""
    keyed = [rank_key(v, direction) for v in values]
    return [1 + sum(k < mine for k in keyed) for mine in keyed]


HIGHER = "higher-is-better"
#: How a direction is marked in the report's column heads.
ARROWS = {"higher-is-better": "↑", "lower-is-better": "↓", "zero-is-best": "→0"}


def summarise(
    records: list[dict[str, Any]], methods: Sequence[str], direction: dict[str, str]
) -> Summary:
    """Mean, sample standard deviation and rank of each method per pair set and metric.

    Parameters
    ----------
    records : list of dict
        Task records (``method``, ``pair_set``, ``metrics``, ``ms`` ...).
    methods : sequence of str
        The methods, in the order to report them.
    direction : dict of str to str
        The direction of each metric (:data:`brainfuse.metrics.profiles.DIRECTIONS`;
        missing: higher is better).

    Returns
    -------
    summary : Summary
        Ranks are competition ranks (ties share the best rank; NaN ranks last).

    Examples
    --------
    >>> from brainfuse.bench.report import summarise
    >>> records = [
    ...     {"method": m, "pair_set": "MRI-CT", "name": f"{i}.png", "metrics": {"EN": en}, "ms": ms}
    ...     for m, i, en, ms in [("average", 1, 4.0, 2.0), ("average", 2, 5.0, 4.0),
    ...                          ("maximum", 1, 6.0, 1.0), ("maximum", 2, 6.0, 1.0)]
    ... ]
    >>> summary = summarise(records, ["average", "maximum"], {"EN": "higher-is-better"})
    >>> [(s.method, s.mean["EN"], s.rank["EN"], s.median_ms) for s in summary.stats]
    [('average', 4.5, 2, 3.0), ('maximum', 6.0, 1, 1.0)]
    """
    metrics: list[str] = []
    for rec in records:
        metrics += [m for m in rec["metrics"] if m not in metrics]
    sets = sorted({r["pair_set"] for r in records})
    stats: list[MethodStats] = []
    for pair_set in sets:
        block = []
        for method in methods:
            recs = [r for r in records if r["pair_set"] == pair_set and r["method"] == method]
            if not recs:
                continue
            mean, std = {}, {}
            for m in metrics:
                vals = np.array([r["metrics"].get(m, math.nan) for r in recs], dtype=np.float64)
                mean[m] = float(vals.mean())
                std[m] = float(vals.std(ddof=1)) if len(vals) > 1 else 0.0
            ms = float(np.median([r["ms"] for r in recs]))
            block.append((method, len(recs), mean, std, ms))
        ranks = {m: _ranks([b[2][m] for b in block], direction.get(m, HIGHER)) for m in metrics}
        for i, (method, n, mean, std, ms) in enumerate(block):
            rank = {m: ranks[m][i] for m in metrics}
            stats.append(MethodStats(method, pair_set, n, mean, std, rank, ms))
    return Summary(metrics, direction, stats, records)


def _write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
    return buf.getvalue()


def pairs_csv(summary: Summary) -> str:
    """``pairs.csv``: one row per (method, pair), the metrics of each fused image.

    Parameters
    ----------
    summary : Summary
        The summary (:func:`summarise`).

    Returns
    -------
    text : str
        CSV text, floats written with ``repr``.

    Examples
    --------
    >>> from brainfuse.bench.report import summarise
    >>> records = [
    ...     {"method": m, "pair_set": "MRI-CT", "name": f"{i}.png", "metrics": {"EN": en}, "ms": ms}
    ...     for m, i, en, ms in [("average", 1, 4.0, 2.0), ("average", 2, 5.0, 4.0),
    ...                          ("maximum", 1, 6.0, 1.0), ("maximum", 2, 6.0, 1.0)]
    ... ]
    >>> summary = summarise(records, ["average", "maximum"], {"EN": "higher-is-better"})
    >>> from brainfuse.bench.report import pairs_csv
    >>> print(pairs_csv(summary).splitlines()[1])
    average,MRI-CT,1.png,4.0
    """
    rows: list[list[Any]] = [["method", "pair_set", "pair", *summary.metrics]]
    for r in summary.records:
        rows.append(
            [
                r["method"],
                r["pair_set"],
                r["name"],
                *[float(r["metrics"].get(m, math.nan)) for m in summary.metrics],
            ]
        )
    return _csv(rows)


def summary_csv(summary: Summary) -> str:
    """``summary.csv``: one row per (pair set, method, metric): n, mean, std, rank.

    Parameters
    ----------
    summary : Summary
        The summary (:func:`summarise`).

    Returns
    -------
    text : str
        CSV text, floats written with ``repr``.

    Examples
    --------
    >>> from brainfuse.bench.report import summarise
    >>> records = [
    ...     {"method": m, "pair_set": "MRI-CT", "name": f"{i}.png", "metrics": {"EN": en}, "ms": ms}
    ...     for m, i, en, ms in [("average", 1, 4.0, 2.0), ("average", 2, 5.0, 4.0),
    ...                          ("maximum", 1, 6.0, 1.0), ("maximum", 2, 6.0, 1.0)]
    ... ]
    >>> summary = summarise(records, ["average", "maximum"], {"EN": "higher-is-better"})
    >>> from brainfuse.bench.report import summary_csv
    >>> print(summary_csv(summary))
    pair_set,method,metric,n,mean,std,rank
    MRI-CT,average,EN,2,4.5,0.7071067811865476,2
    MRI-CT,maximum,EN,2,6.0,0.0,1
    <BLANKLINE>
    """
    rows: list[list[Any]] = [["pair_set", "method", "metric", "n", "mean", "std", "rank"]]
    for s in summary.stats:
        for m in summary.metrics:
            rows.append([s.pair_set, s.method, m, s.n, s.mean[m], s.std[m], s.rank[m]])
    return _csv(rows)


def speed_csv(summary: Summary) -> str:
    """``speed.csv``: median fusion time per pair (ms) of each method on each pair set.

    Parameters
    ----------
    summary : Summary
        The summary (:func:`summarise`).

    Returns
    -------
    text : str
        CSV text.

    Examples
    --------
    >>> from brainfuse.bench.report import summarise
    >>> records = [
    ...     {"method": m, "pair_set": "MRI-CT", "name": f"{i}.png", "metrics": {"EN": en}, "ms": ms}
    ...     for m, i, en, ms in [("average", 1, 4.0, 2.0), ("average", 2, 5.0, 4.0),
    ...                          ("maximum", 1, 6.0, 1.0), ("maximum", 2, 6.0, 1.0)]
    ... ]
    >>> summary = summarise(records, ["average", "maximum"], {"EN": "higher-is-better"})
    >>> from brainfuse.bench.report import speed_csv
    >>> print(speed_csv(summary))
    pair_set,method,n,median_ms
    MRI-CT,average,2,3.0
    MRI-CT,maximum,2,1.0
    <BLANKLINE>
    """
    rows: list[list[Any]] = [["pair_set", "method", "n", "median_ms"]]
    rows += [[s.pair_set, s.method, s.n, round(s.median_ms, 3)] for s in summary.stats]
    return _csv(rows)


def _fmt(v: float) -> str:
    if math.isnan(v):
        return "nan"
    return f"{v:.2f}" if abs(v) >= 10 else f"{v:.3f}"


def _published_table(
    pair_set: str, summary: Summary, rows: list[PublishedRow]
) -> tuple[list[str], list[list[str]]]:
    """Our means next to the published rows, ranked together per metric."""
    metrics = [m for m in rows[0].values if m in summary.metrics]
    ours = [s for s in summary.stats if s.pair_set == pair_set]
    names = [f"**{s.method}** (BrainFuse)" for s in ours] + [
        f"{r.method} ({r.source})" for r in rows
    ]
    values = [[s.mean[m] for m in metrics] for s in ours] + [
        [r.values[m] for m in metrics] for r in rows
    ]
    ranks = [
        _ranks([v[j] for v in values], summary.direction.get(m, HIGHER))
        for j, m in enumerate(metrics)
    ]
    body = [
        [name, *[f"{_fmt(v[j])} ({ranks[j][i]})" for j in range(len(metrics))]]
        for i, (name, v) in enumerate(zip(names, values, strict=True))
    ]
    return ["method", *metrics], body


def _set_table(summary: Summary, pair_set: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one pair set's summary: mean ± std (rank) per metric, ms/pair."""
    arrows = {m: ARROWS[summary.direction.get(m, HIGHER)] for m in summary.metrics}
    header = ["method", "n", *[f"{m} {arrows[m]}" for m in summary.metrics], "ms/pair"]
    body = [
        [
            s.method,
            str(s.n),
            *[f"{_fmt(s.mean[m])} ± {_fmt(s.std[m])} ({s.rank[m]})" for m in summary.metrics],
            f"{s.median_ms:.2f}",
        ]
        for s in summary.stats
        if s.pair_set == pair_set
    ]
    return header, body


def _md_table(header: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def summary_markdown(
    summary: Summary, settings: dict[str, Any], published: dict[str, list[PublishedRow]]
) -> str:
    """``summary.md``: per pair set, mean ± std (rank), speed and the published rows.

    Parameters
    ----------
    summary : Summary
        The summary (:func:`summarise`).
    settings : dict
        The run's settings, listed at the top (pairs, methods, profile ...).
    published : dict of str to list of PublishedRow
        Published rows per pair set (empty lists or no key: none shown).

    Returns
    -------
    text : str
        Markdown.

    Examples
    --------
    >>> from brainfuse.bench.report import summarise
    >>> records = [
    ...     {"method": m, "pair_set": "MRI-CT", "name": f"{i}.png", "metrics": {"EN": en}, "ms": ms}
    ...     for m, i, en, ms in [("average", 1, 4.0, 2.0), ("average", 2, 5.0, 4.0),
    ...                          ("maximum", 1, 6.0, 1.0), ("maximum", 2, 6.0, 1.0)]
    ... ]
    >>> summary = summarise(records, ["average", "maximum"], {"EN": "higher-is-better"})
    >>> from brainfuse.bench.report import summary_markdown
    >>> print(summary_markdown(summary, {"profile": "paper"}, {}).splitlines()[-3])
    | maximum | 2 | 6.000 ± 0.000 (1) | 1.00 |
    """
    out = ["# BrainFuse benchmark", ""]
    out += [f"- {k}: {v}" for k, v in settings.items()]
    out += [
        "",
        "Cells: mean ± sample standard deviation over the pairs, (rank among the methods run; "
        "1 = best). Arrows: ↑ higher is better, ↓ lower is better, →0 closest to zero is best.",
    ]
    for pair_set in sorted({s.pair_set for s in summary.stats}):
        header, body = _set_table(summary, pair_set)
        out += ["", f"## {pair_set}", "", _md_table(header, body)]
        if pair_set in published:
            h, b = _published_table(pair_set, summary, published[pair_set])
            out += [
                "",
                f"Published results on the same {pair_set} pairs (CDDFuse protocol); "
                "(rank among all rows):",
                "",
                _md_table(h, b),
            ]
        out += ["", f"![methods × pairs](grid_{pair_set}.png)"]
    out.append("")
    return "\n".join(out)


def _html_table(header: list[str], body: list[list[str]], cls: str = "") -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in row) + "</tr>" for row in body
    )
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _html_cell(cell: str) -> str:
    text = html.escape(cell)
    if text.startswith("**") and "**" in text[2:]:
        end = text.index("**", 2)
        text = f"<b>{text[2:end]}</b>{text[end + 2 :]}"
    return text


def summary_html(
    summary: Summary,
    settings: dict[str, Any],
    published: dict[str, list[PublishedRow]],
    notes: list[str],
) -> str:
    """``index.html``: the summary tables, the published rows, speed and the picture grids.

    Parameters
    ----------
    summary : Summary
        The summary (:func:`summarise`).
    settings : dict
        The run's settings, listed at the top (pairs, methods, profile ...).
    published : dict of str to list of PublishedRow
        Published rows per pair set (empty lists or no key: none shown).
    notes : list of str
        Notes shown above the tables (failed tasks, for instance).

    Returns
    -------
    text : str
        The HTML page (values escaped).
    """
    esc = html.escape
    parts = []
    for pair_set in sorted({s.pair_set for s in summary.stats}):
        header, body = _set_table(summary, pair_set)
        parts.append(f"<h2>{esc(pair_set)}</h2>{_html_table(header, body)}")
        if pair_set in published:
            h, b = _published_table(pair_set, summary, published[pair_set])
            parts.append(
                f"<p>Published results on the same {esc(pair_set)} pairs (CDDFuse protocol), "
                f"ranked together with ours:</p>{_html_table(h, b, 'pub')}"
            )
        parts.append(
            f"<p><img class='grid' src='grid_{esc(pair_set)}.png' alt='methods x pairs "
            f"{esc(pair_set)}'></p>"
        )
    items = "".join(f"<li>{esc(k)}: {esc(str(v))}</li>" for k, v in settings.items())
    note_html = "".join(f"<p class='note'>{esc(n)}</p>" for n in notes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BrainFuse benchmark</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; margin: .5em 0 1em; font-size: 90%; }}
td, th {{ padding: 3px 8px; border-bottom: 1px solid #ccc; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
table.pub td {{ color: #444; }} .note {{ color: #a40; }}
img.grid {{ max-width: 100%; }}
</style></head><body>
<h1>BrainFuse benchmark</h1>
<ul>{items}</ul>
<p>Cells: mean ± sample standard deviation over the pairs (rank among the methods run; 1 = best);
↑ higher is better, ↓ lower is better, →0 closest to zero is best; ms/pair: median fusion
time per pair.
Files: <a href="pairs.csv">pairs.csv</a> (every pair), <a href="summary.csv">summary.csv</a>,
<a href="summary.md">summary.md</a>, <a href="speed.csv">speed.csv</a>, fused images in
<a href="fused/">fused/</a>.</p>
{note_html}
{"".join(parts)}
</body></html>
"""


def write_report(
    out: Path,
    summary: Summary,
    settings: dict[str, Any],
    published: dict[str, list[PublishedRow]],
    notes: list[str],
) -> Path:
    """Write ``pairs.csv``, ``summary.csv``, ``speed.csv``, ``summary.md`` and ``index.html``.

    Each file is written atomically.

    Parameters
    ----------
    out : pathlib.Path
        The report folder.
    summary : Summary
        The summary (:func:`summarise`).
    settings : dict
        The run's settings, listed at the top (pairs, methods, profile ...).
    published : dict of str to list of PublishedRow
        Published rows per pair set (empty lists or no key: none shown).
    notes : list of str
        Notes for the HTML page.

    Returns
    -------
    index : pathlib.Path
        The path of ``index.html``.
    """
    _write_text(out / "pairs.csv", pairs_csv(summary))
    _write_text(out / "summary.csv", summary_csv(summary))
    _write_text(out / "speed.csv", speed_csv(summary))
    _write_text(out / "summary.md", summary_markdown(summary, settings, published))
    index = out / "index.html"
    _write_text(index, summary_html(summary, settings, published, notes))
    return index
