"""On a fresh machine: ``monotowns run``, then ``monotowns report --lang ru``, gives an overview
naming every registry town in Russian with the published population of each town that has one
(``shared/reference/towns/population.csv``; a verbatim copy in tests/fixtures/towns)."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.refresh import refresh
from tasks.report.formats import number

REPO = Path(__file__).resolve().parents[3]
FIXTURE = REPO / "tests" / "fixtures" / "towns" / "population.csv"
SHARED = Path("/work/shared/reference/towns/population.csv")
REGISTRY = REPO / "tasks" / "sources" / "taldau" / "towns.csv"
KIND = {
    "town proper": "town",
    "city administration": "city_administration",
    "district containing the town": "district",
}
KIND_RU = {
    "town": "город (без подчинённых сёл)",
    "city_administration": "городская администрация (г.а.)",
    "district": "район",
}


class OverviewTable(HTMLParser):
    """The cells' text of ``<table id="overview-towns">``, row by row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == "overview-towns":
            self.inside = True
        elif self.inside and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())  # keeps U+202F and U+00A0
            self.cell = None
        elif tag == "table" and self.inside:
            self.inside = self.in_body = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def published_population() -> dict[str, tuple[int, str, str]]:
    """Town -> (population, date, kind) of its latest figure (the town proper's on that date)."""
    with FIXTURE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    best: dict[str, tuple[int, str, str]] = {}
    for r in rows:
        kind = KIND[r["territory_kind"]]
        key = (r["date"], kind == "town")
        old = best.get(r["town_id"])
        if old is None or key > (old[1], old[2] == "town"):
            best[r["town_id"]] = (int(r["population"]), r["date"], kind)
    return best


def test_fixture_is_the_shared_reference():
    if not SHARED.is_file():
        pytest.skip("shared/reference/towns/population.csv not beside the checkout")
    assert FIXTURE.read_bytes() == SHARED.read_bytes()


@pytest.mark.flow
def test_run_then_russian_report_names_every_town_with_its_population(tmp_path, capsys):
    warehouse = tmp_path / "w" / "monotowns.duckdb"
    assert main(["run", "--warehouse", str(warehouse), "--no-report"]) == 0
    out = tmp_path / "report-ru"
    assert main(["report", "--warehouse", str(warehouse), "--lang", "ru", "--out", str(out)]) == 0
    capsys.readouterr()
    parser = OverviewTable()
    parser.feed((out / "report.html").read_text(encoding="utf-8"))
    rows = {r[0]: r for r in parser.rows}
    with REGISTRY.open(encoding="utf-8") as f:
        registry = {r["town_id"]: r["name_ru"] for r in csv.DictReader(f)}
    assert len(registry) == 28
    assert len(parser.rows) == 28
    assert set(rows) == set(registry.values())  # every town named in Russian, once
    published = published_population()
    assert len(published) == 19
    for town_id, name_ru in registry.items():
        row = rows[name_ru]
        population, as_of, kind_cell = row[4], row[5], row[6]
        if town_id not in published:
            assert population == "—", (town_id, row)
            continue
        value, day, kind = published[town_id]
        assert population == number(value, ",.0f", "ru"), (town_id, row)
        y, m, d = day.split("-")
        assert as_of == f"{d}.{m}.{y}", (town_id, row)
        assert kind_cell == KIND_RU[kind], (town_id, row)
    # Kentau: the town proper's figure, and its administration's beside it (never one series)
    kentau = rows[registry["kentau"]]
    assert kentau[4] == "74\u202f659"
    assert kentau[8] == "206\u202f720 (городская администрация (г.а.), 01.01.2020)"
    assert kentau[7] == "+185 (+0,2\u00a0%)"


@pytest.mark.flow
def test_refresh_flow_publishes_the_report_in_report_lang(tmp_path):
    """The flow's ``report_lang`` is recorded in the run's parameters and reaches the report."""
    warehouse = tmp_path / "w.duckdb"
    summary = refresh(warehouse=str(warehouse), report_lang="ru")
    assert summary.status == "completed"
    html = Path(summary.report).read_text(encoding="utf-8")
    assert '<html lang="ru">' in html and 'id="overview-towns"' in html
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(params,)] = con.execute("SELECT parameters FROM meta.pipeline_run").fetchall()
    assert json.loads(params)["report_lang"] == "ru"
