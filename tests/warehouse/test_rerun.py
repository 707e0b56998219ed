"""The run history behind "up to date" and the Prefect cache epoch (warehouse/rerun.py)."""

import duckdb

from warehouse import db
from warehouse.rerun import read_history, up_to_date_message


def warehouse_with(path, runs):
    """Publish a migrated warehouse whose meta.pipeline_run holds ``runs``:
    (run_id, flow, status, finished second, fingerprint)."""
    staging = db.prepare_staging(path)
    with duckdb.connect(str(staging)) as con:
        for run_id, flow, status, second, fp in runs:
            con.execute(
                "INSERT INTO meta.pipeline_run (run_id, flow, started_at, finished_at, status, "
                "input_fingerprint) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    flow,
                    f"2026-01-01 00:00:{second:02d}+00",
                    f"2026-01-01 00:00:{second + 1:02d}+00",
                    status,
                    fp,
                ],
            )
    db.publish(staging, path)
    return path


def test_no_warehouse_is_not_up_to_date(tmp_path):
    h = read_history(tmp_path / "none.duckdb", "A")
    assert h.latest is None and not h.up_to_date("A") and h.reason == "no warehouse yet"


def test_latest_changing_run_decides_and_failed_or_up_to_date_runs_do_not_count(tmp_path):
    w = warehouse_with(
        tmp_path / "w.duckdb",
        [
            ("r1", "refresh", "completed", 1, "A"),
            ("r2", "refresh", "failed", 3, "B"),
            ("r3", "refresh", "up_to_date", 5, "A"),
        ],
    )
    h = read_history(w, "A")
    assert h.up_to_date("A") and not h.up_to_date("B") and not h.up_to_date(None)
    assert h.latest.run_id == "r1" and h.epoch == ""
    assert up_to_date_message(h.latest) == "up to date: run r1 of 2026-01-01 00:00:02 UTC"


def test_epoch_moves_with_any_other_change(tmp_path):
    w = warehouse_with(
        tmp_path / "w.duckdb",
        [
            ("r1", "refresh", "completed", 1, "A"),
            ("r2", "refresh", "completed", 3, "B"),
            ("r3", "refresh", "completed", 5, "A"),
            ("r4", "refresh", "completed", 7, "A"),
        ],
    )
    h = read_history(w, "A")
    assert h.up_to_date("A") and h.latest.run_id == "r4"
    assert h.epoch == "r2"  # the cache key of A is the one r3 stored, not r1's
    assert read_history(w, "B").epoch == "r4"
    w2 = warehouse_with(
        tmp_path / "w2.duckdb",
        [("r1", "refresh", "completed", 1, "A"), ("s1", "survey_import", "completed", 3, None)],
    )
    h2 = read_history(w2, "A")
    assert not h2.up_to_date("A") and h2.epoch == "s1"
