"""Unchanged inputs, no work: the refresh flow's ``fingerprint`` task and its Prefect cache."""

import os
import shutil

import duckdb
import pytest

from flows.refresh import refresh
from flows.request import RefreshRequest
from flows.uptodate import check as check_request
from tasks.sources.bundled import bundled_dir

pytestmark = pytest.mark.flow  # runs the refresh flow: the session's Prefect test server


def check(**parameters):
    """The up-to-date check of the run of these flow parameters."""
    return check_request(RefreshRequest.from_parameters(parameters))


def rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def counts(path):
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'core', 'results') ORDER BY 1"
        ).fetchall()
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for (t,) in tables}


@pytest.fixture
def folder(tmp_path):
    f = tmp_path / "in"
    shutil.copytree(bundled_dir(), f)
    return f


def test_second_flow_run_with_unchanged_inputs_does_no_load(tmp_path, folder):
    w = tmp_path / "w.duckdb"
    kw = {"warehouse": str(w), "source": "files", "input_dir": str(folder), "report": False}
    first = refresh(**kw)
    assert first.status == "completed"
    before = counts(w)
    [(fp,)] = rows(w, "SELECT input_fingerprint FROM meta.pipeline_run")
    assert fp == check(**kw).fingerprint.digest
    again = refresh(**kw)
    assert again.status == "up_to_date"
    assert again.message.startswith(f"up to date: run {first.run_id} of ")
    assert counts(w) == before  # nothing loaded: no payload, observation or result row more
    runs = rows(w, "SELECT run_id, status, message FROM meta.pipeline_run ORDER BY started_at")
    assert [r[1] for r in runs] == ["completed", "up_to_date"]
    assert runs[1][0] == again.run_id and runs[1][2] == again.message
    # the up_to_date row does not move the epoch: a third run is up to date with the first too
    assert refresh(**kw).message == again.message


def test_force_runs_anyway_and_an_edited_input_runs(tmp_path, folder):
    w = tmp_path / "w.duckdb"
    kw = {"warehouse": str(w), "source": "files", "input_dir": str(folder), "report": False}
    first = refresh(**kw)
    forced = refresh(**kw, force=True)
    assert forced.status == "completed" and forced.run_id != first.run_id
    obs = folder / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # bytes changed
    assert check(**kw).reason == "files/observations.csv"
    edited = refresh(**kw)
    assert edited.status == "completed"
    statuses = rows(w, "SELECT status FROM meta.pipeline_run ORDER BY started_at")
    assert statuses == [("completed",), ("completed",), ("completed",)]
    assert refresh(**kw).status == "up_to_date"


def test_going_back_to_earlier_inputs_runs_again(tmp_path, folder):
    """A -> B -> A: the cache entry of A's first run must not hide B's data."""
    w = tmp_path / "w.duckdb"
    kw = {"warehouse": str(w), "source": "files", "input_dir": str(folder), "report": False}
    refresh(**kw)
    assert refresh(**{**kw, "input_dir": None, "source": "bundled"}).status == "completed"
    back = refresh(**kw)
    assert back.status == "completed"
    assert rows(w, "SELECT DISTINCT source FROM core.observation ORDER BY 1") == [
        ("bundled",),
        ("files",),
    ]


def test_missing_report_is_written_again(tmp_path):
    w = tmp_path / "w.duckdb"
    first = refresh(warehouse=str(w))
    report = w.parent / "report" / "report.html"
    assert first.status == "completed" and report.exists()
    assert refresh(warehouse=str(w)).status == "up_to_date"
    report.unlink()
    reason = check(warehouse=str(w), source="bundled").reason
    assert reason == "the report is missing or older than the last run"
    again = refresh(warehouse=str(w))
    assert again.status == "completed" and report.exists()


def test_report_older_than_its_run_is_written_again(tmp_path):
    """A report that failed after its run published is older than that run: not up to date."""
    w = tmp_path / "w.duckdb"
    refresh(warehouse=str(w))
    report = w.parent / "report" / "report.html"
    assert check(warehouse=str(w), source="bundled").up_to_date
    os.utime(report, (0, 0))  # written in 1970: before the run
    assert not check(warehouse=str(w), source="bundled").up_to_date
