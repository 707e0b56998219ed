"""The study's analyses (Tables 5-9, GRP vs unemployment) on tiny frames and a warehouse."""

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tasks.load import replace_results
from tasks.stats.correlation import COLUMNS
from tasks.studies import ANALYSES
from tasks.studies.khromtau_2024 import study

S = study.STUDY_SURVEY
ANSWERS = [
    "improved_significantly",
    "improved_somewhat",
    "unchanged",
    "worsened_somewhat",
    "worsened_significantly",
]
JOB = [10, 10, 13, 13, 4]
ENT5 = [3, 13, 20, 4, 4]  # Table 5 as printed
ENT4 = [3, 19, 20, 4, 4]  # Table 4


def _table5():
    return pd.DataFrame(
        {
            "survey_id": S,
            "answer": ANSWERS,
            "job": JOB,
            "entrepreneurship": ENT5,
            "rank_job": [3.5, 3.5, 1.5, 1.5, 5],
            "rank_entrepreneurship": [5, 2, 1, 3.5, 3.5],
        }
    )


def _perception():
    rows = [(S, "job", a, c) for a, c in zip(ANSWERS, JOB, strict=True)]
    rows += [(S, "entrepreneurship", a, c) for a, c in zip(ANSWERS, ENT4, strict=True)]
    return pd.DataFrame(rows, columns=["survey_id", "area", "answer", "respondents"])


def _scores(measures: dict[str, list[int]]):
    rows = [
        (S, m, m.title(), score, c)
        for m, counts in measures.items()
        for score, c in zip(range(1, 11), counts, strict=True)
    ]
    return pd.DataFrame(
        rows, columns=["survey_id", "measure", "measure_label", "score", "respondents"]
    )


LOANS = [3, 4, 5, 1, 4, 7, 6, 9, 6, 5]  # Table 7, special preferential loans
INFO = [2, 1, 3, 2, 5, 6, 7, 8, 9, 7]  # Table 7, information and consulting support
X8 = [1, 1, 2, 3, 6, 10, 10, 1, 2, 2, 4, 10, 10, 10, 1, 1, 1, 3, 10, 10, 10]
Y8 = [1, 2, 3, 5, 10, 10, 10, 1, 1, 2, 3, 10, 10, 10, 1, 1, 2, 2, 10, 10, 10]


def test_table6_correlations_both_count_versions():
    out = study.table6_correlations(_table5(), _perception())
    assert list(out.columns) == list(COLUMNS)
    got = out.set_index(["analysis", "method"])["estimate"]
    a5 = "table6_job_vs_entrepreneurship_counts(table5)"
    a4 = "table6_job_vs_entrepreneurship_counts(table4)"
    assert got[a5, "pearson"] == pytest.approx(np.corrcoef(JOB, ENT5)[0, 1])
    assert got[a5, "pearson"] == pytest.approx(0.4376095229, abs=1e-9)
    assert got[a4, "pearson"] == pytest.approx(0.3758727886, abs=1e-9)
    assert got[a5, "spearman"] == pytest.approx(stats.spearmanr(JOB, ENT5).statistic)
    assert got[a5, "spearman"] == pytest.approx(0.405553553, abs=1e-9)
    assert got[a4, "spearman"] == pytest.approx(got[a5, "spearman"])
    assert (out["n"] == 5).all()
    # Pearson CI is the Fisher z interval of R cor.test: tanh(atanh(r) -+ 1.96/sqrt(2))
    row = out[(out["analysis"] == a5) & (out["method"] == "pearson")].iloc[0]
    z, half = np.arctanh(row["estimate"]), stats.norm.ppf(0.975) / np.sqrt(2)
    assert row["ci_low"] == pytest.approx(np.tanh(z - half))
    assert row["ci_high"] == pytest.approx(np.tanh(z + half))
    for note in out["note"]:
        assert "n = 5 answer categories, not 50 respondents" in note
        assert "shapes of the two answer distributions" in note
    assert "Table 5 13, Table 4 19" in out["note"].iloc[0]
    assert "counts sum to 50 (job) and 44 (entrepreneurship)" in out["note"].iloc[0]


def test_importance_coefficient_is_pearson_of_score_and_count():
    scores = _scores({"loans": LOANS, "info": INFO})
    out = study.importance_correlations(scores)
    assert list(out["y"]) == ["respondents:loans", "respondents:info"]
    assert (out["n"] == 10).all()
    # the study prints 0.580917864 and 0.921223751
    assert out["estimate"].iloc[0] == pytest.approx(0.580917864, abs=5e-10)
    assert out["estimate"].iloc[1] == pytest.approx(0.921223751, abs=5e-10)
    assert out["estimate"].iloc[1] == pytest.approx(np.corrcoef(range(1, 11), INFO)[0, 1])
    assert "not the importance of the measure" in out["note"].iloc[0]


def test_importance_counts_a_missing_score_as_zero():
    scores = _scores({"m": [1, 0, 2, 0, 3, 0, 4, 0, 5, 6]})
    scores = scores[scores["respondents"] > 0]  # scores nobody gave are absent
    r = study.importance_correlations(scores)["estimate"].iloc[0]
    assert r == pytest.approx(np.corrcoef(range(1, 11), [1, 0, 2, 0, 3, 0, 4, 0, 5, 6])[0, 1])


def test_support_measures_mean_ci_share_ranks_and_sk():
    scores = _scores({"loans": LOANS, "info": INFO})
    frame = study.support_measures(scores)
    assert list(frame.columns) == list(study.SUPPORT_COLUMNS)
    out = frame.set_index("measure")
    raw = np.repeat(np.arange(1, 11), INFO)
    ci = stats.ttest_1samp(raw, 0).confidence_interval(0.95)
    assert out.loc["info", "n"] == 50
    assert out.loc["info", "mean_score"] == pytest.approx(raw.mean())  # 6.92
    assert out.loc["info", "mean_score"] == pytest.approx(6.92)
    assert out.loc["info", "sd_score"] == pytest.approx(raw.std(ddof=1))
    assert out.loc["info", "ci_low"] == pytest.approx(ci.low)
    assert out.loc["info", "ci_high"] == pytest.approx(ci.high)
    assert out.loc["info", "median_score"] == pytest.approx(np.median(raw))
    assert out.loc["info", "share_8_plus"] == pytest.approx((8 + 9 + 7) / 50)
    assert out.loc["loans", "mean_score"] == pytest.approx(6.2)
    assert out.loc["info", "rank_by_mean"] == 1 and out.loc["loans", "rank_by_mean"] == 2
    assert out.loc["info", "importance_rank"] == 1
    sk = np.mean([np.corrcoef(range(1, 11), c)[0, 1] for c in (LOANS, INFO)])
    assert out["sk_aggregate"].tolist() == pytest.approx([sk, sk])


def test_paired_correlations_all_21_rows():
    paired = pd.DataFrame(
        {"survey_id": S, "row": range(21, 0, -1), "x": X8[::-1], "y": Y8[::-1]}
    )  # given in reverse: the function restores printed row order
    out = study.paired_correlations(paired).set_index("method")
    assert (out["n"] == 21).all()
    assert out.loc["pearson", "estimate"] == pytest.approx(0.9643311855, abs=1e-9)
    assert out.loc["spearman", "estimate"] == pytest.approx(stats.spearmanr(X8, Y8).statistic)
    assert out.loc["spearman", "estimate"] == pytest.approx(0.9315939609, abs=1e-9)
    assert out.loc["kendall", "estimate"] == pytest.approx(stats.kendalltau(X8, Y8).statistic)
    assert set(out["analysis"]) == {"table9_paired_values(table8)"}
    assert "All 21 rows" in out.loc["pearson", "note"]


def _obs(rows):
    return pd.DataFrame(rows, columns=["town_id", "indicator_id", "year", "value"])


def test_grp_vs_unemployment_both_definitions_overlapping_years():
    rows = []
    grp_rows = {
        2018: (10.0, 1.0, 2.0, 5.0),
        2019: (12.0, 2.0, 3.0, 4.0),
        2020: (11.0, 3.0, 2.0, 7.0),
        2021: (15.0, 1.0, 1.0, 6.0),
    }
    for year, (ind, mining, manu, serv) in grp_rows.items():
        rows += [
            ("k", "grp_industry", year, ind),
            ("k", "grp_mining", year, mining),
            ("k", "grp_manufacturing", year, manu),
            ("k", "grp_services", year, serv),
        ]
    rates = {2017: 5.0, 2018: 4.0, 2019: 3.5, 2020: 4.5, 2021: 2.0}  # 2017: no GRP
    rows += [("k", "labour_unemployment_rate", y, r) for y, r in rates.items()]
    out = study.grp_unemployment_correlations(_obs(rows))
    assert set(out["x"]) == {"grp_total_as_study", "grp_total_industry_services"}
    assert (out["n"] == 4).all()
    assert set(out["analysis"]) == {"grp_vs_unemployment_rate(k)"}
    row = out[(out["x"] == "grp_total_as_study") & (out["method"] == "pearson")].iloc[0]
    totals = [sum(v) for v in grp_rows.values()]
    assert row["estimate"] == pytest.approx(np.corrcoef(totals, [4.0, 3.5, 4.5, 2.0])[0, 1])
    row = out[(out["x"] == "grp_total_industry_services") & (out["method"] == "pearson")].iloc[0]
    two = [v[0] + v[3] for v in grp_rows.values()]
    assert row["estimate"] == pytest.approx(np.corrcoef(two, [4.0, 3.5, 4.5, 2.0])[0, 1])
    assert "n = 4 years (2018-2021" in row["note"]


# ------------------------------------------------------------- on a real warehouse


def test_study_analysis_writes_its_results_tables(warehouse):
    results = ANALYSES["study"](warehouse)
    assert set(results) == {"results.correlation", "results.support_measure"}
    with duckdb.connect(warehouse) as con:
        replace_results(con, results)  # columns must match the migrations
        corr = con.execute("SELECT * FROM results.correlation").df()
        sm = con.execute("SELECT * FROM results.support_measure").df()
    assert not corr.duplicated(["analysis", "x", "y", "method"]).any()
    grp_rows = corr[corr["analysis"] == "grp_vs_unemployment_rate(khromtau)"]
    assert set(grp_rows["n"]) == {6}  # 2018-2023
    assert "n = 6 years (2018-2023" in grp_rows["note"].iloc[0]
    assert len(corr[corr["analysis"].str.startswith("table7_importance")]) == 6
    assert len(corr[corr["analysis"] == "table9_paired_values(table8)"]) == 3
    assert len(sm) == 6
    assert sm["sk_aggregate"].iloc[0] == pytest.approx(0.812526054, abs=5e-10)
    top = sm.sort_values("rank_by_mean").iloc[0]
    assert top["measure"] == "information_consulting"
    assert top["mean_score"] == pytest.approx(6.92)
