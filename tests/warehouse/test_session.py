"""The one write session: run row, publish on success, discard (and record) on failure."""

from __future__ import annotations

import json

import duckdb
import pytest

from warehouse import db
from warehouse.session import write_session


class Boom(RuntimeError):
    pass


def _rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _insert(con, indicator_id: str) -> None:
    con.execute("INSERT INTO core.indicator VALUES (?, 'x', 'u', NULL, NULL)", [indicator_id])


def test_success_publishes_the_writes_and_a_completed_run_row(tmp_path):
    w = tmp_path / "w.duckdb"
    with write_session(w, "test", {"a": "ä"}, run_id="r1") as s:
        assert s.staging == db.staging_path(w) and not w.exists()  # writes go to staging
        with s.transaction() as con:
            _insert(con, "a")
        assert _rows(s.staging, "SELECT status FROM meta.pipeline_run") == [("running",)]
    assert not db.staging_path(w).exists()
    [(run_id, flow, status, params, counts, versions, finished)] = _rows(
        w,
        "SELECT run_id, flow, status, parameters, row_counts, versions, finished_at "
        "FROM meta.pipeline_run",
    )
    assert (run_id, flow, status) == ("r1", "test", "completed")
    assert json.loads(params) == {"a": "ä"} and finished is not None
    counts = json.loads(counts)  # default: the row count of every table at the end
    assert counts["core.indicator"] == 1 and counts["meta.pipeline_run"] == 1
    assert {"python", "duckdb", "monotowns"} <= set(json.loads(versions))
    assert _rows(w, "SELECT indicator_id FROM core.indicator") == [("a",)]


def test_finish_records_status_message_and_counts_and_still_publishes(tmp_path):
    w = tmp_path / "w.duckdb"
    with write_session(w, "test", {}) as s:
        with s.transaction() as con:
            _insert(con, "a")
        s.finish("failed", "refused: 3 errors", {})
    assert _rows(w, "SELECT status, message, row_counts FROM meta.pipeline_run") == [
        ("failed", "refused: 3 errors", "{}")
    ]
    assert _rows(w, "SELECT count(*) FROM core.indicator") == [(1,)]


def test_a_failed_transaction_rolls_back_only_itself(tmp_path):
    w = tmp_path / "w.duckdb"
    with write_session(w, "test", {}) as s:
        with s.transaction() as con:
            _insert(con, "kept")
        with pytest.raises(duckdb.ConstraintException), s.transaction() as con:
            _insert(con, "rolled back")
            _insert(con, "kept")  # duplicate key
    assert _rows(w, "SELECT indicator_id FROM core.indicator") == [("kept",)]


def test_an_error_discards_the_staging_copy_and_leaves_the_warehouse(tmp_path):
    w = tmp_path / "w.duckdb"
    with write_session(w, "test", {}, run_id="before"):
        pass
    before = w.read_bytes()
    with pytest.raises(Boom), write_session(w, "test", {}) as s:
        with s.transaction() as con:
            _insert(con, "lost")
        raise Boom("disk on fire")
    assert w.read_bytes() == before
    assert not db.staging_path(w).exists()
    with db.writer_lock(w, timeout=0):  # released
        pass


def test_record_failures_publishes_only_the_failed_run_row(tmp_path):
    w = tmp_path / "w.duckdb"
    with pytest.raises(Boom), write_session(w, "test", {}, run_id="r", record_failures=True) as s:
        with s.transaction() as con:
            _insert(con, "lost")
        raise Boom("disk on fire")
    assert _rows(w, "SELECT run_id, status, message, row_counts FROM meta.pipeline_run") == [
        ("r", "failed", "Boom: disk on fire", "{}")
    ]
    assert _rows(w, "SELECT count(*) FROM core.indicator") == [(0,)]
    assert not db.staging_path(w).exists()


def test_unrecorded_errors_publish_nothing(tmp_path):
    w = tmp_path / "w.duckdb"
    with (
        pytest.raises(Boom),
        write_session(w, "test", {}, record_failures=True, unrecorded=(Boom,)),
    ):
        raise Boom("refused before anything was written")
    assert not w.exists() and not db.staging_path(w).exists()


def test_a_second_session_waits_then_is_told_who_writes(tmp_path):
    w = tmp_path / "w.duckdb"
    with write_session(w, "test", {}, holder="first writer") as first:
        second = write_session(w, "test", {}, lock_timeout=0.3)
        with pytest.raises(db.WarehouseBusy, match="first writer"), second:
            pass  # pragma: no cover
        assert first.staging.exists()  # the first session goes on
    assert _rows(w, "SELECT count(*) FROM meta.pipeline_run") == [(1,)]
