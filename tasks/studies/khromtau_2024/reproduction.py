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
from tasks.schema import columns
from tasks.stats.correlation import correlate, fisher_z_ci
from tasks.studies.khromtau_2024 import study
from tasks.studies.khromtau_2024.precision import matches, printed_tolerance
from tasks.studies.khromtau_2024.texts import printed, text, texts

STATUSES = ("reproduced", "discrepancy", "not_reproducible")
TABLE = "results.paper_reproduction"  # its columns: tasks.schema.columns(TABLE)
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
        # the cell where Table 5 and Table 4 differ (entrepreneurship, improved somewhat)
        "ent5_somewhat": float(ent5[1]),
        "ent4_somewhat": float(ent4[1]),
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


def _chain(stat: str, r: float, n: int, sk: float, source: str, wrong_r: str) -> Recomputation:
    """A step of the printed Fisher-z interval chain, from ``r`` (``source``) and ``n``.

    The alternative is the same step from SK; ``wrong_r`` is the context of a step that uses r.
    """
    how = _chain_how(stat, f"r = {_f(r, 6)} ({source})", n)
    if stat in ("se_z", "z_crit_95"):
        context = (
            text("reproduction", "chain_n_only", n=n)
            if stat == "se_z"
            else text("reproduction", "chain_z_crit")
        )
        return Recomputation(_chain_value(stat, r, n), how, [], context)
    alt = text("reproduction", "chain_sk_alternative", sk=_f(sk), n=n)
    return Recomputation(_chain_value(stat, r, n), how, [(alt, _chain_value(stat, sk, n))], wrong_r)


def _table6(stat: str, nums: dict) -> Recomputation | None:
    t5, sk = nums["t5"], nums["t7"]["sk"]
    r, n = t5["pearson"], t5["n"]
    cells = {"t5": f"{t5['ent5_somewhat']:g}", "t4": f"{t5['ent4_somewhat']:g}"}
    if stat == "pearson_r":
        return Recomputation(
            r,
            text("reproduction", "table6_pearson_how", n=n, **cells),
            [
                (text("reproduction", "sk_alternative"), sk),
                (text("reproduction", "table6_pearson_t4", **cells), t5["pearson_t4"]),
                (text("reproduction", "printed_ranks"), t5["pearson_printed_ranks"]),
            ],
            text(
                "reproduction",
                "table6_pearson_r",
                printed=printed("Table 9", "pearson_r"),
                formula=printed("Table 6", "pearson_r", "printed_formula"),
                p=t5["pearson_p"],
                n=n,
            ),
        )
    if stat == "n":
        return Recomputation(
            float(n),
            text("reproduction", "table6_n_how"),
            context=text("reproduction", "table6_n_context"),
        )
    if stat == "spearman_rho":
        return Recomputation(
            t5["spearman"],
            text("reproduction", "table6_spearman_how"),
            [
                (
                    text(
                        "reproduction",
                        "table6_spearman_ranks",
                        formula=printed("Table 6", "spearman_rho", "printed_formula"),
                    ),
                    t5["pearson_printed_ranks"],
                ),
                (text("reproduction", "table6_spearman_t4"), t5["spearman_t4"]),
            ],
            (text("reproduction", "table6_ranks_verified") if t5["ranks_are_desc_average"] else "")
            + text("reproduction", "table6_spearman_context", **cells),
        )
    if stat in CHAIN:
        return _chain(stat, r, n, sk, "Pearson of Table 5", text("reproduction", "table6_chain"))
    return None


def _table9(stat: str, nums: dict) -> Recomputation | None:
    t8, sk = nums["t8"], nums["t7"]["sk"]
    r, n = t8["pearson"], t8["n"]
    k = n - 1
    if stat == "pearson_r":
        return Recomputation(
            r,
            text("reproduction", "table9_pearson_how", n=n),
            [
                (text("reproduction", "sk_alternative"), sk),
                (text("reproduction", "table9_pearson_first", k=k), t8["pearson_first"]),
            ],
            text("reproduction", "table9_pearson_r", printed=printed("Table 6", "pearson_r")),
        )
    if stat == "n":
        return Recomputation(
            float(n),
            text("reproduction", "table9_n_how"),
            context=text(
                "reproduction",
                "table9_n_context",
                n=n,
                k=k,
                se=1 / np.sqrt(n - 3),
                n_formula=printed("Table 9", "n", "printed_formula"),
                spearman_formula=printed("Table 9", "spearman_rho", "printed_formula"),
            ),
        )
    if stat == "spearman_rho":
        lr, la = t8["last_printed_rank"], t8["last_rank_all"]
        rank_note = ""
        if t8["ranks_first_match"] and not t8["ranks_all_match"]:
            rank_note = text("reproduction", "table9_rank_note", n=n, k=k, lr=lr, la=la)
        return Recomputation(
            t8["spearman"],
            text("reproduction", "table9_spearman_how", n=n),
            [
                (
                    text(
                        "reproduction",
                        "table9_spearman_ranks_first",
                        k=k,
                        formula=printed("Table 9", "spearman_rho", "printed_formula"),
                    ),
                    t8["pearson_printed_ranks_first"],
                ),
                (text("reproduction", "table9_spearman_first", k=k), t8["spearman_first"]),
                (
                    text("reproduction", "table9_spearman_ranks_all", n=n),
                    t8["pearson_printed_ranks"],
                ),
            ],
            rank_note + text("reproduction", "table9_spearman_context", n=n, k=k),
        )
    if stat in CHAIN:
        source = f"Pearson of Table 8, {n} rows"
        return _chain(stat, r, n, sk, source, text("reproduction", "table9_chain"))
    return None


def _table7(stat: str, nums: dict) -> Recomputation | None:
    t7 = nums["t7"]
    kind, _, measure = stat.partition(":")
    if kind == "importance" and measure in t7["coef"]:
        return Recomputation(
            t7["coef"][measure],
            f"Pearson r between the score 1..10 and the number of respondents giving each score "
            f"({measure}, 10 score levels)",
            context=text("reproduction", "table7_importance"),
        )
    if kind == "n" and measure in t7["n"]:
        return Recomputation(
            t7["n"][measure], f"sum of the respondents over scores 1..10 ({measure})"
        )
    if stat == "sk_aggregate" and t7["coef"]:
        return Recomputation(
            t7["sk"],
            f"mean of the {len(t7['coef'])} importance coefficients of Table 7",
            context=text("reproduction", "table7_sk"),
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
    names = texts()["reproduction"]["grp_total_names"]
    low_text = "; ".join(
        text("reproduction", "grp_lowest", name=names[key], first=first, last=last, y=y, v=v)
        for key in ("total_as_study", "total_industry_services")
        if key in lows
        for y, v, first, last in [lows[key]]
    )
    return Recomputation(
        row["total_as_study"],
        text("reproduction", "grp_total_how", year=year, parts=parts),
        [(names["total_industry_services"], row["total_industry_services"])],
        text(
            "reproduction",
            "grp_total_context",
            nested=nest["nested"],
            years=nest["years"],
            total_industry_services=row["total_industry_services"],
            year=year,
            lows=low_text,
        ),
    )


RECOMPUTE: dict[str, Callable[[str, dict], Recomputation | None]] = {
    "Table 6": _table6,
    "Table 7": _table7,
    "Table 9": _table9,
    "Text": _text,
}


# ------------------------------------------------------------------ the audit


def _listed(pairs: list[tuple[str, float]], digits: int = 10) -> str:
    return "; ".join(f"{d} = {_f(v, digits)}" for d, v in pairs)


def explain(published: str, published_value: float, rec: Recomputation | None) -> tuple[str, str]:
    """(status, explanation) of one published number."""
    if rec is None:
        return "not_reproducible", text("reproduction", "no_recomputation")
    if not np.isfinite(rec.value):
        return "not_reproducible", text("reproduction", "undefined", how=rec.how)
    if not np.isfinite(published_value):
        return "not_reproducible", text(
            "reproduction",
            "not_a_number",
            published=repr(published),
            how=rec.how,
            value=_f(rec.value),
        )
    tol = printed_tolerance(published)
    alts = [(d, v) for d, v in rec.alternatives if np.isfinite(v)]
    hits = [(d, v) for d, v in alts if matches(published_value, v, tol)]
    misses = [(d, v) for d, v in alts if not matches(published_value, v, tol)]
    tail = f" {rec.context}" if rec.context else ""
    common = {"how": rec.how, "value": _f(rec.value), "published": published, "tol": tol}
    if matches(published_value, rec.value, tol):
        same = text("reproduction", "same_value", alts=_listed(hits)) if hits else ""
        return "reproduced", text("reproduction", "reproduced", **common) + same + tail
    head = text("reproduction", "discrepancy", diff=published_value - rec.value, **common)
    if hits:
        body = text("reproduction", "reproduced_by", alts=_listed(hits))
        if misses:
            body += text("reproduction", "not_by", alts=_listed(misses, 6))
    elif misses:
        body = text("reproduction", "none_tried", alts=_listed(misses, 6))
    else:
        body = text("reproduction", "no_alternative")
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
    return pd.DataFrame(rows, columns=list(columns(TABLE)))


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
