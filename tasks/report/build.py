"""Build the analyst's report from a published warehouse (read-only) and publish the exports.

:func:`build_report` reads one :class:`~tasks.report.snapshot.Snapshot` of the warehouse (a
single read-only connection, closed before anything is drawn), builds each section of
:data:`SECTIONS` (a plain function of the snapshot in :mod:`tasks.report.sections`) part by
part (:data:`PARTS`: every registry town with one section per town with data, the town
analyses, each registered study's part (:data:`STUDY_PARTS`, e.g. the Khromtau study and its
audit), then the data checks and the run), draws the charts and writes into ``out_dir``:

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
from tasks.report import exports, labels, snapshot
from tasks.report import headline as head_
from tasks.report.i18n import DEFAULT_LANG, current_language, language, t
from tasks.report.parts import Builder, Headline, ReportPart
from tasks.report.render import render_html
from tasks.report.sections import (
    correlation,
    coverage,
    grp,
    labour,
    overview,
    perception,
    quality,
    run,
    towns,
)
from tasks.report.snapshot import Snapshot, WarehouseMissing, read_snapshot
from tasks.studies import STUDIES

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

#: Generic section id (HTML ``<section id=...>``) -> builder.
GENERIC_BUILDERS: dict[str, Builder] = {
    "overview": overview.build,
    "coverage": coverage.build,
    "grp": grp.build,
    "labour": labour.build,
    "perception": perception.build,
    "correlation": correlation.build,
    "quality": quality.build,
    "run": run.build,
}
#: The generic parts (``report.part.<id>`` in the catalogue) and their sections, in order:
#: every registry town first (the overview, the coverage grid, then one section per town with
#: data, :func:`tasks.report.sections.towns.build_all`, after ``coverage``), the town analyses,
#: then the data checks and the run. The studies' parts go before ``data``.
GENERIC_PARTS: dict[str, tuple[str, ...]] = {
    "towns": ("overview", "coverage"),
    "analyses": ("grp", "labour", "perception", "correlation"),
    "data": ("quality", "run"),
}
#: The report part of every registered study (``Study.report``), in registry order.
STUDY_PARTS: tuple[ReportPart, ...] = tuple(s.report for s in STUDIES if s.report is not None)


def compose(
    study_parts: tuple[ReportPart, ...],
) -> tuple[dict[str, Builder], dict[str, tuple[str, ...]], dict[str, Headline], str | None]:
    """The report's builders, parts, headlines and summary part with ``study_parts`` plugged in.

    A generic section a study part names moves into that part; a generic part left without
    sections is dropped. Raises ValueError when a study reuses a generic section or part id,
    names a section nobody builds, or two studies claim one section.
    """
    builders: dict[str, Builder] = dict(GENERIC_BUILDERS)
    headlines: dict[str, Headline] = dict(head_.HEADLINES)
    claimed: dict[str, str] = {}
    for part in study_parts:
        if part.id in GENERIC_PARTS:
            raise ValueError(f"study report part {part.id!r} reuses a generic part id")
        for sid, build in part.builders.items():
            if sid in builders:
                raise ValueError(f"study report part {part.id!r}: section {sid!r} is taken")
            builders[sid] = build
        headlines.update(part.headlines)
        for sid in part.sections:
            if sid in claimed:
                raise ValueError(f"section {sid!r} is in parts {claimed[sid]!r} and {part.id!r}")
            claimed[sid] = part.id
    unknown = sorted(set(claimed) - set(builders))
    if unknown:
        raise ValueError(f"study report parts name sections nobody builds: {unknown}")
    parts: dict[str, tuple[str, ...]] = {}
    for pid, sids in GENERIC_PARTS.items():
        if pid == "data":
            parts.update({p.id: p.sections for p in study_parts})
        kept = tuple(sid for sid in sids if sid not in claimed)
        if kept:
            parts[pid] = kept
    summary = next((p.id for p in study_parts if p.summary), None)
    if summary is None and "analyses" in parts:
        summary = "analyses"
    return builders, parts, headlines, summary


#: Section id -> builder, the report's parts and their sections in order, section id -> its
#: headline figures, and the part the headline opens.
BUILDERS, PARTS, HEADLINES, SUMMARY_PART = compose(STUDY_PARTS)
#: Section ids and titles (from the message catalogue), in report order.
SECTIONS: dict[str, str] = {
    sid: t(f"sections.{sid}.title") for sids in PARTS.values() for sid in sids
}
#: What the snapshot reads (generic queries and the study parts') and the frames whose survey
#: labels follow the report's language.
QUERIES: dict[str, str | None] = {
    **snapshot.QUERIES,
    **{k: v for p in STUDY_PARTS for k, v in p.queries.items()},
}
LABELLED: dict[str, tuple[str, str]] = {
    **labels.LABELLED,
    **{k: v for p in STUDY_PARTS for k, v in p.labelled.items()},
}
#: The part whose sections the per-town sections follow.
TOWNS_AFTER = "coverage"


def headline(snap: Snapshot) -> list[dict[str, str]]:
    """The report's headline figures (:func:`tasks.report.headline.headline`), in its order."""
    order = [sid for sids in PARTS.values() for sid in sids]
    return head_.headline(snap, order, HEADLINES)


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
        return _build(read_snapshot(warehouse, QUERIES), warehouse, out_dir)


def _build(snap: Snapshot, warehouse: str | Path, out_dir: str | Path | None) -> dict:
    snap = labels.localized(snap, labelled=LABELLED)
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
