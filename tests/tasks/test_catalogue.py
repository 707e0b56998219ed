"""The one indicator catalogue (tasks/catalogue/indicators.yaml): properties, not counts.

Every id is named in every language and defined; every source's mapping points at a catalogue id;
core.indicator, the report's labels and docs/indicators.md come from it; a malformed file is a
ValueError naming the entry and the field.
"""

from __future__ import annotations

import copy
import csv
from datetime import date
from pathlib import Path

import pytest
import yaml

from schemas.inputs import empty_observations
from tasks.catalogue import (
    CATALOGUE_YAML,
    COMPARABLE_AS,
    indicator_frame,
    load_catalogue,
    load_units,
    parse_catalogue,
    read_catalogue,
    require_ids,
)
from tasks.catalogue import docs as catalogue_docs
from tasks.report.i18n import catalogue as messages
from tasks.report.i18n import language
from tasks.report.labels import indicator_name, unit_label
from tasks.report.snapshot import Snapshot
from tasks.sources.base import Payload
from tasks.sources.bundled import bundled_dirs, read_bundled
from tasks.sources.taldau.registry import load_indicators
from tasks.validate import validate_parsed_observations, validate_payloads

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "indicators.md"
TODAY = date(2026, 11, 27)


def _raw() -> dict:
    with open(CATALOGUE_YAML, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _folder_rows(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / name
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_indicator_is_named_in_every_language_and_defined():
    cat = load_catalogue()
    assert cat  # the file parses and validates
    for ind in cat.values():
        for lang in ("ru", "kk", "en"):
            assert ind.name(lang).strip() and "\n" not in ind.name(lang), (ind.id, lang)
        assert ind.name("ru") != ind.name("en") and ind.name("kk") != ind.name("en"), ind.id
        for lang in ("en", "ru"):
            assert ind.definition(lang).strip() and "\n" not in ind.definition(lang)
        assert ind.provenance.strip(), ind.id


def test_kazakh_names_are_written_in_kazakh_cyrillic():
    kazakh_only = set("әғқңөұүһі")
    names = " ".join(i.name_kk for i in load_catalogue().values()).lower()
    assert kazakh_only & set(names)  # not a copy of the Russian names
    assert not set("abcdefghijklmnopqrstuvwxyz") & set(names)


def test_units_topics_and_comparable_as_are_from_their_lists():
    raw = read_catalogue()
    for ind in raw.indicators.values():
        assert ind.comparable_as in COMPARABLE_AS, ind.id
        assert ind.unit in raw.units, ind.id
        assert ind.topic in raw.topics, ind.id
    for unit in load_units().values():
        assert unit.en and unit.ru and unit.kk, unit.id
    # an index is a percentage of the previous year; a rate is never a count
    for ind in raw.indicators.values():
        if ind.comparable_as == "index":
            assert ind.unit == "% of previous year", ind.id
        if ind.unit in ("persons", "thousand persons", "mln KZT", "KZT", "units"):
            assert ind.comparable_as == "level", ind.id


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda e: e.update(comparable_as="per_town"),
            r"entry 1 \(id 'population'\): field "
            r"'comparable_as' = 'per_town' is not one of",
        ),
        (lambda e: e["name"].pop("kk"), r"entry 1 \(id 'population'\): field 'name.kk' is missing"),
        (lambda e: e["definition"].update(ru=""), r"field 'definition.ru' is missing or empty"),
        (lambda e: e.update(unit="furlongs"), r"field 'unit' = 'furlongs' is not one of the units"),
        (
            lambda e: e.update(topic="weather"),
            r"field 'topic' = 'weather' is not one of the topics",
        ),
        (lambda e: e.pop("provenance"), r"field 'provenance' is missing"),
        (lambda e: e.update(colour="red"), r"field 'colour' is not a catalogue field"),
        (lambda e: e.update(id="Population"), r"field 'id' = 'Population' must be snake_case"),
    ],
)
def test_a_bad_entry_is_a_value_error_naming_entry_and_field(edit, match):
    data = _raw()
    edit(data["indicators"][0])
    with pytest.raises(ValueError, match=match):
        parse_catalogue(data)


def test_a_duplicate_id_is_a_value_error_naming_the_second_entry():
    data = _raw()
    data["indicators"].append(copy.deepcopy(data["indicators"][0]))
    n = len(data["indicators"])
    with pytest.raises(ValueError, match=rf"entry {n} \(id 'population'\): field 'id' is a dup"):
        parse_catalogue(data)


def test_every_taldau_mapping_points_at_a_catalogue_id():
    catalogue = load_catalogue()
    for ind in load_indicators():  # loading refuses an unknown id (see test_taldau_registry)
        assert ind.indicator_id in catalogue
        assert ind.unit == catalogue[ind.indicator_id].unit


def test_every_bundled_observation_maps_to_a_catalogue_id_in_its_unit():
    catalogue = load_catalogue()
    folders = bundled_dirs()
    assert any("studies" in f.parts for f in folders) and any(
        "monotown_panel" in f.parts for f in folders
    )
    for folder in folders:
        assert not (folder / "indicators.csv").exists(), f"{folder}: the catalogue defines them"
        rows = _folder_rows(folder, "observations.csv")
        assert rows, folder
        for n, row in enumerate(rows, start=2):
            entry = catalogue.get(row["indicator_id"])
            assert entry is not None, f"{folder}/observations.csv row {n}: {row['indicator_id']}"
            assert row.get("unit", "") in ("", entry.unit), f"{folder} row {n}: {row['unit']}"


def test_core_indicator_rows_come_from_the_catalogue():
    batch = validate_payloads(read_bundled(), today=TODAY)
    assert batch.errors == []
    frame = batch.frames["indicators"].set_index("indicator_id")
    observed = set(batch.frames["observations"]["indicator_id"])
    assert set(frame.index) == observed  # the indicators the batch carries, not the whole file
    expected = indicator_frame(observed).set_index("indicator_id")
    assert frame.sort_index().equals(expected.sort_index())
    catalogue = load_catalogue()
    for iid, row in frame.iterrows():
        assert (row["name"], row["unit"], row["topic"]) == (
            catalogue[iid].name_en,
            catalogue[iid].unit,
            catalogue[iid].topic,
        )
        assert row["description"].startswith(catalogue[iid].definition_en)


def test_any_catalogue_id_is_a_known_indicator_for_an_analyst_folder():
    new_id = next(i for i in load_catalogue() if i.startswith("births"))
    body = f"town_id,indicator_id,year,value\nkhromtau,{new_id},2020,150\n"
    payload = Payload.from_bytes("files", "observations", "/in/observations.csv", body.encode())
    batch = validate_payloads([payload], reference=read_bundled(), today=TODAY)
    assert batch.errors == []
    # core.indicator: the folder's indicator and the bundled datasets' (the reference)
    bundled = {
        r["indicator_id"] for f in bundled_dirs() for r in _folder_rows(f, "observations.csv")
    }
    assert set(batch.frames["indicators"]["indicator_id"]) == {new_id, *bundled}
    obs = batch.frames["observations"].to_pandas()
    assert obs["unit"].tolist() == [load_catalogue()[new_id].unit]  # empty unit = catalogue's


def test_a_taldau_batch_lists_the_bundled_and_the_selected_taldau_indicators():
    selected = [i.indicator_id for i in load_indicators()]
    batch = validate_parsed_observations(
        empty_observations(),
        source="taldau",
        reference=read_bundled(),
        extra_indicators=indicator_frame(selected),
        today=TODAY,
    )
    bundled = {
        r["indicator_id"] for f in bundled_dirs() for r in _folder_rows(f, "observations.csv")
    }
    frame = batch.frames["indicators"]
    assert sorted(frame["indicator_id"]) == sorted({*bundled, *selected})
    assert (
        frame.set_index("indicator_id")
        .sort_index()
        .equals(indicator_frame({*bundled, *selected}).set_index("indicator_id").sort_index())
    )


def test_a_folder_may_add_its_own_indicator_but_not_redefine_a_catalogued_one():
    inds = "indicator_id,name,unit\nmy_index,My index,%\npopulation,People,persons\n"
    obs = "town_id,indicator_id,year,value\nkhromtau,my_index,2020,5\n"
    payloads = [
        Payload.from_bytes("files", "indicators", "/in/indicators.csv", inds.encode()),
        Payload.from_bytes("files", "observations", "/in/observations.csv", obs.encode()),
    ]
    batch = validate_payloads(payloads, today=TODAY)
    assert batch.errors == []
    [warning] = [i for i in batch.issues if i.check_name == "catalogued_indicator"]
    assert (warning.file, warning.file_row, warning.row_key) == ("indicators.csv", 3, "population")
    frame = batch.frames["indicators"].set_index("indicator_id")
    assert list(frame.index) == ["my_index"] and frame.loc["my_index", "name"] == "My index"


def test_require_ids_names_the_unknown_ids():
    require_ids(["population"], "x")
    with pytest.raises(ValueError, match=r"somewhere: indicator id\(s\) nope are not in"):
        require_ids(["population", "nope"], "somewhere")


def test_the_report_labels_every_indicator_and_unit_from_the_catalogue():
    for lang in ("en", "ru"):
        keys = messages(lang)
        assert not [k for k in keys if k.startswith(("values.indicator.", "values.unit."))], lang
    snap = Snapshot(warehouse="", frames={})
    for lang in ("en", "ru"):
        with language(lang):
            for ind in load_catalogue().values():
                assert indicator_name(snap, ind.id) == ind.name(lang)
            for unit in load_units().values():
                assert unit_label(unit.id) == unit.label(lang)
    with language("ru"):
        assert indicator_name(snap, "labour_unemployment_rate") == "Уровень безработицы"
        assert unit_label("persons") == "человек"


def test_docs_indicators_md_is_generated_from_the_catalogue(tmp_path):
    out = tmp_path / "indicators.md"
    assert catalogue_docs.main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == DOCS.read_text(encoding="utf-8"), (
        "docs/indicators.md is out of date: run python -m tasks.catalogue.docs"
    )
    assert catalogue_docs.main(["--check", str(DOCS)]) == 0
    text = DOCS.read_text(encoding="utf-8")
    assert all(f"`{i}`" in text for i in load_catalogue())
