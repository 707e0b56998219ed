"""The study's hypotheses H1-H4, tested as far as its published data allow.

The study publishes aggregates only (answer counts per category, score distributions, six annual
GRP values), so each hypothesis gets the one test its data can carry, with a Holm adjustment over
the four tests, an explicit decision rule and an honest verdict:

* H1 (support measures -> economy, jobs, quality of life): the necessary condition that
  respondents see the job situation improving, i.e. the mean of Table 4's 'Job' answers on the
  1..5 change scale differs from 3 ('unchanged'), one-sample t test from the frequency table.
* H2, H3, H4 (information/consulting, social tax benefits, subsidies and grants matter): the
  measure's mean Table 7 score (1..10) differs from the scale midpoint 5.5, one-sample t test
  from the frequency table.

None of the published data links receiving a support measure to an outcome (participation,
jobs, quality of life), so no hypothesis can be *supported*; a test can only show that a
necessary condition fails (the effect significantly in the opposite direction), giving *not
supported*. Everything else is *insufficient evidence*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from schemas.inputs import ANSWER_SCORE, ANSWERS
from tasks.schema import columns
from tasks.stats import ttest
from tasks.stats.multiple import holm
from tasks.studies.khromtau_2024 import study
from tasks.studies.khromtau_2024.texts import printed, text, texts

ALPHA = 0.05
MIN_N = 30  # respondents needed for the t test on a bounded score to be taken at face value
TABLE = "results.hypothesis"  # its columns: tasks.schema.columns(TABLE)
VERDICTS = ("supported", "not supported", "insufficient evidence")
CHANGE_SCORE = ANSWER_SCORE  # 5 = improved significantly ... 1 = worsened significantly
CHANGE_MIDPOINT = 3.0  # 'the situation remains unchanged'
SCORE_MIDPOINT = 5.5  # middle of the 1..10 scale

DECISION_RULE = text("hypotheses", "decision_rule", min_n=MIN_N)
NO_LINK = text("hypotheses", "no_link")
PAIRED_CAVEAT = text("hypotheses", "paired_caveat")


@dataclass(frozen=True)
class Hypothesis:
    """One of the study's hypotheses and the evidence used for it."""

    key: str
    statement: str
    kind: str  # "change" (Table 4 area) or "score" (Table 7 measure)
    item: str  # Table 4 area or Table 7 measure
    measures_effect: bool = False  # do the data measure the hypothesised effect itself?
    direction: int = 1  # +1: hypothesis predicts a mean above the midpoint


_STATEMENTS = texts()["hypotheses"]["statements"]
HYPOTHESES = (
    Hypothesis("H1", _STATEMENTS["H1"], "change", "job"),
    Hypothesis("H2", _STATEMENTS["H2"], "score", "information_consulting"),
    Hypothesis("H3", _STATEMENTS["H3"], "score", "social_tax_benefits"),
    Hypothesis("H4", _STATEMENTS["H4"], "score", "direct_financial_assistance"),
)


def one_sample_t(levels, counts, mu: float) -> dict:
    """:func:`tasks.stats.ttest.one_sample_t`; NaN t and p when R's t.test would stop."""
    return ttest.one_sample_t(levels, counts, mu, degenerate="nan")


def sign_test(levels, counts, mu: float) -> float:
    """Two-sided p-value of :func:`tasks.stats.ttest.sign_test` (ties with ``mu`` dropped)."""
    return ttest.sign_test(levels, counts, mu)["p_value"]


def verdict(p_adjusted: float, effect: float, h: Hypothesis, n: float) -> str:
    """Apply :data:`DECISION_RULE`."""
    if not (np.isfinite(p_adjusted) and np.isfinite(effect)) or n < MIN_N:
        return "insufficient evidence"
    significant = p_adjusted < ALPHA
    right_way = np.sign(effect) == h.direction
    if h.measures_effect:
        return "supported" if significant and right_way else "not supported"
    if significant and not right_way:
        return "not supported"
    return "insufficient evidence"


def _reason(v: str, p_adj: float, effect: float, mid: float, h: Hypothesis, sign_p: float) -> str:
    """One sentence: why the rule gave this verdict."""
    if not (np.isfinite(p_adj) and np.isfinite(effect)):
        return f"Verdict {v}: the test could not be computed."
    side = "above" if effect > 0 else "below" if effect < 0 else "at"
    found = text("hypotheses", "found", side=side, mid=mid, effect=abs(effect), p_adj=p_adj)
    if v == "insufficient evidence" and not h.measures_effect:
        if p_adj < ALPHA and np.sign(effect) == h.direction:
            key = "sign_agrees" if sign_p < ALPHA else "sign_not_robust"
            robust = text("hypotheses", key, sign_p=sign_p)
            return text("hypotheses", "verdict_condition_holds", v=v, found=found, robust=robust)
        return text("hypotheses", "verdict_condition_not_shown", v=v, found=found)
    return text("hypotheses", "verdict", v=v, found=found)


def _change_test(perception: pd.DataFrame, survey_id: str, area: str) -> tuple[dict, str]:
    counts = study.answer_counts(perception, survey_id, area).fillna(0.0)
    levels = [CHANGE_SCORE[a] for a in ANSWERS]
    res = one_sample_t(levels, counts.to_numpy(), CHANGE_MIDPOINT)
    res["sign_p"] = sign_test(levels, counts.to_numpy(), CHANGE_MIDPOINT)
    improved = int(counts.iloc[:2].sum())
    worsened = int(counts.iloc[3:].sum())
    evidence = text(
        "hypotheses",
        "change_evidence",
        area=area,
        improved=improved,
        unchanged=int(counts.iloc[2]),
        worsened=worsened,
        **res,
    )
    return res, evidence


def _score_test(scores: pd.DataFrame, survey_id: str, measure: str) -> tuple[dict, str]:
    counts = study.score_counts(scores, survey_id, measure)
    levels = np.asarray(study.SCORES, dtype=float)
    res = one_sample_t(levels, counts.to_numpy(), SCORE_MIDPOINT)
    res["sign_p"] = sign_test(levels, counts.to_numpy(), SCORE_MIDPOINT)
    evidence = text("hypotheses", "score_evidence", measure=measure, mid=SCORE_MIDPOINT, **res)
    return res, evidence


def _h1_context(table5: pd.DataFrame, perception: pd.DataFrame, observations: pd.DataFrame) -> str:
    parts = []
    t6 = study.table6_correlations(table5, perception)
    t6 = t6[(t6["analysis"] == f"{study.TABLE6_ANALYSIS}(table5)") & (t6["method"] == "pearson")]
    for r in t6.itertuples():
        parts.append(
            text(
                "hypotheses",
                "h1_own_evidence",
                estimate=r.estimate,
                p_value=r.p_value,
                n=r.n,
                printed=float(printed("Table 6", "pearson_r")),
            )
        )
    g = study.grp_unemployment_correlations(observations)
    g = g[
        (g["analysis"] == f"{study.GRP_ANALYSIS}({study.STUDY_TOWN})") & (g["method"] == "pearson")
    ]
    for r in g.itertuples():
        parts.append(
            text("hypotheses", "h1_grp", x=r.x, estimate=r.estimate, p_value=r.p_value, n=r.n)
        )
    return " ".join(parts)


def hypothesis_tests(
    perception: pd.DataFrame,
    scores: pd.DataFrame,
    table5: pd.DataFrame,
    observations: pd.DataFrame,
    survey_id: str = study.STUDY_SURVEY,
) -> pd.DataFrame:
    """One row per hypothesis for ``results.hypothesis``."""
    rows = []
    for h in HYPOTHESES:
        if h.kind == "change":
            res, evidence = _change_test(perception, survey_id, h.item)
            mid = CHANGE_MIDPOINT
        else:
            res, evidence = _score_test(scores, survey_id, h.item)
            mid = SCORE_MIDPOINT
        rows.append({"h": h, "res": res, "evidence": evidence, "mid": mid})
    adjusted = holm([r["res"]["p"] for r in rows])

    all_measures, means = [], []
    for s, measure, _ in study.measures(scores):
        if s != survey_id:
            continue
        res, _ = _score_test(scores, survey_id, measure)
        means.append(res["mean"])
        all_measures.append(text("hypotheses", "measure_mean", measure=measure, **res))
    measures_text = (
        text(
            "hypotheses",
            "all_measures",
            k=len(means),
            mid=SCORE_MIDPOINT,
            measures="; ".join(all_measures),
            low=min(means),
            high=max(means),
        )
        if means
        else ""
    )

    out = []
    for r, p_adj in zip(rows, adjusted, strict=True):
        h, res, mid = r["h"], r["res"], r["mid"]
        effect = res["mean"] - mid if np.isfinite(res["mean"]) else np.nan
        v = verdict(float(p_adj), effect, h, float(res["n"] or 0))
        notes = [
            _reason(v, float(p_adj), effect, mid, h, res["sign_p"]),
            text("hypotheses", "holm_and_sign", mid=mid, sign_p=res["sign_p"]),
            NO_LINK,
            text("hypotheses", "sample"),
        ]
        if h.kind == "change":
            notes.append(_h1_context(table5, perception, observations))
        else:
            notes.append(measures_text)
            notes.append(PAIRED_CAVEAT)
        notes.append(texts()["hypotheses"]["extra_notes"].get(h.key, ""))
        out.append(
            {
                "hypothesis": h.key,
                "statement": h.statement,
                "evidence": r["evidence"],
                "statistic": text("hypotheses", "statistic", mid=mid, df=res["df"]),
                "value": res["t"],
                "p_value": res["p"],
                "p_adjusted": float(p_adj),
                "decision_rule": DECISION_RULE,
                "verdict": v,
                "note": " ".join(n for n in notes if n),
            }
        )
    return pd.DataFrame(out, columns=list(columns(TABLE)))
