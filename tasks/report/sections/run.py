"""Section ``run``: which run produced the numbers, from which inputs, with which software."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tasks.report import charts as ch
from tasks.report.blocks import Section, badge, cell, is_na, long_text, ts
from tasks.report.formats import number
from tasks.report.i18n import t, value_label
from tasks.report.provenance import source_line
from tasks.report.snapshot import Snapshot
from warehouse.versions import package_versions

ID = "run"
PACKAGES = ("monotowns", "matplotlib", "duckdb", "pandas", "jinja2", "openpyxl")


def report_versions() -> dict[str, str]:
    """Versions of what drew the report."""
    return package_versions(PACKAGES, missing=t("sections.run.not_installed"))


def _json(v) -> dict:
    if is_na(v):
        return {}
    if isinstance(v, dict):
        return v
    try:
        out = json.loads(v)
    except (TypeError, ValueError):
        return {}
    return out if isinstance(out, dict) else {}


def _name(uri) -> str:
    text = str(uri)
    return text if "://" in text else Path(text).name


def _latest_run(s: Section, snap: Snapshot, run: dict) -> None:
    params = _json(run.get("parameters"))
    started, finished = run.get("started_at"), run.get("finished_at")
    duration = (
        t(
            "sections.run.duration",
            seconds=number((pd.Timestamp(finished) - pd.Timestamp(started)).total_seconds(), ".0f"),
        )
        if not is_na(started) and not is_na(finished)
        else t("cell.missing")
    )
    missing = t("cell.missing")
    s.heading(t("sections.run.latest"))

    def key(name: str) -> str:
        return t(f"sections.run.key.{name}")

    s.kv(
        [
            (key("run_id"), str(run["run_id"])),
            (key("flow"), str(run.get("flow"))),
            (key("status"), value_label("status", run.get("status"))),
            (key("started"), ts(started)),
            (key("finished"), ts(finished)),
            (key("duration"), duration),
            (key("source"), str(params.get("source", missing))),
            *[
                (t("sections.run.key.parameter", name=k), str(v))
                for k, v in params.items()
                if k != "source"
            ],
            (key("message"), str(run.get("message") or missing)),
        ]
    )
    counts = {k: int(v) for k, v in _json(run.get("row_counts")).items()}
    if counts:
        s.chart(ch.row_counts(counts, str(run["run_id"]), source_line("meta.pipeline_run", snap)))


def _payloads(s: Section, snap: Snapshot) -> None:
    payloads = snap.get("raw.payload")
    s.heading(t("sections.run.sources"))
    if payloads.empty:
        s.empty(t("sections.run.no_payloads"))
        return
    rows = [
        [
            cell(r["source"]),
            cell(r["kind"]),
            cell(_name(r["uri"]), title=str(r["uri"])),
            cell(ts(r["fetched_at"])),
            cell(r.get("size_bytes"), ",d"),
            cell(str(r["content_hash"])[:12], title=str(r["content_hash"])),
            cell(str(r.get("first_run_id"))[:8]),
        ]
        for _, r in payloads.iterrows()
    ]
    keys = ["source", "input", "uri", "fetched", "bytes", "sha256", "first_run"]
    s.table([t(f"sections.run.payload_header.{k}") for k in keys], rows)


def _vintages(s: Section, snap: Snapshot) -> None:
    obs = snap.get("core.observation")
    if obs.empty:
        return
    s.heading(t("sections.run.vintages"))
    rows = [
        [
            cell(r["indicator_id"]),
            cell(r["source"]),
            cell(r.get("source_ref")),
            cell(ts(r["vintage"])),
            cell(r["n_rows"], "d"),
            cell(r["n_not_ok"], "d"),
        ]
        for _, r in obs.iterrows()
    ]
    keys = ["indicator", "source", "reference", "vintage", "values", "not_ok"]
    s.table([t(f"sections.run.vintage_header.{k}") for k in keys], rows)


def _versions(s: Section, run: dict) -> None:
    s.heading(t("sections.run.versions"))
    versions = _json(run.get("versions"))
    mine = report_versions()
    pkgs = list(dict.fromkeys([*versions, *mine]))
    s.table(
        [t(f"sections.run.version_header.{k}") for k in ("package", "run", "report")],
        [[cell(p), cell(versions.get(p)), cell(mine.get(p))] for p in pkgs],
    )


def _recent(s: Section, snap: Snapshot) -> None:
    runs = snap.get("meta.pipeline_run")
    if len(runs) <= 1:
        return
    s.heading(t("sections.run.recent"))
    keys = ["run", "started", "status", "source", "message"]
    s.table(
        [t(f"sections.run.recent_header.{k}") for k in keys],
        [
            [
                cell(str(r["run_id"])[:8], title=str(r["run_id"])),
                cell(ts(r["started_at"])),
                badge(r["status"]),
                cell(_json(r.get("parameters")).get("source")),
                long_text(r.get("message"), 60),
            ]
            for _, r in runs.head(10).iterrows()
        ],
    )


def build(snap: Snapshot) -> dict:
    """The section's context: the latest run, its inputs, vintages, versions and recent runs."""
    s = Section(ID, intro=t("sections.run.intro"))
    run = snap.latest_run
    if run is None:
        s.empty_message = t("sections.run.empty")
        return s.context()
    s.status = "ok"
    _latest_run(s, snap, run)
    _payloads(s, snap)
    _vintages(s, snap)
    _versions(s, run)
    _recent(s, snap)
    return s.context()
