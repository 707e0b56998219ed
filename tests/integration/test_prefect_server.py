"""prefect.yaml against a real Prefect server on loopback, as docs/deployment.md tells a user.

server -> work pool -> `prefect deploy --all` (from the repository root) -> process worker
(started in the checkout, as the docs say, configured only by ``MONOTOWNS_WAREHOUSE``) ->
`prefect deployment run refresh/manual-refresh` (no parameters) -> Completed -> the warehouse
named by the worker's environment has the study's rows. Also: what the server stored (schedule,
timezone, concurrency limit, relative pull step and working directory, no path of the deploying
machine) and the yearly run it scheduled (1 September 06:00 Asia/Almaty).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
POOL = "monotowns-process"
BIN = Path(sys.executable).parent
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
BUDGET_S = 170  # the whole test, server start included, must stay under 3 minutes


def prefect_cmd(*args: str) -> list[str]:
    exe = BIN / "prefect"
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "prefect", *args]


def base_env(tmp: Path, port: int) -> dict[str, str]:
    """The environment of every process: a private Prefect home, API and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MONOTOWNS_"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",  # the venv's python for flow runs
            "PREFECT_HOME": str(tmp / "prefect-home"),
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp / 'prefect.db'}",
            "PREFECT_SERVER_UI_ENABLED": "false",
            "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
            # let the scheduler create the yearly run now, not only 100 days ahead (the default)
            "PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME": "P400D",
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
            "COLUMNS": "200",
        }
    )
    return env


def wait_for(what: str, check, timeout: float, step, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except (httpx.HTTPError, OSError) as exc:
            result, last = None, exc
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what} (last error: {last})")


def api(env: dict[str, str]) -> httpx.Client:
    return httpx.Client(base_url=env["PREFECT_API_URL"], timeout=10)


def next_stated_run(now: dt.datetime) -> dt.datetime:
    """1 September 06:00 Asia/Almaty, this year's if still ahead, else next year's."""
    almaty = ZoneInfo("Asia/Almaty")
    year = now.astimezone(almaty).year
    candidate = dt.datetime(year, 9, 1, 6, 0, tzinfo=almaty)
    return candidate if candidate > now else candidate.replace(year=year + 1)


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def start_server(processes, steps, tmp_path: Path, port: int) -> tuple[dict, httpx.Client]:
    """`prefect server start` on 127.0.0.1:<port>; returns the environment and an API client."""
    env = base_env(tmp_path, port)
    steps(f"repository {ROOT}; PREFECT_HOME {env['PREFECT_HOME']}; API {env['PREFECT_API_URL']}")
    server = processes.start(
        "server",
        prefect_cmd("server", "start", "--host", "127.0.0.1", "--port", str(port)),
        env=env,
        cwd=tmp_path,
    )
    client = api(env)

    def healthy():
        assert server.poll() is None, f"prefect server exited with {server.returncode}"
        return client.get("/health").json() is True

    wait_for("/api/health", healthy, timeout=90, step=steps)
    steps("server healthy")
    return env, client


def wait_until_finished(client: httpx.Client, run_id: str, steps, timeout: float, alive) -> dict:
    """Poll the flow run until it is in a terminal state; print every state it passes."""
    seen: list[str] = []

    def finished():
        alive()
        state = client.get(f"/flow_runs/{run_id}").raise_for_status().json()["state"]
        label = f"{state['type']}/{state['name']}"
        if not seen or seen[-1] != label:
            seen.append(label)
            steps(f"  flow run state: {label}")
        return state if state["type"] in TERMINAL else None

    return wait_for(f"flow run {run_id} to finish", finished, timeout=timeout, step=steps)


def trigger_manual_run(processes, env: dict, cwd: Path, steps) -> str:
    """`prefect deployment run refresh/manual-refresh`, as an operator types it: no parameters
    (the warehouse is the one the worker's or serve's configuration names)."""
    out = processes.run(
        "deployment-run",
        prefect_cmd("deployment", "run", "refresh/manual-refresh"),
        env=env,
        cwd=cwd,
    ).stdout
    match = re.search(r"UUID:\s*([0-9a-f-]{36})", out)
    assert match, out
    steps(f"flow run {match.group(1)} created")
    return match.group(1)


def check_warehouse(warehouse: Path, run_id: str, steps) -> None:
    assert warehouse.exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(n_obs,)] = con.execute("SELECT count(*) FROM core.observation").fetchall()
        [(total,)] = con.execute(
            "SELECT total_as_study FROM results.grp_by_year WHERE year = 2021"
        ).fetchall()
        [(status, flow_name)] = con.execute(
            "SELECT status, flow FROM meta.pipeline_run WHERE run_id = ?", [run_id]
        ).fetchall()
    steps(
        f"warehouse {warehouse}: core.observation {n_obs} rows, 2021 GRP total {total}, "
        f"pipeline_run {status}"
    )
    assert n_obs == 74 + 29  # the study's observations and the population panel's
    assert total == pytest.approx(11750.0, abs=1e-9)
    assert (status, flow_name) == ("completed", "refresh")
    assert (warehouse.parent / "raw").is_dir()  # raw archive next to the warehouse


@pytest.mark.slow
def test_deploy_all_worker_runs_manual_refresh(tmp_path, port, steps, processes):
    warehouse = tmp_path / "shared" / "monotowns.duckdb"
    # 1. the server, on loopback, with its own sqlite database
    env, client = start_server(processes, steps, tmp_path, port)

    # 2. the work pool (process type) and its concurrency limit: one run at a time in the pool
    processes.run(
        "work-pool-create",
        prefect_cmd("work-pool", "create", POOL, "--type", "process"),
        env=env,
        cwd=tmp_path,
    )
    processes.run(
        "work-pool-limit",
        prefect_cmd("work-pool", "set-concurrency-limit", POOL, "1"),
        env=env,
        cwd=tmp_path,
    )

    # 3. deploy everything in prefect.yaml from the repository root
    yaml_before = hashlib.sha256((ROOT / "prefect.yaml").read_bytes()).hexdigest()
    out = processes.run(
        "deploy", prefect_cmd("--no-prompt", "deploy", "--all"), env=env, cwd=ROOT
    ).stdout
    assert "refresh/yearly-refresh" in out and "refresh/manual-refresh" in out
    assert hashlib.sha256((ROOT / "prefect.yaml").read_bytes()).hexdigest() == yaml_before

    # 4. what the server stored
    stored = {}
    for name in ("yearly-refresh", "manual-refresh"):
        d = client.get(f"/deployments/name/refresh/{name}").raise_for_status().json()
        stored[name] = d
        assert d["entrypoint"] == "flows/refresh.py:refresh"
        assert d["work_pool_name"] == POOL
        assert d["global_concurrency_limit"]["limit"] == 1
        # resolved by the worker, on its machine: nothing of the deploying machine is stored
        assert d["pull_steps"] == [
            {"prefect.deployments.steps.set_working_directory": {"directory": "."}}
        ]
        assert d["job_variables"] == {"working_dir": "."}
        assert d["path"] is None
        assert str(ROOT) not in json.dumps(d) and str(tmp_path) not in json.dumps(d)
        # no warehouse stored: each worker's environment names it
        assert "warehouse" not in d["parameters"]
        assert d["parameters"]["source"] == ("taldau" if name == "yearly-refresh" else "bundled")
        assert d["paused"] is False
        steps(
            f"stored {name}: schedules "
            f"{[s['schedule'] for s in d['schedules']]}, concurrency limit 1, pool {POOL}"
        )
    [sched] = stored["yearly-refresh"]["schedules"]
    assert sched["schedule"]["cron"] == "0 6 1 9 *"
    assert sched["schedule"]["timezone"] == "Asia/Almaty"
    assert sched["active"] is True
    assert stored["manual-refresh"]["schedules"] == []

    # 5. a process worker, started in the checkout (its working directory is the code's) and
    #    configured only by the environment: MONOTOWNS_WAREHOUSE names the warehouse
    default = ROOT / "warehouse" / "monotowns.duckdb"  # where a run would go without it
    default_before = default.stat().st_mtime_ns if default.exists() else None
    archives = (ROOT / "raw", ROOT / "warehouse" / "raw")  # where its raw archive would go
    archives_before = [_listing(a) for a in archives]  # (a checkout may hold an earlier run's)
    worker_env = {**env, "MONOTOWNS_WAREHOUSE": str(warehouse)}
    worker = processes.start(
        "worker",
        prefect_cmd("worker", "start", "--pool", POOL, "--limit", "1"),
        env=worker_env,
        cwd=ROOT,
    )

    # 6. a manual run, as an operator types it: no parameters
    run_id = trigger_manual_run(processes, env, tmp_path, steps)

    def worker_alive():
        assert worker.poll() is None, f"worker exited with {worker.returncode}"

    state = wait_until_finished(
        client,
        run_id,
        steps,
        alive=worker_alive,
        timeout=max(10.0, BUDGET_S - 30 - steps.elapsed()),
    )
    assert state["type"] == "COMPLETED", state

    # 7. the warehouse the run published: the one the worker's environment names
    run = client.get(f"/flow_runs/{run_id}").raise_for_status().json()
    assert "warehouse" not in run["parameters"], run["parameters"]
    check_warehouse(warehouse, run_id, steps)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(params,)] = con.execute(
            "SELECT parameters FROM meta.pipeline_run WHERE run_id = ?", [run_id]
        ).fetchall()
    assert json.loads(params)["warehouse"] == str(warehouse)  # resolved by the flow, on the worker
    assert (default.stat().st_mtime_ns if default.exists() else None) == default_before
    assert [_listing(a) for a in archives] == archives_before

    # 8. the yearly run the scheduler created: 1 September 06:00 in Almaty
    expected = next_stated_run(dt.datetime.now(dt.UTC))
    yearly_id = stored["yearly-refresh"]["id"]

    def scheduled():
        runs = (
            client.post(
                "/flow_runs/filter",
                json={
                    "flow_runs": {
                        "deployment_id": {"any_": [yearly_id]},
                        "state": {"type": {"any_": ["SCHEDULED"]}},
                    },
                    "sort": "EXPECTED_START_TIME_ASC",
                    "limit": 5,
                },
            )
            .raise_for_status()
            .json()
        )
        return runs or None

    runs = wait_for(
        "the scheduler to create the yearly run",
        scheduled,
        timeout=max(10.0, BUDGET_S - 10 - steps.elapsed()),
        step=steps,
        interval=1,
    )
    first = parse_time(runs[0]["expected_start_time"])
    steps(
        f"next yearly run: {first.astimezone(ZoneInfo('Asia/Almaty')):%Y-%m-%d %H:%M %Z} "
        f"Asia/Almaty = {first.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    assert first == expected
    assert (first.astimezone(dt.UTC).hour, first.astimezone(dt.UTC).minute) == (1, 0)

    assert steps.elapsed() < BUDGET_S, f"took {steps.elapsed():.0f}s"
    steps("done; stopping processes")


@pytest.mark.slow
def test_serve_runs_manual_refresh_and_stops_cleanly(tmp_path, port, steps, processes):
    """`monotowns serve` (python -m flows.serve): same deployments, one process, clean stop."""
    warehouse = tmp_path / "served" / "monotowns.duckdb"
    env, client = start_server(processes, steps, tmp_path, port)
    env = {**env, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    elsewhere = tmp_path / "serve-cwd"  # serve does not need to run in the checkout
    elsewhere.mkdir()
    serve_cmd = [sys.executable, "-m", "flows.serve", "--warehouse", str(warehouse)]
    serve_env = {**env, "PYTHONPATH": str(ROOT)}  # this checkout, whatever is installed
    served = processes.start("serve", serve_cmd, env=serve_env, cwd=elsewhere)
    serve_log = processes.logdir / "serve.log"

    def registered():
        assert served.poll() is None, f"serve exited with {served.returncode}"
        r = client.get("/deployments/name/refresh/manual-refresh")
        return r.status_code == 200 and "being served" in serve_log.read_text()

    wait_for("serve to register its deployments", registered, timeout=60, step=steps)
    yearly = client.get("/deployments/name/refresh/yearly-refresh").raise_for_status().json()
    [sched] = yearly["schedules"]
    steps(f"served yearly-refresh: {sched['schedule']}, parameters {yearly['parameters']}")
    assert (sched["schedule"]["cron"], sched["schedule"]["timezone"]) == (
        "0 6 1 9 *",
        "Asia/Almaty",
    )
    assert yearly["parameters"]["warehouse"] == str(warehouse)
    assert yearly["parameters"]["lock_timeout"] == 600.0
    assert yearly["parameters"]["source"] == "taldau"
    assert yearly["global_concurrency_limit"]["limit"] == 1
    assert yearly["entrypoint"] == "flows.refresh.refresh"

    run_id = trigger_manual_run(processes, env, tmp_path, steps)

    def serve_alive():
        assert served.poll() is None, f"serve exited with {served.returncode}"

    state = wait_until_finished(
        client, run_id, steps, alive=serve_alive, timeout=max(10.0, BUDGET_S - 40 - steps.elapsed())
    )
    assert state["type"] == "COMPLETED", state
    check_warehouse(warehouse, run_id, steps)

    # SIGTERM (what systemd and `kill` send) to the serving process itself: exit 0, a message
    steps(f"SIGTERM to serve (pid {served.pid})")
    os.kill(served.pid, signal.SIGTERM)
    assert served.wait(30) == 0
    assert "monotowns serve: stopped" in serve_log.read_text()
    steps("serve exited 0 after SIGTERM")

    # SIGINT (Ctrl-C) to a second serve process
    again = processes.start("serve-again", serve_cmd, env=serve_env, cwd=elsewhere)
    again_log = processes.logdir / "serve-again.log"
    wait_for(
        "the second serve to start serving",
        lambda: again.poll() is None and "being served" in again_log.read_text(),
        timeout=60,
        step=steps,
    )
    steps(f"SIGINT to serve (pid {again.pid})")
    os.kill(again.pid, signal.SIGINT)
    assert again.wait(90) == 0  # generous: the runner's shutdown is slow on a loaded machine
    assert "monotowns serve: stopped" in again_log.read_text()
    steps("serve exited 0 after SIGINT")
    # schedules stay active after a stop (a run due while serve is down starts when it is back)
    yearly = client.get("/deployments/name/refresh/yearly-refresh").raise_for_status().json()
    assert yearly["paused"] is False and yearly["schedules"][0]["active"] is True
    assert steps.elapsed() < BUDGET_S, f"took {steps.elapsed():.0f}s"


def _listing(folder: Path) -> list[str] | None:
    """Every file below ``folder`` (``None`` if it does not exist)."""
    if not folder.exists():
        return None
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
