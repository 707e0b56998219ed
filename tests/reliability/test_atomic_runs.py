"""Atomic runs: SIGKILL a real ``monotowns run`` anywhere; the warehouse is the state before the
run or the state after a complete run, never anything in between.

Each run is a fresh process, leader of its own process group, running the CLI's entry point
(``flows.cli.main``, what the ``monotowns`` console script calls), and the kill hits the whole
group. To keep 20 kills within about a minute, the runs are forked from a process that imported
the CLI once (prefect, pandas, scipy: ~3 s a process otherwise), so only the run is on the
clock. One complete run per scenario is measured first; kill points are then seeded random
delays: half spread over the run's duration, half spread over the window in which it writes
(from the moment ``<warehouse>.staging`` appears), where a non-atomic writer would be caught.
Two scenarios alternate: no warehouse yet (fresh run of the v1 inputs), and an existing
warehouse that the run changes (v2 revises one value). The second test kills a plain
``monotowns run`` in the default mode, with Prefect's temporary server in its group.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.reliability.helpers import (
    MONOTOWNS,
    PROCS,
    dump,
    group_members,
    integrity,
    kill_group,
    say,
    start,
    subprocess_env,
)
from warehouse import db

KILLS = 20
SEED = 20251127


def _runs(con_path: Path) -> list[tuple[str, str]]:
    with db.connect_readonly(con_path) as con:
        return con.execute("SELECT run_id, status FROM meta.pipeline_run ORDER BY 1").fetchall()


def _delays(rng: random.Random, n: int, lo: float, hi: float) -> list[float]:
    """``n`` stratified random delays in [lo, hi]: one in each of n equal slices."""
    return [lo + (i + rng.random()) * (hi - lo) / n for i in range(n)]


def _classify(w: Path, before: Path | None, before_dump, ref, before_runs) -> str:
    """'before' or 'after', after checking integrity; fails on anything else."""
    if not w.exists():
        assert before is None, "the existing warehouse disappeared"
        return "before"
    integrity(w)
    if before is not None and dump(w) == before_dump:
        assert _runs(w) == before_runs
        return "before"
    masked = dump(w, mask=True)
    if masked != ref.masked:
        diff = {t for t in set(masked) | set(ref.masked) if masked.get(t) != ref.masked.get(t)}
        pytest.fail(f"{w}: neither the state before nor after the run; tables differ: {diff}")
    runs = _runs(w)
    assert len(runs) == len(before_runs) + 1
    assert all(status == "completed" for _, status in runs)
    return "after"


class Zygote:
    """Forks runs from a process that imported the CLI once (see procs.py): a kill hits a
    fresh process group running ``flows.cli.main``, and only the run is on the clock."""

    def __init__(self, env: dict):
        self.proc = start(
            [sys.executable, PROCS, "zygote"],
            env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.lines.get(timeout=180) == "ready"
        self.exit_code: int | None = None

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def go(self, argv: list) -> tuple[int, float]:
        """Start one run; return its pid (= its process group) and the start time."""
        self.exit_code = None
        self.proc.stdin.write(json.dumps([str(a) for a in argv]) + "\n")
        self.proc.stdin.flush()
        word, pid = self.lines.get(timeout=60).split()
        assert word == "started"
        return int(pid), time.monotonic()

    def finished(self, timeout: float = 0.0) -> bool:
        """Whether the current run has exited (and been reaped); sets ``exit_code``."""
        if self.exit_code is None:
            try:
                line = self.lines.get(timeout=timeout) if timeout else self.lines.get_nowait()
            except queue.Empty:
                return False
            word, _, code = line.split()
            assert word == "exited"
            self.exit_code = int(code)
        return True

    def kill(self, pid: int) -> list[int]:
        """SIGKILL the run's process group; return members still alive after the reap."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        assert self.finished(timeout=30)
        deadline = time.monotonic() + 5
        while (alive := group_members(pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        return alive

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            kill_group(self.proc)


def _setup(w: Path, before: Path | None) -> None:
    w.parent.mkdir()
    if before is not None:
        shutil.copyfile(before, w)


@pytest.mark.slow
def test_sigkill_at_random_points_leaves_before_or_after(
    run_env, inputs, base_run, revised_run, tmp_path, capsys
):
    scenarios = {  # name: (input folder, warehouse before the run, reference complete run)
        "fresh": (inputs["v1"], None, base_run),
        "revise": (inputs["v2"], base_run.warehouse, revised_run),
    }
    before_runs = {"fresh": [], "revise": _runs(base_run.warehouse)}
    argv = {
        n: ["run", "--no-report", "--source", "files", "--input", f]
        for n, (f, _, _) in scenarios.items()
    }
    runner = Zygote(run_env)
    t_start = time.monotonic()
    try:
        # measure one complete run per scenario: its duration and when it writes
        timing = {}
        for name, (_, before, ref) in scenarios.items():
            w = tmp_path / f"measure-{name}" / "w.duckdb"
            _setup(w, before)
            _, t0 = runner.go([*argv[name], "--warehouse", w])
            seen_staging = []
            while not runner.finished():
                if db.staging_path(w).exists():
                    seen_staging.append(time.monotonic() - t0)
                time.sleep(0.002)
            assert runner.exit_code == 0
            window = (seen_staging[0], seen_staging[-1]) if seen_staging else (0.0, 0.0)
            timing[name] = (time.monotonic() - t0, window)
            assert _classify(w, before, base_run.dump, ref, before_runs[name]) == "after"
        # the plan: per scenario, half the kills at a delay after the start spread over the
        # run's duration, half at a delay after the staging file appeared spread over the
        # write window; seeded, stratified (one delay per equal slice), shuffled
        rng = random.Random(SEED)
        plan: dict[str, list[tuple[str, float]]] = {}
        for name, (duration, (w0, w1)) in timing.items():
            n = KILLS // 2
            plan[name] = [("start", d) for d in _delays(rng, n // 2, 0.0, duration)] + [
                ("writing", d) for d in _delays(rng, n - n // 2, 0.0, w1 - w0 + 0.05)
            ]
            rng.shuffle(plan[name])
        seen = {"before": 0, "after": 0}
        in_window = finished = survived = 0
        for k in range(KILLS):
            name = ("fresh", "revise")[k % 2]
            _, before, ref = scenarios[name]
            anchor, delay = plan[name][k // 2]
            w = tmp_path / f"kill{k:02d}" / "w.duckdb"
            _setup(w, before)
            staging = db.staging_path(w)
            pid, t0 = runner.go([*argv[name], "--warehouse", w])
            if anchor == "writing":
                while not staging.exists() and not runner.finished():
                    time.sleep(0.002)
                t0 = time.monotonic()
            while time.monotonic() - t0 < delay and not runner.finished():
                time.sleep(0.002)
            in_window += staging.exists()
            finished += runner.finished()
            alive = runner.kill(pid)
            assert not alive, f"processes of the killed run survived: {alive}"
            seen[_classify(w, before, base_run.dump, ref, before_runs[name])] += 1
            with db.writer_lock(w, timeout=0):  # the lock died with the run: a new run can start
                pass
            survived += 1
    finally:
        runner.close()
    elapsed = time.monotonic() - t_start
    say(
        capsys,
        f"fault injection: kills: {KILLS}, survived: {survived}, states seen: "
        f"before={seen['before']}, after={seen['after']}; killed while the staging file "
        f"existed: {in_window}; runs already finished when the kill came: {finished}; "
        + "; ".join(
            f"{n} run {d:.1f} s, writing {w[0]:.1f}-{w[1]:.1f} s" for n, (d, w) in timing.items()
        )
        + f"; {elapsed:.0f} s in all",
    )
    assert survived == KILLS
    assert in_window >= KILLS // 4, "too few kills landed while the run was writing"


@pytest.mark.slow
def test_sigkill_in_default_mode_takes_the_temporary_server_down_too(
    inputs, base_run, tmp_path, capsys
):
    """Without PREFECT_API_URL a run starts Prefect's temporary server as a child; killing the
    run's process group while it writes leaves no process behind and the warehouse whole."""
    env = subprocess_env(tmp_path / "prefect-home", None)
    w = tmp_path / "wh" / "w.duckdb"
    w.parent.mkdir()
    shutil.copyfile(base_run.warehouse, w)
    cmd = [MONOTOWNS, "run", "--warehouse", str(w), "--source", "files", "--input", inputs["v2"]]
    proc = start(cmd, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = db.staging_path(w)
    deadline = time.monotonic() + 240
    while not staging.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    members = group_members(proc.pid)
    servers = [p for p in members if b"uvicorn" in _cmdline(p)]
    alive = kill_group(proc)
    assert proc.returncode == -9, "the run ended before the kill"
    assert servers, f"no temporary Prefect server among the run's processes {members}"
    assert not alive, f"survived the kill: {alive}"
    assert not any(Path(f"/proc/{p}").exists() and b"uvicorn" in _cmdline(p) for p in servers)
    before_runs = _runs(base_run.warehouse)
    integrity(w)
    state = "before" if dump(w) == base_run.dump else "other"
    assert state == "before", "killed before publishing, the warehouse must be unchanged"
    assert _runs(w) == before_runs
    say(
        capsys,
        f"default mode: run killed while writing (group of {len(members)} processes, "
        f"temporary server pid {servers[0]}); survivors: {len(alive)}; warehouse state: {state}",
    )


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
