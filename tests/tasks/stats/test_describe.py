"""Tests for tasks.stats.describe against published R output."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.stats.describe import mean_ci, median_from_counts

pytestmark = pytest.mark.filterwarnings("error")

# R's mtcars$mpg (see test_correlation.py for the whole table)
MPG = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2,
       10.4, 10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4,
       15.8, 19.7, 15.0, 21.4]  # fmt: skip
# R's mtcars$cyl as a frequency table: table(mtcars$cyl) = 4:11, 6:7, 8:14
CYL = [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8,
       6, 8, 4]  # fmt: skip

_settings = settings(max_examples=60, deadline=None)


# --------------------------------------------------------------------------- #
# mean_ci
# --------------------------------------------------------------------------- #


def test_mean_ci_matches_r_t_test_mtcars_mpg():
    # R: t.test(mtcars$mpg, mu = 20): 95 percent confidence interval
    #    17.91768 22.26357, mean of x 20.09062
    # https://insightr.press/tutorial/one-sample-t-test/index.html
    # R: sd(mtcars$mpg) = 6.026948
    # https://rstudio-pubs-static.s3.amazonaws.com/1037574_4b052d125064446cb1699aa15ad79cd0.html
    r = mean_ci(MPG)
    assert list(r) == ["mean", "sd", "n", "ci_low", "ci_high"]
    assert r["n"] == 32 and isinstance(r["n"], int)
    assert r["mean"] == pytest.approx(20.09062, rel=1e-6)
    assert r["sd"] == pytest.approx(6.026948, rel=1e-6)
    assert r["ci_low"] == pytest.approx(17.91768, rel=1e-6)
    assert r["ci_high"] == pytest.approx(22.26357, rel=1e-6)
    for key in ("mean", "sd", "ci_low", "ci_high"):
        assert type(r[key]) is float


def test_mean_ci_matches_r_t_test_with_unusual_level():
    # R: t.test(x = c(30, 28, 32, 26, 33, 25, 28, 30), conf.level = .05, mu = 31):
    #    5 percent confidence interval 28.93618 29.06382, mean of x 29
    # https://rstudio-pubs-static.s3.amazonaws.com/597103_aa5e3a7177dc47edb415dad89ef285db.html
    r = mean_ci([30, 28, 32, 26, 33, 25, 28, 30], conf_level=0.05)
    assert r["mean"] == 29.0
    assert r["ci_low"] == pytest.approx(28.93618, rel=1e-6)
    assert r["ci_high"] == pytest.approx(29.06382, rel=1e-6)


def test_mean_ci_counts_equal_raw_values():
    raw = mean_ci(CYL)
    for kwargs in (
        {"counts": [11, 7, 14], "levels": [4, 6, 8]},
        {"counts": [14, 11, 7], "levels": [8, 4, 6]},
        {"counts": {4: 11, 6: 7, 8: 14}},
        {"counts": pd.Series([11, 7, 14], index=[4, 6, 8])},
        {"counts": [11, 0, 7, np.nan, 14], "levels": [4, 5, 6, 7, 8]},
    ):
        tab = mean_ci(**kwargs)
        assert tab["n"] == raw["n"] == 32
        for key in ("mean", "sd", "ci_low", "ci_high"):
            assert tab[key] == pytest.approx(raw[key], rel=1e-13), (kwargs, key)


def test_mean_ci_default_levels_are_one_to_k():
    likert = mean_ci(counts=[2, 0, 3, 5, 10])  # a 5-point item
    raw = mean_ci([1] * 2 + [3] * 3 + [4] * 5 + [5] * 10)
    assert likert == pytest.approx(raw, rel=1e-13)


def test_mean_ci_drops_missing_and_handles_tiny_samples():
    assert mean_ci([1.0, None, 3.0, np.nan, pd.NA])["n"] == 2
    one = mean_ci([4.0, np.nan])
    assert one["n"] == 1 and one["mean"] == 4.0
    assert math.isnan(one["sd"]) and math.isnan(one["ci_low"]) and math.isnan(one["ci_high"])
    none = mean_ci([np.nan, np.nan])
    assert none["n"] == 0 and math.isnan(none["mean"])
    empty = mean_ci(counts=[0, 0, 0])
    assert empty["n"] == 0 and math.isnan(empty["mean"])
    constant = mean_ci([2, 2, 2])
    assert constant["sd"] == 0.0 and constant["ci_low"] == constant["ci_high"] == 2.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"values": [1, 2], "counts": [1, 2]},
        {"values": [1, 2], "levels": [1, 2]},
        {"counts": [1, 2], "levels": [1, 2, 3]},
        {"counts": [1, -2]},
        {"counts": [1, 2], "levels": [1, np.nan]},
        {"values": [1, 2, 3], "conf_level": 1.0},
        {"values": [1, 2, 3], "conf_level": 0},
        {"values": ["a", "b"]},
    ],
)
def test_mean_ci_usage_errors(kwargs):
    with pytest.raises(ValueError):
        mean_ci(**kwargs)


# --------------------------------------------------------------------------- #
# median_from_counts
# --------------------------------------------------------------------------- #


def test_median_from_counts_examples():
    # R: median(mtcars$cyl) = 6
    assert median_from_counts([4, 6, 8], [11, 7, 14]) == 6.0
    assert median_from_counts([1, 2, 3, 4, 5], [1, 1, 0, 1, 1]) == 3.0  # even n: (2 + 4) / 2
    assert median_from_counts([5, 1, 3], [1, 2, 1]) == 2.0  # unsorted levels: 1 1 3 5
    assert median_from_counts([1, 2], [3, 0]) == 1.0
    assert math.isnan(median_from_counts([1, 2, 3], [0, 0, 0]))
    assert math.isnan(median_from_counts([], []))


@pytest.mark.parametrize(
    ("levels", "counts"),
    [([1, 2], [1]), ([1, 2], [1, -1]), ([1, 2], [1.5, 2]), (["a", "b"], [1, 2])],
)
def test_median_from_counts_usage_errors(levels, counts):
    with pytest.raises(ValueError):
        median_from_counts(levels, counts)


@_settings
@given(
    st.lists(
        st.tuples(st.floats(-100, 100, allow_nan=False), st.integers(0, 6)),
        min_size=1,
        max_size=8,
    )
)
def test_property_median_equals_expanded_median(table):
    levels = [lv for lv, _ in table]
    counts = [c for _, c in table]
    expanded = np.repeat(levels, counts)
    result = median_from_counts(levels, counts)
    if expanded.size == 0:
        assert math.isnan(result)
    else:
        assert result == pytest.approx(float(np.median(expanded)), rel=1e-12, abs=1e-12)
