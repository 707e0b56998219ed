"""One value per (town, indicator, year) in the analyses: files > bundled > taldau, and only
the town's own series (territory kind ``town``)."""

import pandas as pd

from tasks.analyses.common import one_value_per_cell


def test_files_override_bundled_cell_by_cell_and_territories_stay_out():
    obs = pd.DataFrame(
        [
            ("k", "labour_active", 2019, 13.5, "bundled", "town"),
            ("k", "labour_active", 2020, 13.8, "bundled", "town"),
            ("k", "labour_active", 2020, 14.1, "files", "town"),  # an analyst's correction
            ("k", "labour_active", 2024, 412.0, "taldau", "oblast"),  # the oblast's value
            ("k", "wage_avg_monthly", 2024, 350000.0, "taldau", "district"),  # the district's
            ("k", "wage_avg_monthly", 2023, 310000.0, "taldau", "town"),  # the town node's
        ],
        columns=["town_id", "indicator_id", "year", "value", "source", "territory_kind"],
    )
    got = one_value_per_cell(obs, ["labour_active", "wage_avg_monthly"])
    cells = {(r.indicator_id, r.year): (r.value, r.source) for r in got.itertuples()}
    # a district's or oblast's value never becomes the town's (it was, before territories)
    assert cells == {
        ("labour_active", 2019): (13.5, "bundled"),
        ("labour_active", 2020): (14.1, "files"),
        ("wage_avg_monthly", 2023): (310000.0, "taldau"),
    }
