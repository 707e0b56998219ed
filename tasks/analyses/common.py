"""Helpers every analysis shares: read the warehouse, one value per (town, indicator, year)."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.sql import literal


def read(path: str, sql: str) -> pd.DataFrame:
    """Run one read query against the warehouse file at ``path``."""
    with duckdb.connect(path) as con:
        return con.execute(sql).df()


# Per (town, indicator, year) the analyses use one value of the town's own series (territory
# kind ``town``): an analyst's file first, then the bundled data, then Taldau. A district's,
# administration's or oblast's value never becomes the town's (core.v_town_series shows them
# beside it, labelled).
SOURCE_PRIORITY = ("files", "bundled", "taldau")
TOWN_KIND = "town"


def one_value_per_cell(observations: pd.DataFrame, indicator_ids) -> pd.DataFrame:
    """Rows of ``indicator_ids``, one per (town, indicator, year), by :data:`SOURCE_PRIORITY`;
    only the town's own series (rows of another ``territory_kind`` are left out)."""
    sub = observations[observations["indicator_id"].isin(list(indicator_ids))]
    if "territory_kind" in sub.columns:
        sub = sub[sub["territory_kind"].eq(TOWN_KIND)]
    rank = (
        sub["source"]
        .map({s: i for i, s in enumerate(SOURCE_PRIORITY)})
        .fillna(len(SOURCE_PRIORITY))
    )
    order = sub.assign(_rank=rank).sort_values("_rank", kind="stable")
    return order.drop_duplicates(["town_id", "indicator_id", "year"]).drop(columns="_rank")


def observations(path: str) -> pd.DataFrame:
    """Every town's own series (``core.v_town_series`` rows of territory kind ``town``)."""
    town = literal(TOWN_KIND)
    return read(path, f"SELECT * FROM core.v_town_series WHERE territory_kind = {town}")


def with_source(result: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Add the source(s) each result row was computed from (``bundled``, ``bundled+files``)."""
    used = obs.groupby(["town_id", "year"])["source"].agg(lambda s: "+".join(sorted(set(s))))
    keys = pd.MultiIndex.from_frame(result[["town_id", "year"]])
    return result.assign(source=used.reindex(keys).to_numpy())
