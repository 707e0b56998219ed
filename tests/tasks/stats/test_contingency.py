"""Chi-square labelling and Yates' continuity correction against published R output.

The survey analyses keep the uncorrected chi-square (R ``chisq.test(x, correct = FALSE)``;
its R reference values are in tests/tasks/survey/test_analyses.py); ``correction=True`` is R's
default ``chisq.test(x)``.  Where each reference value was printed is noted next to it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats.contingency import association

from tasks.stats.contingency import association_test

# Dalgaard, P. Introductory Statistics with R, Springer, "Two independent proportions" (section 8.2
# of the 2nd ed.; p. 133 of the 1st, copy: https://fliphtml5.com/pnbjj/nbne/introductory-statistics-
# with-r/150): Lewitt & Machin, 9 of 12 vs 4 of 13 successes. R prints for
# prop.test(c(9, 4), c(12, 13)) and chisq.test(matrix(c(9, 4, 3, 9), 2)):
# "with Yates' continuity correction ... X-squared = 3.2793, df = 1, p-value = 0.07016".
LEWITT_MACHIN = [[9, 3], [4, 9]]
# Cross Validated question "Discrepancy between chi-square with Yates correction calculated by
# Excel and R" (copy: https://answerofmath.com/solved-discrepancy-between-chi-square-with-
# yates-correction-calculated-by-excel-and-r/): chisq.test(matrix(c(51, 51, 76, 26), 2)) prints
# "Pearson's Chi-squared test with Yates' continuity correction
#  X-squared = 12.016, df = 1, p-value = 0.0005275".
CROSS_VALIDATED = [[51, 76], [51, 26]]


@pytest.mark.parametrize(
    ("table", "statistic", "decimals", "p_value"),
    [(LEWITT_MACHIN, 3.2793, 4, 0.07016), (CROSS_VALIDATED, 12.016, 3, 0.0005275)],
)
def test_correction_true_is_r_chisq_test_default_on_2x2(table, statistic, decimals, p_value):
    r = association_test(table, correction=True)
    assert r["test"] == "chi-square" and r["df"] == 1
    assert round(r["statistic"], decimals) == statistic
    assert r["p_value"] == pytest.approx(p_value, rel=1e-4)
    assert r["continuity_correction"] is True
    assert "with Yates' continuity correction" in r["note"]
    # Cramér's V stays the uncorrected one (as scipy's association)
    assert r["cramers_v"] == pytest.approx(association(np.array(table)), rel=1e-12)


def test_default_is_uncorrected_and_says_so():
    r = association_test(LEWITT_MACHIN)
    assert r["continuity_correction"] is False
    assert (
        r["note"]
        == "Pearson chi-square test without continuity correction (expected counts adequate)"
    )
    # the uncorrected statistic is larger than R's corrected 3.2793
    assert r["statistic"] > 3.2793 and r["p_value"] < 0.07016


def test_correction_only_applies_to_2x2_tables_as_in_r():
    # R ?chisq.test example (Agresti 2007, p. 39), 2 x 3: chisq.test(M) with R's default
    # correct = TRUE prints X-squared = 30.07, df = 2, p-value = 2.954e-07 (no correction on
    # tables larger than 2 x 2)
    m = [[762, 327, 468], [484, 239, 477]]
    r = association_test(m, correction=True)
    assert round(r["statistic"], 2) == 30.07
    assert r["p_value"] == pytest.approx(2.954e-07, rel=1e-3)
    assert r["continuity_correction"] is False
    assert "without continuity correction (R applies it to 2x2 tables only)" in r["note"]


def test_fisher_rows_say_how_the_reported_statistic_was_computed():
    # R ?fisher.test "Tea tasting": fisher.test(matrix(c(3, 1, 1, 3), 2)) p-value = 0.4857
    r = association_test([[3, 1], [1, 3]], correction=True)
    assert r["test"] == "fisher-exact" and r["p_value"] == pytest.approx(0.4857, abs=1e-4)
    assert r["note"].endswith("statistic: Pearson chi-square with Yates' continuity correction")
    plain = association_test([[3, 1], [1, 3]])
    assert plain["note"].endswith("statistic: Pearson chi-square without continuity correction")
