"""The bench report ranks each metric in its own direction."""

from __future__ import annotations

from brainfuse.bench.report import summarise
from brainfuse.metrics import get_profile


def _records(metric: str, values: dict[str, float]) -> list[dict]:
    return [
        {"method": m, "pair_set": "MRI-PET", "name": "1.png", "metrics": {metric: v}, "ms": 1.0}
        for m, v in values.items()
    ]


def test_rsfe_ranks_closest_to_zero_first_and_ce_lowest_first():
    paper = get_profile("paper")
    values = {"a": 0.30, "b": -0.05, "c": -0.60}
    direction = {"rSFe": paper.metric("rSFe").direction}
    summary = summarise(_records("rSFe", values), list(values), direction)
    assert {s.method: s.rank["rSFe"] for s in summary.stats} == {"a": 2, "b": 1, "c": 3}
    direction = {"CE": paper.metric("CE").direction}
    summary = summarise(_records("CE", values), list(values), direction)
    assert {s.method: s.rank["CE"] for s in summary.stats} == {"a": 3, "b": 2, "c": 1}
    direction = {"EN": paper.metric("EN").direction}
    summary = summarise(_records("EN", values), list(values), direction)
    assert {s.method: s.rank["EN"] for s in summary.stats} == {"a": 1, "b": 2, "c": 3}
