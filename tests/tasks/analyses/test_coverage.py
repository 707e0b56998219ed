"""results.coverage on tiny frames: every status, the oblast period, one row per cell."""

import logging

import pandas as pd

from flows.progress import Progress, progress
from tasks.analyses.coverage import coverage, summary

LINKS = pd.DataFrame(
    [
        ("sat", "town_sat", "town", None, None),
        ("sat", "ca_sat", "city_administration", None, None),
        ("sat", "ob_kar", "oblast", None, pd.Timestamp("2021-12-31")),
        ("sat", "ob_uly", "oblast", pd.Timestamp("2022-01-01"), None),
        ("alt", "town_alt", "town", None, None),
        ("alt", "d_alt", "district", None, None),
        ("alt", "ob_ek", "oblast", None, None),
    ],
    columns=["town_id", "territory_id", "kind", "valid_from", "valid_to"],
)
TERR = pd.DataFrame(
    [
        ("town_sat", "town", None, False),
        ("ca_sat", "city_administration", 256704, False),
        ("ob_kar", "oblast", 256619, True),
        ("ob_uly", "oblast", 77208140, True),
        ("town_alt", "town", None, False),
        ("d_alt", "district", 266711, False),
        ("ob_ek", "oblast", 264990, True),
    ],
    columns=["territory_id", "kind", "taldau_term_id", "confirmed"],
)
OBS = pd.DataFrame(
    [
        ("town_sat", "population", 2021, "ok", "bundled"),
        ("town_sat", "population", 2023, "ok", "bundled"),
        ("ca_sat", "wage", 2021, "ok", "taldau"),
        ("ca_sat", "wage", 2022, "suppressed", "taldau"),
        ("ob_kar", "rate", 2021, "ok", "taldau"),
        ("ob_uly", "rate", 2022, "ok", "taldau"),
    ],
    columns=["territory_id", "indicator_id", "year", "value_status", "source"],
)
LEVELS = {"wage": ("oblast", "district"), "rate": ("oblast",)}


def cells(frame):
    return {
        (r.town_id, r.indicator_id, r.year, r.territory_kind): (r.status, r.territory_id)
        for r in frame.itertuples()
    }


def test_every_status_and_the_oblast_of_each_year():
    got = coverage(LINKS, TERR, OBS, ["population", "rate", "wage"], LEVELS, {("d_alt", "wage")})
    assert not got.duplicated(["town_id", "indicator_id", "year", "territory_kind"]).any()
    c = cells(got)
    assert c[("sat", "rate", 2021, "oblast")] == ("ok", "ob_kar")
    assert c[("sat", "rate", 2022, "oblast")] == ("ok", "ob_uly")
    assert c[("sat", "wage", 2022, "city_administration")] == ("suppressed", "ca_sat")
    assert c[("alt", "wage", 2021, "district")] == ("failed", "d_alt")
    assert c[("alt", "rate", 2021, "oblast")][0] == "missing"  # Taldau has it, no value
    assert c[("sat", "population", 2022, "town")][0] == "missing"  # a gap between figures
    assert c[("alt", "population", 2023, "town")][0] == "missing"  # other towns have one
    assert c[("alt", "population", 2021, "oblast")][0] == "not_configured"
    assert c[("sat", "wage", 2021, "town")][0] == "not_configured"  # no town-node level
    counts = summary(got).set_index("territory_kind")
    assert counts.loc["oblast", "cells"] == len(got[got.territory_kind == "oblast"])


def test_progress_logs_plain_lines_when_not_on_a_terminal(caplog):
    logger = logging.getLogger("progress-test")
    with caplog.at_level(logging.INFO, logger="progress-test"):
        p = Progress(3, "taldau fetch", logger)
        for failed in (False, True, False):
            p.advance(failed=failed)
    assert (p.done, p.failed) == (3, 1)
    assert "taldau fetch: 3/3 done, 1 failed, 0 remaining" in caplog.text


def test_progress_bar_is_drawn_by_rich(capsys):
    with progress(2, "taldau fetch", logging.getLogger("progress-test"), bar=True) as p:
        assert p.bar is not None  # rich's bar, not a hand-drawn one
        p.advance()
        p.advance(failed=True)
    assert "taldau fetch" in capsys.readouterr().err
