"""Number, percentage and date formats of each language (tasks/report/formats.py)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from tasks.report import blocks, formats
from tasks.report.i18n import language

NNBSP = "\u202f"  # the Russian thousands separator: narrow no-break space
NBSP = "\u00a0"  # before % in Russian


def test_thousands_and_decimals():
    assert formats.number(1234567.891, ",.2f", "ru") == f"1{NNBSP}234{NNBSP}567,89"
    assert formats.number(1234567.891, ",.2f", "en") == "1,234,567.89"
    assert formats.number(1234567.891, ",.2f", "ru") == "1\u202f234\u202f567,89"
    assert formats.number(0.5, ".3f", "ru") == "0,500"
    assert formats.number(15175.1, ",.1f", "ru") == f"15{NNBSP}175,1"


def test_negative_numbers():
    assert formats.number(-1234.5, ",.1f", "ru") == f"-1{NNBSP}234,5"
    assert formats.number(-0.7, "+.3f", "ru") == "-0,700"
    assert formats.number(0.6, "+.2f", "ru") == "+0,60"
    assert formats.number(-1234.5, ",.1f", "en") == "-1,234.5"


def test_missing_values():
    with language("ru"):
        for v in (math.nan, None, pd.NA, pd.NaT, np.float64("nan")):
            assert formats.number(v, ",.2f") == "—"
            assert blocks.cell(v)["text"] == "—"
        assert formats.percent(math.nan) == "—"
        assert formats.day(None) == "—"
    assert formats.number(math.nan, ",.2f", "en") == "–"  # the English report's mark


def test_no_grouping_unless_asked():
    """Years and counts are formatted without ``,`` in the spec, so they stay ungrouped."""
    assert formats.number(2024, "d", "ru") == "2024"
    assert formats.number(12345, "d", "ru") == "12345"
    assert formats.number(12345, ",d", "ru") == f"12{NNBSP}345"


def test_percentages():
    assert formats.percent(0.125, ".1f", "ru") == f"12,5{NBSP}%"
    assert formats.percent(0.125, ".1f", "en") == "12.5%"
    assert formats.percent(0.95, "g", "ru") == f"95{NBSP}%"
    with language("ru"):
        assert blocks.pct_signed(0.125) == f"+12,5{NBSP}%"
        assert blocks.pct(0.4) == f"40{NBSP}%"
    assert blocks.pct_signed(0.125) == "+12.5%"


def test_p_values_and_scientific():
    assert formats.p_value(0.0123, "ru") == "0,012"
    assert formats.p_value(1.5e-7, "ru") == "1,5e-07"
    assert formats.p_value(0.0123, "en") == "0.012"


def test_dates_and_timestamps():
    assert formats.day(date(2024, 1, 31), "ru") == "31.01.2024"
    assert formats.day(pd.Timestamp("2024-01-31"), "en") == "2024-01-31"
    stamp = datetime(2024, 1, 31, 9, 5, tzinfo=UTC)
    assert formats.timestamp(stamp, "ru") == "31.01.2024 09:05 UTC"
    assert formats.timestamp(stamp, "en") == "2024-01-31 09:05 UTC"
    with language("ru"):
        assert blocks.ts("2024-01-31T12:05:00+06:00") == "31.01.2024 06:05 UTC"


def test_cells_follow_the_language():
    with language("ru"):
        assert blocks.cell(15175.123, ",.1f")["text"] == f"15{NNBSP}175,1"
        assert blocks.cell(0.25)["text"] == "0,25"
        assert blocks.cell(True)["text"] == "да"
        assert blocks.badge("not_reproducible")["text"] == "невоспроизводимо"
        assert blocks.badge("not_reproducible")["badge"] == "not-reproducible"
        frame = pd.DataFrame({"ci_level": [0.95]})
        assert blocks.ci_header(frame) == f"95{NBSP}% ДИ"
    assert blocks.cell(15175.123, ",.1f")["text"] == "15,175.1"
    assert blocks.ci_header(pd.DataFrame({"ci_level": [0.95]})) == "95% CI"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_axis_ticks(lang):
    """Chart axes format their ticks in the chart's language (FuncFormatter / ScalarFormatter)."""
    with language(lang):
        fig = Figure()
        ax = fig.subplots()
        ax.plot([0, 0.5, 1.5], [0, 12000, 25000])
        ax.yaxis.set_major_formatter(formats.tick_formatter(",.0f"))
        formats.localize_axes(fig)
    ticks = [lab.get_text() for lab in ax.get_xticklabels()]
    y = ax.yaxis.get_major_formatter()(12000, 0)
    if lang == "ru":
        assert y == f"12{NNBSP}000"
        assert any("," in x for x in ticks), ticks
        assert not any("." in x for x in ticks), ticks
    else:
        assert y == "12,000"
        assert any("." in x for x in ticks), ticks
