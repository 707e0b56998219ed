"""Tests for tasks.stats.correlation against published R ``cor.test`` output.

Where each reference value comes from is noted next to it.  R prints 4 to 7
significant digits; values are compared to that printed precision (relative
1e-6 where R printed 7 digits, else half a unit of the last printed digit).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.stats import _correlation_pairs
from tasks.stats.correlation import COLUMNS, correlate, correlation_matrix, fisher_z_ci

# numpy/scipy RuntimeWarnings must never leak out of the engine
pytestmark = [
    pytest.mark.filterwarnings("error"),
    # hypothesis warns when the global `random` state moves while it draws; in a full run a
    # background thread left by an earlier Prefect test can move it (not our strategies)
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

# --------------------------------------------------------------------------- #
# public data
# --------------------------------------------------------------------------- #

# R's built-in `mtcars` (Henderson & Velleman 1981, Motor Trend 1974), in R's row
# order.  The transcription is checked against R's printed cov(mtcars) and
# cor(mtcars, method = "kendall") in test_mtcars_transcription / the matrix test.
MTCARS = pd.DataFrame(
    {
        "mpg": [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3,
                15.2, 10.4, 10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3,
                26.0, 30.4, 15.8, 19.7, 15.0, 21.4],
        "cyl": [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4,
                4, 4, 8, 6, 8, 4],
        "disp": [160.0, 160.0, 108.0, 258.0, 360.0, 225.0, 360.0, 146.7, 140.8, 167.6, 167.6,
                 275.8, 275.8, 275.8, 472.0, 460.0, 440.0, 78.7, 75.7, 71.1, 120.1, 318.0,
                 304.0, 350.0, 400.0, 79.0, 120.3, 95.1, 351.0, 145.0, 301.0, 121.0],
        "hp": [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215,
               230, 66, 52, 65, 97, 150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109],
        "drat": [3.90, 3.90, 3.85, 3.08, 3.15, 2.76, 3.21, 3.69, 3.92, 3.92, 3.92, 3.07, 3.07,
                 3.07, 2.93, 3.00, 3.23, 4.08, 4.93, 4.22, 3.70, 2.76, 3.15, 3.73, 3.08, 4.08,
                 4.43, 3.77, 4.22, 3.62, 3.54, 4.11],
        "wt": [2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440,
               4.070, 3.730, 3.780, 5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520,
               3.435, 3.840, 3.845, 1.935, 2.140, 1.513, 3.170, 2.770, 3.570, 2.780],
        "qsec": [16.46, 17.02, 18.61, 19.44, 17.02, 20.22, 15.84, 20.00, 22.90, 18.30, 18.90,
                 17.40, 17.60, 18.00, 17.98, 17.82, 17.42, 19.47, 18.52, 19.90, 20.01, 16.87,
                 17.30, 15.41, 17.05, 18.90, 16.70, 16.90, 14.50, 15.50, 14.60, 18.60],
        "vs": [0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0,
               1, 0, 0, 0, 1],
        "am": [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1,
               1, 1, 1, 1, 1],
        "gear": [4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4,
                 5, 5, 5, 5, 5, 4],
        "carb": [4, 4, 1, 1, 2, 1, 4, 2, 2, 4, 4, 3, 3, 3, 4, 4, 4, 1, 2, 1, 1, 2, 2, 4, 2, 1,
                 2, 2, 4, 6, 8, 2],
    }
)  # fmt: skip

# Hollander & Wolfe (1973) p. 187 tuna-quality data: the example of R's help
# page ?cor.test (wch/r-source src/library/stats/man/cor.test.Rd).
TUNA_X = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
TUNA_Y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]

# Handbook of Biological Statistics, frigatebird example (Volume has a tie).
# Source: http://rcompanion.org/rcompanion/e_02.html
FRIGATE_VOLUME = [1760, 2040, 2440, 2550, 2730, 2740, 3010, 3080, 3370, 3740, 4910, 5090,
                  5090, 5380, 5850, 6730, 6990, 7960]  # fmt: skip
FRIGATE_PITCH = [529, 566, 473, 461, 465, 532, 484, 527, 488, 485, 478, 434, 468, 449, 425,
                 389, 421, 416]  # fmt: skip


def _rel(value: float, reference: float, rel: float) -> bool:
    return math.isclose(value, reference, rel_tol=rel)


# --------------------------------------------------------------------------- #
# reference values from R
# --------------------------------------------------------------------------- #


def test_mtcars_transcription():
    # R: diag(cov(mtcars)), printed in a public knitted R Markdown cheat-sheet
    # (found through the code search index; same numbers as R's ?mtcars data).
    r_var = {"mpg": 36.324103, "cyl": 3.1895161, "disp": 15360.79983, "hp": 4700.866935,
             "drat": 0.28588135, "wt": 0.9573790, "qsec": 3.19316613, "vs": 0.25403226,
             "am": 0.24899194, "gear": 0.5443548, "carb": 2.60887097}  # fmt: skip
    for name, ref in r_var.items():
        assert _rel(float(MTCARS[name].var()), ref, 1e-6), name
    assert _rel(float(MTCARS["mpg"].mean()), 20.09062, 1e-6)


def test_pearson_mtcars_mpg_wt_matches_r():
    # R: cor.test(mtcars$mpg, mtcars$wt)
    #   t = -9.559, df = 30, p-value = 1.294e-10
    #   95 percent confidence interval: -0.9338264 -0.7440872 ; cor -0.8676594
    # (the widely published output, e.g. the issue text and
    #  easystats/report report.Rcheck/tests/testthat/_snaps/windows/report.htest-correlation.md);
    # full-precision R values as recorded in jtmenchaca/tidy-ts
    # (run-54-correlation-vs-r.ts: "R reference values (from cor.test ...)").
    row = correlate(MTCARS["mpg"], MTCARS["wt"])
    assert row["n"] == 32
    assert _rel(row["estimate"], -0.86765937651722791, 1e-12)
    assert _rel(row["p_value"], 1.293958701350493e-10, 1e-9)
    assert _rel(row["ci_low"], -0.93382641328499416, 1e-12)
    assert _rel(row["ci_high"], -0.7440871964601129, 1e-12)
    # printed precision
    assert _rel(row["estimate"], -0.8676594, 1e-6)
    assert _rel(row["p_value"], 1.294e-10, 5e-4)
    assert _rel(row["ci_low"], -0.9338264, 1e-6)
    assert _rel(row["ci_high"], -0.7440872, 1e-6)
    t = math.sqrt(30) * row["estimate"] / math.sqrt(1 - row["estimate"] ** 2)
    assert _rel(t, -9.5590441469721181, 1e-12)


@pytest.mark.parametrize(
    ("column", "r", "p", "lo", "hi"),
    [
        # R: cor.test(mtcars$mpg, mtcars$disp): t = -8.7472, p-value = 9.38e-10,
        #    CI -0.9233594 -0.7081376, cor -0.8475514
        # https://rstudio-pubs-static.s3.amazonaws.com/1343880_96c1df19b14045c48442c69a9122d3a6.html
        ("disp", -0.8475514, 9.38e-10, -0.9233594, -0.7081376),
        # R: cor.test(mtcars$mpg, mtcars$hp): t = -6.7424, p-value = 1.788e-07,
        #    CI -0.8852686 -0.5860994, cor -0.7761684
        # https://rstudio-pubs-static.s3.amazonaws.com/1361319_35825748ab244e6f95825595564afb5c.html
        ("hp", -0.7761684, 1.788e-07, -0.8852686, -0.5860994),
    ],
)
def test_pearson_mtcars_other_pairs_match_r(column, r, p, lo, hi):
    row = correlate(MTCARS["mpg"], MTCARS[column], x_name="mpg", y_name=column)
    assert (row["x"], row["y"]) == ("mpg", column)
    assert _rel(row["estimate"], r, 1e-6)
    assert _rel(row["p_value"], p, 5e-4)
    assert _rel(row["ci_low"], lo, 1e-6)
    assert _rel(row["ci_high"], hi, 1e-6)


@pytest.mark.parametrize(
    ("alternative", "p", "lo", "hi"),
    [
        # R ?cor.test example data, Pearson, as printed by R in public notebooks
        # (code search: "cor.test(x, y, alternative = ...)" on the tuna data):
        #   two.sided: t = 1.8411, df = 7, p-value = 0.1082, CI -0.1497426 0.8955795
        #   greater:   p-value = 0.05409 (ct2$p.value 0.0540865271747469), CI -0.02223023 1
        #   less:      p-value = 0.9459, CI -1.0000000 0.8669786
        ("two-sided", 0.1082, -0.1497426, 0.8955795),
        ("two.sided", 0.1082, -0.1497426, 0.8955795),
        ("greater", 0.0540865271747469, -0.02223023, 1.0),
        ("less", 0.9459, -1.0, 0.8669786),
    ],
)
def test_pearson_one_sided_matches_r(alternative, p, lo, hi):
    row = correlate(TUNA_X, TUNA_Y, alternative=alternative)
    assert _rel(row["estimate"], 0.5711816, 1e-6)
    digits = len(repr(p).split(".")[1])
    assert row["p_value"] == pytest.approx(p, abs=0.5 * 10.0**-digits)
    assert row["ci_low"] == pytest.approx(lo, rel=1e-6, abs=1e-12)
    assert row["ci_high"] == pytest.approx(hi, rel=1e-6, abs=1e-12)
    assert row["ci_level"] == 0.95


def test_spearman_mtcars_mpg_wt_matches_r():
    # R: cor.test(mtcars$mpg, mtcars$wt, method = "spearman")  (ties, so R uses
    # exact = FALSE and warns): S = 10292, p-value = 1.488e-11, rho -0.886422
    # (published e.g. in the R tutorial outputs of the code search; S = 10292.32 in
    # easystats/report .../_snaps/windows/report.htest-correlation.md);
    # full precision from jtmenchaca/tidy-ts run-54-correlation-vs-r.ts:
    # rho -0.88642203327029778, S 10292.318613522744, p 1.4875948581275344e-11.
    for kwargs in ({}, {"alternative": "two.sided"}):
        row = correlate(MTCARS["mpg"], MTCARS["wt"], method="spearman", **kwargs)
        assert _rel(row["estimate"], -0.88642203327029778, 1e-12)
        assert _rel(row["p_value"], 1.4875948581275344e-11, 1e-9)
        assert _rel(row["estimate"], -0.886422, 1e-6)
        assert _rel(row["p_value"], 1.488e-11, 5e-4)
        s_stat = (32**3 - 32) * (1 - row["estimate"]) / 6
        assert _rel(s_stat, 10292.318613522744, 1e-12)
        assert "Bonett" in row["note"]
        assert row["ci_low"] < row["estimate"] < row["ci_high"]


@pytest.mark.parametrize(
    ("x", "y", "rho", "p"),
    [
        # R: cor.test(~ Pitch + Volume, method = "spearman") on the frigatebird data,
        # S = 1708.382, p-value = 0.0002302, rho -0.7630357 (tie in Volume)
        # http://rcompanion.org/rcompanion/e_02.html
        (FRIGATE_PITCH, FRIGATE_VOLUME, -0.7630357, 0.0002302),
        # R: cor.test(mpg, dist, method = "spearman") with ties:
        # S = 6.0666, p-value = 0.0008915, rho 0.9277782
        # https://sullystats.com/wp-content/uploads/2023/08/15_6.htm
        (
            [100, 102, 103, 101, 105, 100, 99, 105],
            [257, 264, 274, 266, 277, 263, 258, 275],
            0.9277782,
            0.0008915,
        ),
    ],
)
def test_spearman_with_ties_matches_r(x, y, rho, p):
    row = correlate(x, y, method="spearman")
    assert _rel(row["estimate"], rho, 1e-6)
    assert _rel(row["p_value"], p, 5e-4)


def test_kendall_mtcars_mpg_wt_matches_r():
    # R: cor.test(mtcars$mpg, mtcars$wt, method = "kendall")  (ties: normal
    # approximation, as exact = FALSE): z = -5.7981, p-value = 6.706e-09,
    # tau -0.7278321 (published R output, e.g. res$p.value 6.70577e-09 in the
    # code search index); full precision from jtmenchaca/tidy-ts
    # run-54-correlation-vs-r.ts: tau -0.727832149528431, z -5.7981318949817302,
    # p 6.705770405595863e-09.
    row = correlate(MTCARS["mpg"], MTCARS["wt"], method="kendall")
    assert _rel(row["estimate"], -0.727832149528431, 1e-12)
    assert _rel(row["p_value"], 6.705770405595863e-09, 1e-9)
    assert _rel(row["estimate"], -0.7278321, 1e-6)
    assert _rel(row["p_value"], 6.70577e-09, 1e-6)
    # the z statistic behind it
    z = scipy.stats.norm.isf(row["p_value"] / 2)
    assert _rel(z, 5.7981318949817302, 1e-9)
    assert "Fieller" in row["note"]
    assert row["ci_low"] < row["estimate"] < row["ci_high"]


def test_kendall_one_sided_matches_r():
    # R: cor.test(x, y, method = "kendall", alternative = "greater", exact = FALSE)
    # on the ?cor.test tuna data: "## => p=0.04765" (wch/r-source
    # src/library/stats/man/cor.test.Rd); the same session printed
    # pnorm(K/sdk, lower.tail = F) = 0.04764642 and tau 0.4444444.
    row = correlate(TUNA_X, TUNA_Y, method="kendall", alternative="greater")
    assert _rel(row["estimate"], 0.4444444, 1e-6)
    assert _rel(row["p_value"], 0.04764642, 1e-6)
    assert row["ci_high"] == 1.0
    less = correlate(TUNA_X, TUNA_Y, method="kendall", alternative="less")
    assert less["p_value"] == pytest.approx(1 - 0.04764642, rel=1e-7)
    assert less["ci_low"] == -1.0
    two = correlate(TUNA_X, TUNA_Y, method="kendall")
    # R ("normal-z = 1.6681, p-value = 0.0953" in S-PLUS; R: 2 * 0.04764642)
    assert _rel(two["p_value"], 2 * 0.04764642, 1e-6)


@pytest.mark.parametrize("method", ["spearman", "kendall"])
def test_one_sided_p_values_are_the_halves_of_the_two_sided_one(method):
    # For the t (Spearman) and normal (Kendall) approximations R uses with
    # exact = FALSE: p_less = p_two / 2 when the estimate is negative, and
    # p_greater = 1 - p_two / 2.  Reference two-sided values: see the tests above.
    two_sided = {"spearman": 1.4875948581275344e-11, "kendall": 6.705770405595863e-09}[method]
    x, y = MTCARS["mpg"], MTCARS["wt"]
    less = correlate(x, y, method=method, alternative="less")
    greater = correlate(x, y, method=method, alternative="greater")
    assert _rel(less["p_value"], two_sided / 2, 1e-9)
    assert greater["p_value"] == pytest.approx(1 - two_sided / 2, rel=1e-15)
    assert less["ci_low"] == -1.0 and greater["ci_high"] == 1.0
    # a one-sided 95% bound is the matching end of the two-sided 90% interval
    two90 = correlate(x, y, method=method, conf_level=0.9)
    assert less["ci_high"] == pytest.approx(two90["ci_high"], rel=1e-14)
    assert greater["ci_low"] == pytest.approx(two90["ci_low"], rel=1e-14)


def test_kendall_matrix_matches_r_for_mtcars():
    # R: cor(mtcars, use = "complete.obs", method = "kendall"), as printed in a
    # public knitted R Markdown cheat-sheet (code search index; the matrix rows
    # below are R's, upper triangle, 7-8 printed decimals).  tau-b, as cor.test.
    r_upper = {
        "mpg": [-0.7953134, -0.7681311, -0.7428125, 0.46454879, -0.7278321, 0.31536522,
                0.5896790, 0.46901280, 0.43315089, -0.50439455],
        "cyl": [0.8144263, 0.7851865, -0.55131785, 0.7282611, -0.44896982, -0.7710007,
                -0.49462115, -0.51254349, 0.46542994],
        "disp": [0.6659987, -0.49898277, 0.7433824, -0.30081549, -0.6033059, -0.52027392,
                 -0.47597955, 0.41373600],
        "hp": [-0.38262689, 0.6113081, -0.47290613, -0.6305926, -0.30399557, -0.27944584,
               0.59598416],
        "drat": [-0.5471495, 0.03272155, 0.3751011, 0.57554849, 0.58392476, -0.09535193],
        "wt": [-0.14198812, -0.4884787, -0.61387896, -0.54359562, 0.37137413],
        "qsec": [0.6575431, -0.16890405, -0.09126069, -0.50643945],
        "vs": [0.1683451, 0.26974788, -0.57692729],
        "am": [0.77078758, -0.05859929],
        "gear": [0.09801487],
    }  # fmt: skip
    expected = [v for row in r_upper.values() for v in row]
    result = correlation_matrix(MTCARS, method="kendall", analysis="mtcars")
    assert len(result) == 55
    assert list(result.columns) == list(COLUMNS)
    assert (result["analysis"] == "mtcars").all()
    assert result["x"].iloc[0] == "mpg" and result["y"].iloc[0] == "cyl"
    assert result["x"].iloc[-1] == "gear" and result["y"].iloc[-1] == "carb"
    np.testing.assert_allclose(result["estimate"], expected, rtol=0, atol=6e-8)
    # cross-check: pandas' Kendall is tau-b too
    pandas_tau = MTCARS.corr(method="kendall").to_numpy()[np.triu_indices(11, 1)]
    np.testing.assert_allclose(result["estimate"], pandas_tau, rtol=0, atol=1e-12)


def test_pearson_matrix_p_values_match_r():
    # R: ggcorrplot::cor_pmat(mtcars) (cor.test p-values for each pair):
    #   mpg-cyl 6.112687e-10, mpg-disp 9.380327e-10, mpg-hp 1.787835e-07,
    #   cyl-disp 1.802838e-12, cyl-hp 3.477861e-09, disp-hp 7.142679e-08
    # https://rstudio-pubs-static.s3.amazonaws.com/1000474_a466381ec76a4988ae143a6391b034c2.html
    # R: cor(mtcars[1:3], mtcars[4:6]) (knitted R Markdown, code search index):
    #   mpg: hp -0.7761684 drat 0.6811719 wt -0.8676594
    #   cyl: hp  0.8324475 drat -0.6999381 wt 0.7824958
    #   disp: hp 0.7909486 drat -0.7102139 wt 0.8879799
    result = correlation_matrix(MTCARS[["mpg", "cyl", "disp", "hp", "drat", "wt"]])
    by_pair = result.set_index(["x", "y"])
    p_ref = {("mpg", "cyl"): 6.112687e-10, ("mpg", "disp"): 9.380327e-10,
             ("mpg", "hp"): 1.787835e-07, ("cyl", "disp"): 1.802838e-12,
             ("cyl", "hp"): 3.477861e-09, ("disp", "hp"): 7.142679e-08}  # fmt: skip
    for pair, p in p_ref.items():
        assert _rel(by_pair.loc[pair, "p_value"], p, 1e-6), pair
    r_ref = {("mpg", "hp"): -0.7761684, ("mpg", "drat"): 0.6811719, ("mpg", "wt"): -0.8676594,
             ("cyl", "hp"): 0.8324475, ("cyl", "drat"): -0.6999381, ("cyl", "wt"): 0.7824958,
             ("disp", "hp"): 0.7909486, ("disp", "drat"): -0.7102139,
             ("disp", "wt"): 0.8879799}  # fmt: skip
    for pair, r in r_ref.items():
        assert _rel(by_pair.loc[pair, "estimate"], r, 1e-6), pair


# --------------------------------------------------------------------------- #
# agreement with independent implementations
# --------------------------------------------------------------------------- #


def test_agrees_with_scipy():
    x, y = MTCARS["qsec"], MTCARS["hp"]
    pearson = scipy.stats.pearsonr(x, y)
    row = correlate(x, y)
    assert row["estimate"] == pytest.approx(pearson.statistic, rel=1e-13)
    assert row["p_value"] == pytest.approx(pearson.pvalue, rel=1e-10)
    ci = pearson.confidence_interval(0.9)
    row90 = correlate(x, y, conf_level=0.9)
    assert (row90["ci_low"], row90["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert row90["ci_level"] == 0.9
    rho = correlate(x, y, method="spearman")["estimate"]
    assert rho == pytest.approx(scipy.stats.spearmanr(x, y).statistic, rel=1e-13)
    tau = correlate(x, y, method="kendall")
    ref = scipy.stats.kendalltau(x, y)
    assert tau["estimate"] == pytest.approx(ref.statistic, rel=1e-13)
    # scipy's asymptotic tau-b test uses the same tie-corrected variance
    assert tau["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)


def test_pearson_ci_equals_fisher_z_helper():
    row = correlate(MTCARS["mpg"], MTCARS["wt"], conf_level=0.99)
    *_, r_low, r_high = fisher_z_ci(row["estimate"], row["n"], conf_level=0.99)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((r_low, r_high), rel=1e-14)


def test_kendall_table_and_sorting_paths_agree(monkeypatch):
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, 400).astype(float)
    y = np.clip(x + rng.integers(-2, 3, 400), 1, 5)
    via_table = correlate(x, y, method="kendall")
    monkeypatch.setattr(_correlation_pairs, "_MAX_TABLE_CELLS", 0)
    via_scipy = correlate(x, y, method="kendall")
    for key in ("estimate", "p_value", "ci_low", "ci_high"):
        assert via_table[key] == pytest.approx(via_scipy[key], rel=1e-12, abs=1e-300)


# --------------------------------------------------------------------------- #
# row format, input handling, usage errors
# --------------------------------------------------------------------------- #


def test_row_has_exactly_the_keys_in_order():
    row = correlate([1, 2, 3, 4], [2, 1, 4, 3], analysis="a1", x_name="q1", y_name="q2")
    assert list(row) == list(COLUMNS) == [
        "analysis", "x", "y", "method", "n", "estimate", "p_value", "ci_low", "ci_high",
        "ci_level", "note",
    ]  # fmt: skip
    assert (row["analysis"], row["x"], row["y"], row["method"]) == ("a1", "q1", "q2", "pearson")
    assert isinstance(row["n"], int)
    for key in ("estimate", "p_value", "ci_low", "ci_high", "ci_level"):
        assert type(row[key]) is float


def test_missing_values_drop_incomplete_pairs():
    x = [1.0, 2.0, None, 4.0, 5.0, np.nan, 7.0, 8.0, np.inf]
    y = [2.0, 1.0, 3.0, None, 5.0, 6.0, 8.0, 7.0, 9.0]
    keep = [0, 1, 4, 6, 7]
    ref = correlate([x[i] for i in keep], [y[i] for i in keep])
    for values in (
        (x, y),
        (np.array(x, dtype=float), np.array(y, dtype=float)),
        (pd.Series(x), pd.Series(y)),
        (pd.Series(x, dtype="Float64"), pd.Series(y, dtype="Float64")),
    ):
        row = correlate(*values)
        assert row["n"] == 5
        assert row["estimate"] == pytest.approx(ref["estimate"], rel=1e-15)
    ints = pd.Series([1, 2, pd.NA, 4, 5], dtype="Int64")
    assert correlate(ints, [1, 3, 2, 5, 4])["n"] == 4
    assert correlate([1, 2, pd.NA, 4, 5], [1, 3, 2, 5, 4])["n"] == 4


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "pearsons"},
        {"method": None},
        {"alternative": "two_sided"},
        {"alternative": "both"},
        {"conf_level": 0},
        {"conf_level": 1},
        {"conf_level": 1.5},
        {"conf_level": -0.1},
        {"conf_level": float("nan")},
        {"conf_level": True},
        {"conf_level": "0.95"},
    ],
)
def test_usage_errors_raise(kwargs):
    with pytest.raises(ValueError):
        correlate([1, 2, 3, 4], [1, 3, 2, 4], **kwargs)
    with pytest.raises(ValueError):
        correlation_matrix(np.arange(12.0).reshape(4, 3), **kwargs)


def test_shape_and_type_errors_raise():
    with pytest.raises(ValueError, match="same length"):
        correlate([1, 2, 3], [1, 2, 3, 4])
    with pytest.raises(ValueError):
        correlate(np.ones((3, 2)), np.ones(6))
    with pytest.raises(ValueError, match="numeric"):
        correlate(["a", "b", "c"], [1, 2, 3])
    with pytest.raises(ValueError, match="two-dimensional"):
        correlation_matrix([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="numeric"):
        correlation_matrix(pd.DataFrame({"a": ["x", "y", "z"], "b": [1, 2, 3]}))


def test_method_and_alternative_spellings():
    assert correlate([1, 2, 3, 4], [1, 3, 2, 4], method="Kendall")["method"] == "kendall"
    a = correlate([1, 2, 3, 4, 6], [1, 3, 2, 4, 5], alternative="two.sided")
    b = correlate([1, 2, 3, 4, 6], [1, 3, 2, 4, 5], alternative="two-sided")
    assert a == b


# --------------------------------------------------------------------------- #
# degenerate data: NaN rows with a reason, never an exception or a warning
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
@pytest.mark.parametrize(
    ("x", "y", "n", "fragment"),
    [
        ([1.0, 2.0], [2.0, 1.0], 2, "fewer than 3 complete pairs (n=2)"),
        ([1, 2, None, 4], [None, 2, 3, None], 1, "fewer than 3"),
        ([np.nan] * 5, [1, 2, 3, 4, 5], 0, "(n=0)"),
        ([], [], 0, "(n=0)"),
        ([3, 3, 3, 3, 3], [1, 2, 3, 4, 5], 5, "x is constant"),
        ([1, 2, 3, 4, 5], [2, 2, 2, 2, 2], 5, "y is constant"),
        ([1, 1, 1], [2, 2, 2], 3, "x and y are constant"),
        ([1, 2, 2, 2, np.nan], [5, 1, 1, 1, 7], 4, None),  # not degenerate
    ],
)
def test_degenerate_rows(method, x, y, n, fragment):
    row = correlate(x, y, method=method)
    assert row["n"] == n
    if fragment is None:
        assert not math.isnan(row["estimate"])
        return
    assert fragment in row["note"]
    for key in ("estimate", "p_value", "ci_low", "ci_high"):
        assert math.isnan(row[key])
    assert row["ci_level"] == 0.95


def test_constant_note_uses_names():
    row = correlate([1, 1, 1, 1], [1, 2, 3, 4], x_name="q7")
    assert row["note"] == "not computed: q7 is constant"


@pytest.mark.parametrize(("method", "min_n"), [("pearson", 4), ("spearman", 4), ("kendall", 5)])
def test_interval_needs_enough_pairs(method, min_n):
    x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    y = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0]
    short = correlate(x[: min_n - 1], y[: min_n - 1], method=method)
    assert not math.isnan(short["estimate"]) and not math.isnan(short["p_value"])
    assert math.isnan(short["ci_low"]) and math.isnan(short["ci_high"])
    assert f"CI not computed: needs n >= {min_n}" in short["note"]
    enough = correlate(x[:min_n], y[:min_n], method=method)
    assert enough["ci_low"] <= enough["estimate"] <= enough["ci_high"]


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
@pytest.mark.parametrize("sign", [1, -1])
def test_perfect_correlation(method, sign):
    x = np.arange(1.0, 11.0)
    row = correlate(x, sign * x**3, method=method)
    assert row["p_value"] < 1e-3
    if method == "pearson":
        assert 0.9 < sign * row["estimate"] < 1.0
        line = correlate(x, sign * (0.1 * x + 0.3))  # exactly linear, up to rounding
        assert line["estimate"] == sign
        assert line["p_value"] == 0.0
        assert line["ci_low"] == line["ci_high"] == sign
    else:
        assert row["estimate"] == sign
        assert row["ci_low"] == row["ci_high"] == sign
    if method == "spearman":
        assert row["p_value"] == 0.0  # as R: t = +-Inf


@pytest.mark.parametrize("factor", [1e-290, 1e-150, 1e150, 1e290])
def test_extreme_magnitudes_do_not_underflow_or_overflow(factor):
    x = MTCARS["mpg"].to_numpy()
    y = MTCARS["wt"].to_numpy()
    ref = correlate(x, y)
    row = correlate(x * factor, y * factor)
    assert row["estimate"] == pytest.approx(ref["estimate"], rel=1e-12)
    matrix = correlation_matrix(np.column_stack([x, y]) * factor)
    assert matrix["estimate"].item() == pytest.approx(ref["estimate"], rel=1e-12)


# --------------------------------------------------------------------------- #
# matrix form
# --------------------------------------------------------------------------- #


def _pairwise(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    rows = []
    cols = list(data.columns)
    for i, a in enumerate(cols):
        for b in cols[i + 1 :]:
            rows.append(correlate(data[a], data[b], x_name=str(a), y_name=str(b), **kwargs))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _assert_same(matrix: pd.DataFrame, pairwise: pd.DataFrame) -> None:
    assert list(matrix.columns) == list(COLUMNS)
    assert len(matrix) == len(pairwise)
    for key in ("analysis", "x", "y", "method", "n", "note"):
        assert matrix[key].tolist() == pairwise[key].tolist(), key
    for key in ("estimate", "p_value", "ci_low", "ci_high", "ci_level"):
        np.testing.assert_allclose(matrix[key], pairwise[key], rtol=1e-12, atol=1e-12)


def _survey(n: int, m: int, seed: int, missing: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = 0.7 * rng.standard_normal((n, 1)) + rng.standard_normal((n, m))
    items = np.searchsorted([-1.0, -0.3, 0.3, 1.0], latent.ravel()).reshape(n, m) + 1.0
    if missing:
        items[rng.random((n, m)) < missing] = np.nan
    return pd.DataFrame(items, columns=[f"q{j + 1}" for j in range(m)])


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
@pytest.mark.parametrize("alternative", ["two-sided", "less"])
@pytest.mark.parametrize("missing", [0.0, 0.05])
def test_matrix_equals_pairwise_on_likert_items(method, alternative, missing):
    data = _survey(3000, 5, seed=11, missing=missing)
    kwargs = {"method": method, "alternative": alternative, "conf_level": 0.9}
    _assert_same(
        correlation_matrix(data, analysis="s", **kwargs), _pairwise(data, **kwargs, analysis="s")
    )


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_matrix_equals_pairwise_on_continuous_data_with_gaps(method):
    rng = np.random.default_rng(3)
    data = pd.DataFrame(rng.standard_normal((300, 4)).round(2), columns=list("abcd"))
    data.iloc[::7, 1] = np.nan
    data["e"] = 2.5  # constant column
    data["f"] = np.nan  # empty column
    data.iloc[5, 0] = np.inf
    matrix = correlation_matrix(data, method=method)
    _assert_same(matrix, _pairwise(data, method=method))
    assert matrix.loc[(matrix.x == "a") & (matrix.y == "e"), "note"].item() == (
        "not computed: e is constant"
    )
    assert (matrix.loc[matrix.y == "f", "n"] == 0).all()


def test_matrix_from_numpy_names_columns_like_r():
    data = _survey(50, 3, seed=5).to_numpy()
    result = correlation_matrix(data, method="spearman")
    assert list(zip(result.x, result.y, strict=True)) == [("V1", "V2"), ("V1", "V3"), ("V2", "V3")]
    assert result["n"].dtype == np.int64


def test_matrix_edge_shapes():
    empty = correlation_matrix(pd.DataFrame({"only": [1.0, 2.0, 3.0]}))
    assert list(empty.columns) == list(COLUMNS) and len(empty) == 0
    two_rows = correlation_matrix(np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 4.0]]), method="kendall")
    assert len(two_rows) == 3
    assert two_rows["estimate"].isna().all()
    assert two_rows["note"].str.contains("fewer than 3").all()


def test_matrix_large_likert_fast_path_smoke():
    data = _survey(200_000, 4, seed=1)
    for method in ("pearson", "spearman", "kendall"):
        result = correlation_matrix(data, method=method)
        assert len(result) == 6 and (result["n"] == 200_000).all()
        first = correlate(data["q1"], data["q2"], method=method)
        assert result["estimate"].iloc[0] == pytest.approx(first["estimate"], rel=1e-12)
        assert result["p_value"].iloc[0] == pytest.approx(first["p_value"], rel=1e-9, abs=1e-300)


# --------------------------------------------------------------------------- #
# properties
# --------------------------------------------------------------------------- #

_values = st.one_of(st.none(), st.integers(-3, 3), st.floats(-50, 50, allow_nan=False))
_pairs = st.lists(st.tuples(_values, _values), min_size=0, max_size=25)
_methods = st.sampled_from(["pearson", "spearman", "kendall"])
_alternatives = st.sampled_from(["two-sided", "greater", "less"])
_settings = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _split(pairs):
    x = [np.nan if a is None else float(a) for a, _ in pairs]
    y = [np.nan if b is None else float(b) for _, b in pairs]
    return x, y


@_settings
@given(_pairs, _methods, _alternatives)
def test_property_symmetry(pairs, method, alternative):
    x, y = _split(pairs)
    xy = correlate(x, y, method=method, alternative=alternative)
    yx = correlate(y, x, method=method, alternative=alternative)
    assert xy["n"] == yx["n"]
    for key in ("estimate", "p_value", "ci_low", "ci_high"):
        assert xy[key] == pytest.approx(yx[key], rel=1e-12, abs=1e-12, nan_ok=True)


@_settings
@given(_pairs, _methods, _alternatives, st.floats(0.5, 0.999))
def test_property_bounds_and_interval_contains_estimate(pairs, method, alternative, level):
    x, y = _split(pairs)
    row = correlate(x, y, method=method, alternative=alternative, conf_level=level)
    if math.isnan(row["estimate"]):
        assert math.isnan(row["p_value"]) and row["note"].startswith("not computed")
        return
    assert -1.0 <= row["estimate"] <= 1.0
    assert 0.0 <= row["p_value"] <= 1.0
    if not math.isnan(row["ci_low"]):
        assert -1.0 <= row["ci_low"] <= row["estimate"] + 1e-12
        assert row["estimate"] - 1e-12 <= row["ci_high"] <= 1.0


@_settings
@given(st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=3, max_size=30))
def test_property_spearman_invariant_under_monotone_transforms(pairs):
    x = np.array([a for a, _ in pairs], dtype=float)
    y = np.array([b for _, b in pairs], dtype=float)
    row = correlate(x, y, method="spearman")
    moved = correlate(np.exp(x / 4.0), y**3 + 2.0 * y - 7.0, method="spearman")
    for key in ("estimate", "p_value", "ci_low", "ci_high"):
        assert row[key] == pytest.approx(moved[key], rel=1e-12, abs=1e-12, nan_ok=True)
    assert row["note"] == moved["note"]


@_settings
@given(
    st.integers(0, 12).flatmap(
        lambda n: st.lists(
            st.lists(
                st.one_of(st.none(), st.integers(1, 4), st.floats(-5, 5)), min_size=n, max_size=n
            ),
            min_size=2,
            max_size=4,
        )
    ),
    _methods,
    _alternatives,
)
def test_property_matrix_equals_pairwise(columns, method, alternative):
    data = pd.DataFrame(
        {f"c{j}": [np.nan if v is None else float(v) for v in col] for j, col in enumerate(columns)}
    )
    _assert_same(
        correlation_matrix(data, method=method, alternative=alternative),
        _pairwise(data, method=method, alternative=alternative),
    )


# --------------------------------------------------------------------------- #
# fisher_z_ci
# --------------------------------------------------------------------------- #


def test_fisher_z_ci_reproduces_r_pearson_interval():
    # R: cor.test(mtcars$mpg, mtcars$wt): cor -0.8676594, n = 32,
    #    95 percent confidence interval -0.9338264 -0.7440872
    #    (full-precision r -0.86765937651722791 from jtmenchaca/tidy-ts
    #    run-54-correlation-vs-r.ts)
    z, se, z_low, z_high, r_low, r_high = fisher_z_ci(-0.86765937651722791, 32)
    assert z == pytest.approx(math.atanh(-0.86765937651722791), rel=1e-15)
    assert se == pytest.approx(1 / math.sqrt(29), rel=1e-15)
    assert z_low == pytest.approx(z - 1.959963984540054 * se, rel=1e-14)
    assert z_high == pytest.approx(z + 1.959963984540054 * se, rel=1e-14)
    assert r_low == pytest.approx(-0.9338264, rel=1e-6)
    assert r_high == pytest.approx(-0.7440872, rel=1e-6)
    assert r_low == pytest.approx(-0.93382641328499416, rel=1e-12)


def test_fisher_z_ci_edges():
    # R ?cor.test tuna data: r = 0.5711816, n = 9, 90% two-sided interval's upper
    # end is the one-sided 95% bound 0.8669786 of cor.test(alternative = "less")
    *_, r_high = fisher_z_ci(0.5711815575638288, 9, conf_level=0.90)
    assert r_high == pytest.approx(0.8669786, rel=1e-6)
    result = fisher_z_ci(0.3, 3)
    assert result[0] == pytest.approx(math.atanh(0.3))
    assert all(math.isnan(v) for v in result[1:])
    z, se, *limits = fisher_z_ci(float("nan"), 20)
    assert math.isnan(z) and se == pytest.approx(1 / math.sqrt(17))
    assert all(math.isnan(v) for v in limits)
    z, _se, z_low, z_high, r_low, r_high = fisher_z_ci(1.0, 20)
    assert z == z_low == z_high == math.inf and r_low == r_high == 1.0
    assert all(type(v) is float for v in fisher_z_ci(0.2, 50))
    with pytest.raises(ValueError):
        fisher_z_ci(1.2, 20)
    with pytest.raises(ValueError):
        fisher_z_ci(0.2, 20, conf_level=95)
