"""Helpers every analysis shares: read the warehouse, one value per (town, indicator, year)."""

from __future__ import annotations

import duckdb
import pandas as pd

from tasks.sources.taldau.registry import load_indicators


def read(path: str, sql: str) -> pd.DataFrame:
    """Run one read query against the warehouse file at ``path``."""
    with duckdb.connect(path) as con:
        return con.execute(sql).df()


# Per (town, indicator, year) the analyses use one value: an analyst's file first, then the
# study's bundled data, then Taldau. Taldau rows at oblast level (dic 67: labour, GRP) are
# proxies for the whole oblast: they stay in core.observation but never enter a town's series.
SOURCE_PRIORITY = ("files", "bundled", "taldau")


def _oblast_proxies() -> set[str]:
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


def observations(path: str) -> pd.DataFrame:
    return read(path, "SELECT * FROM core.observation")


def with_source(result: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Add the source(s) each result row was computed from (``bundled``, ``bundled+files``)."""
    used = obs.groupby(["town_id", "year"])["source"].agg(lambda s: "+".join(sorted(set(s))))
    keys = pd.MultiIndex.from_frame(result[["town_id", "year"]])
    return result.assign(source=used.reindex(keys).to_numpy())
