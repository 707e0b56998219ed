"""Tiny real warehouses for the report tests, built without Prefect.

The bundled study data go through the same plain functions the refresh flow composes
(read -> validate -> load core -> every registered analysis -> replace results), into a staging
file published with :func:`warehouse.db.publish`. Results tables that the registered analyses
leave empty get a few clearly labelled rows, so every report section has something to draw even
while an analysis is not wired in yet.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tasks.analyses.registry import merge_results
from tasks.load import load_core, record_issues, record_payloads, replace_results
from tasks.sources.base import utc_now
from tasks.sources.bundled import read_bundled
from tasks.studies import ANALYSES
from tasks.validate import validate_payloads
from warehouse import db

RUN_ID = "00000000-report-test-run"

# Rows for results tables that no registered analysis fills (column -> value; others NULL).
FILLERS: dict[str, list[dict]] = {
    "results.correlation": [
        {
            "analysis": "report_test",
            "x": "a",
            "y": "b",
            "method": "pearson",
            "n": 10,
            "estimate": 0.6,
            "p_value": 0.067,
            "ci_low": -0.05,
            "ci_high": 0.89,
            "ci_level": 0.95,
            "note": "test row written by tests/tasks/report/conftest.py",
        },
        {
            "analysis": "report_test",
            "x": "a",
            "y": "b",
            "method": "spearman",
            "n": 10,
            "estimate": -0.7,
            "p_value": 0.024,
            "ci_low": -0.92,
            "ci_high": -0.12,
            "ci_level": 0.95,
            "note": "test row",
        },
    ],
    "results.hypothesis": [
        {
            "hypothesis": "H1",
            "statement": "test hypothesis",
            "evidence": "test",
            "statistic": "t",
            "value": 2.5,
            "p_value": 0.01,
            "p_adjusted": 0.02,
            "decision_rule": "test rule",
            "verdict": "insufficient evidence",
            "note": "test row",
        }
    ],
    "results.paper_reproduction": [
        {
            "source_table": "Table 9",
            "statistic": "pearson_r",
            "published": "0.81",
            "published_value": 0.81,
            "recomputed": 0.96,
            "status": "discrepancy",
            "explanation": "test row",
        },
        {
            "source_table": "Text",
            "statistic": "grp_total_2021",
            "published": "11,750",
            "published_value": 11750.0,
            "recomputed": 11750.0,
            "status": "reproduced",
            "explanation": "test row",
        },
    ],
}


def build_warehouse(
    path: Path,
    *,
    data: bool = True,
    analyses: bool = True,
    drop: tuple[str, ...] = (),
) -> str:
    """Publish a warehouse at ``path``: migrations only (``data=False``) or the bundled data.

    ``analyses=False`` loads core but leaves every results table empty; ``drop`` removes tables
    afterwards (an older or partly migrated warehouse).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = str(db.prepare_staging(path))
    if data:
        now = utc_now()
        payloads = read_bundled()
        batch = validate_payloads(payloads, today=date.today())
        assert not batch.errors, [i.message for i in batch.errors]
        with duckdb.connect(staging) as con:
            con.execute(
                "INSERT INTO meta.pipeline_run (run_id, flow, parameters, started_at, status, "
                "versions) VALUES (?, 'refresh', ?, ?, 'running', ?)",
                [RUN_ID, json.dumps({"source": "bundled"}), now, json.dumps({"python": "3"})],
            )
            record_payloads(con, payloads, {}, RUN_ID)
            record_issues(con, batch.issues, RUN_ID, now)
            load_core(con, batch.frames, RUN_ID, now)
        if analyses:
            results = merge_results(fn(staging) for fn in ANALYSES.values())
            with duckdb.connect(staging) as con:
                replace_results(con, results)
                _fill_empty(con)
        counts = db.table_counts(staging)
        with duckdb.connect(staging) as con:
            con.execute(
                "UPDATE meta.pipeline_run SET status = 'completed', finished_at = ?, "
                "row_counts = ? WHERE run_id = ?",
                [utc_now(), json.dumps(counts), RUN_ID],
            )
    if drop:
        with duckdb.connect(staging) as con:
            for table in drop:
                con.execute(f"DROP TABLE IF EXISTS {table}")
    db.publish(staging, path)
    return str(path)


def _fill_empty(con: duckdb.DuckDBPyConnection) -> None:
    for table, rows in FILLERS.items():
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema || '.' || table_name = ?",
            [table],
        ).fetchone()[0]
        if not exists or con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
            continue
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
        replace_results(con, {table: frame})


@pytest.fixture(scope="session")
def make_warehouse(tmp_path_factory) -> Callable[..., str]:
    """Factory: ``make_warehouse(name, data=..., analyses=..., drop=...)`` -> warehouse path."""

    def make(name: str, **kwargs) -> str:
        return build_warehouse(tmp_path_factory.mktemp(name) / "w.duckdb", **kwargs)

    return make


@pytest.fixture(scope="session")
def warehouse(make_warehouse) -> str:
    """The bundled study data, loaded and analysed."""
    return make_warehouse("full")


@pytest.fixture(scope="session")
def published(warehouse, tmp_path_factory) -> dict:
    """``publish_report`` on :func:`warehouse`, once per session (charts take a few seconds)."""
    from tasks.report.build import publish_report

    return publish_report(warehouse, str(tmp_path_factory.mktemp("report") / "out"))


@pytest.fixture(scope="session")
def published_ru(warehouse, tmp_path_factory) -> dict:
    """``publish_report(..., lang="ru")`` on :func:`warehouse`, once per session."""
    from tasks.report.build import publish_report

    return publish_report(warehouse, str(tmp_path_factory.mktemp("report_ru") / "out"), lang="ru")
