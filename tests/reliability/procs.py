"""Helper processes of the reliability tests (run as ``python procs.py MODE ...``).

Modes:

``reader KIND WAREHOUSE STOPFILE OUT [PAUSE]``
    Open, query, close in a loop until STOPFILE exists; KIND ``external`` opens the file as the
    README tells any client to (``duckdb.connect(path, read_only=True)``), ``sandboxed`` through
    :func:`warehouse.db.connect_readonly` (what ``monotowns query`` uses). Each read checks that
    it sees one consistent published state. Writes a JSON summary to OUT.
``held WAREHOUSE STOPFILE OUT``
    One read-only connection kept open across publications: it must keep its snapshot.
``hold-lock WAREHOUSE``
    Hold the writer lock (prints ``locked``) until stdin closes.
``publisher WAREHOUSE N``
    N publications in a row (lock, staging copy, write, atomic replace), without Prefect.
``zygote``
    Import the CLI and the flow once (prefect, pandas, pandera, scipy: ~3 s), print ``ready``,
    then for each JSON argument list read from stdin fork a child that starts a new session
    (its own process group) and exits with ``flows.cli.main(argv)`` (what the ``monotowns``
    console script does); print ``started PID`` and, once reaped, ``exited PID CODE``. The import
    holds no thread, no connection and no file, so each child is a fresh run without the
    import on the clock.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from warehouse import db

STATE_SQL = """
SELECT
  (SELECT count(*) FROM core.observation) AS obs,
  (SELECT count(*) FROM core.observation_history) AS hist,
  (SELECT count(*) FROM core.indicator) AS ind,
  (SELECT row_counts FROM meta.pipeline_run WHERE status = 'completed'
   ORDER BY finished_at DESC LIMIT 1) AS recorded,
  (SELECT count(*) FROM meta.pipeline_run WHERE status = 'running') AS running,
  (SELECT count(*) FROM meta.pipeline_run) AS runs
"""


def read_state(con) -> tuple[tuple, str | None]:
    """(obs, hist, ind, runs) of one snapshot and what is inconsistent in it, if anything."""
    obs, hist, ind, recorded, running, runs = con.execute(STATE_SQL).fetchone()
    problem = None
    if running:
        problem = f"{running} run(s) published as running"
    elif recorded:
        rc = json.loads(recorded)
        for table, n in (
            ("core.observation", obs),
            ("core.observation_history", hist),
            ("core.indicator", ind),
        ):
            if table in rc and rc[table] != n:
                problem = f"{table}: {n} rows, latest completed run recorded {rc[table]}"
    return (obs, hist, ind, runs), problem


def reader(kind: str, warehouse: str, stopfile: str, out: str, pause: float = 0.0) -> None:
    stats = Counter()
    errors: list[str] = []
    states: Counter = Counter()
    problems: list[str] = []
    stop = Path(stopfile)
    while not stop.exists():
        if not Path(warehouse).exists():
            stats["missing"] += 1
            time.sleep(0.01)
            continue

        def read_once():
            if kind == "external":  # the README's recipe: read-only, a new read on IO Error
                con = duckdb.connect(warehouse, read_only=True)
            else:
                con = db.connect_readonly(warehouse)
            try:
                return read_state(con)
            finally:
                con.close()

        def counted_read():
            try:
                return read_once()
            except duckdb.IOException:
                stats["retried_reads"] += 1  # a publish swapped the file while connecting
                raise

        try:
            state, problem = db.read_with_retry(counted_read)
            stats["queries"] += 1
            states[repr(state[:3])] += 1
            if problem:
                problems.append(problem)
        except Exception as exc:
            msg = f"{type(exc).__name__}: {exc}"
            stats["lock_errors" if "lock" in msg.lower() else "other_errors"] += 1
            errors.append(msg)
        if pause:
            time.sleep(pause)
    Path(out).write_text(
        json.dumps(
            {
                "kind": kind,
                **stats,
                "errors": errors[:20],
                "states": dict(states),
                "problems": problems[:20],
                "n_problems": len(problems),
            }
        )
    )


def held(warehouse: str, stopfile: str, out: str) -> None:
    con = duckdb.connect(warehouse, read_only=True)
    first, _ = read_state(con)
    stats = Counter()
    errors: list[str] = []
    while not Path(stopfile).exists():
        try:
            state, _ = read_state(con)
            stats["queries"] += 1
            stats["changed"] += state != first
        except Exception as exc:
            stats["n_errors"] += 1
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.05)
    con.close()
    Path(out).write_text(
        json.dumps({"kind": "held", **stats, "errors": errors[:20], "state": repr(first)})
    )


def hold_lock(warehouse: str) -> None:
    with db.writer_lock(
        warehouse, timeout=10, holder=f"reliability lock helper (pid {os.getpid()})"
    ):
        print("locked", flush=True)
        sys.stdin.read()  # until the test closes our stdin (or dies)


def publisher(warehouse: str, n: int) -> None:
    for k in range(n):
        with db.writer_lock(warehouse, timeout=30, holder="reliability publisher"):
            staging = db.prepare_staging(warehouse)
            with duckdb.connect(str(staging)) as con:
                con.execute(
                    "INSERT INTO core.indicator VALUES (?, 'storm', 'u', NULL, NULL)",
                    [f"storm_{k}"],
                )
                counts = {
                    t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("core.indicator", "core.observation", "core.observation_history")
                }
                con.execute(
                    "INSERT INTO meta.pipeline_run (run_id, flow, started_at, finished_at, "
                    "status, row_counts) VALUES (?, 'storm', now(), now() + INTERVAL (?) SECOND, "
                    "'completed', ?)",
                    [f"storm-{k}", k, json.dumps(counts)],
                )
            db.publish(staging, warehouse)
    print(f"published {n}", flush=True)


def zygote() -> None:
    import flows.refresh  # noqa: F401 - the heavy imports, once, before "ready"
    from flows.cli import main

    print("ready", flush=True)
    for line in sys.stdin:
        argv = json.loads(line)
        pid = os.fork()
        if pid == 0:  # the run: own session and process group, quiet, stdin closed
            os.setsid()
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            raise SystemExit(main(argv))
        print(f"started {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exited {pid} {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "reader":
        reader(args[0], args[1], args[2], args[3], float(args[4]) if len(args) > 4 else 0.0)
    elif mode == "held":
        held(*args)
    elif mode == "hold-lock":
        hold_lock(*args)
    elif mode == "zygote":
        zygote()
    elif mode == "publisher":
        publisher(args[0], int(args[1]))
    else:  # pragma: no cover
        sys.exit(f"unknown mode {mode}")
