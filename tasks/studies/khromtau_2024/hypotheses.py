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

from schemas.inputs import ANSWERS
from tasks.stats import ttest
from tasks.stats.multiple import holm
from tasks.studies.khromtau_2024 import study

ALPHA = 0.05
MIN_N = 30  # respondents needed for the t test on a bounded score to be taken at face value
COLUMNS = (
    "hypothesis",
    "statement",
    "evidence",
    "statistic",
    "value",
    "p_value",
    "p_adjusted",
    "decision_rule",
    "verdict",
    "note",
)
VERDICTS = ("supported", "not supported", "insufficient evidence")
#: 5 = improved significantly ... 1 = worsened significantly (as results.perception_summary)
CHANGE_SCORE = {a: 5 - i for i, a in enumerate(ANSWERS)}
CHANGE_MIDPOINT = 3.0  # 'the situation remains unchanged'
SCORE_MIDPOINT = 5.5  # middle of the 1..10 scale

DECISION_RULE = (
    "Two-sided one-sample t test per hypothesis (alpha = 0.05), p-values Holm-adjusted over the "
    "four tests H1-H4. 'supported' if the data measure the hypothesised effect itself, "
    f"n >= {MIN_N} respondents, the Holm-adjusted p < 0.05 and the effect is in the hypothesised "
    "direction; 'not supported' if the test (of the effect or of a necessary condition of it, "
    f"with n >= {MIN_N}) is significant after Holm in the opposite direction, or the data measure "
    "the effect itself and it is not significant; otherwise 'insufficient evidence' (the data "
    "cannot measure the hypothesised effect and the necessary condition does not fail, or n is "
    "too small)."
)
NO_LINK = (
    "The study publishes no data linking receipt of a support measure to an outcome (no "
    "respondent-level answers, no comparison group, no before/after for recipients), so the "
    "effect the hypothesis claims cannot be measured; the test only checks a necessary condition."
)
PAIRED_CAVEAT = (
    "All six measures were scored by the same 50 respondents: comparing measures (e.g. "
    "'information/consulting scores higher than the others') needs the paired respondent-level "
    "scores; a two-sample test or comparison of the measures' intervals that assumes independent "
    "groups is invalid, and the published frequency tables do not contain the pairing. The "
    "study's 'importance' coefficients (Pearson r of score vs count) are not a test of anything."
)


@dataclass(frozen=True)
class Hypothesis:
    """One of the study's hypotheses and the evidence used for it."""

    key: str
    statement: str
    kind: str  # "change" (Table 4 area) or "score" (Table 7 measure)
    item: str  # Table 4 area or Table 7 measure
    measures_effect: bool = False  # do the data measure the hypothesised effect itself?
    direction: int = 1  # +1: hypothesis predicts a mean above the midpoint


HYPOTHESES = (
    Hypothesis(
        "H1",
        "The business support measures implemented by the government in Khromtau have "
        "facilitated the growth of the city's economy, the creation of new jobs, and the "
        "enhancement of the residents' quality of life.",
        "change",
        "job",
    ),
    Hypothesis(
        "H2",
        "Providing informational and advisory support is a crucial factor in encouraging "
        "entrepreneurs to engage in initiatives aimed at enhancing the quality of life in the "
        "city.",
        "score",
        "information_consulting",
    ),
    Hypothesis(
        "H3",
        "Social tax incentives play a significant role in motivating entrepreneurs to "
        "participate in urban improvement projects.",
        "score",
        "social_tax_benefits",
    ),
    Hypothesis(
        "H4",
        "Subsidies and grants play an important role in attracting entrepreneurs to actively "
        "participate in socially significant projects in the city of Khromtau.",
        "score",
        "direct_financial_assistance",
    ),
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
    found = f"mean {side} {mid:g} by {abs(effect):.2f}, Holm-adjusted p = {p_adj:.3g}"
    if v == "insufficient evidence" and not h.measures_effect:
        if p_adj < ALPHA and np.sign(effect) == h.direction:
            robust = (
                f"; the sign test agrees, unadjusted p = {sign_p:.3g}"
                if sign_p < ALPHA
                else f"; not robust: the sign test gives unadjusted p = {sign_p:.3g}"
            )
            return (
                f"Verdict {v}: the necessary condition holds ({found}{robust}), but the data "
                "cannot show the effect the hypothesis claims."
            )
        return (
            f"Verdict {v}: even the necessary condition is not shown ({found}), and the data "
            "cannot show the effect the hypothesis claims; a non-significant result is not "
            "evidence against it."
        )
    return f"Verdict {v} ({found})."


def _change_test(perception: pd.DataFrame, survey_id: str, area: str) -> tuple[dict, str]:
    counts = study.answer_counts(perception, survey_id, area).fillna(0.0)
    levels = [CHANGE_SCORE[a] for a in ANSWERS]
    res = one_sample_t(levels, counts.to_numpy(), CHANGE_MIDPOINT)
    res["sign_p"] = sign_test(levels, counts.to_numpy(), CHANGE_MIDPOINT)
    improved = int(counts.iloc[:2].sum())
    worsened = int(counts.iloc[3:].sum())
    text = (
        f"Table 4 '{area}' answers of {res['n']} respondents on the change scale 5 = improved "
        f"significantly ... 1 = worsened significantly: {improved} improved, "
        f"{int(counts.iloc[2])} unchanged, {worsened} worsened; mean {res['mean']:.2f} "
        f"(95% CI {res['ci_low']:.2f} to {res['ci_high']:.2f}) vs 3 = unchanged."
    )
    return res, text


def _score_test(scores: pd.DataFrame, survey_id: str, measure: str) -> tuple[dict, str]:
    counts = study.score_counts(scores, survey_id, measure)
    levels = np.asarray(study.SCORES, dtype=float)
    res = one_sample_t(levels, counts.to_numpy(), SCORE_MIDPOINT)
    res["sign_p"] = sign_test(levels, counts.to_numpy(), SCORE_MIDPOINT)
    text = (
        f"Table 7 scores (1..10) of '{measure}' by {res['n']} respondents: mean "
        f"{res['mean']:.2f} (95% CI {res['ci_low']:.2f} to {res['ci_high']:.2f}) vs the scale "
        f"midpoint {SCORE_MIDPOINT}. The survey question was 'How satisfied are you with the "
        "city government's policies to support entrepreneurship?': a satisfaction rating of the "
        "measure, not a measure of whether it motivates participation in city projects."
    )
    return res, text


def _h1_context(table5: pd.DataFrame, perception: pd.DataFrame, observations: pd.DataFrame) -> str:
    parts = []
    t6 = study.table6_correlations(table5, perception)
    t6 = t6[(t6["analysis"] == f"{study.TABLE6_ANALYSIS}(table5)") & (t6["method"] == "pearson")]
    for r in t6.itertuples():
        parts.append(
            f"The study's own evidence for H1, the Pearson r of the Job and Entrepreneurship "
            f"answer counts (Table 5), is {r.estimate:.4f} (p = {r.p_value:.2f}, n = {r.n} answer "
            "categories, not respondents; the printed 0.8125 is Table 7's SK carried over): it "
            "compares the shapes of two answer distributions and cannot test H1."
        )
    g = study.grp_unemployment_correlations(observations)
    g = g[
        (g["analysis"] == f"{study.GRP_ANALYSIS}({study.STUDY_TOWN})") & (g["method"] == "pearson")
    ]
    for r in g.itertuples():
        parts.append(
            f"GRP ({r.x}) vs unemployment rate: r = {r.estimate:.2f}, p = {r.p_value:.2f}, "
            f"n = {r.n} years (descriptive, says nothing about support measures)."
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
        all_measures.append(f"{measure} {res['mean']:.2f} (t = {res['t']:.2f}, p = {res['p']:.3g})")
    measures_text = (
        f"All {len(means)} measures vs {SCORE_MIDPOINT}: " + "; ".join(all_measures) + ". The "
        f"means lie between {min(means):.2f} and {max(means):.2f}: the ratings hardly separate "
        "the measures the hypotheses single out from the others."
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
            f"Holm adjustment over the four tests H1-H4 (family of 4). Sign test (above vs "
            f"below {mid:g}, ties dropped) p = {res['sign_p']:.3g}: a check that does not treat "
            "the score as interval-scaled.",
            NO_LINK,
            "Respondents are a convenience sample of 50 entrepreneurs, not a random sample.",
        ]
        if h.kind == "change":
            notes.append(_h1_context(table5, perception, observations))
        else:
            notes.append(measures_text)
            notes.append(PAIRED_CAVEAT)
        if h.key == "H2":
            notes.append(
                "'Crucial factor' implies information/consulting matters more than the other "
                "measures; it has the highest mean score, but that comparison cannot be tested "
                "with the published data (see the paired-data caveat)."
            )
        if h.key == "H4":
            notes.append(
                "The study's own discussion says subsidies and grants 'may have a limited "
                "impact', which contradicts H4 as stated."
            )
        out.append(
            {
                "hypothesis": h.key,
                "statement": h.statement,
                "evidence": r["evidence"],
                "statistic": (f"t (one-sample, two-sided, H0: mean = {mid:g}, df = {res['df']:g})"),
                "value": res["t"],
                "p_value": res["p"],
                "p_adjusted": float(p_adj),
                "decision_rule": DECISION_RULE,
                "verdict": v,
                "note": " ".join(n for n in notes if n),
            }
        )
    return pd.DataFrame(out, columns=list(COLUMNS))
