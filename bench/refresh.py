"""Refresh benchmark: ``monotowns run`` on the bundled data, end to end and taken apart.

Per measurement set (fresh ``PREFECT_HOME`` folders and a fresh warehouse folder each):

* ``e2e_first``: ``python -m flows.cli run --warehouse W`` creating the warehouse (wall time of
  the whole process: interpreter, imports, Prefect's temporary server, the flow, exit);
* ``e2e_rerun``: the same command again, nothing changed (target <= 0.3x ``e2e_first``);
* one process (``--child prefect``) that imports the refresh flow module (``imports``), runs an
  empty flow (``prefect_startup``: the temporary server starts on the first flow run), then a
  flow of no-op tasks shaped like the refresh flow (``orchestration``);
* one process (``--child work``) that runs the refresh flow's own body twice as plain
  functions (Prefect's task wrappers, logger and artifacts replaced by direct calls):
  ``work_first`` creates a warehouse, ``work_rerun`` is the no-change re-run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from prefect import unmapped

from bench.common import Row, Series, child_env, emit, run_child

TARGET_RERUN = 0.3


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


def child_work(warehouse: Path, report: bool = True) -> dict:
    """The refresh flow's body with Prefect taken out: first run, then a no-change re-run."""
    import logging

    import flows.refresh as r

    for name in dir(r):
        obj = getattr(r, name)
        if type(obj).__name__ == "Task":
            setattr(r, name, _Plain(obj))
    r.get_run_logger = lambda: logging.getLogger("bench")
    r._artifact = lambda *a, **k: None  # artifacts need a flow run (orchestration, not work)
    t0 = time.perf_counter()
    first = r.refresh.fn(warehouse=str(warehouse), report=report)
    t1 = time.perf_counter()
    again = r.refresh.fn(warehouse=str(warehouse), report=report)
    t2 = time.perf_counter()
    return {
        "seconds": t1 - t0,
        "first_s": t1 - t0,
        "rerun_s": t2 - t1,
        "status": [first.status, again.status],
    }


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
        ("`monotowns run`, no-change re-run: process wall", *mm("e2e_rerun")),
        ("  imports (refresh flow module: Prefect, pandas, pandera, DuckDB, scipy, ...)",
         *mm("imports")),
        ("  Prefect start-up (first flow run: temporary server + an empty flow)",
         *mm("prefect_startup")),
        ("  orchestration (then a no-op flow of the refresh flow's shape)",
         *mm("orchestration")),
        ("  work, first run (the flow body as plain functions)", *mm("work_first")),
        ("  work, no-change re-run (plain functions)", *mm("work_rerun")),
        ("  sum of these four parts (separate processes: differs from the wall by noise)",
         min(sums), statistics.median(sums)),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.refresh")
    p.add_argument("--child", choices=["prefect", "work"])
    p.add_argument("--warehouse", type=Path)
    p.add_argument("--no-report", action="store_true")
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "monotowns-bench")
    a = p.parse_args(argv)
    if a.child == "prefect":
        emit(child_prefect())
    elif a.child == "work":
        emit(child_work(a.warehouse, report=not a.no_report))
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
