"""The HTML report: every section present, a chart per section, self-contained, "no data yet"."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from flows.cli import main
from tasks.report.build import SECTIONS, WarehouseMissing, build_report


class Sections(HTMLParser):
    """Per ``<section id=...>``: charts (``<svg>``/``<img>``), status, text; plus every URL."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, dict] = {}
        self.current: str | None = None
        self.depth = 0
        self.urls: list[tuple[str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        for key in ("src", "href"):
            if a.get(key):
                self.urls.append((tag, a[key]))
        if tag == "section" and self.current is None:
            self.current = a.get("id")
            self.depth = 0
            self.sections[self.current] = {
                "charts": 0,
                "status": a.get("data-status"),
                "text": "",
            }
        if self.current is None:
            return
        if tag == "section":
            self.depth += 1
        if tag == "svg" or tag == "img":
            self.sections[self.current]["charts"] += 1

    def handle_endtag(self, tag):
        if tag == "section" and self.current is not None:
            self.depth -= 1
            if self.depth == 0:
                self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.sections[self.current]["text"] += data


def parse(path: str) -> Sections:
    p = Sections()
    p.feed(Path(path).read_text(encoding="utf-8"))
    return p


def test_every_section_has_a_chart(published):
    page = parse(published["html"])
    for sid in SECTIONS:
        assert sid in page.sections, f"section {sid} missing"
        sec = page.sections[sid]
        assert sec["status"] == "ok", (sid, sec["status"], published["errors"])
        assert sec["charts"] >= 1, f"section {sid} has no chart"
        assert "No data yet" not in sec["text"]
    assert published["errors"] == {}
    assert set(published["sections"].values()) == {"ok"}


def test_report_is_self_contained(published):
    html = Path(published["html"]).read_text(encoding="utf-8")
    page = parse(published["html"])
    assert "script" not in page.tags
    assert "link" not in page.tags  # no external stylesheet
    assert "<style>" in html
    external = [u for _, u in page.urls if re.match(r"^[a-z][a-z0-9+.-]*://", u, re.I)]
    assert external == [], external
    # the only files it links are its own PNG/SVG copies, which exist next to it
    base = Path(published["html"]).parent
    for _, url in page.urls:
        if not url.startswith("#"):
            assert (base / url).is_file(), url
    # inline SVG ids are unique across the charts (several SVGs in one document)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_charts_have_title_units_and_source(published):
    assert published["charts"], "no charts written"
    for name, files in published["charts"].items():
        svg = Path(files["svg"]).read_text(encoding="utf-8")
        root = ElementTree.fromstring(svg)  # well-formed XML
        text = " ".join(t.strip() for t in root.itertext() if t.strip())
        assert "Source: monotowns warehouse" in text, name
        png = Path(files["png"])
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    sectors = Path(published["charts"]["grp_sectors-khromtau"]["svg"]).read_text()
    for expected in ("GRP by sector", "mln KZT", "Industry", "Mining", "Manufacturing"):
        assert expected in sectors


def test_grp_section_shows_both_totals(published):
    sec = parse(published["html"]).sections["grp"]
    # Table 1 2021: the study's total 11,750 and industry + services 8,513.2
    assert "11,750.0" in sec["text"]
    assert "8,513.2" in sec["text"]
    assert "double count" in sec["text"]


def test_headline_numbers(published):
    head = {h["figure"]: h["value"] for h in published["headline"]}
    assert head["GRP Khromtau 2023, industry + services (mln KZT)"] == "15,175.1"
    assert head["Unemployment rate Khromtau 2023 (%)"] == "2.9"
    json.dumps(published)  # the flow can put it in an artifact / task result
    assert published["run_id"]


def test_empty_warehouse_says_no_data_yet(make_warehouse, tmp_path):
    warehouse = make_warehouse("empty", data=False)
    result = build_report(warehouse, tmp_path / "out")
    page = parse(result["html"])
    assert result["errors"] == {}
    for sid in SECTIONS:
        assert page.sections[sid]["status"] == "empty", sid
        assert "No data yet" in page.sections[sid]["text"], sid
    assert "No data yet" in page.sections["summary"]["text"]


def test_core_only_and_old_schema(make_warehouse, tmp_path):
    """Before the analyses (or migration 003) ran: support measures come from core counts."""
    warehouse = make_warehouse(
        "old",
        analyses=False,
        drop=("results.support_measure", "results.hypothesis", "results.correlation"),
    )
    result = build_report(warehouse, tmp_path / "out")
    assert result["errors"] == {}
    page = parse(result["html"])
    assert result["sections"]["support"] == "ok"
    assert page.sections["support"]["charts"] == 1
    assert (
        "summarised here from core.survey_support_score_count" in page.sections["support"]["text"]
    )
    assert result["sections"]["perception"] == "ok"  # drawn from core counts
    for sid in ("grp", "labour", "correlation", "hypotheses", "reproduction"):
        assert result["sections"][sid] == "empty", sid
    assert result["sections"]["quality"] == "ok"
    assert result["sections"]["run"] == "ok"


def test_missing_warehouse(tmp_path):
    with pytest.raises(WarehouseMissing):
        build_report(tmp_path / "nope.duckdb", tmp_path / "out")


@pytest.mark.slow  # a whole report drawn from scratch (no chart cache in a new folder)
def test_cli(warehouse, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["report", "--warehouse", warehouse, "--out", str(out), "--xlsx"]) == 0
    printed = capsys.readouterr().out
    assert str((out / "report.html").resolve()) in printed
    assert (out / "report.html").is_file()
    assert (out / "results.xlsx").is_file()
    assert list((out / "parquet").glob("results.*.parquet"))
    assert list((out / "charts").glob("*.png"))


@pytest.mark.slow  # a whole report drawn from scratch
def test_cli_default_out_dir_and_errors(warehouse, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MONOTOWNS_WAREHOUSE", warehouse)
    assert main(["report"]) == 0
    assert (Path(warehouse).parent / "report" / "report.html").is_file()
    assert not (Path(warehouse).parent / "report" / "results.xlsx").exists()
    assert main(["report", "--warehouse", str(tmp_path / "missing.duckdb")]) == 1
    assert "no warehouse at" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["report", "--out", str(tmp_path / "file")]) == 2
