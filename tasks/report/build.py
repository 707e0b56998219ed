"""Build the analyst's report from a published warehouse (read-only) and publish the exports.

:func:`build_report` reads one :class:`~tasks.report.snapshot.Snapshot` of the warehouse (a
single read-only connection, closed before anything is drawn), builds each section of
:data:`SECTIONS` (a plain function of the snapshot in :mod:`tasks.report.sections`) part by
part (:data:`PARTS`: every registry town with one section per town with data, then the
Khromtau study and its audit, then the data checks and the run), draws the charts and writes
into ``out_dir``:

* ``report.html``: one self-contained file (inline CSS, charts inline as SVG, no scripts, no
  network), from ``templates/report.html.j2``;
* ``charts/<name>.png`` and ``charts/<name>.svg`` for every chart.

A section whose tables are missing (an older warehouse) or empty says "No data yet"; a section
that fails to draw says so in the report instead of failing the whole report.
:func:`publish_report` adds the Parquet (and XLSX) exports and returns paths and headline
numbers for the refresh flow's artifact.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup

from tasks.report import charts as ch
from tasks.report import exports
from tasks.report.headline import headline
from tasks.report.i18n import DEFAULT_LANG, current_language, language, t
from tasks.report.labels import localized
from tasks.report.render import render_html
from tasks.report.sections import (
    correlation,
    coverage,
    grp,
    hypotheses,
    labour,
    overview,
    perception,
    quality,
    reproduction,
    run,
    support,
    towns,
)
from tasks.report.snapshot import Snapshot, WarehouseMissing, read_snapshot

__all__ = [
    "BUILDERS",
    "PARTS",
    "SECTIONS",
    "WarehouseMissing",
    "build_report",
    "default_out_dir",
    "headline",
    "publish_report",
]

log = logging.getLogger(__name__)

REPORT_FILE = "report.html"
CHART_DIR = "charts"
PARQUET_DIR = "parquet"
XLSX_FILE = "results.xlsx"

#: Section id (HTML ``<section id=...>``) -> builder, in report order.
BUILDERS: dict[str, Callable[[Snapshot], dict]] = {
    "overview": overview.build,
    "coverage": coverage.build,
    "grp": grp.build,
    "labour": labour.build,
    "perception": perception.build,
    "support": support.build,
    "correlation": correlation.build,
    "hypotheses": hypotheses.build,
    "reproduction": reproduction.build,
    "quality": quality.build,
    "run": run.build,
}
#: Section ids and titles (from the message catalogue), in report order.
SECTIONS: dict[str, str] = {sid: t(f"sections.{sid}.title") for sid in BUILDERS}
#: The report's parts (``report.part.<id>`` in the catalogue) and their sections, in order:
#: every registry town first (the overview, the coverage grid, then one section per town with
#: data, :func:`tasks.report.sections.towns.build_all`, after ``coverage``), then the Khromtau
#: study with its audit (the headline cards open it), then the data checks and the run.
PARTS: dict[str, tuple[str, ...]] = {
    "towns": ("overview", "coverage"),
    "study": (
        "grp",
        "labour",
        "perception",
        "support",
        "correlation",
        "hypotheses",
        "reproduction",
    ),
    "data": ("quality", "run"),
}
#: The part whose sections the per-town sections follow, and the one the headline opens.
TOWNS_AFTER = "coverage"
SUMMARY_PART = "study"


def default_out_dir(warehouse: str | Path) -> Path:
    """Where the report goes unless told otherwise: ``<warehouse dir>/report``."""
    return Path(warehouse).parent / "report"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def draw_charts(section: dict, chart_dir: Path, rel: str) -> dict[str, dict[str, str]]:
    """Render the section's chart blocks to PNG and SVG files; returns {name: {png, svg}}.

    Each chart block gets the inline SVG and the relative file links the template shows.
    """
    drawn: dict[str, dict[str, str]] = {}
    for block in section["blocks"]:
        if block["kind"] != "chart":
            continue
        chart: ch.Chart = block.pop("chart")
        try:
            files = ch.render(chart, chart_dir)
        finally:
            chart.figure.clear()
        drawn[chart.name] = {"png": files["png"], "svg": files["svg"]}
        block.update(
            name=chart.name,
            svg=Markup(files["inline"]),  # our own matplotlib output, ids prefixed
            png=f"{rel}/{chart.name}.png",
            svg_file=f"{rel}/{chart.name}.svg",
        )
    return drawn


def _failed(sid: str, exc: Exception, title: str | None = None) -> dict:
    return {
        "id": sid,
        "title": title or t(f"sections.{sid}.title"),
        "intro": "",
        "status": "error",
        "empty_message": "",
        "error": f"{type(exc).__name__}: {exc}",
        "blocks": [],
    }


def _part(part_id: str) -> dict:
    return {
        "id": f"part-{part_id}",
        "title": t(f"report.part.{part_id}.title"),
        "intro": t(f"report.part.{part_id}.intro"),
        "summary": part_id == SUMMARY_PART,
        "sections": [],
    }


def _section(
    sid: str,
    builder: Callable[[Snapshot], dict],
    snap: Snapshot,
    chart_dir: Path,
    charts: dict[str, dict[str, str]],
) -> dict:
    try:
        section = builder(snap)
        charts.update(draw_charts(section, chart_dir, CHART_DIR))
    except Exception as exc:  # one broken section must not sink the report
        log.exception("report section %s failed", sid)
        section = _failed(sid, exc)
    section.setdefault("nav", True)
    return section


def _town_sections(snap: Snapshot) -> list[dict]:
    """One section per town with data (not in the navigation bar: the overview links them)."""
    try:
        found = towns.build_all(snap)
    except Exception as exc:
        log.exception("report town sections failed")
        return [_failed("towns", exc, t("sections.town.failed_title"))]
    return [{**s, "nav": False} for s in found]


def build_report(
    warehouse: str | Path, out_dir: str | Path | None = None, *, lang: str = DEFAULT_LANG
) -> dict:
    """Write ``report.html`` and ``charts/`` for ``warehouse`` into ``out_dir``, in ``lang``.

    ``lang`` is ``en`` (default) or ``ru`` (``messages/<lang>.yaml``): every heading, label,
    axis, table header, note and number format of the report and its charts (the Snapshot's
    town names and survey labels in that language too, :func:`tasks.report.labels.localized`).

    Returns ``html`` (path), ``charts`` ({name: {png, svg}}), ``sections`` ({id: ok | empty |
    error}), ``headline`` ([{figure, value}]), ``run_id`` and ``lang``. Raises
    :class:`WarehouseMissing` when there is no warehouse file.
    """
    with language(lang):
        return _build(read_snapshot(warehouse), warehouse, out_dir)


def _build(snap: Snapshot, warehouse: str | Path, out_dir: str | Path | None) -> dict:
    snap = localized(snap)
    out = Path(out_dir) if out_dir is not None else default_out_dir(warehouse)
    chart_dir = out / CHART_DIR
    chart_dir.mkdir(parents=True, exist_ok=True)
    sections: list[dict] = []
    charts: dict[str, dict[str, str]] = {}
    parts: list[dict] = []
    for part_id, sids in PARTS.items():
        part = _part(part_id)
        for sid in sids:
            section = _section(sid, BUILDERS[sid], snap, chart_dir, charts)
            part["sections"].append(section)
            if sid == TOWNS_AFTER:
                part["sections"] += _town_sections(snap)
        sections += part["sections"]
        parts.append(part)
    head = headline(snap)
    _write_atomic(out / REPORT_FILE, render_html(snap, parts, head))
    latest = snap.latest_run
    return {
        "html": str(out / REPORT_FILE),
        "charts": charts,
        "sections": {s["id"]: s["status"] for s in sections},
        "errors": {s["id"]: s["error"] for s in sections if s["status"] == "error"},
        "headline": head,
        "run_id": str(latest["run_id"]) if latest else None,
        "lang": current_language(),
    }


def publish_report(
    warehouse: str, out_dir: str, *, xlsx: bool = True, lang: str = DEFAULT_LANG
) -> dict:
    """Everything an analyst opens after a run: the HTML report, charts, Parquet and XLSX.

    Reads the *published* ``warehouse`` read-only (call it after the run has published).
    Writes into ``out_dir``: ``report.html``, ``charts/*.png|svg``,
    ``parquet/results.<table>.parquet`` (every results table) and, if ``xlsx``,
    ``results.xlsx``, all in ``lang`` (``en`` or ``ru``; the Parquet files are the same in both).
    Returns JSON-serialisable paths and headline numbers:
    ``{"html", "charts", "parquet", "xlsx", "sections", "errors", "headline", "run_id", "lang"}``.
    """
    out = Path(out_dir)
    result = build_report(warehouse, out, lang=lang)
    result["parquet"] = exports.export_parquet(warehouse, out / PARQUET_DIR)
    result["xlsx"] = None
    if xlsx:
        exports.export_xlsx(warehouse, out / XLSX_FILE, run_id=result["run_id"], lang=lang)
        result["xlsx"] = str(out / XLSX_FILE)
    return result
