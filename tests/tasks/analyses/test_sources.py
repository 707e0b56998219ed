"""One value per (town, indicator, year) in the analyses: files > bundled > taldau."""

import pandas as pd

from tasks.analyses.common import one_value_per_cell


def test_files_override_bundled_cell_by_cell_and_oblast_proxies_stay_out():
    obs = pd.DataFrame(
        [
            ("k", "labour_active", 2019, 13.5, "bundled"),
            ("k", "labour_active", 2020, 13.8, "bundled"),
            ("k", "labour_active", 2020, 14.1, "files"),  # an analyst's correction
            ("k", "labour_active", 2024, 412.0, "taldau"),  # oblast-level proxy (dic 67)
            ("k", "wage_avg_monthly", 2024, 350000.0, "taldau"),  # district level (dic 68)
        ],
        columns=["town_id", "indicator_id", "year", "value", "source"],
    )
    got = one_value_per_cell(obs, ["labour_active", "wage_avg_monthly"])
    cells = {(r.indicator_id, r.year): (r.value, r.source) for r in got.itertuples()}
    assert cells == {
        ("labour_active", 2019): (13.5, "bundled"),
        ("labour_active", 2020): (14.1, "files"),
        ("wage_avg_monthly", 2024): (350000.0, "taldau"),
    }
