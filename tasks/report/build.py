"""Build the analyst's report from a published warehouse (read-only) and publish the exports.

:func:`build_report` reads one snapshot of the warehouse (a single read-only connection, closed
before anything is drawn), builds each section, and writes into ``out_dir``:

* ``report.html``: one self-contained file (inline CSS, charts inline as SVG, no scripts, no
  network), sections ``grp``, ``labour``, ``perception``, ``support``, ``correlation``,
  ``hypotheses``, ``reproduction``, ``quality``, ``run``;
* ``charts/<name>.png`` and ``charts/<name>.svg`` for every chart.

A section whose tables are missing (an older warehouse) or empty says "No data yet"; a section
that fails to draw says so in the report instead of failing the whole report.
:func:`publish_report` adds the Parquet (and XLSX) exports and returns paths and headline
numbers for the refresh flow's artifact.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from tasks.report import charts as ch
from tasks.report import exports

log = logging.getLogger(__name__)

REPORT_FILE = "report.html"
CHART_DIR = "charts"
PARQUET_DIR = "parquet"
XLSX_FILE = "results.xlsx"

#: Section ids (HTML ``<section id=...>``) and titles, in report order.
SECTIONS: dict[str, str] = {
    "grp": "GRP by sector",
    "labour": "Labour market",
    "perception": "Perceived change (Table 4)",
    "support": "Support measures (Table 7)",
    "correlation": "Correlations",
    "hypotheses": "Hypotheses",
    "reproduction": "Reproduction audit",
    "quality": "Data quality",
    "run": "Run metadata",
}

# What the report reads: table -> SQL (None = SELECT *). Missing tables are skipped.
QUERIES: dict[str, str | None] = {
    "core.town": None,
    "core.indicator": None,
    "core.survey": None,
    "core.survey_perception_count": None,
    "core.survey_support_score_count": None,
    "core.observation": (
        "SELECT indicator_id, source, source_ref, vintage, count(*) AS n_rows, "
        "count(*) FILTER (WHERE value_status <> 'ok') AS n_not_ok "
        "FROM core.observation GROUP BY ALL ORDER BY indicator_id, source, vintage"
    ),
    "results.grp_by_year": "SELECT * FROM results.grp_by_year ORDER BY town_id, year",
    "results.grp_sector_share": None,
    "results.labour_market": "SELECT * FROM results.labour_market ORDER BY town_id, year",
    "results.perception_summary": None,
    "results.support_measure": None,
    "results.correlation": None,
    "results.hypothesis": "SELECT * FROM results.hypothesis ORDER BY hypothesis",
    "results.paper_reproduction": None,
    "meta.quality_issue": (
        "SELECT * FROM meta.quality_issue ORDER BY severity, table_name, check_name, row_key"
    ),
    "meta.pipeline_run": "SELECT * FROM meta.pipeline_run ORDER BY started_at DESC",
    "raw.payload": (
        "SELECT content_hash, source, kind, uri, fetched_at, size_bytes, first_run_id "
        "FROM raw.payload ORDER BY fetched_at DESC, kind"
    ),
}

SUPPORT_CAVEAT = (
    "The mean and its t interval treat the 1-10 score as interval-scaled and the respondents as a "
    "simple random sample. The same respondents scored every measure, so overlapping or "
    "non-overlapping intervals are not a test of a difference between measures."
)


class WarehouseMissing(FileNotFoundError):
    """No warehouse file at the given path."""


# --------------------------------------------------------------------------- snapshot


@dataclass
class Snapshot:
    """The tables the report needs, read in one go from a read-only connection."""

    warehouse: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    def has(self, table: str) -> bool:
        """The table exists and has rows."""
        return table in self.frames and not self.frames[table].empty

    def get(self, table: str) -> pd.DataFrame:
        """The table's rows (an empty frame if the table is missing)."""
        return self.frames.get(table, pd.DataFrame())

    @property
    def latest_run(self) -> dict | None:
        """The most recent ``meta.pipeline_run`` row (completed ones first)."""
        runs = self.get("meta.pipeline_run")
        if runs.empty:
            return None
        done = runs[runs["status"] == "completed"]
        return (done if not done.empty else runs).iloc[0].to_dict()

    def town_name(self, town_id: str) -> str:
        towns = self.get("core.town")
        if not towns.empty and "name_en" in towns.columns:
            hit = towns.loc[towns["town_id"] == town_id, "name_en"]
            if len(hit) and pd.notna(hit.iloc[0]):
                return str(hit.iloc[0])
        return str(town_id)


def read_snapshot(warehouse: str | Path) -> Snapshot:
    """Read what the report needs from ``warehouse`` (read-only; missing tables are skipped)."""
    path = Path(warehouse)
    if not path.is_file():
        raise WarehouseMissing(
            f"no warehouse at {path}: run `monotowns run --warehouse {path}` first"
        )
    snap = Snapshot(warehouse=str(path))
    with duckdb.connect(str(path), read_only=True) as con:
        existing = {
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
        for table, sql in QUERIES.items():
            if table in existing:
                snap.frames[table] = con.execute(sql or f"SELECT * FROM {table}").df()
    return snap


# --------------------------------------------------------------------------- blocks


@dataclass
class Section:
    """One ``<section>`` of the report."""

    id: str
    title: str
    intro: str = ""
    status: str = "empty"  # ok | empty | error
    empty_message: str = ""
    error: str = ""
    blocks: list[dict] = field(default_factory=list)
    charts: dict[str, dict[str, str]] = field(default_factory=dict)

    def text(self, text: str) -> None:
        self.blocks.append({"kind": "text", "text": text})

    def heading(self, text: str) -> None:
        self.blocks.append({"kind": "heading", "text": text})

    def empty(self, text: str) -> None:
        self.blocks.append({"kind": "empty", "text": text})

    def kv(self, items: list[tuple[str, str]]) -> None:
        self.blocks.append({"kind": "kv", "pairs": items})

    def table(self, header: list[str], rows: list[list[dict]], caption: str = "") -> None:
        self.blocks.append({"kind": "table", "header": header, "rows": rows, "caption": caption})

    def chart(self, chart: ch.Chart, chart_dir: Path, rel: str, caption: str = "") -> None:
        try:
            files = ch.render(chart, chart_dir)
        finally:
            chart.figure.clear()
        self.charts[chart.name] = {"png": files["png"], "svg": files["svg"]}
        self.blocks.append(
            {
                "kind": "chart",
                "name": chart.name,
                "svg": Markup(files["inline"]),  # our own matplotlib output, ids prefixed
                "caption": caption or chart.alt,
                "png": f"{rel}/{chart.name}.png",
                "svg_file": f"{rel}/{chart.name}.svg",
            }
        )
        self.status = "ok"


def _is_na(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def cell(v, fmt: str | Callable | None = None, **extra) -> dict:
    """A table cell: formatted text plus css class (``num`` for numbers, ``na`` if missing)."""
    if _is_na(v):
        return {"text": "–", "cls": "na", **extra}
    if callable(fmt):
        return {"text": fmt(v), "cls": "num", **extra}
    if isinstance(v, bool | np.bool_):
        return {"text": "yes" if v else "no", "cls": "", **extra}
    if isinstance(v, int | float | np.integer | np.floating):
        text = format(v, fmt) if fmt else (f"{v:g}" if isinstance(v, float) else f"{v}")
        return {"text": text, "cls": "num", **extra}
    text = str(v)
    return {"text": text, "cls": "short" if len(text) <= 12 else "", **extra}


def badge(text, kind: str | None = None) -> dict:
    """A coloured status badge (css class from the text: ``not supported`` -> ``not-supported``)."""
    if _is_na(text):
        return cell(None)
    k = (kind or str(text)).strip().lower().replace(" ", "-").replace("_", "-")
    return {"text": str(text).replace("_", " "), "cls": "", "badge": k}


def long_text(text, width: int = 70) -> dict:
    """Long text folded into a ``<details>`` element (no script needed)."""
    if _is_na(text) or not str(text).strip():
        return cell(None)
    t = str(text)
    if len(t) <= width:
        return {"text": t, "cls": "text"}
    return {"text": clip(t, width), "cls": "text", "details": t}


def clip(text: str, width: int) -> str:
    """``text`` cut to about ``width`` characters, at a space if there is one, plus `` ...``."""
    t = " ".join(str(text).split())
    if len(t) <= width:
        return t
    cut = t[:width]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + " ..."


def _ci_header(frame: pd.DataFrame) -> str:
    """``95% CI`` from the frame's ``ci_level`` (``CI`` if absent or mixed)."""
    if "ci_level" not in frame.columns:
        return "CI"
    levels = pd.to_numeric(frame["ci_level"], errors="coerce").dropna().unique()
    return f"{100 * levels[0]:g}% CI" if len(levels) == 1 else "CI"


def _pct(v) -> str:
    return f"{100 * v:.0f}%"


def _p(v) -> str:
    return f"{v:.2g}" if v >= 1e-4 else f"{v:.1e}"


def _ts(v) -> str:
    if _is_na(v):
        return "–"
    t = pd.Timestamp(v)
    if t.tzinfo is not None:
        t = t.tz_convert("UTC")
    return t.strftime("%Y-%m-%d %H:%M UTC")


# --------------------------------------------------------------------------- provenance


def _provenance(snap: Snapshot, prefix: str) -> str:
    """Which sources, study tables and vintages the observations behind a topic came from."""
    obs = snap.get("core.observation")
    if obs.empty:
        return ""
    sub = obs[obs["indicator_id"].astype(str).str.startswith(prefix)]
    if sub.empty:
        return ""
    parts = []
    for source, g in sub.groupby("source", sort=True):
        refs = sorted({str(r) for r in g["source_ref"].dropna()})
        vint = pd.to_datetime(g["vintage"], utc=True)
        when = vint.max().strftime("%Y-%m-%d") if vint.notna().any() else "?"
        parts.append(f"{source} ({', '.join(refs) or 'no reference'}; vintage {when})")
    return "core.observation from " + "; ".join(parts)


def _source(table: str, snap: Snapshot, extra: str = "") -> str:
    run = snap.latest_run
    run_txt = f"run {str(run['run_id'])[:8]} of {_ts(run['started_at'])}" if run else "no run"
    via = f" <- {extra}" if extra else ""
    return f"monotowns warehouse, {table}{via}; {run_txt}."


def _survey_line(snap: Snapshot, survey_id: str, table: str, source_table: str) -> str:
    surveys = snap.get("core.survey")
    desc = ""
    if not surveys.empty:
        hit = surveys[surveys["survey_id"] == survey_id]
        if len(hit):
            r = hit.iloc[0]
            desc = f"{r.get('respondents', '?')} respondents, {r.get('population') or ''}"
            desc += f", {r.get('mode')}" if pd.notna(r.get("mode")) else ""
            desc += ", SYNTHETIC data" if bool(r.get("synthetic")) else ""
    st = f", study {source_table}" if source_table else ""
    return f"{table} (survey {survey_id}{st}; {desc.strip(', ')})"


def _first(frame: pd.DataFrame, col: str) -> str:
    if col not in frame.columns:
        return ""
    vals = frame[col].dropna().astype(str)
    vals = vals[vals.str.strip() != ""]
    return ", ".join(sorted(set(vals)))


# --------------------------------------------------------------------------- sections


def section_grp(snap: Snapshot, s: Section, chart_dir: Path, rel: str) -> None:
    s.intro = (
        "Gross regional product by sector (mln KZT) as printed in the study's Table 1. The study "
        "stacks all four columns (its Figure 1) and sums them to its total; industry most likely "
        "already includes mining and manufacturing, so that total double counts them. Chart A "
        "shows the study's view, chart B the view without double counting (industry + services, "
        "with mining and manufacturing drawn inside industry as its breakdown). The table gives "
        "both totals, growth and the Herfindahl-Hirschman concentration index (HHI)."
    )
    grp = snap.get("results.grp_by_year")
    if grp.empty:
        s.empty_message = "results.grp_by_year is missing or empty (run `monotowns run`)."
        return
    shares = snap.get("results.grp_sector_share")
    prov = _provenance(snap, "grp_")
    for town_id, g in grp.groupby("town_id", sort=True):
        town = snap.town_name(town_id)
        s.heading(town)
        chart = ch.grp_sectors(g, town, _source("results.grp_by_year", snap, prov))
        chart.name = f"grp_sectors-{town_id}"
        s.chart(chart, chart_dir, rel)
        if not shares.empty:
            sh = shares[shares["town_id"] == town_id]
            chart = ch.grp_structure(
                g, sh, town, _source("results.grp_sector_share, results.grp_by_year", snap, prov)
            )
            chart.name = f"grp_structure-{town_id}"
            s.chart(chart, chart_dir, rel)
        rows = [
            [
                cell(int(r["year"])),
                *(cell(r.get(c), ",.1f") for c in ch.SECTORS),
                cell(r.get("total_as_study"), ",.1f"),
                cell(r.get("total_industry_services"), ",.1f"),
                cell(r.get("yoy_growth_as_study"), lambda v: f"{100 * v:+.1f}%"),
                cell(r.get("yoy_growth_industry_services"), lambda v: f"{100 * v:+.1f}%"),
                cell(r.get("hhi_as_study"), ".3f"),
                cell(r.get("hhi_industry_services"), ".3f"),
            ]
            for _, r in g.iterrows()
        ]
        s.table(
            [
                "year",
                "industry",
                "mining",
                "manufacturing",
                "services",
                "total, study (4 columns)",
                "total, industry + services",
                "growth, study",
                "growth, ind. + serv.",
                "HHI, study",
                "HHI, ind. + serv.",
            ],
            rows,
            caption=f"GRP of {town}, mln KZT (results.grp_by_year)",
        )
        note = _first(g, "note")
        if note:
            s.text(f"Note: {note}")


def section_labour(snap: Snapshot, s: Section, chart_dir: Path, rel: str) -> None:
    s.intro = (
        "Labour market by year as published (study Table 2), next to the values implied by the "
        "other rows: where they disagree beyond rounding the row is flagged inconsistent. Years "
        "without a value are gaps, never interpolated."
    )
    lab = snap.get("results.labour_market")
    if lab.empty:
        s.empty_message = "results.labour_market is missing or empty (run `monotowns run`)."
        return
    prov = _provenance(snap, "labour_")
    for town_id, g in lab.groupby("town_id", sort=True):
        town = snap.town_name(town_id)
        s.heading(town)
        chart = ch.labour_market(g, town, _source("results.labour_market", snap, prov))
        chart.name = f"labour_market-{town_id}"
        s.chart(chart, chart_dir, rel)
        rows = []
        for _, r in g.iterrows():
            consistent = r.get("consistent")
            rows.append(
                [
                    cell(int(r["year"])),
                    cell(r.get("active_thousand"), ".1f"),
                    cell(r.get("employed_thousand"), ".1f"),
                    cell(r.get("unemployed"), ",.0f"),
                    cell(r.get("implied_unemployed"), ",.0f"),
                    cell(r.get("self_employed"), ",.0f"),
                    cell(r.get("unemployment_rate"), ".1f"),
                    cell(r.get("implied_rate"), ".2f"),
                    cell(None) if _is_na(consistent) else badge("yes" if consistent else "no"),
                    long_text(r.get("note"), 50),
                ]
            )
        s.table(
            [
                "year",
                "active, thousand",
                "employed, thousand",
                "unemployed",
                "implied unemployed",
                "self-employed",
                "rate, %",
                "implied rate, %",
                "consistent",
                "note",
            ],
            rows,
            caption=f"Labour market of {town} (results.labour_market; persons unless stated)",
        )


def section_perception(snap: Snapshot, s: Section, chart_dir: Path, rel: str) -> None:
    s.intro = (
        "Entrepreneurs' answers to 'how has ... changed?' per area (study Table 4), from "
        "worsened significantly to improved significantly. Bars are centred on the middle of "
        "'unchanged', so the balance of improved against worsened reads off the zero line."
    )
    counts = snap.get("core.survey_perception_count")
    summary = snap.get("results.perception_summary")
    if counts.empty and summary.empty:
        s.empty_message = (
            "core.survey_perception_count and results.perception_summary are missing or empty "
            "(no survey loaded)."
        )
        return
    surveys = sorted(set(counts.get("survey_id", [])) | set(summary.get("survey_id", [])))
    for survey_id in surveys:
        if len(surveys) > 1:
            s.heading(f"Survey {survey_id}")
        c = counts[counts["survey_id"] == survey_id] if not counts.empty else counts
        if not c.empty:
            line = _survey_line(
                snap, survey_id, "core.survey_perception_count", _first(c, "source_table")
            )
            chart = ch.perception(c, survey_id, _source(line, snap))
            chart.name = f"perception-{survey_id}"
            s.chart(chart, chart_dir, rel)
        else:
            s.empty(f"no answer counts for survey {survey_id} in core.survey_perception_count.")
        sm = summary[summary["survey_id"] == survey_id] if not summary.empty else summary
        if sm.empty:
            continue
        sm = sm.sort_values("net_balance", ascending=False)
        labels = (
            c.dropna(subset=["area_label"]).groupby("area")["area_label"].first()
            if not c.empty and "area_label" in c.columns
            else pd.Series(dtype=str)
        )
        rows = [
            [
                cell(labels.get(r["area"], r["area"])),
                cell(r.get("n"), "d"),
                cell(r.get("share_improved"), _pct),
                cell(r.get("share_unchanged"), _pct),
                cell(r.get("share_worsened"), _pct),
                cell(r.get("net_balance"), "+.0f"),
                cell(r.get("mean_score"), ".2f"),
                cell(
                    r.get("ci_low"),
                    lambda v, r=r: f"{v:.2f} - {r.get('ci_high'):.2f}",
                ),
                cell(r.get("median_score"), "g"),
            ]
            for _, r in sm.iterrows()
        ]
        s.table(
            [
                "area",
                "n",
                "improved",
                "unchanged",
                "worsened",
                "net balance, pp",
                "mean score (1-5)",
                _ci_header(sm),
                "median",
            ],
            rows,
            caption=f"Perception summary, survey {survey_id} (results.perception_summary)",
        )
        s.status = "ok"
    s.text(
        "Score: 5 = improved significantly ... 1 = worsened significantly. The interval treats "
        "the respondents as a simple random sample, which a convenience sample of entrepreneurs "
        "is not: read it as a measure of spread."
    )


def support_from_counts(counts: pd.DataFrame, conf_level: float = 0.95) -> pd.DataFrame:
    """Mean score, t interval, median and share scoring 8+ per measure, from Table 7 counts.

    The fallback when ``results.support_measure`` is not in the warehouse yet.
    """
    from tasks.stats.describe import mean_ci, median_from_counts

    rows = []
    for (survey_id, measure), g in counts.groupby(["survey_id", "measure"], sort=True):
        levels = g["score"].to_numpy(dtype=float)
        n_at = g["respondents"].to_numpy(dtype=float)
        m = mean_ci(counts=n_at, levels=levels, conf_level=conf_level)
        n = float(n_at.sum())
        rows.append(
            {
                "survey_id": survey_id,
                "measure": measure,
                "measure_label": _first(g, "measure_label") or measure,
                "n": int(n),
                "mean_score": m["mean"],
                "ci_low": m["ci_low"],
                "ci_high": m["ci_high"],
                "ci_level": conf_level,
                "median_score": median_from_counts(levels, n_at),
                "share_8_plus": float(n_at[levels >= 8].sum() / n) if n else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    if not out.empty:
        out["rank_by_mean"] = (
            out.groupby("survey_id")["mean_score"].rank(ascending=False, method="min").astype(int)
        )
    return out


def section_support(snap: Snapshot, s: Section, chart_dir: Path, rel: str) -> None:
    s.intro = (
        "How entrepreneurs scored each support measure (1 = lowest, 10 = highest; study Table 7), "
        "ranked by the mean score, with the confidence interval of the mean."
    )
    if snap.has("results.support_measure"):
        frame, table = snap.get("results.support_measure"), "results.support_measure"
    elif snap.has("core.survey_support_score_count"):
        frame = support_from_counts(snap.get("core.survey_support_score_count"))
        table = "core.survey_support_score_count (summarised by the report)"
        s.text(
            "results.support_measure is not in this warehouse yet: the scores are summarised "
            "here from core.survey_support_score_count."
        )
    else:
        s.empty_message = (
            "results.support_measure and core.survey_support_score_count are missing or empty "
            "(no Table 7 scores loaded)."
        )
        return
    counts = snap.get("core.survey_support_score_count")
    for survey_id, f in frame.groupby("survey_id", sort=True):
        if frame["survey_id"].nunique() > 1:
            s.heading(f"Survey {survey_id}")
        src_table = (
            _first(counts[counts["survey_id"] == survey_id], "source_table") if len(counts) else ""
        )
        line = _survey_line(snap, survey_id, table, src_table)
        chart = ch.support_measures(f, survey_id, _source(line, snap), SUPPORT_CAVEAT)
        chart.name = f"support_measures-{survey_id}"
        s.chart(chart, chart_dir, rel)
        f = f.sort_values("mean_score", ascending=False)
        has_imp = "importance_coefficient" in f.columns
        rows = []
        for _, r in f.iterrows():
            row = [
                cell(r.get("rank_by_mean"), "d" if not _is_na(r.get("rank_by_mean")) else None),
                cell(r.get("measure_label") or r.get("measure")),
                cell(r.get("n"), "d"),
                cell(r.get("mean_score"), ".2f"),
                cell(r.get("ci_low"), lambda v, r=r: f"{v:.2f} - {r.get('ci_high'):.2f}"),
                cell(r.get("median_score"), "g"),
                cell(r.get("share_8_plus"), _pct),
            ]
            if has_imp:
                row.append(cell(r.get("importance_coefficient"), ".3f"))
            rows.append(row)
        header = ["rank", "measure", "n", "mean (1-10)", _ci_header(f), "median", "scored 8+"]
        if has_imp:
            header.append("study 'importance' r")
        s.table(header, rows, caption=f"Support measures, survey {survey_id} ({table})")
        if has_imp:
            s.text(
                "The study's 'importance' coefficient is the Pearson r between the score (1-10) "
                "and the number of respondents giving it: it describes the shape of the score "
                "distribution, not how important a measure is."
            )


def section_correlation(snap: Snapshot, s: Section, chart_dir: Path, rel: str) -> None:
    s.intro = (
        "Every analysed pair in results.correlation: the estimate with its confidence interval "
        "and p-value (as R's cor.test). Each row's note says what the coefficient can and cannot "
        "mean; several of the study's correlations are over answer categories or score levels, "
        "not over respondents."
    )
    corr = snap.get("results.correlation")
    if corr.empty:
        s.empty_message = "results.correlation is missing or empty (no correlation analysed yet)."
        return
    chart = ch.correlation_forest(corr, _source("results.correlation", snap))
    s.chart(chart, chart_dir, rel)
    rows = [
        [
            cell(r["analysis"]),
            cell(r["x"]),
            cell(r["y"]),
            cell(r["method"]),
            cell(r.get("n"), "d"),
            cell(r.get("estimate"), "+.3f"),
            cell(r.get("ci_low"), lambda v, r=r: f"{v:+.3f} to {r.get('ci_high'):+.3f}"),
            cell(r.get("p_value"), _p),
            long_text(r.get("note"), 40),
        ]
        for _, r in corr.iterrows()
    ]
    s.table(
        ["analysis", "x", "y", "method", "n", "estimate", _ci_header(corr), "p-value", "note"],
        rows,
        caption="results.correlation",
    )


def section_hypotheses(snap: Snapshot, s: Section, chart_dir: Path, rel: str) -> None:
    s.intro = (
        "The study's hypotheses, each with the test its published data can carry, the "
        "Holm-adjusted p-value and the verdict that follows from the stated decision rule."
    )
    hyp = snap.get("results.hypothesis")
    if hyp.empty:
        s.empty_message = "results.hypothesis is missing or empty (hypotheses not tested yet)."
        return
    chart = ch.hypotheses(hyp, _source("results.hypothesis", snap))
    s.chart(chart, chart_dir, rel)
    rows = []
    for _, r in hyp.iterrows():
        statement = long_text(r.get("statement"), 60)
        if not _is_na(r.get("evidence")):
            full = f"{r.get('statement')} Evidence: {r.get('evidence')}"
            statement = {**statement, "details": full}
        rows.append(
            [
                cell(r["hypothesis"]),
                statement,
                cell(r.get("statistic")),
                cell(r.get("value"), ".3f"),
                cell(r.get("p_value"), _p),
                cell(r.get("p_adjusted"), _p),
                badge(r.get("verdict")),
                long_text(r.get("note"), 50),
            ]
        )
    s.table(
        ["", "statement (and evidence)", "test", "value", "p", "p (Holm)", "verdict", "why"],
        rows,
        caption="results.hypothesis",
    )
    rules = _first(hyp, "decision_rule")
    if rules:
        s.text(f"Decision rule: {rules}")


def section_reproduction(snap: Snapshot, s: Section, chart_dir: Path, rel: str) -> None:
    s.intro = (
        "Every number the study publishes that can be recomputed from its own inputs, "
        "recomputed: reproduced (equal within half a unit of the last printed digit), "
        "discrepancy (with what explains it) or not reproducible."
    )
    audit = snap.get("results.paper_reproduction")
    if audit.empty:
        s.empty_message = (
            "results.paper_reproduction is missing or empty (the audit has not run yet)."
        )
        return
    chart = ch.reproduction(audit, _source("results.paper_reproduction", snap))
    s.chart(chart, chart_dir, rel)
    order = {"discrepancy": 0, "not_reproducible": 1, "reproduced": 2}
    audit = audit.assign(_o=audit["status"].map(order).fillna(3)).sort_values(
        ["_o", "source_table", "statistic"]
    )
    rows = [
        [
            cell(r["source_table"]),
            cell(r["statistic"]),
            cell(r["published"]),
            cell(r.get("recomputed"), lambda v: f"{v:.10g}"),
            badge(r["status"]),
            long_text(r.get("explanation"), 60),
        ]
        for _, r in audit.iterrows()
    ]
    s.table(
        ["table", "statistic", "published", "recomputed", "status", "explanation"],
        rows,
        caption="results.paper_reproduction (discrepancies first)",
    )


def section_quality(snap: Snapshot, s: Section, chart_dir: Path, rel: str) -> None:
    s.intro = (
        "What validation found in the inputs (meta.quality_issue): errors block a run, warnings "
        "are loaded and recorded. One row per distinct finding; 'last seen' says whether the "
        "latest run still saw it."
    )
    issues = snap.get("meta.quality_issue")
    if "meta.quality_issue" not in snap.frames or (issues.empty and snap.latest_run is None):
        s.empty_message = "no run has been recorded yet (meta.quality_issue is empty)."
        return
    if issues.empty:
        s.status = "ok"
        s.text("No quality issues recorded: every check passed.")
        return
    chart = ch.quality(issues, _source("meta.quality_issue", snap))
    s.chart(chart, chart_dir, rel)
    run = snap.latest_run
    latest = str(run["run_id"]) if run else None
    rows = []
    for _, r in issues.iterrows():
        where = str(r.get("file") or r.get("table_name"))
        if not _is_na(r.get("file_row")):
            where += f" row {int(r['file_row'])}"
        current = latest is not None and str(r.get("last_run_id")) == latest
        rows.append(
            [
                badge(r["severity"]),
                cell(r["table_name"]),
                cell(where),
                cell(r.get("column_name")),
                cell(r["check_name"]),
                long_text(r.get("observed"), 40),
                long_text(r.get("message"), 90),
                cell("latest run" if current else _ts(r.get("last_seen_at"))),
            ]
        )
    s.table(
        ["severity", "table", "where", "column", "check", "observed", "message", "last seen"],
        rows,
        caption="meta.quality_issue",
    )


def _json(v) -> dict:
    if _is_na(v):
        return {}
    if isinstance(v, dict):
        return v
    try:
        out = json.loads(v)
    except (TypeError, ValueError):
        return {}
    return out if isinstance(out, dict) else {}


def report_versions() -> dict[str, str]:
    """Versions of what drew the report."""
    out = {}
    for pkg in ("monotowns", "matplotlib", "duckdb", "pandas", "jinja2", "openpyxl"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def section_run(snap: Snapshot, s: Section, chart_dir: Path, rel: str) -> None:
    s.intro = (
        "Which run produced these numbers, from which inputs (sources, files, content hashes "
        "and vintages) and with which software versions."
    )
    run = snap.latest_run
    if run is None:
        s.empty_message = "meta.pipeline_run is missing or empty (no run has been recorded)."
        return
    s.status = "ok"
    params = _json(run.get("parameters"))
    started, finished = run.get("started_at"), run.get("finished_at")
    duration = (
        f"{(pd.Timestamp(finished) - pd.Timestamp(started)).total_seconds():.0f} s"
        if not _is_na(started) and not _is_na(finished)
        else "–"
    )
    s.heading("Latest run")
    s.kv(
        [
            ("run id", str(run["run_id"])),
            ("flow", str(run.get("flow"))),
            ("status", str(run.get("status"))),
            ("started", _ts(started)),
            ("finished", _ts(finished)),
            ("duration", duration),
            ("source", str(params.get("source", "–"))),
            *[(f"parameter {k}", str(v)) for k, v in params.items() if k != "source"],
            ("message", str(run.get("message") or "–")),
        ]
    )
    counts = {k: int(v) for k, v in _json(run.get("row_counts")).items()}
    if counts:
        chart = ch.row_counts(counts, str(run["run_id"]), _source("meta.pipeline_run", snap))
        s.chart(chart, chart_dir, rel)
    payloads = snap.get("raw.payload")
    s.heading("Sources (raw.payload)")
    if payloads.empty:
        s.empty("raw.payload is missing or empty.")
    else:
        rows = [
            [
                cell(r["source"]),
                cell(r["kind"]),
                cell(_name(r["uri"]), title=str(r["uri"])),
                cell(_ts(r["fetched_at"])),
                cell(r.get("size_bytes"), ",d"),
                cell(str(r["content_hash"])[:12], title=str(r["content_hash"])),
                cell(str(r.get("first_run_id"))[:8]),
            ]
            for _, r in payloads.iterrows()
        ]
        s.table(
            ["source", "input", "file or URL", "fetched (vintage)", "bytes", "sha256", "first run"],
            rows,
        )
    obs = snap.get("core.observation")
    if not obs.empty:
        s.heading("Vintages of the observations (core.observation)")
        rows = [
            [
                cell(r["indicator_id"]),
                cell(r["source"]),
                cell(r.get("source_ref")),
                cell(_ts(r["vintage"])),
                cell(r["n_rows"], "d"),
                cell(r["n_not_ok"], "d"),
            ]
            for _, r in obs.iterrows()
        ]
        s.table(["indicator", "source", "reference", "vintage", "values", "not ok"], rows)
    s.heading("Software versions")
    versions = _json(run.get("versions"))
    mine = report_versions()
    pkgs = list(dict.fromkeys([*versions, *mine]))
    s.table(
        ["package", "run", "report"],
        [[cell(p), cell(versions.get(p)), cell(mine.get(p))] for p in pkgs],
    )
    runs = snap.get("meta.pipeline_run")
    if len(runs) > 1:
        s.heading("Recent runs")
        s.table(
            ["run", "started", "status", "source", "message"],
            [
                [
                    cell(str(r["run_id"])[:8], title=str(r["run_id"])),
                    cell(_ts(r["started_at"])),
                    badge(r["status"]),
                    cell(_json(r.get("parameters")).get("source")),
                    long_text(r.get("message"), 60),
                ]
                for _, r in runs.head(10).iterrows()
            ],
        )


def _name(uri) -> str:
    text = str(uri)
    return text if "://" in text else Path(text).name


BUILDERS: dict[str, Callable[[Snapshot, Section, Path, str], None]] = {
    "grp": section_grp,
    "labour": section_labour,
    "perception": section_perception,
    "support": section_support,
    "correlation": section_correlation,
    "hypotheses": section_hypotheses,
    "reproduction": section_reproduction,
    "quality": section_quality,
    "run": section_run,
}


# --------------------------------------------------------------------------- headline


def _area_labels(snap: Snapshot) -> pd.Series:
    counts = snap.get("core.survey_perception_count")
    if counts.empty or "area_label" not in counts.columns:
        return pd.Series(dtype=str)
    return counts.dropna(subset=["area_label"]).groupby("area")["area_label"].first()


def headline(snap: Snapshot) -> list[dict[str, str]]:
    """Headline numbers (``figure``, ``value``) for the report's top and the run artifact.

    ``value`` is short (a number, or "n of m"); ``figure`` says what it is, with its unit.
    """
    out: list[dict[str, str]] = []

    def add(figure: str, value: str) -> None:
        out.append({"figure": figure, "value": value})

    grp = snap.get("results.grp_by_year")
    for town_id, g in grp.groupby("town_id", sort=True) if not grp.empty else []:
        r = g.sort_values("year").iloc[-1]
        town, year = snap.town_name(town_id), int(r["year"])
        if not _is_na(r.get("total_industry_services")):
            add(
                f"GRP {town} {year}, industry + services (mln KZT)",
                f"{r['total_industry_services']:,.1f}",
            )
        if not _is_na(r.get("total_as_study")):
            add(
                f"GRP {town} {year}, the study's sum of 4 columns (mln KZT; double counts)",
                f"{r['total_as_study']:,.1f}",
            )
        if not _is_na(r.get("hhi_industry_services")):
            add(
                f"HHI {town} {year}, industry + services (0-1, lower = more diversified)",
                f"{r['hhi_industry_services']:.3f}",
            )
    lab = snap.get("results.labour_market")
    if not lab.empty:
        for town_id, g in lab.dropna(subset=["unemployment_rate"]).groupby("town_id"):
            r = g.sort_values("year").iloc[-1]
            add(
                f"Unemployment rate {snap.town_name(town_id)} {int(r['year'])} (%)",
                f"{r['unemployment_rate']:g}",
            )
    per = snap.get("results.perception_summary")
    if not per.empty and "net_balance" in per.columns:
        labels = _area_labels(snap)
        p = per.dropna(subset=["net_balance"]).sort_values("net_balance")
        if len(p):
            for which, r in (("most improved", p.iloc[-1]), ("most worsened", p.iloc[0])):
                area = clip(str(labels.get(r["area"], r["area"])), 60)
                add(
                    f"Perceived change, {which} area: {area} (net balance, pp)",
                    f"{r['net_balance']:+.0f}",
                )
    sup = snap.get("results.support_measure")
    if sup.empty and snap.has("core.survey_support_score_count"):
        sup = support_from_counts(snap.get("core.survey_support_score_count"))
    if not sup.empty:
        top = sup.sort_values("mean_score", ascending=False).iloc[0]
        add(
            f"Top-scored support measure: {top.get('measure_label') or top['measure']} "
            "(mean score, 1-10)",
            f"{top['mean_score']:.2f}",
        )
    corr = snap.get("results.correlation")
    if not corr.empty:
        sig = int((pd.to_numeric(corr["p_value"], errors="coerce") < 0.05).sum())
        add("Correlations with p < 0.05 (read each row's note)", f"{sig} of {len(corr)}")
    hyp = snap.get("results.hypothesis")
    if not hyp.empty:
        counts = hyp["verdict"].astype(str).value_counts()
        rest = ", ".join(f"{n} {v}" for v, n in counts.items() if v != "supported")
        add(
            "Hypotheses supported" + (f" ({rest})" if rest else ""),
            f"{counts.get('supported', 0)} of {len(hyp)}",
        )
    audit = snap.get("results.paper_reproduction")
    if not audit.empty:
        st = audit["status"].astype(str).value_counts()
        add(
            f"Published numbers reproduced ({st.get('discrepancy', 0)} discrepancies, "
            f"{st.get('not_reproducible', 0)} not reproducible)",
            f"{st.get('reproduced', 0)} of {len(audit)}",
        )
    issues = snap.get("meta.quality_issue")
    run = snap.latest_run
    if run is not None and "meta.quality_issue" in snap.frames:
        cur = issues[issues["last_run_id"] == run["run_id"]] if not issues.empty else issues
        sev = cur["severity"].value_counts() if not cur.empty else pd.Series(dtype=int)
        add(
            "Quality issues seen by the latest run (errors / warnings)",
            f"{sev.get('error', 0)} / {sev.get('warning', 0)}",
        )
    return out


# --------------------------------------------------------------------------- build


def default_out_dir(warehouse: str | Path) -> Path:
    """Where the report goes unless told otherwise: ``<warehouse dir>/report``."""
    return Path(warehouse).parent / "report"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def wbr(text) -> Markup:
    """Escaped text with line-break opportunities after ``_``, ``(``, ``:``, ``,`` and ``/``.

    Identifiers like ``table6_job_vs_entrepreneurship_counts(table5)`` then wrap at their parts
    instead of mid-word, and copy back unchanged (``<wbr>`` is not a character).
    """
    out = str(escape(str(text)))
    for ch_ in ("_", "(", ":", ",", "/"):
        out = out.replace(ch_, ch_ + "<wbr>")
    return Markup(out)


def render_html(snap: Snapshot, sections: list[Section], head: list[dict]) -> str:
    """The report's HTML text."""
    import jinja2

    from tasks.report.template import TEMPLATE

    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["wbr"] = wbr
    run = snap.latest_run
    generated = datetime.now(UTC).replace(microsecond=0)
    towns = sorted(
        {snap.town_name(t) for t in snap.get("results.grp_by_year").get("town_id", [])}
        | {snap.town_name(t) for t in snap.get("results.labour_market").get("town_id", [])}
    )
    subtitle = [
        f"Towns: {', '.join(towns)}" if towns else "No town data yet",
        (
            f"Run {run['run_id']} ({run.get('status')}), {_ts(run.get('started_at'))}"
            if run
            else "No run recorded"
        ),
        f"Warehouse {Path(snap.warehouse).resolve()} · report generated "
        f"{generated.strftime('%Y-%m-%d %H:%M UTC')}",
    ]
    return env.from_string(TEMPLATE).render(
        title="Monotowns observatory report",
        subtitle=subtitle,
        sections=sections,
        headline=head,
        footer=(
            "monotowns report: every number comes from the warehouse tables named under each "
            "chart; query them with `monotowns query`. Charts are also saved as PNG and SVG."
        ),
    )


def build_report(warehouse: str | Path, out_dir: str | Path | None = None) -> dict:
    """Write ``report.html`` and ``charts/`` for ``warehouse`` into ``out_dir``.

    Returns ``html`` (path), ``charts`` ({name: {png, svg}}), ``sections`` ({id: ok | empty |
    error}), ``headline`` ([{figure, value}]) and ``run_id``. Raises :class:`WarehouseMissing`
    when there is no warehouse file.
    """
    snap = read_snapshot(warehouse)
    out = Path(out_dir) if out_dir is not None else default_out_dir(warehouse)
    chart_dir = out / CHART_DIR
    chart_dir.mkdir(parents=True, exist_ok=True)
    sections = []
    for sid, title in SECTIONS.items():
        s = Section(sid, title)
        try:
            BUILDERS[sid](snap, s, chart_dir, CHART_DIR)
        except Exception as exc:  # one broken section must not sink the report
            log.exception("report section %s failed", sid)
            s.status, s.error = "error", f"{type(exc).__name__}: {exc}"
        sections.append(s)
    head = headline(snap)
    html = render_html(snap, sections, head)
    path = out / REPORT_FILE
    _write_atomic(path, html)
    run = snap.latest_run
    return {
        "html": str(path),
        "charts": {k: v for s in sections for k, v in s.charts.items()},
        "sections": {s.id: s.status for s in sections},
        "errors": {s.id: s.error for s in sections if s.status == "error"},
        "headline": head,
        "run_id": str(run["run_id"]) if run else None,
    }


def publish_report(warehouse: str, out_dir: str, *, xlsx: bool = True) -> dict:
    """Everything an analyst opens after a run: the HTML report, charts, Parquet and XLSX.

    Reads the *published* ``warehouse`` read-only (call it after the run has published).
    Writes into ``out_dir``: ``report.html``, ``charts/*.png|svg``,
    ``parquet/results.<table>.parquet`` (every results table) and, if ``xlsx``,
    ``results.xlsx``. Returns JSON-serialisable paths and headline numbers:
    ``{"html", "charts", "parquet", "xlsx", "sections", "errors", "headline", "run_id"}``.
    """
    out = Path(out_dir)
    result = build_report(warehouse, out)
    result["parquet"] = exports.export_parquet(warehouse, out / PARQUET_DIR)
    result["xlsx"] = None
    if xlsx:
        exports.export_xlsx(warehouse, out / XLSX_FILE, run_id=result["run_id"])
        result["xlsx"] = str(out / XLSX_FILE)
    return result
