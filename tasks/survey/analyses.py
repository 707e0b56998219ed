"""Respondent-level analyses of imported survey waves, one results table each.

:func:`run_survey_analyses` (``ANALYSES["survey"]`` of the refresh flow, also run by
``monotowns survey import``) reads ``core.survey_response`` and returns:

``results.survey_item_summary``
    n, mean, SD, Student-t CI and median of every ordinal/score item, for all respondents and
    per category (Table 3's business size). Computed in DuckDB SQL.
``results.survey_item_correlation``
    Spearman's rho and Kendall's tau-b for every pair of ordinal/score items
    (:func:`tasks.stats.correlation.correlation_matrix`, pairwise complete), with
    Holm-adjusted p-values within each wave and method.
``results.survey_reliability``
    Cronbach's alpha (:func:`tasks.stats.reliability.cronbach_alpha`) of each multi-item
    scale of the codebook (the nine Table 4 items, the six Table 7 items), listwise complete,
    with the Feldt (1965) F interval, the standardised alpha and the mean inter-item
    correlation.
``results.survey_association``
    Each ordinal/score item by the category item: Pearson's chi-square (without continuity
    correction) and Cramér's V (:func:`tasks.stats.contingency.association_test`); when the
    chi-square approximation is doubtful (an expected count below 1, or more than 20 % below 5:
    Cochran's rule), the p-value is Fisher's exact test (2x2) or its r x c generalisation by
    Monte Carlo (seeded, reproducible). Holm-adjusted within each wave.
``results.survey_wave_change``
    Between consecutive waves of a town (by ``period``, then import time; synthetic and real
    waves are never paired): difference in means with a Welch interval and test
    (:func:`tasks.stats.ttest.welch`; NaN where R's ``t.test`` would stop), Holm-adjusted
    within each pair of waves.

Every row carries ``synthetic``; rows of synthetic waves also say so in ``note``. Nothing here
reads or writes the study's aggregate tables, so synthetic data never reach a study's
reproduction audit.

Scale: the respondent x item matrix of a wave is pivoted in DuckDB and analysed with numpy
(correlations via count tables, alpha via column variances, cross tables via ``bincount``):
no Python loop runs over respondents.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tasks.schema import columns
from tasks.stats.contingency import MONTE_CARLO_SEED, association_test
from tasks.stats.correlation import correlation_matrix
from tasks.stats.describe import mean_ci, median_from_counts
from tasks.stats.multiple import holm
from tasks.stats.reliability import cronbach_alpha
from tasks.stats.ttest import welch
from warehouse.sql import ident, literal

CONF_LEVEL = 0.95
NUMERIC_SCALES = ("ordinal", "score")
SYNTHETIC_NOTE = "SYNTHETIC wave: demonstrates the method, says nothing about the town. "

#: The results tables the survey analyses write (columns: :func:`tasks.schema.columns`).
TABLES = (
    "results.survey_item_summary",
    "results.survey_item_correlation",
    "results.survey_reliability",
    "results.survey_association",
    "results.survey_wave_change",
)


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns(table)})


def _frame(table: str, rows) -> pd.DataFrame:
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        return _empty(table)
    return frame.reindex(columns=list(columns(table)))


def _synth_note(synthetic: bool, note: str = "") -> str:
    return (SYNTHETIC_NOTE if synthetic else "") + (note or "")


# ---------------------------------------------------------------- per-wave analyses


def item_correlations(
    matrix: pd.DataFrame, survey_id: str, synthetic: bool, conf_level: float = CONF_LEVEL
) -> pd.DataFrame:
    """Spearman and Kendall tau-b for every pair of columns, Holm-adjusted per method."""
    parts = []
    for method in ("spearman", "kendall"):
        rows = correlation_matrix(
            matrix, method=method, conf_level=conf_level, analysis=f"survey_items:{survey_id}"
        )
        rows["p_adjusted"] = holm(rows["p_value"].to_numpy(dtype=float))
        parts.append(rows)
    out = pd.concat(parts, ignore_index=True)
    out["survey_id"] = survey_id
    out["synthetic"] = synthetic
    out["note"] = [
        _synth_note(synthetic, f"p_adjusted: Holm over the {len(matrix.columns)} items' pairs. ")
        + str(n)
        for n in out["note"]
    ]
    return _frame("results.survey_item_correlation", out)


def reliability(
    matrix: pd.DataFrame,
    composites: dict[str, list[str]],
    survey_id: str,
    synthetic: bool,
    conf_level: float = CONF_LEVEL,
) -> pd.DataFrame:
    """Cronbach's alpha (Feldt CI) of each composite whose items are all in ``matrix``."""
    rows = []
    for name, members in composites.items():
        present = [m for m in members if m in matrix.columns]
        r = cronbach_alpha(matrix[present].to_numpy(dtype=float), conf_level)
        note = r.pop("note")
        if len(present) < len(members):
            note = f"items missing from the wave: {sorted(set(members) - set(present))}. " + note
        rows.append(
            {
                "survey_id": survey_id,
                "synthetic": synthetic,
                "composite": name,
                "items": ",".join(present),
                **r,
                "ci_method": "Feldt (F distribution, df n-1 and (n-1)(k-1))",
                "note": _synth_note(
                    synthetic,
                    note
                    or "listwise complete respondents; alpha assumes the items measure one thing",
                ),
            }
        )
    return _frame("results.survey_reliability", rows)


# ---------------------------------------------------------------- SQL parts


def wave_matrix(con, survey_id: str, items: list[str]) -> pd.DataFrame:
    """Respondent x item matrix of codes (float, NaN = not answered), pivoted in DuckDB."""
    if not items:
        return pd.DataFrame()

    cols = ", ".join(
        f"CAST(max(value) FILTER (WHERE item = {literal(i)}) AS DOUBLE) AS {ident(i)}"
        for i in items
    )
    placeholders = ", ".join("?" for _ in items)
    return con.execute(
        f"SELECT {cols} FROM core.survey_response WHERE survey_id = ? AND item IN "
        f"({placeholders}) GROUP BY respondent_id ORDER BY respondent_id",
        [survey_id, *items],
    ).df()


def count_table(x: np.ndarray, g: np.ndarray | None, group_codes) -> tuple[np.ndarray, np.ndarray]:
    """Answer counts of item ``x`` by group: ``(levels, table)``.

    ``table`` has one row per group code in ``group_codes`` plus a last row for respondents
    without a group, one column per level of ``x`` (``min..max`` of the observed codes). One
    ``bincount`` over the respondents; NaN in ``x`` = not answered.
    """
    ok = ~np.isnan(x)
    xv = x[ok].astype(np.int64)
    n_groups = len(group_codes) + 1
    if xv.size == 0:
        return np.array([], dtype=float), np.zeros((n_groups, 0), dtype=np.int64)
    lo, hi = int(xv.min()), int(xv.max())
    k = hi - lo + 1
    if g is None:
        gi = np.full(xv.size, n_groups - 1, dtype=np.int64)
    else:
        gv = g[ok]
        gi = np.full(xv.size, n_groups - 1, dtype=np.int64)
        for j, code in enumerate(group_codes):
            gi[gv == code] = j
    table = np.bincount(gi * k + (xv - lo), minlength=n_groups * k).reshape(n_groups, k)
    return np.arange(lo, hi + 1, dtype=float), table


def _summary_row(levels, counts, conf_level) -> dict:
    m = mean_ci(counts=counts, levels=levels, conf_level=conf_level)
    n = int(counts.sum())
    return {
        "n": n,
        "mean": m["mean"],
        "sd": m["sd"],
        "ci_low": m["ci_low"],
        "ci_high": m["ci_high"],
        "median": median_from_counts(levels, counts) if n else np.nan,
    }


def item_summary_and_association(
    matrix: pd.DataFrame,
    items: pd.DataFrame,
    category: str | None,
    category_keys: dict[int, str],
    survey_id: str,
    synthetic: bool,
    conf_level: float = CONF_LEVEL,
    seed: int = MONTE_CARLO_SEED,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per ordinal/score item: summaries (all, per category) and the item x category test.

    ``items`` has columns ``item, role, scale_type`` for the items of ``matrix`` to summarise.
    Both come from one count table per item (:func:`count_table`).
    """
    codes = sorted(category_keys)
    g = matrix[category].to_numpy(dtype=float) if category else None
    summary, assoc = [], []
    for it in items.itertuples(index=False):
        levels, table = count_table(matrix[it.item].to_numpy(dtype=float), g, codes)
        base = {
            "survey_id": survey_id,
            "synthetic": synthetic,
            "item": it.item,
            "role": it.role,
            "scale_type": it.scale_type,
        }
        overall = _summary_row(levels, table.sum(axis=0), conf_level)
        summary.append({**base, "group_item": "", "group_value": "", **overall})
        if category is None:
            continue
        for j, code in enumerate(codes):
            if table[j].sum():
                row = _summary_row(levels, table[j], conf_level)
                group = {"group_item": category, "group_value": category_keys[code]}
                summary.append({**base, **group, **row})
        res = association_test(table[: len(codes)].T, seed)
        assoc.append({**base, "by_item": category, **res})
    s = pd.DataFrame(summary)
    if not s.empty:
        s["ci_level"] = conf_level
        s["note"] = _synth_note(
            synthetic, "Student-t interval; treats respondents as a simple random sample"
        )
    a = pd.DataFrame(assoc)
    if not a.empty:
        a["p_adjusted"] = holm(a["p_value"].to_numpy(dtype=float))
        a["note"] = [_synth_note(synthetic, n) for n in a["note"]]
        a["df"] = a["df"].astype("Int64")
    return _frame("results.survey_item_summary", s), _frame("results.survey_association", a)


def wave_changes(
    summary: pd.DataFrame, waves: pd.DataFrame, items: pd.DataFrame, conf_level=CONF_LEVEL
) -> pd.DataFrame:
    """Welch difference in means between consecutive waves of a town (same synthetic flag)."""
    if summary.empty or len(waves) < 2:
        return _empty("results.survey_wave_change")
    allr = summary[summary["group_item"] == ""].set_index(["survey_id", "item"])
    scale = items.set_index(["survey_id", "item"])["scale"]
    order = waves.sort_values(["town_id", "synthetic", "period", "imported_at", "survey_id"])
    parts = []
    for (town, synthetic), grp in order.groupby(["town_id", "synthetic"], sort=True):
        ids = grp["survey_id"].tolist()
        for a, b in itertools.pairwise(ids):
            ia = allr.loc[a] if a in allr.index.get_level_values(0) else None
            ib = allr.loc[b] if b in allr.index.get_level_values(0) else None
            if ia is None or ib is None:
                continue
            common = [
                i for i in ia.index.intersection(ib.index) if scale.get((a, i)) == scale.get((b, i))
            ]
            if not common:
                continue
            fa, fb = ia.loc[common], ib.loc[common]
            w = pd.DataFrame(
                [
                    welch(*args, conf_level=conf_level, degenerate="nan")
                    for args in zip(
                        fa["n"], fa["mean"], fa["sd"], fb["n"], fb["mean"], fb["sd"], strict=True
                    )
                ]
            )
            reasons = w.pop("note").where(w["t_statistic"].isna(), "")
            part = pd.DataFrame(
                {
                    "town_id": town,
                    "item": common,
                    "survey_from": a,
                    "survey_to": b,
                    "synthetic": bool(synthetic),
                    "n_from": fa["n"].to_numpy(),
                    "n_to": fb["n"].to_numpy(),
                    "mean_from": fa["mean"].to_numpy(),
                    "mean_to": fb["mean"].to_numpy(),
                    **{k: v.to_numpy() for k, v in w.items()},
                    "ci_level": conf_level,
                }
            )
            part["p_adjusted"] = holm(part["p_value"].to_numpy(dtype=float))
            note = _synth_note(
                bool(synthetic),
                "Welch two-sample t (independent samples of respondents); p_adjusted: Holm over "
                "the items of this pair of waves",
            )
            part["note"] = [note + (f". {r}" if r else "") for r in reasons]
            parts.append(part)
    if not parts:
        return _empty("results.survey_wave_change")
    return _frame("results.survey_wave_change", pd.concat(parts, ignore_index=True))


# ---------------------------------------------------------------- entry point


def empty_results() -> dict[str, pd.DataFrame]:
    """Every survey results table, empty (no imported waves)."""
    return {t: _empty(t) for t in TABLES}


def run_survey_analyses(
    path: str | Path, conf_level: float = CONF_LEVEL
) -> dict[str, pd.DataFrame]:
    """All survey results tables from the warehouse file at ``path`` (empty without waves)."""
    with duckdb.connect(str(path)) as con:
        con.execute("SET enable_progress_bar = false")
        waves = con.execute(
            "SELECT survey_id, town_id, synthetic, period, imported_at FROM core.survey_wave w "
            "WHERE EXISTS (SELECT 1 FROM core.survey_response r WHERE r.survey_id = w.survey_id) "
            "ORDER BY survey_id"
        ).df()
        if waves.empty:
            return empty_results()
        items = con.execute(
            "SELECT survey_id, item, role, scale, scale_type, composite, position "
            "FROM core.survey_item ORDER BY survey_id, position, item"
        ).df()
        answers = con.execute("SELECT survey_id, item, value, answer FROM core.survey_answer").df()
        parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
        for wave in waves.itertuples(index=False):
            sid, synthetic = wave.survey_id, bool(wave.synthetic)
            wi = items[items["survey_id"] == sid]
            numeric = wi.loc[wi["scale_type"].isin(NUMERIC_SCALES), "item"].tolist()
            category = wi.loc[wi["role"] == "category", "item"].tolist()
            matrix = wave_matrix(con, sid, numeric + category)
            if matrix.empty:
                continue
            matrix = matrix.dropna(axis=1, how="all")
            numeric = [c for c in numeric if c in matrix.columns]
            cat = category[0] if category and category[0] in matrix.columns else None
            keys = {}
            if cat:
                a = answers[(answers["survey_id"] == sid) & (answers["item"] == cat)]
                keys = dict(zip(a["value"].astype(int), a["answer"], strict=True))
            summary, assoc = item_summary_and_association(
                matrix,
                wi[wi["item"].isin(numeric)][["item", "role", "scale_type"]],
                cat,
                keys,
                sid,
                synthetic,
                conf_level,
            )
            parts["results.survey_item_summary"].append(summary)
            parts["results.survey_association"].append(assoc)
            if len(numeric) >= 2:
                parts["results.survey_item_correlation"].append(
                    item_correlations(matrix[numeric], sid, synthetic, conf_level)
                )
            composites = {
                str(c): g["item"].tolist()
                for c, g in wi[wi["composite"].notna()].groupby("composite", sort=True)
            }
            if composites:
                parts["results.survey_reliability"].append(
                    reliability(matrix, composites, sid, synthetic, conf_level)
                )
    out = {}
    for table, frames in parts.items():
        frames = [f for f in frames if not f.empty]
        out[table] = pd.concat(frames, ignore_index=True) if frames else _empty(table)
    out["results.survey_wave_change"] = wave_changes(
        out["results.survey_item_summary"], waves, items, conf_level
    )
    return out


def run(path: str) -> dict[str, pd.DataFrame]:
    """``ANALYSES`` entry of the refresh flow: survey results from ``core.survey_response``."""
    return run_survey_analyses(path)
