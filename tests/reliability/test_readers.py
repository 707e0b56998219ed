"""Readers are never blocked and always see one whole published state.

Readers open the published file read-only; a run writes ``<warehouse>.staging`` and publishes it
with ``os.replace``. DuckDB opens the path several times while connecting (magic-byte checks,
then the real open with a shared ``fcntl`` lock); each open resolves the path atomically to the
old or the new inode, both complete files, and nothing ever holds a write lock on a published
inode, so a reader cannot meet a lock or a half-written file. These tests check that with real
processes: a publication storm without Prefect (many publishes, readers hammering), then real
refresh runs with ``monotowns query`` and a plain external client reading throughout.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from tests.reliability.helpers import (
    MONOTOWNS,
    PROCS,
    copy_warehouse,
    integrity,
    monotowns,
    say,
    start,
)
from warehouse import db

PUBLICATIONS = 40
STATE_SQL = (
    "SELECT (SELECT count(*) FROM core.observation) AS obs, "
    "(SELECT count(*) FROM core.observation_history) AS hist, "
    "(SELECT count(*) FROM core.indicator) AS ind, "
    "(SELECT row_counts FROM meta.pipeline_run WHERE status = 'completed' "
    "ORDER BY finished_at DESC LIMIT 1) AS recorded, "
    "(SELECT count(*) FROM meta.pipeline_run WHERE status = 'running') AS running"
)


def _readers(warehouse: Path, tmp: Path, env: dict, pause: float) -> tuple[list, Path]:
    stop = tmp / "stop"
    procs = []
    for kind in ("external", "sandboxed"):
        out = tmp / f"{kind}.json"
        procs.append(
            (
                start(
                    [
                        sys.executable,
                        PROCS,
                        "reader",
                        kind,
                        str(warehouse),
                        str(stop),
                        str(out),
                        str(pause),
                    ],
                    env,
                ),
                out,
            )
        )
    out = tmp / "held.json"
    procs.append(
        (start([sys.executable, PROCS, "held", str(warehouse), str(stop), str(out)], env), out)
    )
    return procs, stop


def _stop(procs, stop: Path) -> dict[str, dict]:
    stop.touch()
    out = {}
    for proc, path in procs:
        proc.wait(60)
        summary = json.loads(path.read_text())
        out[summary["kind"]] = summary
    return out


def _state(path: Path) -> tuple[int, int, int]:
    with db.connect_readonly(path) as con:
        obs, hist, ind, *_ = con.execute(STATE_SQL).fetchone()
    return obs, hist, ind


@pytest.mark.slow
def test_publish_storm_readers_never_blocked(tmp_path, plain_env, capsys):
    """40 publications back to back while two readers open/query/close as fast as they can and
    a third keeps one connection open: no error of any kind, every read consistent."""
    w = tmp_path / "w.duckdb"
    db.publish(db.prepare_staging(w), w)
    procs, stop = _readers(w, tmp_path, plain_env, pause=0.0)
    time.sleep(0.5)
    t0 = time.monotonic()
    pub = subprocess.run(
        [sys.executable, PROCS, "publisher", str(w), str(PUBLICATIONS)],
        env=plain_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.monotonic() - t0
    res = _stop(procs, stop)
    assert pub.returncode == 0, pub.stderr
    ext, sbx, held = res["external"], res["sandboxed"], res["held"]
    reads = ext.get("queries", 0) + sbx.get("queries", 0)
    lock_errors = ext.get("lock_errors", 0) + sbx.get("lock_errors", 0)
    retried = ext.get("retried_reads", 0) + sbx.get("retried_reads", 0)
    other = ext.get("other_errors", 0) + sbx.get("other_errors", 0)
    states = set(ext["states"]) | set(sbx["states"])
    say(
        capsys,
        f"publish storm: {PUBLICATIONS} publications in {elapsed:.1f} s; reads: external "
        f"{ext.get('queries', 0)}, sandboxed {sbx.get('queries', 0)}, held connection "
        f"{held.get('queries', 0)}; lock errors: {lock_errors}; other errors: {other}; "
        f"reads retried after a publish swapped the file while connecting: {retried}; "
        f"distinct states seen: {len(states)}",
    )
    assert lock_errors == 0 and other == 0, ext["errors"] + sbx["errors"]
    assert ext["n_problems"] == 0 and sbx["n_problems"] == 0, ext["problems"] + sbx["problems"]
    assert reads > 100 and len(states) > 5  # the readers really raced the publications
    assert held.get("n_errors", 0) == 0 and held.get("changed", 0) == 0, held
    assert _state(w)[2] == PUBLICATIONS


@pytest.mark.slow
def test_readers_never_blocked_during_refreshes(
    run_env, base_run, inputs, tmp_path, capsys, plain_env
):
    """Two real refresh runs while ``monotowns query`` loops, a plain external client and the
    sandboxed connection loop in other processes, and one connection stays open throughout."""
    w = copy_warehouse(base_run.warehouse, tmp_path / "wh")
    valid = {_state(w)}
    procs, stop = _readers(w, tmp_path, plain_env, pause=0.05)
    cli = {"queries": 0, "lock_errors": 0, "other_errors": 0, "errors": [], "states": set()}
    done = threading.Event()

    def query_loop():
        while not done.is_set():
            r = subprocess.run(
                [MONOTOWNS, "query", "--warehouse", str(w), "--format", "json", STATE_SQL],
                env=plain_env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if r.returncode != 0:
                key = "lock_errors" if "lock" in r.stderr.lower() else "other_errors"
                cli[key] += 1
                cli["errors"].append(r.stderr.strip())
                continue
            cli["queries"] += 1
            [row] = json.loads(r.stdout)
            rc = json.loads(row["recorded"])
            cli["states"].add((row["obs"], row["hist"], row["ind"]))
            if (
                row["running"]
                or rc["core.observation"] != row["obs"]
                or rc["core.observation_history"] != row["hist"]
            ):
                cli["errors"].append(f"inconsistent read: {row}")
                cli["other_errors"] += 1

    thread = threading.Thread(target=query_loop)
    thread.start()
    runs = []
    try:
        for version in ("v3", "v1"):  # new rows and a revision, then the revision undone
            args = ["run", "--no-report", "--warehouse", w, "--source", "files"]
            r = monotowns(*args, "--input", inputs[version], env=run_env)
            runs.append(r.returncode)
            assert r.returncode == 0, r.stderr
            valid.add(_state(w))
        time.sleep(1)
    finally:
        done.set()
        thread.join(60)
        res = _stop(procs, stop)
    integrity(w)
    ext, sbx, held = res["external"], res["sandboxed"], res["held"]
    seen = {
        tuple(json.loads(s.replace("(", "[").replace(")", "]")))
        for r in (ext, sbx)
        for s in r["states"]
    } | cli["states"]
    lock_errors = ext.get("lock_errors", 0) + sbx.get("lock_errors", 0) + cli["lock_errors"]
    other = ext.get("other_errors", 0) + sbx.get("other_errors", 0) + cli["other_errors"]
    say(
        capsys,
        f"readers during {len(runs)} refresh runs: queries run: monotowns query "
        f"{cli['queries']}, external client {ext.get('queries', 0)}, sandboxed "
        f"{sbx.get('queries', 0)}, held connection {held.get('queries', 0)}; lock "
        f"errors: {lock_errors}; other errors: {other}; states seen "
        f"{sorted(seen)} of valid {sorted(valid)}",
    )
    assert lock_errors == 0 and other == 0, ext["errors"] + sbx["errors"] + cli["errors"]
    assert ext["n_problems"] == 0 and sbx["n_problems"] == 0, ext["problems"] + sbx["problems"]
    assert seen <= valid, f"a reader saw a state no run published: {seen - valid}"
    assert len(valid) == 3 and cli["queries"] > 0 and ext.get("queries", 0) > 0
    assert held.get("n_errors", 0) == 0 and held.get("changed", 0) == 0, held


def test_stale_wal_of_a_crashed_client_does_not_block_readers(tmp_path, plain_env):
    """A client opens the published file read-write against the README's advice, commits a
    row and crashes, leaving ``<warehouse>.wal``. The next publication keeps that row (the WAL
    is copied into staging) and moves the stale WAL aside; before the fix, every reader then
    failed with 'WAL ... does not match the database file'."""
    w = tmp_path / "w.duckdb"
    db.publish(db.prepare_staging(w), w)
    crash = (
        "import duckdb, os, signal\n"
        f"con = duckdb.connect({str(w)!r})\n"
        "con.execute(\"INSERT INTO core.indicator VALUES ('client_row', 'c', 'u', NULL, NULL)\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", crash], env=plain_env, check=False, timeout=60)
    assert Path(f"{w}.wal").exists()
    with db.writer_lock(w, timeout=5):
        staging = db.prepare_staging(w)
        with duckdb.connect(str(staging)) as con:
            con.execute("INSERT INTO core.indicator VALUES ('run_row', 'r', 'u', NULL, NULL)")
        db.publish(staging, w)
    assert not Path(f"{w}.wal").exists() and Path(f"{w}.wal.superseded").exists()
    # one after the other: in one process DuckDB refuses two open connections to the same file
    # with different configurations (the sandbox's and a plain one)
    for connect in (lambda: duckdb.connect(str(w), read_only=True), lambda: db.connect_readonly(w)):
        with connect() as con:
            got = con.execute("SELECT indicator_id FROM core.indicator ORDER BY 1").fetchall()
        assert got == [("client_row",), ("run_row",)]
    r = monotowns(
        "query", "--warehouse", w, "SELECT count(*) AS n FROM core.indicator", env=plain_env
    )
    assert r.returncode == 0 and "2" in r.stdout, r.stderr
