"""Source lines of the charts: which table, sources, vintages and run a number comes from."""

from __future__ import annotations

import pandas as pd

from tasks.report.blocks import day, ts
from tasks.report.i18n import t
from tasks.report.snapshot import Snapshot


def observations(snap: Snapshot, prefix: str) -> str:
    """Which sources, study tables and vintages the observations behind a topic came from."""
    obs = snap.get("core.observation")
    if obs.empty:
        return ""
    sub = obs[obs["indicator_id"].astype(str).str.startswith(prefix)]
    if sub.empty:
        return ""
    parts = []
    for source, g in sub.groupby("source", sort=True):
        refs = sorted({str(r) for r in g["source_ref"].dropna()})
        vint = pd.to_datetime(g["vintage"], utc=True)
        when = day(vint.max()) if vint.notna().any() else t("source.unknown_date")
        parts.append(
            t(
                "source.provenance_part",
                source=source,
                refs=", ".join(refs) or t("source.no_reference"),
                when=when,
            )
        )
    return t("source.provenance", parts="; ".join(parts))


def source_line(table: str, snap: Snapshot, extra: str = "") -> str:
    """``monotowns warehouse, <table> <- <extra>; run <id> of <time>.``"""
    run = snap.latest_run
    run_txt = (
        t("source.run", run_id=str(run["run_id"])[:8], started=ts(run["started_at"]))
        if run
        else t("source.no_run")
    )
    via = t("source.via", extra=extra) if extra else ""
    return t("source.line", table=table, via=via, run=run_txt)


def survey_line(snap: Snapshot, survey_id: str, table: str, source_table: str) -> str:
    """``<table> (survey <id>, study <table>; <respondents>, <population>, <mode>)``."""
    surveys = snap.get("core.survey")
    desc = ""
    if not surveys.empty:
        hit = surveys[surveys["survey_id"] == survey_id]
        if len(hit):
            r = hit.iloc[0]
            desc = t(
                "source.survey_description",
                respondents=r.get("respondents", t("source.unknown")),
                population=r.get("population") or "",
            )
            desc += t("source.survey_mode", mode=r.get("mode")) if pd.notna(r.get("mode")) else ""
            desc += t("source.survey_synthetic") if bool(r.get("synthetic")) else ""
    study = t("source.survey_study", source_table=source_table) if source_table else ""
    return t(
        "source.survey",
        table=table,
        survey_id=survey_id,
        study=study,
        description=desc.strip(", "),
    )
