"""Survey analyses: reference values from other systems (R, psych), wiring, waves, scale."""

import time

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.stats.contingency import association

from schemas.survey import RESULTS_SCHEMAS
from tasks.analyses.registry import ANALYSES
from tasks.stats.contingency import association_test
from tasks.stats.correlation import correlate
from tasks.stats.multiple import holm
from tasks.stats.reliability import cronbach_alpha
from tasks.stats.ttest import welch
from tasks.survey import make_synthetic
from tasks.survey.analyses import item_correlations, run_survey_analyses
from tasks.survey.importer import answers_frame, import_file, items_frame
from warehouse import db

# pingouin's "cronbach_alpha" dataset (15 subjects x 10 items; raphaelvallat/pingouin,
# pingouin/datasets/cronbach_alpha.csv, long format Subj/Items/Scores, here one row per
# subject, columns Q1..Q10). Reference from R: psych::alpha(data) gives raw alpha 0.592 with
# Feldt 95% bounds 0.195 and 0.840, as asserted in pingouin's tests/test_reliability.py
# ("Compare results with the R package psych").
PINGOUIN_CRONBACH = [
    [3, 2, 4, 1, 4, 5, 1, 4, 3, 2],
    [5, 4, 6, 3, 5, 1, 2, 5, 5, 5],
    [7, 3, 5, 5, 6, 4, 3, 3, 6, 5],
    [2, 4, 3, 3, 2, 2, 2, 6, 6, 3],
    [6, 5, 6, 5, 4, 4, 4, 6, 7, 5],
    [1, 2, 3, 4, 2, 5, 2, 3, 5, 2],
    [4, 3, 5, 3, 5, 2, 1, 2, 4, 3],
    [2, 4, 4, 3, 7, 2, 2, 4, 6, 5],
    [6, 5, 5, 5, 1, 6, 5, 2, 3, 2],
    [5, 4, 6, 4, 3, 5, 3, 1, 7, 2],
    [4, 3, 5, 2, 5, 3, 2, 3, 4, 1],
    [4, 2, 3, 2, 5, 3, 4, 2, 3, 4],
    [5, 5, 6, 2, 3, 3, 2, 4, 4, 5],
    [6, 5, 5, 4, 2, 2, 1, 4, 6, 5],
    [4, 3, 5, 5, 3, 1, 3, 2, 3, 4],
]


def test_cronbach_alpha_matches_r_psych():
    r = cronbach_alpha(np.array(PINGOUIN_CRONBACH))
    assert (r["k"], r["n"]) == (10, 15)
    assert round(r["alpha"], 3) == 0.592
    assert (round(r["ci_low"], 3), round(r["ci_high"], 3)) == (0.195, 0.840)


def test_cronbach_alpha_uses_complete_respondents_and_flags_degenerate_data():
    data = np.array(PINGOUIN_CRONBACH, dtype=float)
    with_gap = np.vstack([data, [np.nan] + [1.0] * 9])
    assert cronbach_alpha(with_gap)["alpha"] == pytest.approx(cronbach_alpha(data)["alpha"])
    assert "not computed" in cronbach_alpha(np.ones((5, 3)))["note"]
    # two perfectly parallel items: alpha = 1
    x = np.arange(10.0)
    assert cronbach_alpha(np.column_stack([x, x]))["alpha"] == pytest.approx(1.0)


def test_chi_square_and_cramers_v_match_r_and_scipy():
    # R ?chisq.test example (Agresti 2007, p. 39): party identification by gender.
    # chisq.test(M): X-squared = 30.07, df = 2, p-value = 2.954e-07
    m = np.array([[762, 327, 468], [484, 239, 477]])
    r = association_test(m)
    assert r["test"] == "chi-square" and r["df"] == 2
    assert round(r["statistic"], 2) == 30.07
    assert r["p_value"] == pytest.approx(2.954e-07, rel=1e-3)
    assert r["cramers_v"] == pytest.approx(association(m, method="cramer"), rel=1e-12)


def test_small_tables_use_fisher():
    # R ?fisher.test, "Tea tasting": fisher.test(matrix(c(3, 1, 1, 3), 2)) p-value = 0.4857
    r = association_test([[3, 1], [1, 3]])
    assert r["test"] == "fisher-exact" and r["p_value"] == pytest.approx(0.4857, abs=1e-4)
    # R ?fisher.test, job satisfaction by income (4 x 4): fisher.test(Job) p-value = 0.7827;
    # ours is Monte Carlo (10 000 tables, SE about 0.004)
    job = np.array([1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11]).reshape(4, 4).T
    r = association_test(job)
    assert r["test"] == "fisher-monte-carlo" and r["p_value"] == pytest.approx(0.7827, abs=0.015)
    assert r["cramers_v"] == pytest.approx(association(job, method="cramer"), rel=1e-12)
    assert association_test(job)["p_value"] == r["p_value"]  # seeded: reproducible
    # empty rows/columns are dropped; a single category cannot be tested
    assert association_test([[5, 0], [3, 0]])["test"] == "not computed"


def test_welch_matches_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.integers(1, 6, 40).astype(float), rng.integers(2, 6, 55).astype(float)
    w = welch(a.size, a.mean(), a.std(ddof=1), b.size, b.mean(), b.std(ddof=1))
    ref = stats.ttest_ind(b, a, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert float(w["t_statistic"]) == pytest.approx(ref.statistic, rel=1e-10)
    assert float(w["p_value"]) == pytest.approx(ref.pvalue, rel=1e-10)
    assert float(w["df"]) == pytest.approx(ref.df, rel=1e-10)
    assert (float(w["ci_low"]), float(w["ci_high"])) == pytest.approx((ci.low, ci.high))


def test_item_correlations_are_the_engine_rows_with_holm():
    rng = np.random.default_rng(7)
    base = rng.integers(1, 6, 60)
    m = pd.DataFrame(
        {
            "a": base,
            "b": np.clip(base + rng.integers(-1, 2, 60), 1, 5),
            "c": rng.integers(1, 11, 60),
        }
    ).astype(float)
    out = item_correlations(m, "w", synthetic=False)
    assert len(out) == 6 and set(out["method"]) == {"spearman", "kendall"}
    row = out[(out.x == "a") & (out.y == "b") & (out.method == "kendall")].iloc[0]
    ref = correlate(m["a"], m["b"], method="kendall")
    assert row["estimate"] == pytest.approx(ref["estimate"]) and row["n"] == 60
    sp = out[out.method == "spearman"]
    assert sp["p_adjusted"].to_numpy() == pytest.approx(holm(sp["p_value"].to_numpy()))


def test_results_of_the_example_fit_their_schemas_and_tables(imported, wh):
    w, _ = imported
    results = run_survey_analyses(w)
    for table, frame in results.items():
        cols = [r[0] for r in wh.rows(w, f"DESCRIBE {table}")]
        assert list(frame.columns) == cols, table
        if len(frame):
            RESULTS_SCHEMAS[table].validate(frame)
    rel = results["results.survey_reliability"].set_index("composite")
    assert rel.loc["perception", "k"] == 9 and rel.loc["support", "k"] == 6
    assert rel.loc["perception", "n"] == 50
    # summaries reproduce the study's Table 4 mean for "Job" (scores 5..1)
    s = results["results.survey_item_summary"]
    job = s[(s.item == "job") & (s.group_item == "")].iloc[0]
    assert job["mean"] == pytest.approx((10 * 5 + 10 * 4 + 13 * 3 + 13 * 2 + 4 * 1) / 50)
    groups = s[(s.item == "job") & (s.group_item == "business_category")]
    assert dict(zip(groups.group_value, groups.n, strict=True)) == {
        "small_business": 20,
        "medium_business": 20,
        "big_business": 10,
    }
    assert len(results["results.survey_association"]) == 15
    assert len(results["results.survey_item_correlation"]) == 2 * 15 * 14 // 2


def test_refresh_registry_runs_the_survey_analyses(tmp_path, imported):
    assert "survey" in ANALYSES
    empty = tmp_path / "empty.duckdb"
    with duckdb.connect(str(empty)) as con:
        db.migrate(con)
    out = ANALYSES["survey"](str(empty))
    assert set(out) == set(RESULTS_SCHEMAS) and all(f.empty for f in out.values())
    w, _ = imported
    assert len(ANALYSES["survey"](str(w))["results.survey_reliability"]) == 2


def test_change_between_waves_is_welch_and_never_mixes_synthetic_and_real(tmp_path, wh, example):
    w = tmp_path / "w.duckdb"
    import_file(
        example,
        codebook="khromtau_2024",
        survey_id="khromtau-2024-synthetic",
        warehouse=w,
        analyse=False,
    )
    real = tmp_path / "wave_a.csv"  # same answers, not flagged synthetic: a real wave
    real.write_bytes(example.read_bytes())
    import_file(
        real, codebook="khromtau_2024", survey_id="khromtau-2023", warehouse=w, analyse=False
    )
    second = make_synthetic.synthetic_wave(seed=7)
    second.loc[:19, "job"] = "The situation has improved significantly"
    path2 = tmp_path / "khromtau_synthetic_wave_2025.csv"
    second.to_csv(path2, index=False)
    import_file(path2, codebook="khromtau_2024", survey_id="khromtau-2025-synthetic", warehouse=w)
    ch = wh.frame(w, "SELECT * FROM results.survey_wave_change")
    pairs = set(zip(ch["survey_from"], ch["survey_to"], strict=True))
    assert pairs == {("khromtau-2024-synthetic", "khromtau-2025-synthetic")}
    assert ch["synthetic"].all()
    assert len(ch) == 15  # the 9 perception + 6 support items (others unanswered)
    job = ch[ch.item == "job"].iloc[0]
    score = {
        "The situation has improved significantly": 5,
        "The situation has improved somewhat": 4,
        "The situation remains unchanged": 3,
        "The situation has worsened somewhat": 2,
        "The situation has worsened significantly": 1,
    }
    a = pd.read_csv(example)["job"].map(score)
    b = second["job"].map(score)
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert job["difference"] == pytest.approx(b.mean() - a.mean())
    assert job["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert job["ci_low"] == pytest.approx(ref.confidence_interval().low, rel=1e-9)
    unchanged = ch[ch.item == "healthcare"].iloc[0]  # same margins: no change
    assert unchanged["difference"] == pytest.approx(0.0)


def _big_warehouse(path, n: int, codebook) -> None:
    """A wave of ``n`` respondents x 20 items written by SQL (no Python loop over rows)."""
    items = [i for i in codebook.items if not i.multiple][:21]
    with duckdb.connect(str(path)) as con:
        db.migrate(con)
        con.register("_it", items_frame(codebook, items))
        con.register("_an", answers_frame(codebook, items))
        con.execute(
            "INSERT INTO core.survey_item SELECT 'big', item, parent_item, question_id, "
            "question_en, question_ru, role, scale, scale_type, label_en, label_ru, required, "
            "position, composite FROM _it"
        )
        con.execute(
            "INSERT INTO core.survey_answer SELECT 'big', item, value, answer, label_en, "
            "label_ru FROM _an"
        )
        con.execute(
            "INSERT INTO core.survey_wave VALUES ('big', 'khromtau', '2030', 'khromtau_2024', "
            "'1', 'x', 'big.csv', 'h', true, 'test', ?, ?, 'r', now())",
            [n, n * len(items)],
        )
        con.execute("SELECT setseed(0.25)")
        con.execute(
            f"""INSERT INTO core.survey_response
            WITH resp AS (SELECT i, random() AS f FROM range({n}) t(i)),
            lv AS (SELECT item, min(value) lo, max(value) hi FROM _an GROUP BY item)
            SELECT 'big', 'khromtau', 'R' || lpad(i::VARCHAR, 8, '0'), lv.item,
                   least(hi, lo + floor((0.6 * f + 0.4 * random()) * (hi - lo + 1)))::INTEGER,
                   '', ''
            FROM resp CROSS JOIN lv"""
        )


def test_analyses_scale_linearly_without_row_loops(tmp_path, codebook):
    # 100 000 respondents x 20 items (2.1 M answers) here; 1 M x 20 runs in about 5 s
    path = tmp_path / "big.duckdb"
    _big_warehouse(path, 100_000, codebook)
    t0 = time.perf_counter()
    out = run_survey_analyses(path)
    assert time.perf_counter() - t0 < 15
    rel = out["results.survey_reliability"].set_index("composite")
    assert rel.loc["perception", "n"] == 100_000
    assert rel.loc["perception", "alpha"] > 0.8  # items share the latent factor
    assert len(out["results.survey_item_correlation"]) == 2 * 19 * 18 // 2
