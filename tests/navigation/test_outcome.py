"""Table 1 of Peng et al. (2022) reproduced from its case values."""

from __future__ import annotations

import numpy as np

from brainfuse.navigation.outcome import evacuation_rate, peng_table1, summarise


def test_her_per_case_matches_the_printed_column() -> None:
    cases = peng_table1()
    her = evacuation_rate(
        np.array([c["pre_ml"] for c in cases]), np.array([c["post_ml"] for c in cases])
    )
    printed = np.array([c["her_percent"] for c in cases])
    assert len(cases) == 8
    np.testing.assert_allclose(her, printed, atol=0.006)


def test_summary_numbers_of_the_article() -> None:
    s = summarise(peng_table1())
    assert round(s["her_mean"], 2) == 47.36 and round(s["her_sd"], 2) == 9.16
    assert round(s["deviation_mean"], 2) == 5.76 and round(s["deviation_sd"], 2) == 0.80
    assert round(s["t"], 2) == 5.03 and s["df"] == 7
    assert round(s["p"], 3) == 0.002 and 0.0014 < s["p"] < 0.0016
