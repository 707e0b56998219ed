"""Chart functions on tiny frames: gaps stay gaps, diverging bars add up, fallback statistics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tasks.report import charts as ch
from tasks.report.blocks import clip
from tasks.studies.khromtau_2024.report.support import support_from_counts


def test_labour_missing_years_are_gaps_not_interpolated():
    lab = pd.DataFrame(
        {
            "year": [2014, 2015, 2017],  # 2016 absent entirely
            "active_thousand": [14.0, 14.0, 13.3],
            "employed_thousand": [13.5, 13.3, 12.7],
            "unemployed": [515.0, np.nan, 623.0],  # 2015 missing
            "self_employed": [1235.0, np.nan, 427.0],
            "unemployment_rate": [3.5, 4.4, 4.7],
            "implied_unemployed": [500.0, 700.0, 600.0],
            "implied_rate": [3.68, np.nan, 4.68],
        }
    )
    chart = ch.labour_market(lab, "Testtown", "test")
    try:
        unemployed = chart.figure.axes[1].lines[0]
        assert list(unemployed.get_xdata()) == [2014, 2015, 2016, 2017]
        y = unemployed.get_ydata()
        assert y[0] == 515.0 and y[3] == 623.0
        assert math.isnan(y[1]) and math.isnan(y[2])  # NaN breaks the line: no interpolation
        rate = chart.figure.axes[2].lines[0].get_ydata()
        assert math.isnan(rate[2])  # the absent year is a gap too
        assert chart.figure.get_suptitle() == "Labour market, Testtown"
        assert chart.figure.get_supxlabel().startswith("Source: test")
        assert chart.figure.axes[1].get_ylabel() == "persons"
    finally:
        chart.figure.clear()


def test_perception_bars_are_centred_and_add_up():
    counts = pd.DataFrame(
        {
            "survey_id": "s",
            "area": "job",
            "area_label": "Job",
            "answer": list(ch.ANSWER_ORDER),
            "respondents": [5, 5, 10, 20, 10],  # n = 50
        }
    )
    chart = ch.perception(counts, "s", "test")
    try:
        bars = chart.figure.axes[0].patches
        lefts = [b.get_x() for b in bars]
        widths = [b.get_width() for b in bars]
        assert sum(widths) == pytest.approx(100.0)
        # worsened (10% + 10%) and half of unchanged (10%) lie left of zero
        assert lefts[0] == pytest.approx(-30.0)
        assert lefts[-1] + widths[-1] == pytest.approx(70.0)
    finally:
        chart.figure.clear()


def test_support_from_counts_matches_r():
    # R: x <- c(1, 10); mean(x) = 5.5; t.test(x)$conf.int = -51.67792 62.67792; median 5.5
    counts = pd.DataFrame(
        {
            "survey_id": "s",
            "measure": "m",
            "measure_label": "M",
            "score": [1, 10],
            "respondents": [1, 1],
        }
    )
    row = support_from_counts(counts).iloc[0]
    assert row["n"] == 2
    assert row["mean_score"] == pytest.approx(5.5)
    assert row["ci_low"] == pytest.approx(-51.67792, abs=1e-5)
    assert row["ci_high"] == pytest.approx(62.67792, abs=1e-5)
    assert row["median_score"] == 5.5
    assert row["share_8_plus"] == 0.5
    assert row["rank_by_mean"] == 1


def test_render_prefixes_svg_ids(tmp_path):
    grp = pd.DataFrame(
        {
            "year": [2020, 2021],
            "industry": [10.0, 12.0],
            "mining": [2.0, 3.0],
            "manufacturing": [3.0, 4.0],
            "services": [5.0, 6.0],
            "total_as_study": [20.0, 25.0],
            "total_industry_services": [15.0, 18.0],
        }
    )
    chart = ch.grp_sectors(grp, "T", "test")
    chart.name = "one"
    files = ch.render(chart, tmp_path)
    assert files["inline"].startswith("<svg ")
    assert 'id="one-' in files["inline"]
    assert 'id="figure_1"' not in files["inline"]
    assert (tmp_path / "one.png").is_file() and (tmp_path / "one.svg").is_file()


def test_clip():
    assert clip("short", 10) == "short"
    assert clip("a b c d e f g h i j", 9) == "a b c d ..."
    assert clip("x" * 50, 10) == "x" * 10 + " ..."
