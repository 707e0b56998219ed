"""Every public statistics function refuses bad input with a ValueError naming the argument
and the rule (issue 12, item 3).  One table: function, arguments, expected message.

The issue's own cases are marked ``# issue 12``: before the checks, ``association_test``
turned a negative count into "fewer than two non-empty answers", tested fractional counts
as truncated integers, crashed with numpy's AxisError (1-D) or "cannot convert float NaN to
integer"; ``sign_test`` raised a bare IndexError on levels/counts of different length and
truncated fractional counts; ``welch`` with both sds 0 returned t = +-inf and p = NaN where
R's ``t.test`` stops with "data are essentially constant".
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

from tasks.stats import contingency, correlation, describe, multiple, reliability, ttest
from tasks.stats.contingency import association_test
from tasks.stats.correlation import correlate, correlation_matrix, fisher_z_ci
from tasks.stats.describe import mean_ci, median_from_counts
from tasks.stats.multiple import holm
from tasks.stats.reliability import cronbach_alpha
from tasks.stats.ttest import one_sample_t, sign_test, welch

NAN = float("nan")
GOOD = [[10, 12], [11, 9]]
LEVELS = [1, 2, 3]

CASES = [
    # ---- contingency tables
    (
        association_test,
        ([[1, -2], [3, 4]],),
        {},
        "table must hold non-negative counts, got -2 at (0, 1)",
    ),  # issue 12
    (
        association_test,
        ([[1.6, 2.6], [3.9, 4.9]],),
        {},
        "table must hold whole-number counts, got 1.6 at (0, 0)",
    ),  # issue 12
    (
        association_test,
        ([3, 4, 5],),
        {},
        "table must be a two-dimensional table of counts (rows x columns), got shape (3,)",
    ),  # issue 12
    (
        association_test,
        ([[1, NAN], [3, 4]],),
        {},
        "table must not hold NaN counts (a missing count is not a zero), got nan at (0, 1)",
    ),  # issue 12
    (
        association_test,
        ([[1, np.inf], [3, 4]],),
        {},
        "table must hold finite counts, got inf at (0, 1)",
    ),
    (association_test, (np.zeros((0, 3)),), {}, "table must not be empty, got shape (0, 3)"),
    (
        association_test,
        (np.ones((2, 2, 2)),),
        {},
        "table must be a two-dimensional table of counts",
    ),
    (association_test, ([["a", "b"], ["c", "d"]],), {}, "table must be a numeric table of counts"),
    (
        association_test,
        (GOOD,),
        {"correction": "yes"},
        "correction must be True or False, got 'yes'",
    ),
    (association_test, (GOOD,), {"resamples": 0}, "resamples must be a positive integer, got 0"),
    # ---- sign test
    (
        sign_test,
        ([5, 4, 3, 2, 1], [10, 10, 13, 13]),
        {},
        "levels and counts must have the same length, got 5 and 4",
    ),  # issue 12
    (
        sign_test,
        (LEVELS, [1.5, 2, 3]),
        {},
        "counts must hold whole-number counts, got 1.5 at 0",
    ),  # issue 12
    (sign_test, (LEVELS, [1, -2, 3]), {}, "counts must hold non-negative counts, got -2 at 1"),
    (
        sign_test,
        (LEVELS, [1, NAN, 3]),
        {},
        "counts must not hold NaN counts (a missing count is not a zero), got nan at 1",
    ),
    (sign_test, ([1, NAN, 3], [1, 2, 3]), {}, "levels must be finite numbers"),
    (sign_test, (LEVELS, [1, 2, 3], NAN), {}, "mu must be a finite number, got nan"),
    # ---- one-sample t test
    (
        one_sample_t,
        (LEVELS, [1, 2]),
        {},
        "levels and counts must have the same length, got 3 and 2",
    ),
    (one_sample_t, (LEVELS, [1.5, 2, 3]), {}, "counts must hold whole-number counts, got 1.5 at 0"),
    (one_sample_t, (LEVELS, [-1, 2, 3]), {}, "counts must hold non-negative counts, got -1 at 0"),
    (one_sample_t, (LEVELS, [NAN, 2, 3]), {}, "counts must not hold NaN counts"),
    (
        one_sample_t,
        ([1, 2], [0, 5], 1.5),
        {},
        "counts put all 5 observations at one level: data are essentially constant (R t.test)",
    ),
    (
        one_sample_t,
        ([1, 2], [1, 0], 1.5),
        {},
        "counts must hold at least 2 observations (R t.test: not enough 'x' observations), "
        "got n = 1",
    ),
    (
        one_sample_t,
        (LEVELS, [1, 2, 3]),
        {"conf_level": 1.5},
        "conf_level must be a number in (0, 1), got 1.5",
    ),
    (
        one_sample_t,
        (LEVELS, [1, 2, 3]),
        {"degenerate": "skip"},
        "degenerate must be one of ('raise', 'nan'), got 'skip'",
    ),
    # ---- Welch from summary statistics
    (
        welch,
        (5, 3.0, 0.0, 6, 4.0, 0.0),
        {},
        "s1 and s2 are both 0: data are essentially constant (R t.test)",
    ),  # issue 12
    (
        welch,
        (5, 3.0, -1.0, 6, 4.0, 1.0),
        {},
        "s1 must be a non-negative standard deviation, got -1.0",
    ),
    (welch, (5.5, 3.0, 1.0, 6, 4.0, 1.0), {}, "n1 must be a non-negative whole number, got 5.5"),
    (welch, (5, 3.0, 1.0, -6, 4.0, 1.0), {}, "n2 must be a non-negative whole number, got -6"),
    (
        welch,
        (1, 3.0, 1.0, 6, 4.0, 1.0),
        {},
        "n1 must be at least 2 (R t.test: not enough observations), got 1",
    ),
    (welch, (5, NAN, 1.0, 6, 4.0, 1.0), {}, "m1 must be a finite number, got nan"),
    (welch, (5, 3.0, 1.0, 6, 4.0, NAN), {}, "s2 must be a finite number, got nan"),
    (
        welch,
        (5, 3.0, 1.0, 6, 4.0, 1.0),
        {"conf_level": 0},
        "conf_level must be a number in (0, 1), got 0",
    ),
    # ---- reliability
    (
        cronbach_alpha,
        ([1, 2, 3],),
        {},
        "data must be two-dimensional (respondents x items), got shape (3,)",
    ),
    (
        cronbach_alpha,
        ([[1, 2], [np.inf, 3], [2, 2]],),
        {},
        "data must hold finite scores or NaN (missing), got an infinity",
    ),
    (cronbach_alpha, ([["a", "b"], ["c", "d"]],), {}, "data must be numeric"),
    (
        cronbach_alpha,
        ([[1, 2], [2, 3], [3, 3]],),
        {"conf_level": 2},
        "conf_level must be a number in (0, 1), got 2",
    ),
    # ---- multiple comparisons
    (holm, ([0.01, 1.5],), {}, "pvalues must lie in [0, 1], got 1.5"),
    (holm, ([[0.01, 0.2]],), {}, "pvalues must be one-dimensional, got shape (1, 2)"),
    (holm, (["a", "b"],), {}, "pvalues must be numeric"),
    # ---- descriptive
    (mean_ci, (), {"counts": [1, -1]}, "counts must be finite and non-negative (NaN counts as 0)"),
    (
        mean_ci,
        (),
        {"counts": [1, 2], "levels": [1]},
        "levels and counts must have the same length, got 1 and 2",
    ),
    (mean_ci, ([1.0, 2.0],), {"counts": [1, 2]}, "give exactly one of values or counts"),
    (mean_ci, ([1.0, 2.0],), {"conf_level": 95}, "conf_level must be a number in (0, 1), got 95"),
    (median_from_counts, (LEVELS, [1.5, 2, 3]), {}, "counts must be whole numbers for a median"),
    (
        median_from_counts,
        (LEVELS, [1, 2]),
        {},
        "levels and counts must have the same length, got 3 and 2",
    ),
    # ---- correlation (existing checks, kept)
    (correlate, ([1, 2, 3], [1, 2]), {}, "x and y must have the same length, got 3 and 2"),
    (
        correlate,
        ([1, 2, 3], [1, 2, 3]),
        {"method": "pearsn"},
        "method must be one of ('pearson', 'spearman', 'kendall'), got 'pearsn'",
    ),
    (
        correlate,
        ([1, 2, 3], [1, 2, 3]),
        {"alternative": "both"},
        "alternative must be 'two-sided' (or 'two.sided'), 'greater' or 'less', got 'both'",
    ),
    (correlate, (["a", "b", "c"], [1, 2, 3]), {}, "x must be numeric"),
    (correlate, ([[1, 2], [3, 4]], [1, 2]), {}, "x must be one-dimensional, got shape (2, 2)"),
    (correlation_matrix, ([1, 2, 3],), {}, "data must be two-dimensional, got shape (3,)"),
    (
        correlation_matrix,
        ([[1, 2], [3, 4]],),
        {"conf_level": 1.0},
        "conf_level must be a number in (0, 1), got 1.0",
    ),
    (fisher_z_ci, (1.2, 20), {}, "r must lie in [-1, 1], got 1.2"),
    (
        fisher_z_ci,
        (0.2, 20),
        {"conf_level": -0.5},
        "conf_level must be a number in (0, 1), got -0.5",
    ),
]


@pytest.mark.parametrize(
    ("func", "args", "kwargs", "message"),
    CASES,
    ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)],
)
def test_bad_input_raises_value_error_naming_argument_and_rule(func, args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        func(*args, **kwargs)


def test_every_public_statistics_function_is_in_the_table():
    public = {
        getattr(module, name)
        for module in (contingency, correlation, describe, multiple, reliability, ttest)
        for name in module.__all__
        if inspect.isfunction(getattr(module, name))
    }
    assert public == {c[0] for c in CASES}


def test_degenerate_nan_gives_a_row_with_the_reason_instead_of_raising():
    t = one_sample_t([1, 2], [0, 5], 1.5, degenerate="nan")
    assert np.isnan(t["t"]) and np.isnan(t["p"]) and "essentially constant" in t["note"]
    w = welch(5, 3.0, 0.0, 6, 4.0, 0.0, degenerate="nan")
    assert np.isnan(w["t_statistic"]) and np.isnan(w["p_value"])
    assert w["note"].startswith("not computed: s1 and s2 are both 0")
    # one sd 0 is fine (R too): only the other sample varies
    assert np.isfinite(welch(5, 3.0, 0.0, 6, 4.0, 1.0)["p_value"])
