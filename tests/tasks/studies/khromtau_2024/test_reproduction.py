"""The reproduction audit: every published number recomputed from the inputs, never copied."""

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tasks.analyses.common import read
from tasks.load import replace_results
from tasks.studies import ANALYSES
from tasks.studies.khromtau_2024 import precision, reproduction
from tasks.studies.khromtau_2024.analyses import study_inputs as _study_inputs

# Inputs typed inline (the study's Tables 5, 7 and 8) for independent reference values.
JOB = np.array([10, 10, 13, 13, 4.0])
ENT5 = np.array([3, 13, 20, 4, 4.0])
TABLE7 = {
    "preferential_loans": [3, 4, 5, 1, 4, 7, 6, 9, 6, 5],
    "direct_financial_assistance": [3, 2, 4, 3, 4, 8, 7, 5, 8, 6],
    "loan_guarantee": [1, 2, 5, 3, 6, 7, 5, 7, 6, 8],
    "social_tax_benefits": [1, 3, 4, 5, 6, 6, 5, 5, 6, 9],
    "information_consulting": [2, 1, 3, 2, 5, 6, 7, 8, 9, 7],
    "city_administration_assistance": [1, 4, 3, 5, 3, 4, 7, 6, 8, 9],
}
X8 = np.array([1, 1, 2, 3, 6, 10, 10, 1, 2, 2, 4, 10, 10, 10, 1, 1, 1, 3, 10, 10, 10.0])
Y8 = np.array([1, 2, 3, 5, 10, 10, 10, 1, 1, 2, 3, 10, 10, 10, 1, 1, 2, 2, 10, 10, 10.0])
SK = np.mean([np.corrcoef(np.arange(1, 11), c)[0, 1] for c in TABLE7.values()])


@pytest.fixture(scope="module")
def inputs(warehouse):
    return _study_inputs(warehouse)


@pytest.fixture(scope="module")
def published(warehouse):
    return read(warehouse, "SELECT * FROM core.published_number")


@pytest.fixture(scope="module")
def audit(warehouse):
    frame = ANALYSES["reproduction"](warehouse)["results.paper_reproduction"]
    with duckdb.connect(warehouse) as con:
        replace_results(con, {"results.paper_reproduction": frame})  # columns: study migration
    return frame.set_index(["source_table", "statistic"])


def test_printed_precision():
    assert precision.printed_decimals("0.81252605") == 8
    assert precision.printed_decimals("-0.2463144") == 7
    assert precision.printed_decimals("11,750") == 0
    assert precision.printed_decimals("50") == 0
    assert precision.printed_decimals("4,5") == 1  # decimal comma
    assert precision.printed_tolerance("0.707106781") == pytest.approx(5e-10)
    assert precision.printed_tolerance("11,750") == 0.5
    assert precision.matches(0.81252605, 0.8125260538, 5e-9)
    assert not precision.matches(0.81252605, 0.8125260561, 5e-9)


def test_every_published_number_gets_one_row(audit, published):
    assert len(audit) == len(published) == 34
    assert not audit.index.duplicated().any()
    assert set(audit.index) == set(
        zip(published["source_table"], published["statistic"], strict=True)
    )
    assert set(audit["status"]) <= set(reproduction.STATUSES)
    assert audit["explanation"].str.len().min() > 40
    # published text and value are carried as printed
    pub = published.set_index(["source_table", "statistic"])
    assert (audit["published"] == pub.loc[audit.index, "published"]).all()


def test_table6_pearson_is_recomputed_not_copied(audit):
    row = audit.loc[("Table 6", "pearson_r")]
    assert row["recomputed"] == pytest.approx(np.corrcoef(JOB, ENT5)[0, 1])
    assert row["recomputed"] == pytest.approx(0.4376095229, abs=1e-9)
    assert abs(row["recomputed"] - 0.81252605) > 0.3
    assert row["status"] == "discrepancy"
    assert f"{SK:.10g}" in row["explanation"]  # reproduced by SK = 0.8125260538
    assert "0.375873" in row["explanation"]  # Table 4 counts tried, do not match
    assert "carried over from Table 7" in row["explanation"]


def test_table6_fisher_chain_is_right_arithmetic_on_the_wrong_r(audit):
    r = np.corrcoef(JOB, ENT5)[0, 1]
    q = stats.norm.ppf(0.975)
    z = np.arctanh(r)
    want = {
        "fisher_z": z,
        "z_low_95": z - q / np.sqrt(2),
        "z_high_95": z + q / np.sqrt(2),
        "r_low_95": np.tanh(z - q / np.sqrt(2)),
        "r_high_95": np.tanh(z + q / np.sqrt(2)),
    }
    for stat, value in want.items():
        row = audit.loc[("Table 6", stat)]
        assert row["recomputed"] == pytest.approx(value), stat
        assert row["status"] == "discrepancy", stat
        assert "r = SK" in row["explanation"]
    # what the printed numbers are: the same chain from SK at full precision, n = 5
    zs = np.arctanh(SK)
    assert abs(zs - 1.13441844) <= 5e-9
    assert abs((zs - q / np.sqrt(2)) - (-0.25148538)) <= 5e-9
    assert abs(np.tanh(zs + q / np.sqrt(2)) - 0.98714402) <= 5e-9
    for stat, value in (("se_z", 1 / np.sqrt(2)), ("z_crit_95", q), ("n", 5)):
        assert audit.loc[("Table 6", stat), "recomputed"] == pytest.approx(value)
        assert audit.loc[("Table 6", stat), "status"] == "reproduced"


def test_table6_spearman_reproduces(audit):
    row = audit.loc[("Table 6", "spearman_rho")]
    assert row["status"] == "reproduced"
    assert row["recomputed"] == pytest.approx(stats.spearmanr(JOB, ENT5).statistic)
    assert abs(row["recomputed"] - 0.405553553) <= 5e-10


def test_table7_coefficients_and_sk_reproduce(audit):
    for measure, counts in TABLE7.items():
        row = audit.loc[("Table 7", f"importance:{measure}")]
        assert row["recomputed"] == pytest.approx(np.corrcoef(np.arange(1, 11), counts)[0, 1])
        assert row["status"] == "reproduced"
        assert audit.loc[("Table 7", f"n:{measure}"), "recomputed"] == sum(counts) == 50
    row = audit.loc[("Table 7", "sk_aggregate")]
    assert row["recomputed"] == pytest.approx(SK)
    assert row["status"] == "reproduced"


def test_table9_pearson_and_spearman(audit):
    row = audit.loc[("Table 9", "pearson_r")]
    assert row["recomputed"] == pytest.approx(np.corrcoef(X8, Y8)[0, 1])  # 21 rows
    assert row["recomputed"] == pytest.approx(0.9643311855, abs=1e-9)
    assert row["status"] == "discrepancy"
    assert f"{SK:.10g}" in row["explanation"]
    assert f"{np.corrcoef(X8[:20], Y8[:20])[0, 1]:.6g}" in row["explanation"]  # 0.961935

    row = audit.loc[("Table 9", "spearman_rho")]
    assert row["recomputed"] == pytest.approx(stats.spearmanr(X8, Y8).statistic)
    assert row["recomputed"] == pytest.approx(0.9315939609, abs=1e-9)
    assert row["status"] == "discrepancy"
    rho20 = stats.spearmanr(X8[:20], Y8[:20]).statistic
    assert abs(rho20 - 0.924895128) <= 5e-10
    assert f"{rho20:.10g}" in row["explanation"]
    assert "rows 1-20" in row["explanation"]
    assert "(4, 4.5)" in row["explanation"] and "(4.5, 5)" in row["explanation"]

    assert audit.loc[("Table 9", "n"), "status"] == "reproduced"
    assert "rows 1-20" in audit.loc[("Table 9", "n"), "explanation"]
    assert audit.loc[("Table 9", "se_z"), "recomputed"] == pytest.approx(1 / np.sqrt(18))
    z = np.arctanh(np.corrcoef(X8, Y8)[0, 1])
    assert audit.loc[("Table 9", "fisher_z"), "recomputed"] == pytest.approx(z)
    assert audit.loc[("Table 9", "r_low_95"), "status"] == "discrepancy"


def test_grp_2021_total(audit):
    row = audit.loc[("Text", "grp_total_2021")]
    assert row["recomputed"] == pytest.approx(6253.8 + 0.0 + 3236.8 + 2259.4)
    assert row["status"] == "reproduced"
    assert "8,513.2" in row["explanation"] and "double-count" in row["explanation"]


def test_status_counts(audit):
    counts = audit["status"].value_counts().to_dict()
    assert counts == {"reproduced": 21, "discrepancy": 13}


def test_recomputed_does_not_depend_on_published_values(inputs, published, audit):
    fake = published.copy()
    fake["published"] = "0.123"
    fake["published_value"] = 0.123
    nums = reproduction.study_numbers(**inputs)
    again = reproduction.paper_reproduction(fake, nums).set_index(["source_table", "statistic"])
    pd.testing.assert_series_equal(again["recomputed"], audit.loc[again.index, "recomputed"])
    assert (again["status"] != "reproduced").sum() >= 30


def test_recomputed_follows_the_inputs(inputs, published):
    changed = dict(inputs)
    t5 = inputs["table5"].copy()
    t5.loc[t5["answer"] == "improved_somewhat", "entrepreneurship"] = 19.0  # Table 4's count
    changed["table5"] = t5
    nums = reproduction.study_numbers(**changed)
    out = reproduction.paper_reproduction(published, nums).set_index(["source_table", "statistic"])
    assert out.loc[("Table 6", "pearson_r"), "recomputed"] == pytest.approx(0.3758727886, abs=1e-9)


def test_unknown_statistic_is_not_reproducible(inputs):
    pub = pd.DataFrame(
        {
            "source_table": ["Table 6", "Table 3"],
            "statistic": ["kurtosis", "x"],
            "published": ["1.5", "2"],
            "published_value": [1.5, 2.0],
        }
    )
    out = reproduction.paper_reproduction(pub, reproduction.study_numbers(**inputs))
    assert list(out["status"]) == ["not_reproducible", "not_reproducible"]
    assert out["recomputed"].isna().all()
    assert (out["explanation"].str.len() > 20).all()


def test_explain_rules():
    rec = reproduction.Recomputation(0.5, "a value", [("another way", 0.25)])
    assert reproduction.explain("0.5", 0.5, rec)[0] == "reproduced"
    assert reproduction.explain("0.54", 0.54, rec)[0] == "discrepancy"  # +-0.005
    status, text = reproduction.explain("0.25", 0.25, rec)
    assert status == "discrepancy" and "reproduced by another way = 0.25" in text
    status, text = reproduction.explain("0.9", 0.9, rec)
    assert status == "discrepancy" and "No computation tried reproduces it" in text
    assert reproduction.explain("0.5", 0.5, None)[0] == "not_reproducible"
    assert reproduction.explain("n/a", float("nan"), rec)[0] == "not_reproducible"


def test_audit_markdown(audit):
    md = reproduction.audit_markdown(audit.reset_index())
    assert md.count("\n") == len(audit) + 1
    assert "| Table 6 pearson_r | 0.81252605 | 0.4376095229 | discrepancy |" in md
