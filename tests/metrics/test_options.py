"""Option arguments of the metric functions are checked: a typo or a value of the wrong kind
is an InputError naming the option and what it allows, never a silent default branch or a
Python conversion error. The Examples sections of the package run as written."""

from __future__ import annotations

import doctest
import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from brainfuse.errors import InputError
from brainfuse.metrics import (
    average_gradient,
    entropy,
    evaluate,
    feature_mutual_information,
    mef_ssim,
    mutual_information,
    nava_mutual_information,
    normalized_mutual_information,
    piella,
    psnr,
    qabf,
    qcb,
    qcv,
    rmse,
    spatial_frequency,
    ssim,
    tsallis_mutual_information,
    vifp,
)
from brainfuse.metrics._common import correlate_same
from brainfuse.metrics.information import mutual_information_pair
from brainfuse.metrics.noreference import grey_levels
from brainfuse.metrics.structural import ssim_map

A = np.tile(np.arange(64.0) * 4, (64, 1))
B = A.T.copy()
F = (A + B) / 2
Call = Callable[..., Any]


def _triple(fn: Call) -> Call:
    return lambda **kw: fn(F, A, B, **kw)


CASES: list[tuple[str, Call, dict[str, Any], str]] = [
    (
        "rmse",
        _triple(rmse),
        {"per_source": "typo"},
        "per_source' of rmse() must be 'rmse' or 'vifb'",
    ),
    ("psnr-word", _triple(psnr), {"peak": "maximum"}, "peak' of psnr() must be 'max' or a finite"),
    ("psnr-zero", _triple(psnr), {"peak": 0}, "must be 'max' or a finite number > 0, got 0"),
    ("psnr-bool", _triple(psnr), {"peak": True}, "peak' of psnr()"),
    ("psnr-source", _triple(psnr), {"per_source": "rmse"}, "must be 'mse' or 'vifb'"),
    ("entropy", lambda **kw: entropy(F, **kw), {"quantise": "ceil"}, "'round' or 'floor'"),
    ("levels", lambda **kw: grey_levels(F, **kw), {"quantise": 1}, "quantise' of grey_levels"),
    ("sf", lambda **kw: spatial_frequency(F, **kw), {"normalise": "pixel"}, "'pairs' or 'pixels'"),
    ("ag", lambda **kw: average_gradient(F, **kw), {"differences": "back"}, "differences'"),
    ("ag-den", lambda **kw: average_gradient(F, **kw), {"denominator": "all"}, "denominator'"),
    ("mi", _triple(mutual_information), {"bins": "256"}, "'values' or 'grey' or 'minmax'"),
    ("mi-base", _triple(mutual_information), {"base": 1}, "number > 0 other than 1, got 1"),
    ("mi-pair", lambda **kw: mutual_information_pair(A, B, **kw), {"base": "e"}, "base'"),
    ("nmi", _triple(normalized_mutual_information), {"normalise": "yes"}, "True or False"),
    ("te", _triple(tsallis_mutual_information), {"q": 1.0}, "q' of tsallis"),
    ("te-liu", _triple(tsallis_mutual_information), {"liu_marginals": 1}, "True or False"),
    ("nava", _triple(nava_mutual_information), {"q": -0.5}, "q' of nava"),
    ("fmi", _triple(feature_mutual_information), {"feature": "pixels"}, "'none' or 'edge'"),
    ("fmi-w", _triple(feature_mutual_information), {"window": 2.5}, "an integer ≥ 2, got 2.5"),
    ("ssim", _triple(ssim), {"window": "box"}, "'gaussian' or 'uniform'"),
    ("ssim-size", _triple(ssim), {"win_size": 8}, "an odd integer ≥ 3, got 8"),
    ("ssim-range", _triple(ssim), {"data_range": 0}, "data_range' of ssim()"),
    ("ssim-sum", _triple(ssim), {"combine": "add"}, "'mean' or 'sum'"),
    ("ssim-map", lambda **kw: ssim_map(A, B, **kw), {"k1": -1}, "k1' of ssim_map()"),
    ("piella", _triple(piella), {"variant": "QS"}, "'Q_S' or 'Q_W' or 'Q_E'"),
    ("mef", _triple(mef_ssim), {"levels": 4}, "an integer in [1, 3], got 4"),
    ("qabf", _triple(qabf), {"intensity_scale": float("nan")}, "intensity_scale'"),
    ("vifp", _triple(vifp), {"combine": "avg"}, "combine' of vifp()"),
    ("vifp-n", _triple(vifp), {"sigma_nsq": -2}, "sigma_nsq' of vifp()"),
    ("qcb", _triple(qcb), {"unit_scale": "true"}, "unit_scale' of qcb()"),
    ("qcv", _triple(qcv), {"alpha": 0}, "alpha' of qcv()"),
    ("border", lambda **kw: correlate_same(A, np.ones((3, 3)), **kw), {"border": "wrap"}, "'zero'"),
]


@pytest.mark.parametrize(
    ("fn", "kwargs", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_bad_option_is_refused_by_name(fn: Call, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=None) as info:
        fn(**kwargs)
    assert message in str(info.value)
    assert str(info.value).startswith(f"option '{next(iter(kwargs))}' of ")


def test_good_options_keep_their_values() -> None:
    # NumPy scalars and ints are numbers; the values are those of the plain defaults.
    assert psnr(F, A, B, peak=np.float32(255)) == psnr(F, A, B)
    assert psnr(F, A, B, peak=255) == psnr(F, A, B)
    assert ssim(F, A, B, win_size=np.int64(11)) == ssim(F, A, B)
    assert normalized_mutual_information(F, A, B, normalise=np.bool_(False)) == (
        normalized_mutual_information(F, A, B)
    )
    assert rmse(F, A, B, per_source="vifb") == pytest.approx(52.2494 / 64, rel=1e-4)


def test_evaluate_refuses_metric_names_that_are_not_text() -> None:
    with pytest.raises(InputError, match="--metrics: expected metric names or 'all', got 5"):
        evaluate(F, A, B, metrics=5)  # type: ignore[arg-type]
    assert list(evaluate(F, A, B, metrics=(n for n in ("SD", "EN")))) == ["SD", "EN"]


MODULES = [
    "noreference",
    "sources",
    "information",
    "fmi",
    "structural",
    "edges",
    "phase",
    "hvs",
    "ranking",
    "grey",
    "profiles",
    "evaluate",
    "protocol",
    "batch",
]


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_examples(module: str) -> None:
    """Each module shows its functions in examples (tests/test_doctests.py runs them all)."""
    mod = importlib.import_module(f"brainfuse.metrics.{module}")
    attempted = sum(len(t.examples) for t in doctest.DocTestFinder().find(mod))
    assert attempted > 0
