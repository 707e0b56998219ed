"""The Taldau registry is data (territories.csv, towns.csv, indicators.csv), loads into typed rows
and is cross-checked."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from tasks.catalogue import load_catalogue
from tasks.sources.taldau.registry import (
    INDICATORS_CSV,
    TERRITORIES_CSV,
    TOWNS_CSV,
    Indicator,
    TaldauRegistryError,
    Town,
    get_town,
    load_indicators,
    load_registry,
    load_towns,
    plan_territory_pairs,
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
    # the known mappings stay; more rows may be added (each for a catalogue id)
    assert {k: inds[k].taldau_index_id for k in EXPECTED_IDS if k in inds} == EXPECTED_IDS
    assert set(inds) <= set(load_catalogue())
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


def test_units_come_from_the_catalogue():
    catalogue = load_catalogue()
    for ind in load_indicators():
        entry = catalogue[ind.indicator_id]
        assert (ind.unit, ind.name_ru, ind.topic) == (entry.unit, entry.name_ru, entry.topic)
        assert ind.taldau_unit and ind.scale > 0
    inds = {i.indicator_id: i for i in load_indicators()}
    assert (inds["labour_unemployed"].unit, inds["labour_unemployed"].scale) == ("persons", 1000)
    assert inds["labour_unemployment_rate"].unit == "%"


REFERENCE_DIR = REFERENCE_MONOTOWNS.parent if REFERENCE_MONOTOWNS else None


def _reference(name):
    if REFERENCE_DIR is None or not (REFERENCE_DIR / name).exists():
        pytest.skip(f"shared/reference/taldau/{name} not found beside the checkout")
    with open(REFERENCE_DIR / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_towns_are_the_reference_monotowns_with_known_terms():
    """Every candidate of monotown_terms.csv is a town, resolved to its territory's terms; the 20
    confirmed monotowns keep the KATO codes of monotowns.csv."""
    terms = {r["town_id"]: r for r in _reference("monotown_terms.csv")}
    confirmed = {r["kato_code"] for r in _reference("monotowns.csv")}
    towns = {t.town_id: t for t in load_towns()}
    assert set(towns) == set(terms) and len(towns) == 28
    assert confirmed <= {t.kato_code for t in towns.values()}
    for tid, ref in terms.items():
        town = towns[tid]
        assert town.status == ref["monotown_status"], tid
        assert town.taldau_term_id == int(ref["taldau_term_id"]), tid
        assert town.oblast_term_id == int(ref["oblast_term_id"]), tid
        assert town.town_term_id is None and not town.confirmed  # nodes not yet discovered
        assert not town.taldau_term_confirmed  # one source only (medium-high)
        assert town.oblast_term_confirmed  # two independent sources agree on every oblast
        assert len(town.kato_code) == 9 and town.town_node_name.startswith("Г.")
    assert {t for t, x in towns.items() if x.status == "former"} == {"saran", "tekeli"}
    assert sum(x.status == "unconfirmed" for x in towns.values()) == 8
    khromtau = get_town("khromtau")
    assert khromtau.kato_code == "156020100"
    assert (khromtau.taldau_term_id, khromtau.taldau_term_level) == (249978, "district")
    assert khromtau.territory_term(68) == 249978 and khromtau.territory_term(67) == 248875
    assert "the whole district" in khromtau.territory_note(68)


def test_every_oblast_and_monotown_territory_once_with_parents():
    reg = load_registry()
    oblasts = {int(r["term_id"]) for r in _reference("oblast_terms.csv")}
    have = {t.taldau_term_id for t in reg.territories.values()}
    assert oblasts <= have  # the republic, 17 oblasts, 3 republican cities
    districts = {r["term_id"]: r for r in _reference("district_terms.csv")}
    containers = {town.territory_id for town in reg.towns}
    for t in reg.territories.values():
        if t.kind == "republic":
            assert t.parent_territory_id == "" and t.taldau_term_id == 741880
            continue
        assert t.parent_territory_id in reg.territories, t.territory_id
        if t.kind in ("district", "city_administration") and t.territory_id in containers:
            # a monotown's district or administration: its Taldau term, from one source
            assert str(t.taldau_term_id) in districts, t.territory_id
            assert districts[str(t.taldau_term_id)]["name_in_source"] == t.taldau_term_name
            assert not t.confirmed and t.taldau_dics == (68,)
        elif t.kind in ("district", "city_administration"):
            # every other district and г.а. comes from the bureau's workbooks, without a term
            assert t.taldau_term_id is None and not t.confirmed, t.territory_id
            assert t.source.startswith("shared/reference/bns/"), t.territory_id
            assert t.name_ru, t.territory_id
    for town in reg.towns:
        assert reg.territories[town.territory_id].parent_territory_id == town.oblast_territory_id
    # one territory per distinct term: Altai and Serebryansk share РАЙОН АЛТАЙ
    shared = [t for t in reg.territories.values() if t.taldau_term_id == 266711]
    assert len(shared) == 1
    assert reg.town("altai").territory_id == reg.town("serebryansk").territory_id
    assert len({t.territory_id for t in reg.towns}) == 27


def test_reforms_give_the_oblast_of_each_year():
    reg = load_registry()
    satpayev = reg.town("satpayev")
    assert satpayev.oblast_in(2021) == "oblast_karaganda"
    assert satpayev.oblast_in(2022) == "oblast_ulytau"
    assert reg.town("tekeli").oblast_in(2015) == "oblast_almaty"
    assert reg.town("kurchatov").oblast_in(2023) == "oblast_abai"
    kentau = reg.town("kentau")
    assert kentau.oblast_in(2017) == "oblast_south_kazakhstan"
    assert kentau.oblast_in(2018) == "oblast_turkestan"
    assert reg.town("khromtau").oblast_in(2000) == "oblast_aktobe"
    for tid in ("oblast_ulytau", "oblast_abai", "oblast_zhetisu"):
        assert reg.territories[tid].valid_from == 2022
        assert not reg.territories[tid].valid_in(2021)
    assert reg.territories["oblast_turkestan"].valid_from == 2018
    assert reg.territories["oblast_south_kazakhstan"].valid_to == 2017
    roles = [(role, t.territory_id) for role, t, *_ in reg.town_roles("satpayev")]
    assert roles == [
        ("town", "town_satpayev"),
        ("container", "ca_satpayev"),
        ("oblast", "oblast_karaganda"),
        ("oblast", "oblast_ulytau"),
    ]


def test_indicator_levels():
    inds = {i.indicator_id: i for i in load_indicators()}
    assert inds["wage_avg_monthly"].levels == ("oblast", "district")
    assert inds["industrial_output"].levels == ("oblast", "district")
    assert all(i.levels == ("oblast",) for i in inds.values() if i.territory_dic == 67)
    with pytest.raises(TaldauRegistryError, match="levels"):
        Indicator.from_row(
            {
                "indicator_id": "population",
                "taldau_index_id": "1",
                "period_id": "7",
                "territory_dic": "67",
                "levels": "district",
            }
        )


def test_plan_fetches_each_territory_once():
    reg = load_registry()
    pairs, skipped = plan_territory_pairs(reg)
    keys = [(p.indicator.indicator_id, p.territory.territory_id) for p in pairs]
    assert len(keys) == len(set(keys))
    wage = {
        p.territory.territory_id: p for p in pairs if p.indicator.indicator_id == "wage_avg_monthly"
    }
    altai = wage["district_altai"]
    assert altai.town_ids == ("altai", "serebryansk") and altai.term_id == 266711
    assert {u.role for u in altai.uses} == {"container"}
    karaganda = wage["oblast_karaganda"]
    assert {"balkhash", "satpayev"} <= set(karaganda.town_ids)
    assert [u.year_to for u in karaganda.uses if u.town_id == "satpayev"] == [2021]
    labour = [p for p in pairs if p.indicator.indicator_id == "labour_unemployed"]
    assert {p.territory.kind for p in labour} == {"oblast"}
    assert wage["district_khromtau"].term_id == 249978 and not wage["district_khromtau"].confirmed
    # South Kazakhstan (before 2018) has no Taldau id: skipped, never fetched
    assert {s.territory_id for s in skipped} == {"oblast_south_kazakhstan"}
    assert all(s.town_ids == ("kentau",) for s in skipped)
    # every indicator is planned at exactly the territories of its levels (no count pinned)
    planned: dict[str, set[str]] = {}
    for p in pairs:
        planned.setdefault(p.indicator.indicator_id, set()).add(p.territory.territory_id)
    oblasts = planned["labour_unemployed"]
    districts = planned["wage_avg_monthly"] - oblasts
    assert len(oblasts) == 15 and len(districts) == 27  # the registry's territories with an id
    for ind in reg.indicators:
        levels = ind.fetch_levels
        expected = (oblasts if "oblast" in levels else set()) | (
            districts if "district" in levels else set()
        )
        assert planned[ind.indicator_id] == expected, ind.indicator_id
    assert len(pairs) == sum(len(v) for v in planned.values())
    only = plan_territory_pairs(reg, towns=["khromtau"])[0]
    assert {(p.indicator.indicator_id, p.territory.territory_id) for p in only} >= {
        ("wage_avg_monthly", "district_khromtau"),
        ("grp_total", "oblast_aktobe"),
    }


def _copy_registry(tmp_path):
    for src in (TERRITORIES_CSV, TOWNS_CSV, INDICATORS_CSV):
        (tmp_path / src.name).write_bytes(src.read_bytes())
    return tmp_path


def _edit(path, match, column, value):
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows, fields = list(reader), reader.fieldnames
    for row in rows:
        if match(row):
            row[column] = value
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    ("file", "row_id", "column", "value", "message"),
    [
        (
            "territories.csv",
            "district_altai",
            "parent_territory_id",
            "oblast_nowhere",
            r"territories.csv line \d+ \(territory_id 'district_altai'\): column "
            r"'parent_territory_id' = 'oblast_nowhere' is not a territory_id",
        ),
        (
            "territories.csv",
            "ca_satpayev",
            "taldau_term_id",
            "249978",
            r"'taldau_term_id' = 249978 is a duplicate",
        ),
        ("territories.csv", "ca_satpayev", "kind", "village", r"'kind' = 'village' is not one of"),
        ("territories.csv", "district_khromtau", "confirmed", "yes", r"confidence 'high'"),
        (
            "territories.csv",
            "ca_rudny",
            "parent_territory_id",
            "district_khromtau",
            r"a city_administration's parent must be a oblast",
        ),
        (
            "towns.csv",
            "serebryansk",
            "territory_id",
            "district_nowhere",
            r"towns.csv line \d+ \(town_id 'serebryansk'\): column 'territory_id' = "
            r"'district_nowhere' is not a territory_id of territories.csv",
        ),
        (
            "towns.csv",
            "satpayev",
            "oblast_before_2022_territory_id",
            "ca_rudny",
            r"'oblast_before_2022_territory_id' = 'ca_rudny' is a city_administration",
        ),
        (
            "towns.csv",
            "satpayev",
            "oblast_territory_id",
            "oblast_karaganda",
            r"differs from the parent 'oblast_ulytau'",
        ),
        ("towns.csv", "rudny", "town_id", "khromtau", r"'town_id' = 'khromtau' is a duplicate"),
        ("towns.csv", "rudny", "status", "maybe", r"'status' = 'maybe' is not one of"),
        ("towns.csv", "rudny", "kato_code", "12345", r"not a 9-digit KATO code"),
    ],
)
def test_bad_rows_name_file_line_column_and_value(tmp_path, file, row_id, column, value, message):
    folder = _copy_registry(tmp_path)
    key = "territory_id" if file == "territories.csv" else "town_id"
    _edit(folder / file, lambda r: r[key] == row_id, column, value)
    with pytest.raises(TaldauRegistryError, match=message):
        load_registry(folder / "towns.csv", folder / "territories.csv", folder / "indicators.csv")


def test_a_historical_towns_csv_still_loads(tmp_path):
    path = tmp_path / "towns.csv"
    path.write_text(
        "town_id,kato_code,taldau_term_id,taldau_term_level,oblast_term_id\n"
        "khromtau,156020100,249978,district,\n",
        encoding="utf-8",
    )
    [town] = load_towns(path)
    assert (town.taldau_term_id, town.oblast_term_id) == (249978, None)


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
        text.rstrip("\n") + "\npopulation,703831,7,67,67,1,человек,1,yes,no,DANK-Z 011 sql,,\n",
        encoding="utf-8",
    )
    inds = {i.indicator_id: i for i in load_indicators(path)}
    assert inds["population"].taldau_index_id == 703831
    # name and unit are the catalogue's; the row says only Taldau's unit and the scale
    assert (inds["population"].unit, inds["population"].taldau_unit) == ("persons", "человек")
    assert inds["population"].name_ru == load_catalogue()["population"].name_ru
    path.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(TaldauRegistryError, match="duplicate"):
        load_indicators(path)


def test_a_mapping_to_an_id_outside_the_catalogue_fails_naming_the_row(tmp_path):
    path = tmp_path / "indicators.csv"
    text = INDICATORS_CSV.read_text(encoding="utf-8")
    row = "births_typo,1,7,67,67,1,человек,1,no,no,x,,"
    path.write_text(text.rstrip("\n") + "\n" + row + "\n", encoding="utf-8")
    lines = len(text.rstrip("\n").splitlines()) + 1
    with pytest.raises(TaldauRegistryError, match=rf"line {lines} .*'births_typo' is not in"):
        load_indicators(path)
    # an older row that still defines what the indicator is: refused, the column named
    old = {"indicator_id": "population", "taldau_index_id": "1", "period_id": "7"}
    with pytest.raises(TaldauRegistryError, match=r"column 'unit' = 'persons'.*catalogue"):
        Indicator.from_row({**old, "territory_dic": "67", "unit": "persons"})
