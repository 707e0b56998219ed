"""Analyses: plain functions over core tables, each producing one or more results tables.

:data:`ANALYSES` maps a name to a function ``f(warehouse_path) -> {results_table: frame}``;
the flow runs each as a task. The functions they call take frames, so tests use tiny frames.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from tasks.analyses import grp, labour, perception
from tasks.survey import analyses as survey_analyses


def read(path: str, sql: str) -> pd.DataFrame:
    """Run one read query against the warehouse file at ``path``."""
    with duckdb.connect(path) as con:
        return con.execute(sql).df()


# Per (town, indicator, year) the analyses use one value: an analyst's file first, then the
# study's bundled data, then Taldau. Taldau rows at oblast level (dic 67: labour, GRP) are
# proxies for the whole oblast: they stay in core.observation but never enter a town's series.
SOURCE_PRIORITY = ("files", "bundled", "taldau")


def _oblast_proxies() -> set[str]:
    from tasks.sources.taldau.registry import load_indicators

    return {i.indicator_id for i in load_indicators() if i.territory_dic != 68}


def one_value_per_cell(observations: pd.DataFrame, indicator_ids) -> pd.DataFrame:
    """Rows of ``indicator_ids``, one per (town, indicator, year), by :data:`SOURCE_PRIORITY`."""
    sub = observations[observations["indicator_id"].isin(list(indicator_ids))]
    proxy = sub["source"].eq("taldau") & sub["indicator_id"].isin(_oblast_proxies())
    sub = sub[~proxy]
    rank = (
        sub["source"]
        .map({s: i for i, s in enumerate(SOURCE_PRIORITY)})
        .fillna(len(SOURCE_PRIORITY))
    )
    order = sub.assign(_rank=rank).sort_values("_rank", kind="stable")
    return order.drop_duplicates(["town_id", "indicator_id", "year"]).drop(columns="_rank")


def _observations(path: str) -> pd.DataFrame:
    return read(path, "SELECT * FROM core.observation")


def _with_source(result: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Add the source(s) each result row was computed from (``bundled``, ``bundled+files``)."""
    used = obs.groupby(["town_id", "year"])["source"].agg(lambda s: "+".join(sorted(set(s))))
    keys = pd.MultiIndex.from_frame(result[["town_id", "year"]])
    return result.assign(source=used.reindex(keys).to_numpy())


def run_grp(path: str) -> dict[str, pd.DataFrame]:
    """GRP totals, growth, HHI and sector shares."""
    obs = one_value_per_cell(_observations(path), grp.SECTORS)
    return {
        "results.grp_by_year": _with_source(grp.grp_by_year(obs), obs),
        "results.grp_sector_share": _with_source(grp.grp_sector_share(obs), obs),
    }


def run_labour(path: str) -> dict[str, pd.DataFrame]:
    """Labour-market series with implied values."""
    obs = one_value_per_cell(_observations(path), labour.INDICATORS)
    return {"results.labour_market": _with_source(labour.labour_market(obs), obs)}


def run_perception(path: str) -> dict[str, pd.DataFrame]:
    """Table 4 summary per area."""
    counts = read(path, "SELECT * FROM core.survey_perception_count")
    return {"results.perception_summary": perception.perception_summary(counts)}


def _study_inputs(path: str) -> dict[str, pd.DataFrame]:
    """The core tables the study's analyses, the audit and the hypotheses read."""
    return {
        "table5": read(path, "SELECT * FROM core.survey_table5"),
        "perception": read(path, "SELECT * FROM core.survey_perception_count"),
        "scores": read(path, "SELECT * FROM core.survey_support_score_count"),
        "paired": read(path, "SELECT * FROM core.survey_paired_value"),
        # the study's analyses and the audit use the study's own inputs only
        "observations": read(path, "SELECT * FROM core.observation WHERE source = 'bundled'"),
    }


def run_study(path: str) -> dict[str, pd.DataFrame]:
    """The study's correlations (Tables 5-9, GRP vs unemployment) and Table 7 per measure."""
    from tasks.analyses import study

    inp = _study_inputs(path)
    return {
        "results.correlation": study.study_correlations(**inp),
        "results.support_measure": study.support_measures(inp["scores"]),
    }


def run_reproduction(path: str) -> dict[str, pd.DataFrame]:
    """Recompute every published number (core.published_number) from the inputs."""
    from tasks.analyses import reproduction

    published = read(path, "SELECT * FROM core.published_number")
    nums = reproduction.study_numbers(**_study_inputs(path))
    return {"results.paper_reproduction": reproduction.paper_reproduction(published, nums)}


def run_hypotheses(path: str) -> dict[str, pd.DataFrame]:
    """H1-H4 with Holm-adjusted p-values and verdicts."""
    from tasks.analyses import hypotheses

    inp = _study_inputs(path)
    return {
        "results.hypothesis": hypotheses.hypothesis_tests(
            inp["perception"], inp["scores"], inp["table5"], inp["observations"]
        )
    }


ANALYSES: dict[str, Callable[[str], dict[str, pd.DataFrame]]] = {
    "grp": run_grp,
    "labour": run_labour,
    "perception": run_perception,
    "study": run_study,
    "reproduction": run_reproduction,
    "hypotheses": run_hypotheses,
    "survey": survey_analyses.run,  # respondent-level waves (empty without imports)
}


def headline(path: str) -> list[dict]:
    """A few headline figures for the run artifact and the CLI summary."""
    out = []
    g = read(
        path,
        "SELECT town_id, year, total_as_study, total_industry_services "
        "FROM results.grp_by_year ORDER BY town_id, year DESC LIMIT 1",
    )
    for r in g.itertuples():
        out.append(
            {
                "figure": f"GRP {r.town_id} {r.year}, sum of the study's four columns (mln KZT)",
                "value": f"{r.total_as_study:,.1f}",
            }
        )
        out.append(
            {
                "figure": f"GRP {r.town_id} {r.year}, industry + services (mln KZT)",
                "value": f"{r.total_industry_services:,.1f}",
            }
        )
    lab = read(
        path,
        "SELECT town_id, year, unemployment_rate FROM results.labour_market "
        "WHERE unemployment_rate IS NOT NULL ORDER BY year DESC LIMIT 1",
    )
    for r in lab.itertuples():
        out.append(
            {
                "figure": f"unemployment rate {r.town_id} {r.year} (%)",
                "value": f"{r.unemployment_rate:g}",
            }
        )
    return out
