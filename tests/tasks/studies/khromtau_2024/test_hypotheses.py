"""H1-H4: tests from frequency tables, Holm adjustment, the decision rule and the verdicts."""

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tasks.load import replace_results
from tasks.studies import ANALYSES
from tasks.studies.khromtau_2024 import hypotheses, study

S = study.STUDY_SURVEY
INFO = [2, 1, 3, 2, 5, 6, 7, 8, 9, 7]  # Table 7, information and consulting support
JOB = [10, 10, 13, 13, 4]  # Table 4, job: improved significantly ... worsened significantly


def test_one_sample_t_from_frequency_table_matches_scipy_on_raw_data():
    raw = np.repeat(np.arange(1, 11), INFO)
    want = stats.ttest_1samp(raw, 5.5)
    got = hypotheses.one_sample_t(range(1, 11), INFO, 5.5)
    assert got["t"] == pytest.approx(want.statistic)  # 4.0875
    assert got["t"] == pytest.approx(4.087524905, abs=1e-8)
    assert got["p"] == pytest.approx(want.pvalue)
    assert got["df"] == 49 and got["n"] == 50
    degenerate = hypotheses.one_sample_t([1, 2], [0, 5], 1.5)  # constant data
    assert np.isnan(degenerate["t"]) and np.isnan(degenerate["p"])


def test_sign_test_matches_binomial_test():
    # job on the 5..1 change scale: 20 above 3, 17 below, 13 ties dropped
    p = hypotheses.sign_test([5, 4, 3, 2, 1], JOB, 3.0)
    assert p == pytest.approx(stats.binomtest(20, 37, 0.5).pvalue)


H_INDIRECT = hypotheses.Hypothesis("H", "s", "score", "m")
H_DIRECT = hypotheses.Hypothesis("H", "s", "score", "m", measures_effect=True)


@pytest.mark.parametrize(
    ("p_adj", "effect", "h", "n", "want"),
    [
        (0.001, 1.0, H_INDIRECT, 50, "insufficient evidence"),  # condition holds, cannot confirm
        (0.30, 1.0, H_INDIRECT, 50, "insufficient evidence"),
        (0.001, -1.0, H_INDIRECT, 50, "not supported"),  # necessary condition fails
        (0.001, 1.0, H_DIRECT, 50, "supported"),
        (0.30, 1.0, H_DIRECT, 50, "not supported"),
        (0.001, -1.0, H_DIRECT, 50, "not supported"),
        (0.001, 1.0, H_DIRECT, 6, "insufficient evidence"),  # n too small
        (float("nan"), 1.0, H_DIRECT, 50, "insufficient evidence"),
    ],
)
def test_decision_rule(p_adj, effect, h, n, want):
    assert hypotheses.verdict(p_adj, effect, h, n) == want


@pytest.fixture(scope="module")
def table(warehouse):
    frame = ANALYSES["hypotheses"](warehouse)["results.hypothesis"]
    with duckdb.connect(warehouse) as con:
        replace_results(con, {"results.hypothesis": frame})  # columns match the study's migration
    return frame.set_index("hypothesis")


def test_four_hypotheses_with_holm_and_verdicts(table):
    assert list(table.index) == ["H1", "H2", "H3", "H4"]
    assert set(table["verdict"]) <= set(hypotheses.VERDICTS)
    assert (table["verdict"] == "insufficient evidence").all()
    # H2-H4: mean Table 7 score vs 5.5; H1: Table 4 job vs 3 (unchanged)
    scores = {
        "H2": [2, 1, 3, 2, 5, 6, 7, 8, 9, 7],
        "H3": [1, 3, 4, 5, 6, 6, 5, 5, 6, 9],
        "H4": [3, 2, 4, 3, 4, 8, 7, 5, 8, 6],
    }
    p = {}
    for key, counts in scores.items():
        res = stats.ttest_1samp(np.repeat(np.arange(1, 11), counts), 5.5)
        assert table.loc[key, "value"] == pytest.approx(res.statistic)
        p[key] = res.pvalue
    res = stats.ttest_1samp(np.repeat([5, 4, 3, 2, 1], JOB), 3.0)
    assert table.loc["H1", "value"] == pytest.approx(res.statistic)
    p["H1"] = res.pvalue
    # Holm over the four, written out: sort, multiply by m, m-1, ..., running max, cap at 1
    keys = sorted(p, key=p.get)
    running, holm = 0.0, {}
    for i, k in enumerate(keys):
        running = max(running, (4 - i) * p[k])
        holm[k] = min(1.0, running)
    for k in p:
        assert table.loc[k, "p_value"] == pytest.approx(p[k])
        assert table.loc[k, "p_adjusted"] == pytest.approx(holm[k])
    assert table.loc["H1", "p_adjusted"] > 0.05
    assert (table.loc[["H2", "H3", "H4"], "p_adjusted"] < 0.05).all()


def test_rows_state_rule_holm_and_caveats(table):
    for key, row in table.iterrows():
        assert "Holm" in row["decision_rule"] and "Holm" in row["note"], key
        assert row["statement"] and row["evidence"], key
        assert row["note"].startswith("Verdict insufficient evidence"), key
    for key in ("H2", "H3", "H4"):
        assert "same 50 respondents" in table.loc[key, "note"]
        assert "invalid" in table.loc[key, "note"]
    assert "n = 5 answer categories" in table.loc["H1", "note"]
    assert "n = 6 years" in table.loc["H1", "note"]
    assert "not robust" in table.loc["H3", "note"]  # sign test p = 0.119


def test_hypothesis_tests_on_tiny_frames():
    answers = [
        "improved_significantly",
        "improved_somewhat",
        "unchanged",
        "worsened_somewhat",
        "worsened_significantly",
    ]
    perception = pd.DataFrame(
        {"survey_id": S, "area": "job", "answer": answers, "respondents": [0, 2, 3, 20, 25]}
    )
    rows = []
    for m in ("information_consulting", "social_tax_benefits", "direct_financial_assistance"):
        rows += [
            (S, m, s, c) for s, c in zip(range(1, 11), [9, 9, 9, 9, 9, 1, 1, 1, 1, 1], strict=True)
        ]
    scores = pd.DataFrame(rows, columns=["survey_id", "measure", "score", "respondents"])
    table5 = pd.DataFrame(
        {
            "survey_id": S,
            "answer": answers,
            "job": [1.0, 2, 3, 4, 5],
            "entrepreneurship": [2.0, 1, 4, 3, 5],
        }
    )
    obs = pd.DataFrame(columns=["town_id", "indicator_id", "year", "value"])
    out = hypotheses.hypothesis_tests(perception, scores, table5, obs).set_index("hypothesis")
    # everyone rates low / sees worsening: each necessary condition fails significantly
    assert (out["verdict"] == "not supported").all()
    assert (out["value"] < 0).all()
