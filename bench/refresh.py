"""Refresh benchmark: ``monotowns run`` on the bundled data, end to end and taken apart.

Per measurement set (fresh ``PREFECT_HOME`` folders and a fresh warehouse folder each):

* ``e2e_first``: ``python -m flows.cli run --warehouse W`` creating the warehouse (wall time of
  the whole process: interpreter, imports, Prefect's temporary server, the flow, exit);
* ``e2e_rerun``: the same command again, nothing changed: the CLI's up-to-date check exits
  before importing Prefect (target <= 0.15x ``e2e_first``);
* ``server_first``: the same first run against a running local Prefect server (``prefect
  server start`` on 127.0.0.1 and a free port, started once per set, ``PREFECT_API_URL``
  pointing at it), and ``plain_first``: a process that does the same work as plain functions
  (imports included; target: server run <= 1.3x plain). ``e2e_first`` / ``server_first`` is
  the temporary server's cost;
* ``flow_rerun``: a process calling the ``refresh`` flow itself (as a deployment does) on the
  warehouse ``server_first`` left, nothing changed: the ``refresh-work`` task is a Prefect
  cache hit (seconds of the flow call, imports excluded);
* one process (``--child prefect``) that imports the refresh flow module (``imports``), runs an
  empty flow (``prefect_startup``: the temporary server starts on the first flow run), then a
  flow of no-op tasks shaped like the refresh flow (``orchestration``);
* one process (``--child work``) that runs the refresh flow's work as plain functions
  (Prefect's task wrappers, logger and artifacts replaced by direct calls): ``work_first``
  creates a warehouse, ``work_rerun`` is the no-change re-run (the up-to-date check, then the
  work only if the check finds a change).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from prefect import unmapped

from bench.common import ROOT, Row, Series, child_env, emit, run_child

TARGET_RERUN = 0.15
TARGET_ORCHESTRATION = 1.3


def _prefect_env(home: Path) -> dict[str, str]:
    return child_env(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
    )


def child_prefect() -> dict:
    """Prefect's share, in one process shaped like ``monotowns run``.

    ``import_s``: importing the refresh flow module (Prefect, pandas, DuckDB, ... as the CLI
    does); ``startup_s``: the first flow run, an empty one (starts the temporary server);
    ``orchestration_s``: then a flow of no-op tasks shaped like the refresh flow (fetch,
    validate, load, one submitted analyse task per analysis, write-results, report, two
    artifacts) on the running server.
    """
    t0 = time.perf_counter()
    from prefect import flow, task
    from prefect.artifacts import create_markdown_artifact, create_table_artifact
    from prefect.cache_policies import NONE

    import flows.refresh  # noqa: F401  (the same imports as the real run)
    from tasks import studies as analyses

    t1 = time.perf_counter()

    @flow(name="bench-empty")
    def empty() -> int:
        return 1

    @task(name="fetch", cache_policy=NONE)
    def fetch():
        return []

    @task(name="validate", cache_policy=NONE)
    def validate(payloads):
        return {}

    @task(name="load", cache_policy=NONE)
    def load(batch):
        return {}

    @task(name="analyse", cache_policy=NONE)
    def analyse(name):
        return {}

    @task(name="write-results", cache_policy=NONE)
    def write(results):
        return {}

    @task(name="report", cache_policy=NONE)
    def report():
        return {}

    @flow(name="bench-noop")
    def noop() -> int:
        batch = validate(fetch())
        load(batch)
        futures = [analyse.submit(n) for n in analyses.ANALYSES]
        results = {}
        for f in futures:
            results.update(f.result())
        write(results)
        report()
        create_table_artifact(key="bench-noop-table", table=[{"a": 1}])
        create_markdown_artifact(key="bench-noop-md", markdown="# noop")
        return len(futures)

    empty()
    t2 = time.perf_counter()
    noop()
    t3 = time.perf_counter()
    return {
        "seconds": t3 - t0,
        "import_s": t1 - t0,
        "startup_s": t2 - t1,
        "orchestration_s": t3 - t2,
    }


class _Future:
    """An already finished future (the module's ``as_completed`` is replaced by ``iter``)."""

    def __init__(self, value):
        self._value = value

    def result(self):
        return self._value


class _Plain:
    """A Prefect task replaced by its plain function (``.submit`` runs it at once)."""

    def __init__(self, task):
        self.fn = task.fn

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def submit(self, *args, **kwargs):
        return _Future(self.fn(*args, **kwargs))

    def map(self, *args):
        """``task.map`` run in order: ``unmapped`` arguments repeat, the others are zipped."""
        n = next(len(a) for a in args if not isinstance(a, unmapped))
        columns = [[a.value] * n if isinstance(a, unmapped) else list(a) for a in args]
        return [_Future(self.fn(*row)) for row in zip(*columns, strict=True)]


def _plain_module():
    """``flows.refresh`` with every task (there and in ``flows.steps``) replaced by its plain
    function (no Prefect)."""
    import logging

    import flows.artifacts as artifacts
    import flows.refresh as r
    import flows.steps as s

    for module in (r, s):
        for name in dir(module):
            obj = getattr(module, name)
            if type(obj).__name__ == "Task":
                setattr(module, name, _Plain(obj))
        module.get_run_logger = lambda: logging.getLogger("bench")
    artifacts.publish = lambda *a, **k: None  # artifacts need a flow run (orchestration, not work)
    s.as_completed = iter  # the plain stand-ins are done when they return
    return r


def child_work(warehouse: Path, report: bool = True, once: bool = False) -> dict:
    """The refresh flow's work with Prefect taken out: first run, then a no-change re-run
    (the up-to-date check, and the work only if it finds a change)."""
    from flows.request import RefreshRequest
    from flows.uptodate import check

    r = _plain_module()
    request = RefreshRequest(warehouse=str(warehouse), source="bundled", report=report)
    t0 = time.perf_counter()
    first = r.run_refresh(request, inputs=check(request))
    t1 = time.perf_counter()
    if once:
        return {"seconds": t1 - t0, "first_s": t1 - t0, "status": [first.status]}
    found = check(request)
    again = "up_to_date" if found.up_to_date else r.run_refresh(request, inputs=found).status
    t2 = time.perf_counter()
    return {
        "seconds": t1 - t0,
        "first_s": t1 - t0,
        "rerun_s": t2 - t1,
        "status": [first.status, again],
    }


def child_flow(warehouse: Path, report: bool = True) -> dict:
    """The ``refresh`` flow called as a deployment would (no CLI check): seconds of the call."""
    from flows.refresh import refresh

    t0 = time.perf_counter()
    summary = refresh(warehouse=str(warehouse), report=report)
    return {"seconds": time.perf_counter() - t0, "status": summary.status}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrefectServer:
    """``prefect server start`` on 127.0.0.1 and a free port, in its own process group."""

    def __init__(self, home: Path, timeout: float = 180) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.log = home.with_suffix(".log")
        home.mkdir(parents=True, exist_ok=True)
        env = _prefect_env(home)
        env["PREFECT_LOGGING_LEVEL"] = "WARNING"
        prefect = Path(sys.executable).with_name("prefect")
        cmd = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        t0 = time.perf_counter()
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prefect server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            self.stop()
            raise RuntimeError(f"prefect server not healthy after {timeout} s")
        self.startup_s = time.perf_counter() - t0

    def stop(self) -> None:
        """SIGTERM to the server's own process group (it started it), then SIGKILL."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def _one_set(base: Path, report: bool = True, parts: str = "all") -> dict[str, dict]:
    """One measurement set in fresh folders; returns results by path name.

    ``parts="work"`` measures only the plain-function work (no Prefect: seconds, for tests).
    """
    work = Path(tempfile.mkdtemp(prefix="refresh-", dir=base))
    out: dict[str, dict] = {}
    flag = [] if report else ["--no-report"]
    try:
        env_a = _prefect_env(work / "prefect_a")
        wh = work / "run" / "monotowns.duckdb"
        cli = ["flows.cli", "run", "--warehouse", str(wh), *flag]
        for name in ("e2e_first", "e2e_rerun") if parts == "all" else ():
            res = run_child(cli, env=env_a, expect_result=False)
            res["seconds"] = res["wall_seconds"]
            out[name] = res
        if parts == "all":
            server = PrefectServer(work / "server")
            try:
                out["server_startup"] = {"seconds": server.startup_s, "peak_rss_mb": 0.0}
                env_s = {**_prefect_env(work / "prefect_s"), "PREFECT_API_URL": server.url}
                wh_s = work / "server_run" / "monotowns.duckdb"
                res = run_child(
                    ["flows.cli", "run", "--warehouse", str(wh_s), *flag],
                    env=env_s,
                    expect_result=False,
                )
                out["server_first"] = {**res, "seconds": res["wall_seconds"]}
                res = run_child(
                    ["bench.refresh", "--child", "flow", "--warehouse", str(wh_s), *flag],
                    env=env_s,
                )
                out["flow_rerun"] = res
            finally:
                server.stop()
            res = run_child(
                ["bench.refresh", "--child", "work", "--once", "--warehouse",
                 str(work / "plain" / "m.duckdb"), *flag],
            )  # fmt: skip
            out["plain_first"] = {**res, "seconds": res["wall_seconds"]}
            res = run_child(["bench.refresh", "--child", "prefect"], env=_prefect_env(work / "pb"))
            for key, name in (
                ("import_s", "imports"),
                ("startup_s", "prefect_startup"),
                ("orchestration_s", "orchestration"),
            ):
                out[name] = {"seconds": res[key], "peak_rss_mb": res["peak_rss_mb"]}
            out["prefect_process"] = {**res, "seconds": res["wall_seconds"]}
        res = run_child(
            ["bench.refresh", "--child", "work", "--warehouse", str(work / "w" / "m.duckdb"), *flag]
        )
        out["work_first"] = {"seconds": res["first_s"], "peak_rss_mb": res["peak_rss_mb"]}
        out["work_rerun"] = {"seconds": res["rerun_s"], "peak_rss_mb": res["peak_rss_mb"]}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def run(
    reps: int, base: Path, report: bool = True, parts: str = "all"
) -> tuple[list[Row], dict[str, Series]]:
    """``reps`` measurement sets; returns the re-run rows and every series (for the breakdown)."""
    base.mkdir(parents=True, exist_ok=True)
    series: dict[str, Series] = {}
    for _ in range(reps):
        for name, res in _one_set(base, report, parts).items():
            series.setdefault(name, Series(name)).runs.append(res)
    label = "bundled" if report else "bundled, --no-report"
    work_row = Row(
        "refresh: work re-run / work first run",
        label,
        series["work_rerun"],
        series["work_first"],
        note="plain functions, no Prefect",
    )
    if parts != "all":
        return [work_row], series
    rows = [
        Row(
            "refresh: `monotowns run` no-change re-run / first run",
            label,
            series["e2e_rerun"],
            series["e2e_first"],
            target=f"<= {TARGET_RERUN}x",
            ratio_target=TARGET_RERUN,
            note="process walls; the re-run is the CLI's up-to-date check (no Prefect)",
        ),
        Row(
            "refresh: `monotowns run` on a running Prefect server / plain functions",
            label,
            series["server_first"],
            series["plain_first"],
            target=f"<= {TARGET_ORCHESTRATION}x",
            ratio_target=TARGET_ORCHESTRATION,
            note="first runs, process walls (imports included); the server was already up",
        ),
        Row(
            "refresh: `monotowns run` with the temporary server / on a running server",
            label,
            series["e2e_first"],
            series["server_first"],
            note="the temporary Prefect server's cost (start-up, and a fresh PREFECT_HOME "
            "database)",
        ),
        work_row,
    ]
    return rows, series


def breakdown(series: dict[str, Series]) -> list[tuple[str, float, float]]:
    """(part, min s, median s): the first run taken apart, then the re-run."""

    def mm(name: str) -> tuple[float, float]:
        return series[name].min, series[name].median

    parts = ["imports", "prefect_startup", "orchestration", "work_first"]
    n = min(len(series[name].runs) for name in parts)
    sums = [sum(series[name].runs[i]["seconds"] for name in parts) for i in range(n)]
    return [
        ("`monotowns run`, first run (fresh warehouse, fresh PREFECT_HOME): process wall",
         *mm("e2e_first")),
        ("`monotowns run`, no-change re-run (up-to-date check, no Prefect): process wall",
         *mm("e2e_rerun")),
        ("`monotowns run`, first run on a running Prefect server: process wall",
         *mm("server_first")),
        ("the same work as plain functions, first run: process wall", *mm("plain_first")),
        ("`prefect server start` until healthy (not in any run above)", *mm("server_startup")),
        ("`refresh` flow, no-change re-run on the running server (Prefect cache hit): the call",
         *mm("flow_rerun")),
        ("  imports (refresh flow module: Prefect, pandas, pandera, DuckDB, scipy, ...)",
         *mm("imports")),
        ("  Prefect start-up (first flow run: temporary server + an empty flow)",
         *mm("prefect_startup")),
        ("  orchestration (then a no-op flow of the refresh flow's shape)",
         *mm("orchestration")),
        ("  work, first run (the flow's work as plain functions)", *mm("work_first")),
        ("  work, no-change re-run (plain functions: the up-to-date check)", *mm("work_rerun")),
        ("  sum of imports, start-up, orchestration, work (separate processes: differs from "
         "the wall by noise)", min(sums), statistics.median(sums)),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.refresh")
    p.add_argument("--child", choices=["prefect", "work", "flow"])
    p.add_argument("--once", action="store_true", help="--child work: the first run only")
    p.add_argument("--warehouse", type=Path)
    p.add_argument("--no-report", action="store_true")
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "monotowns-bench")
    a = p.parse_args(argv)
    if a.child == "prefect":
        emit(child_prefect())
    elif a.child == "work":
        emit(child_work(a.warehouse, report=not a.no_report, once=a.once))
    elif a.child == "flow":
        emit(child_flow(a.warehouse, report=not a.no_report))
    else:
        from bench.common import fmt_row

        rows, series = run(a.reps, a.work, report=not a.no_report)
        for row in rows:
            print(fmt_row(row))
        for part, lo, med in breakdown(series):
            print(f"  {part:<70} {lo:8.2f} {med:8.2f}")


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    main()
