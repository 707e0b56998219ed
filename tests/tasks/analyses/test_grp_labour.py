"""GRP and labour analyses on tiny frames."""

import math

import pandas as pd
import pytest

from tasks.analyses.grp import grp_by_year, grp_sector_share
from tasks.analyses.labour import labour_market


def _obs(rows):
    return pd.DataFrame(rows, columns=["town_id", "indicator_id", "year", "value"])


def test_grp_2021_total_from_sector_columns():
    # Table 1, 2021 row: 6253.8, 0.0, 3236.8, 2259.4 -> the text's "11,750 mln tenge"
    obs = _obs(
        [
            ("k", "grp_industry", 2021, 6253.8),
            ("k", "grp_mining", 2021, 0.0),
            ("k", "grp_manufacturing", 2021, 3236.8),
            ("k", "grp_services", 2021, 2259.4),
        ]
    )
    row = grp_by_year(obs).iloc[0]
    assert row["total_as_study"] == pytest.approx(11750.0, abs=1e-9)
    assert row["total_industry_services"] == pytest.approx(8513.2, abs=1e-9)
    shares = grp_sector_share(obs).set_index("sector")["share_as_study"]
    assert shares.sum() == pytest.approx(1.0)
    assert row["hhi_industry_services"] == pytest.approx(
        (6253.8 / 8513.2) ** 2 + (2259.4 / 8513.2) ** 2
    )


def test_grp_growth_needs_consecutive_years():
    rows = []
    for year, v in ((2018, 100.0), (2019, 110.0), (2021, 121.0)):
        rows += [
            ("k", "grp_industry", year, v),
            ("k", "grp_mining", year, 0.0),
            ("k", "grp_manufacturing", year, 0.0),
            ("k", "grp_services", year, 0.0),
        ]
    g = grp_by_year(_obs(rows)).set_index("year")
    assert g.loc[2019, "yoy_growth_as_study"] == pytest.approx(0.1)
    assert math.isnan(g.loc[2021, "yoy_growth_as_study"])  # 2020 missing: no growth


def test_labour_market_implied_values_and_gaps():
    obs = _obs(
        [
            ("k", "labour_active", 2021, 13.9),
            ("k", "labour_employed", 2021, 13.1),
            ("k", "labour_unemployed", 2021, 99.0),
            ("k", "labour_unemployment_rate", 2021, 5.8),
            ("k", "labour_active", 2020, 13.8),
        ]
    )
    lab = labour_market(obs).set_index("year")
    assert lab.loc[2021, "implied_unemployed"] == pytest.approx(800.0)
    assert lab.loc[2021, "consistent"] is False or lab.loc[2021, "consistent"] == False  # noqa: E712
    assert lab.loc[2020, "consistent"] is None
    assert math.isnan(lab.loc[2020, "unemployed"])
