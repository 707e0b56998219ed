"""The Taldau registry is data (indicators.csv, towns.csv) and loads into typed rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from tasks.sources.taldau.registry import (
    INDICATORS_CSV,
    Indicator,
    TaldauRegistryError,
    Town,
    get_town,
    load_indicators,
    load_towns,
)

# shared/ (read-only reference material) lies beside the checkout, in development and in CI
_REPO = Path(__file__).resolve().parents[3]
REFERENCE_MONOTOWNS = next(
    (
        p
        for p in (
            _REPO.parent / "shared/reference/taldau/monotowns.csv",
            Path("/work/shared/reference/taldau/monotowns.csv"),
        )
        if p.exists()
    ),
    None,
)

EXPECTED_IDS = {
    "grp_total": 2709379,
    "labour_active": 702835,
    "labour_employed": 702840,
    "labour_self_employed": 702935,
    "labour_unemployed": 702943,
    "labour_unemployment_rate": 702944,
    "wage_avg_monthly": 702972,
    "industrial_output": 701592,
}


def test_indicator_codes_map_to_known_taldau_ids():
    inds = {i.indicator_id: i for i in load_indicators()}
    assert {k: v.taldau_index_id for k, v in inds.items()} == EXPECTED_IDS
    assert all(i.period_id == 7 for i in inds.values())
    assert all(i.source for i in inds.values())
    assert not any(i.verified_live for i in inds.values())  # nothing checked live yet


def test_territory_levels_and_dics():
    inds = {i.indicator_id: i for i in load_indicators()}
    assert inds["wage_avg_monthly"].territory_dic == 68
    assert inds["industrial_output"].territory_dic == 68
    oblast = [k for k in EXPECTED_IDS if k not in ("wage_avg_monthly", "industrial_output")]
    assert all(inds[k].territory_dic == 67 for k in oblast)
    assert all(i.territory_dic in i.dics for i in inds.values())
    assert inds["labour_unemployment_rate"].unit == "%"


def test_units_match_the_bundled_indicators():
    bundled = "tasks/studies/khromtau_2024/data/indicators.csv"
    path = Path(__file__).resolve().parents[3] / bundled
    with open(path, encoding="utf-8") as fh:
        units = {r["indicator_id"]: r["unit"] for r in csv.DictReader(fh)}
    for ind in load_indicators():
        if ind.indicator_id in units:
            assert ind.unit == units[ind.indicator_id], ind.indicator_id
        assert ind.taldau_unit and ind.scale > 0
    inds = {i.indicator_id: i for i in load_indicators()}
    assert (inds["labour_unemployed"].unit, inds["labour_unemployed"].scale) == ("persons", 1000)


def test_towns_are_the_reference_monotowns_with_known_terms_only():
    if REFERENCE_MONOTOWNS is None:
        pytest.skip("shared/reference/taldau/monotowns.csv not found beside the checkout")
    with open(REFERENCE_MONOTOWNS, encoding="utf-8") as fh:
        reference = {r["kato_code"]: r for r in csv.DictReader(fh)}
    towns = load_towns()
    assert len(towns) == len(reference) == 20
    assert {t.kato_code for t in towns} == set(reference)
    assert all(t.town_id == t.town_id.lower() and " " not in t.town_id for t in towns)
    khromtau = get_town("khromtau")
    assert khromtau.kato_code == "156020100"
    assert khromtau.taldau_term_id == 249978 and khromtau.taldau_term_confirmed
    assert khromtau.territory_term(68) == 249978
    assert khromtau.territory_term(67) is None  # Aktobe oblast term unknown
    for town in towns:
        if town.town_id != "khromtau":
            assert town.taldau_term_id is None and not town.taldau_term_confirmed
        assert town.oblast_term_id is None and not town.oblast_term_confirmed
    assert {t.town_id for t in towns if t.status == "former"} == {"saran", "tekeli"}


def test_rows_coerce_from_dicts_and_pandas_and_validate():
    row = {
        "indicator_id": "population",
        "taldau_index_id": "703831",
        "period_id": "7",
        "territory_dic": "67",
        "dics": "67,749",
        "confirmed": "yes",
    }
    ind = Indicator.coerce(pd.Series(row))
    assert (ind.taldau_index_id, ind.dics, ind.confirmed, ind.measure_id) == (
        703831,
        (67, 749),
        True,
        1,
    )
    with pytest.raises(TaldauRegistryError, match="territory_dic"):
        Indicator.from_row({**row, "territory_dic": "90"})
    with pytest.raises(TaldauRegistryError, match="must include territory_dic"):
        Indicator.from_row({**row, "dics": "749,576"})
    with pytest.raises(TaldauRegistryError, match="yes/no"):
        Indicator.from_row({**row, "confirmed": "maybe"})
    town = Town.coerce({"town_id": "x", "taldau_term_id": "249978.0", "kato_code": 156020100})
    assert town.taldau_term_id == 249978 and town.kato_code == "156020100"


def test_adding_an_indicator_is_adding_a_csv_row(tmp_path):
    path = tmp_path / "indicators.csv"
    text = INDICATORS_CSV.read_text(encoding="utf-8")
    path.write_text(
        text.rstrip("\n") + "\npopulation,703831,7,67,67,1,persons,человек,1,"
        "Численность населения,population,yes,no,DANK-Z 011 sql,\n",
        encoding="utf-8",
    )
    inds = {i.indicator_id: i for i in load_indicators(path)}
    assert inds["population"].taldau_index_id == 703831
    assert (inds["population"].unit, inds["population"].taldau_unit) == ("persons", "человек")
    path.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(TaldauRegistryError, match="duplicate"):
        load_indicators(path)
