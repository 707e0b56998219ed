"""Reproduction audit: recompute every number the study publishes from its bundled inputs.

One row per row of ``core.published_number`` (the study's printed numbers) in
``results.paper_reproduction``:

* ``recomputed`` is the correctly computed value of what the study says it computed (e.g. for
  Table 9's Pearson r: the Pearson r of Table 8's 21 rows), always computed from the input tables
  (Tables 1, 4, 5, 7, 8), never taken from the published numbers.
* ``status`` is ``reproduced`` when ``|published - recomputed|`` is at most half a unit in the
  last printed digit, ``discrepancy`` when it is not, ``not_reproducible`` when no recomputation
  is possible (unknown statistic, missing inputs, unreadable published value).
* ``explanation`` says how the value was recomputed and, for a discrepancy, which other
  computation from the same inputs does reproduce the printed figure (checked against the same
  printed-precision rule), or that none of those tried does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special
from scipy.stats import rankdata

from tasks.analyses import grp
from tasks.stats.correlation import correlate, fisher_z_ci
from tasks.studies.khromtau_2024 import study

STATUSES = ("reproduced", "discrepancy", "not_reproducible")
COLUMNS = (
    "source_table",
    "statistic",
    "published",
    "published_value",
    "recomputed",
    "status",
    "explanation",
)
CHAIN = ("fisher_z", "se_z", "z_crit_95", "z_low_95", "z_high_95", "r_low_95", "r_high_95")
CHAIN_FORMULA = {
    "fisher_z": "z = atanh(r)",
    "se_z": "se = 1/sqrt(n-3)",
    "z_crit_95": "c = qnorm(0.975)",
    "z_low_95": "z - c*se",
    "z_high_95": "z + c*se",
    "r_low_95": "tanh(z - c*se)",
    "r_high_95": "tanh(z + c*se)",
}


@dataclass
class Recomputation:
    """How one published number was recomputed, and what else was tried."""

    value: float
    how: str  # what the study says it computed and how we computed it (rows, formula)
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    context: str = ""  # caveats appended to every explanation of this number


# ------------------------------------------------------------------ printed precision


def printed_decimals(text: str) -> int:
    """Decimal places of a number as printed: ``"0.81252605"`` -> 8, ``"11,750"`` -> 0.

    A comma followed by exactly three digits (and no point) is a thousands separator;
    any other single comma is a decimal comma.
    """
    t = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if "." in t:
        return len(re.sub(r"\D", "", t.rsplit(".", 1)[1]))
    if "," in t:
        tail = t.rsplit(",", 1)[1]
        if len(tail) == 3 and tail.isdigit():
            return 0
        return len(re.sub(r"\D", "", tail))
    return 0


def printed_tolerance(text: str) -> float:
    """Half a unit in the last printed digit."""
    return 0.5 * 10.0 ** (-printed_decimals(text))


def matches(published_value: float, value: float, tolerance: float) -> bool:
    """``|published - value| <= tolerance`` (with a hair of slack for binary rounding)."""
    if not (np.isfinite(published_value) and np.isfinite(value)):
        return False
    return abs(published_value - value) <= tolerance * (1 + 1e-9) + 1e-15


# ------------------------------------------------------------------ the study's numbers


def _pearson(x, y, method: str = "pearson") -> float:
    """Estimate of :func:`tasks.stats.correlation.correlate`; NaN if a value is missing."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.isnan(x).any() or np.isnan(y).any():
        return float("nan")
    return correlate(x, y, method=method)["estimate"]


def _spearman(x, y) -> float:
    return _pearson(x, y, "spearman")


def _desc_ranks(values) -> np.ndarray:
    """Average ranks with 1 = largest (the study's rank columns RegH / Slim)."""
    return rankdata(-np.asarray(values, dtype=float))


def study_numbers(
    table5: pd.DataFrame,
    perception: pd.DataFrame,
    scores: pd.DataFrame,
    paired: pd.DataFrame,
    observations: pd.DataFrame,
    survey_id: str = study.STUDY_SURVEY,
    town_id: str = study.STUDY_TOWN,
) -> dict:
    """Every intermediate quantity the audit needs, computed from the input tables."""
    nums: dict = {}
    t5 = study.table5_counts(table5, survey_id)
    job5, ent5 = t5["job"].to_numpy(float), t5["entrepreneurship"].to_numpy(float)
    job4 = study.answer_counts(perception, survey_id, "job").to_numpy(float)
    ent4 = study.answer_counts(perception, survey_id, "entrepreneurship").to_numpy(float)
    rank_job, rank_ent = t5["rank_job"].to_numpy(float), t5["rank_entrepreneurship"].to_numpy(float)
    complete5 = ~(np.isnan(job5) | np.isnan(ent5))
    nums["t5"] = {
        "n": int(complete5.sum()),
        "pearson": _pearson(job5, ent5),
        "pearson_t4": _pearson(job4, ent4),
        "spearman": _spearman(job5, ent5),
        "spearman_t4": _spearman(job4, ent4),
        "pearson_p": correlate(job5, ent5)["p_value"],
        "pearson_printed_ranks": _pearson(rank_job, rank_ent),
        "ranks_are_desc_average": bool(
            complete5.all()
            and np.allclose(rank_job, _desc_ranks(job5))
            and np.allclose(rank_ent, _desc_ranks(ent5))
        ),
        "sum_ent5": float(np.nansum(ent5)),
        "sum_ent4": float(np.nansum(ent4)),
    }

    coef, n_by_measure = {}, {}
    for s, measure, _ in study.measures(scores):
        if s != survey_id:
            continue
        counts = study.score_counts(scores, s, measure)
        coef[measure] = _pearson(np.asarray(study.SCORES, dtype=float), counts.to_numpy())
        n_by_measure[measure] = float(counts.sum())
    nums["t7"] = {
        "coef": coef,
        "n": n_by_measure,
        "sk": float(np.mean(list(coef.values()))) if coef else float("nan"),
    }

    p = study.paired_values(paired, survey_id)
    x, y = p["x"].to_numpy(float), p["y"].to_numpy(float)
    rx, ry = p["rank_x"].to_numpy(float), p["rank_y"].to_numpy(float)
    n8 = len(p)
    first = slice(0, n8 - 1)  # rows 1..n-1 (rows 1-20 of 21): what A2:A21 covers
    nums["t8"] = {
        "n": n8,
        "pearson": _pearson(x, y),
        "pearson_first": _pearson(x[first], y[first]),
        "spearman": _spearman(x, y),
        "spearman_first": _spearman(x[first], y[first]),
        "pearson_printed_ranks": _pearson(rx, ry),
        "pearson_printed_ranks_first": _pearson(rx[first], ry[first]),
        "ranks_first_match": bool(
            n8 > 1
            and np.allclose(rx[first], _desc_ranks(x[first]))
            and np.allclose(ry[first], _desc_ranks(y[first]))
        ),
        "ranks_all_match": bool(
            n8 > 0 and np.allclose(rx, _desc_ranks(x)) and np.allclose(ry, _desc_ranks(y))
        ),
        "last_printed_rank": (rx[-1], ry[-1]) if n8 else (np.nan, np.nan),
        "last_rank_all": (_desc_ranks(x)[-1], _desc_ranks(y)[-1]) if n8 else (np.nan, np.nan),
    }

    g = grp.grp_by_year(observations)
    g = g[g["town_id"] == town_id]
    nums["grp"] = {int(r.year): r._asdict() for r in g.itertuples(index=False)}
    known = g.dropna(subset=["industry", "mining", "manufacturing"])
    nums["grp_nested"] = {
        "years": len(known),
        "nested": int((known["mining"] + known["manufacturing"] < known["industry"]).sum()),
    }
    lows = {}
    for col in ("total_as_study", "total_industry_services"):
        sub = g.dropna(subset=[col])
        if len(sub):
            low = sub.loc[sub[col].idxmin()]
            lows[col] = (
                int(low["year"]),
                float(low[col]),
                int(sub["year"].min()),
                int(sub["year"].max()),
            )
    nums["grp_lowest"] = lows
    return nums


# ------------------------------------------------------------------ recomputations


def _chain_value(stat: str, r: float, n: int) -> float:
    z, se, z_low, z_high, r_low, r_high = (
        fisher_z_ci(r, n, 0.95) if np.isfinite(r) else [np.nan] * 6
    )
    return {
        "fisher_z": z,
        "se_z": se,
        "z_crit_95": float(special.ndtri(0.975)),
        "z_low_95": z_low,
        "z_high_95": z_high,
        "r_low_95": r_low,
        "r_high_95": r_high,
    }[stat]


def _chain_how(stat: str, r_text: str, n: int) -> str:
    if stat == "z_crit_95":
        return CHAIN_FORMULA[stat]
    if stat == "se_z":
        return f"{CHAIN_FORMULA[stat]} with n = {n}"
    return f"{CHAIN_FORMULA[stat]} with {r_text} and n = {n}"


def _f(v: float, digits: int = 10) -> str:
    return "nan" if not np.isfinite(v) else f"{v:.{digits}g}"


def _table6(stat: str, nums: dict) -> Recomputation | None:
    t5, sk = nums["t5"], nums["t7"]["sk"]
    r, n = t5["pearson"], t5["n"]
    sk_alt = "SK, the mean of Table 7's six importance coefficients"
    if stat == "pearson_r":
        return Recomputation(
            r,
            f"Pearson r of Table 5's Job and Entrepreneurship counts over the {n} answer "
            "categories (as printed, with 13 in 'improved somewhat')",
            [
                (sk_alt, sk),
                ("Pearson r with Table 4's counts (19 instead of 13)", t5["pearson_t4"]),
                ("Pearson r of the printed rank columns", t5["pearson_printed_ranks"]),
            ],
            "The value is carried over from Table 7 (the same 0.81252605 is printed in Table 9 "
            "and the same formula text CORREL(A2:A21;B2:B21) appears in both tables). The "
            "correct coefficient is a correlation of answer counts over 5 categories, not of "
            f"respondents, and is far from significant (p = {t5['pearson_p']:.2f} with n = {n}; "
            "see results.correlation).",
        )
    if stat == "n":
        return Recomputation(
            float(n),
            "number of answer categories with both counts in Table 5",
            context="n counts answer categories, not the 50 respondents.",
        )
    if stat == "spearman_rho":
        return Recomputation(
            t5["spearman"],
            "Spearman rho (average ranks) of Table 5's Job and Entrepreneurship counts",
            [
                (
                    "Pearson r of the printed rank columns RegH and Slim, the printed formula "
                    "CORREL(C2:C21;D2:D21)",
                    t5["pearson_printed_ranks"],
                ),
                ("Spearman rho with Table 4's counts", t5["spearman_t4"]),
            ],
            (
                "The printed ranks are descending average ranks of the Table 5 counts (verified). "
                if t5["ranks_are_desc_average"]
                else ""
            )
            + "Table 4's 19 and Table 5's 13 both rank 2nd, so the rank correlation is the same "
            "with either count; like the Pearson, it is over 5 categories, not respondents.",
        )
    if stat in CHAIN:
        return Recomputation(
            _chain_value(stat, r, n),
            _chain_how(stat, f"r = {_f(r, 6)} (Pearson of Table 5)", n),
            []
            if stat in ("se_z", "z_crit_95")
            else [
                (
                    f"the same formula with r = SK = {_f(sk)} (Table 7's mean coefficient, at full "
                    f"precision) and n = {n}",
                    _chain_value(stat, sk, n),
                )
            ],
            "The arithmetic z = atanh(r), se = 1/sqrt(n-3), z -+ 1.96 se, tanh back is correct; "
            "only the input r is wrong."
            if stat not in ("se_z", "z_crit_95")
            else (
                "Depends only on n = 5." if stat == "se_z" else "The standard normal 97.5% point."
            ),
        )
    return None


def _table9(stat: str, nums: dict) -> Recomputation | None:
    t8, sk = nums["t8"], nums["t7"]["sk"]
    r, n = t8["pearson"], t8["n"]
    k = n - 1
    if stat == "pearson_r":
        return Recomputation(
            r,
            f"Pearson r of Table 8's x and y over all {n} rows",
            [
                ("SK, the mean of Table 7's six importance coefficients", sk),
                (
                    f"Pearson r of Table 8's rows 1-{k} (the range A2:A21 of the printed formula)",
                    t8["pearson_first"],
                ),
            ],
            "The same 0.81252605 is printed as Table 6's Pearson r: a value carried over, not "
            "computed from Table 8.",
        )
    if stat == "n":
        return Recomputation(
            float(n),
            "number of rows of Table 8",
            context=f"The printed se matches 1/sqrt({n}-3) = {1 / np.sqrt(n - 3):.8f}, so "
            f"n = {n} was used for the interval, but the printed formulas "
            f"ACCOUNT(A2:A21) and CORREL(C2:C21;D2:D21) span 20 cells, so the printed Spearman "
            f"was computed on rows 1-{k} only.",
        )
    if stat == "spearman_rho":
        lr, la = t8["last_printed_rank"], t8["last_rank_all"]
        rank_note = ""
        if t8["ranks_first_match"] and not t8["ranks_all_match"]:
            rank_note = (
                f"The printed rank columns RegH/Slim are descending average ranks computed over "
                f"rows 1-{k} only (verified); row {n}'s printed ranks ({lr[0]:g}, {lr[1]:g}) were "
                f"copied from the {k}-row ranking, over all {n} rows they are ({la[0]:g}, "
                f"{la[1]:g}). "
            )
        return Recomputation(
            t8["spearman"],
            f"Spearman rho (average ranks) of Table 8's x and y over all {n} rows",
            [
                (
                    f"Pearson r of the printed rank columns over rows 1-{k}, i.e. the printed "
                    "formula CORREL(C2:C21;D2:D21) (20 rows)",
                    t8["pearson_printed_ranks_first"],
                ),
                (f"Spearman rho of rows 1-{k}", t8["spearman_first"]),
                (
                    f"Pearson r of the printed rank columns over all {n} rows",
                    t8["pearson_printed_ranks"],
                ),
            ],
            rank_note + f"The printed n = {n} does not match the {k} rows behind the figure.",
        )
    if stat in CHAIN:
        return Recomputation(
            _chain_value(stat, r, n),
            _chain_how(stat, f"r = {_f(r, 6)} (Pearson of Table 8, {n} rows)", n),
            []
            if stat in ("se_z", "z_crit_95")
            else [
                (
                    f"the same formula with r = SK = {_f(sk)} (Table 7's mean coefficient, at full "
                    f"precision) and n = {n}",
                    _chain_value(stat, sk, n),
                )
            ],
            "The arithmetic is correct; only the input r is wrong (SK instead of Table 8's r)."
            if stat not in ("se_z", "z_crit_95")
            else (
                f"Depends only on n = {n}."
                if stat == "se_z"
                else "The standard normal 97.5% point."
            ),
        )
    return None


def _table7(stat: str, nums: dict) -> Recomputation | None:
    t7 = nums["t7"]
    kind, _, measure = stat.partition(":")
    if kind == "importance" and measure in t7["coef"]:
        return Recomputation(
            t7["coef"][measure],
            f"Pearson r between the score 1..10 and the number of respondents giving each score "
            f"({measure}, 10 score levels)",
            context="This verifies what the unlabelled 'importance' row is. It describes the "
            "shape of the score distribution (counts rising with the score), not importance; "
            "see results.support_measure for mean scores.",
        )
    if kind == "n" and measure in t7["n"]:
        return Recomputation(
            t7["n"][measure], f"sum of the respondents over scores 1..10 ({measure})"
        )
    if stat == "sk_aggregate" and t7["coef"]:
        return Recomputation(
            t7["sk"],
            f"mean of the {len(t7['coef'])} importance coefficients of Table 7",
            context="The text also calls it 'the Pearson coefficient in Table 7' and reads it as "
            "a strong relationship; it is an average of six distribution-shape coefficients, not a "
            "correlation between any two variables, and 'greater than 0.8' is not a significance "
            "test. The same number reappears as the Pearson r of Tables 6 and 9.",
        )
    return None


def _text(stat: str, nums: dict) -> Recomputation | None:
    m = re.fullmatch(r"grp_total_(\d{4})", stat)
    if not m or int(m.group(1)) not in nums["grp"]:
        return None
    year = int(m.group(1))
    row = nums["grp"][year]
    parts = ", ".join(
        f"{c} {row[c]:,.1f}" for c in ("industry", "mining", "manufacturing", "services")
    )
    nest = nums["grp_nested"]
    lows = nums["grp_lowest"]
    low_text = "; ".join(
        f"by {name} the lowest year of {first}-{last} is {y} ({v:,.1f})"
        for key, name in (
            ("total_as_study", "the four-column sum"),
            ("total_industry_services", "industry + services"),
        )
        if key in lows
        for y, v, first, last in [lows[key]]
    )
    return Recomputation(
        row["total_as_study"],
        f"sum of the four printed Table 1 columns for {year} ({parts})",
        [("industry + services", row["total_industry_services"])],
        "The sum double-counts if 'industry' already contains mining and manufacturing, as "
        "'industry' does in Kazakh statistics (mining + manufacturing < industry in "
        f"{nest['nested']} of {nest['years']} years): industry + services = "
        f"{row['total_industry_services']:,.1f}. On the text's 'dip in {year}': {low_text}.",
    )


RECOMPUTE: dict[str, Callable[[str, dict], Recomputation | None]] = {
    "Table 6": _table6,
    "Table 7": _table7,
    "Table 9": _table9,
    "Text": _text,
}


# ------------------------------------------------------------------ the audit


def explain(published: str, published_value: float, rec: Recomputation | None) -> tuple[str, str]:
    """(status, explanation) of one published number."""
    if rec is None:
        return "not_reproducible", (
            "No recomputation is defined for this statistic, or its inputs are missing from the "
            "bundled data."
        )
    if not np.isfinite(rec.value):
        return "not_reproducible", f"Cannot be recomputed: {rec.how} is undefined or missing."
    if not np.isfinite(published_value):
        return "not_reproducible", (
            f"The printed text {published!r} is not a number; {rec.how} = {_f(rec.value)}."
        )
    tol = printed_tolerance(published)
    alts = [(d, v) for d, v in rec.alternatives if np.isfinite(v)]
    hits = [(d, v) for d, v in alts if matches(published_value, v, tol)]
    misses = [(d, v) for d, v in alts if not matches(published_value, v, tol)]
    tail = f" {rec.context}" if rec.context else ""
    if matches(published_value, rec.value, tol):
        same = ""
        if hits:
            same = " Same value from: " + "; ".join(f"{d} = {_f(v)}" for d, v in hits) + "."
        return "reproduced", (
            f"Reproduced: {rec.how} = {_f(rec.value)}, within half a unit of the last printed "
            f"digit (+-{tol:g}) of {published}.{same}{tail}"
        )
    head = (
        f"{rec.how} = {_f(rec.value)}, not {published} (difference "
        f"{published_value - rec.value:+.4g}; printed precision +-{tol:g})."
    )
    if hits:
        body = (
            " The printed figure is reproduced by "
            + "; ".join(f"{d} = {_f(v)}" for d, v in hits)
            + "."
        )
        if misses:
            body += " Not by: " + "; ".join(f"{d} = {_f(v, 6)}" for d, v in misses) + "."
    elif misses:
        body = (
            " No computation tried reproduces it: "
            + "; ".join(f"{d} = {_f(v, 6)}" for d, v in misses)
            + "."
        )
    else:
        body = " No alternative computation from the bundled inputs reproduces it."
    return "discrepancy", head + body + tail


def paper_reproduction(published: pd.DataFrame, nums: dict) -> pd.DataFrame:
    """One audit row per published number (``core.published_number`` rows)."""
    rows = []
    for r in published.itertuples(index=False):
        fn = RECOMPUTE.get(r.source_table)
        rec = fn(r.statistic, nums) if fn else None
        pv = float(r.published_value) if pd.notna(r.published_value) else float("nan")
        status, explanation = explain(str(r.published), pv, rec)
        rows.append(
            {
                "source_table": r.source_table,
                "statistic": r.statistic,
                "published": str(r.published),
                "published_value": pv,
                "recomputed": rec.value if rec is not None else float("nan"),
                "status": status,
                "explanation": explanation,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def audit_markdown(audit: pd.DataFrame) -> str:
    """The audit as a Markdown table: number, published, recomputed, status, explanation."""
    lines = [
        "| number | published | recomputed | status | explanation |",
        "|---|---|---|---|---|",
    ]
    for r in audit.itertuples(index=False):
        rec = "" if not np.isfinite(r.recomputed) else _f(r.recomputed)
        text = str(r.explanation).replace("|", "\\|")
        lines.append(
            f"| {r.source_table} {r.statistic} | {r.published} | {rec} | {r.status} | {text} |"
        )
    return "\n".join(lines)
