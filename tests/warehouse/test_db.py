"""Migrations, the writer lock and atomic publication, on real DuckDB files."""

import multiprocessing as mp
import time

import duckdb
import pytest

from warehouse import db


def test_migrations_apply_in_order_and_are_recorded(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        applied = db.migrate(con)
        studies = [f"{s}/{n}" for s, ms in db.study_migrations().items() for _, n, _ in ms]
        assert applied == [name for _, name, _ in db.migrations()] + studies
        assert db.migrate(con) == []  # second time: nothing pending
        versions = [
            v
            for (v,) in con.execute(
                "SELECT version FROM meta.schema_migration ORDER BY version"
            ).fetchall()
        ]
    assert versions == sorted(versions) and versions[0] == 1


def test_publish_replaces_atomically_and_readers_keep_their_snapshot(tmp_path):
    w = tmp_path / "w.duckdb"
    staging = db.prepare_staging(w)
    with duckdb.connect(str(staging)) as con:
        con.execute("INSERT INTO core.indicator VALUES ('a', 'A', 'u', NULL, NULL)")
    db.publish(staging, w)
    reader = db.connect_readonly(w)
    staging = db.prepare_staging(w)
    with duckdb.connect(str(staging)) as con:
        con.execute("INSERT INTO core.indicator VALUES ('b', 'B', 'u', NULL, NULL)")
    db.publish(staging, w)  # while the reader is open: no lock error
    assert reader.execute("SELECT count(*) FROM core.indicator").fetchone()[0] == 1
    reader.close()
    with db.connect_readonly(w) as fresh:
        assert fresh.execute("SELECT count(*) FROM core.indicator").fetchone()[0] == 2


def _hold_lock(path, ready, release):
    with db.writer_lock(path, timeout=1, holder="test holder"):
        ready.set()
        release.wait(10)


def test_second_writer_gets_busy_error_naming_holder(tmp_path):
    w = tmp_path / "w.duckdb"
    ctx = mp.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(w), ready, release))
    proc.start()
    try:
        assert ready.wait(20)
        t0 = time.monotonic()
        with (
            pytest.raises(db.WarehouseBusy, match=r"warehouse busy.*test holder"),
            db.writer_lock(w, timeout=0.5),
        ):
            pass
        assert time.monotonic() - t0 >= 0.5
    finally:
        release.set()
        proc.join(10)
    with db.writer_lock(w, timeout=1):  # released when the holder exits
        pass


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t (a INT)",
        "INSERT INTO core.indicator VALUES ('a','A','u',NULL,NULL)",
        "ATTACH 'other.duckdb' AS o",
        "COPY core.indicator TO 'out.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
    ],
)
def test_query_sandbox_refuses(tmp_path, sql):
    w = tmp_path / "w.duckdb"
    db.publish(db.prepare_staging(w), w)
    with db.connect_readonly(w) as con, pytest.raises(duckdb.Error):
        con.execute(sql)
