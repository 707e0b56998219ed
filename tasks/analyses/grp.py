"""GRP by sector: totals, shares, growth and a diversification index, from core observations.

The study's Table 1 prints four columns: Industry, Mining, Manufacturing, Services. In Kazakh
statistics "industry" (промышленность) comprises mining, manufacturing and utilities, and in
every year of Table 1 mining + manufacturing < industry, which fits. The study's total (the
text's "11,750 mln tenge" for 2021) adds all four columns and so counts mining and manufacturing
twice. We publish both: ``total_as_study`` (the four columns) and ``total_industry_services``
(industry + services, no double count).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SECTORS = {
    "grp_industry": "industry",
    "grp_mining": "mining",
    "grp_manufacturing": "manufacturing",
    "grp_services": "services",
}
NOTE = (
    "industry likely contains mining and manufacturing (mining + manufacturing < industry in "
    "every year); total_as_study double-counts them, total_industry_services does not"
)


def grp_wide(observations: pd.DataFrame) -> pd.DataFrame:
    """One row per (town, year) with the four sector columns."""
    sub = observations[observations["indicator_id"].isin(SECTORS)]
    if sub.empty:
        return pd.DataFrame(columns=["town_id", "year", *SECTORS.values()])
    wide = sub.pivot_table(
        index=["town_id", "year"],
        columns="indicator_id",
        values="value",
        aggfunc="first",
        dropna=False,
    ).rename(columns=SECTORS)
    for col in SECTORS.values():
        if col not in wide.columns:
            wide[col] = np.nan
    return wide.reset_index()[["town_id", "year", *SECTORS.values()]]


def _hhi(parts: pd.DataFrame) -> pd.Series:
    total = parts.sum(axis=1, min_count=parts.shape[1])
    shares = parts.div(total, axis=0)
    return (shares**2).sum(axis=1, min_count=parts.shape[1])


def grp_by_year(observations: pd.DataFrame) -> pd.DataFrame:
    """Totals (two definitions), year-on-year growth and HHI per town and year."""
    w = grp_wide(observations).sort_values(["town_id", "year"]).reset_index(drop=True)
    four = w[list(SECTORS.values())]
    two = w[["industry", "services"]]
    w["total_as_study"] = four.sum(axis=1, min_count=4)
    w["total_industry_services"] = two.sum(axis=1, min_count=2)
    for col, out in (
        ("total_as_study", "yoy_growth_as_study"),
        ("total_industry_services", "yoy_growth_industry_services"),
    ):
        prev = w.groupby("town_id")[col].shift(1)
        prev_year = w.groupby("town_id")["year"].shift(1)
        w[out] = np.where(prev_year == w["year"] - 1, w[col] / prev - 1, np.nan)
    w["hhi_as_study"] = _hhi(four)
    w["hhi_industry_services"] = _hhi(two)
    w["note"] = NOTE
    return w


def grp_sector_share(observations: pd.DataFrame) -> pd.DataFrame:
    """Long table: each sector's value and share of both totals."""
    w = grp_by_year(observations)
    rows = []
    for sector in SECTORS.values():
        rows.append(
            pd.DataFrame(
                {
                    "town_id": w["town_id"],
                    "year": w["year"],
                    "sector": sector,
                    "value": w[sector],
                    "share_as_study": w[sector] / w["total_as_study"],
                    "share_industry_services": (w[sector] / w["total_industry_services"])
                    if sector in ("industry", "services")
                    else np.nan,
                }
            )
        )
    return pd.concat(rows, ignore_index=True).sort_values(["town_id", "year", "sector"])
