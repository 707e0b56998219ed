"""Helpers for integration tests that start real processes on loopback.

- :class:`Steps` prints every step (flushed) and appends it to a log file under tmp; when the
  test fails, the finalizer prints that log and the tail of every process's output.
- :class:`Processes` starts each command in its own process group and stops every group it
  started, by PID (SIGTERM, then SIGKILL), in the fixture's finalizer, pass or fail.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(request) -> bool:
    return any(
        getattr(request.node, f"rep_{w}", None) is not None
        and getattr(request.node, f"rep_{w}").failed
        for w in ("setup", "call")
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Steps:
    """Print each step with the time since the test started; keep them in a log file."""

    def __init__(self, path: Path):
        self.path = path
        self.t0 = time.monotonic()
        path.write_text("", encoding="utf-8")

    def __call__(self, message: str) -> None:
        line = f"[integration +{time.monotonic() - self.t0:6.1f}s] {message}"
        print(line, flush=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    def elapsed(self) -> float:
        return time.monotonic() - self.t0


class Processes:
    """Start commands in their own process groups; stop all of them, by PID, at the end."""

    def __init__(self, logdir: Path, step: Steps):
        self.logdir = logdir
        self.step = step
        self.started: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, cmd: list[str], *, env: dict, cwd: Path) -> subprocess.Popen:
        log = self.logdir / f"{name}.log"
        fh = log.open("wb")
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        fh.close()
        self.started.append((name, proc, log))
        self.step(f"started {name} (pid {proc.pid}, own process group): {' '.join(cmd)}")
        return proc

    def run(
        self, name: str, cmd: list[str], *, env: dict, cwd: Path, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        """Run a command to completion (also in its own group, killed on timeout)."""
        log = self.logdir / f"{name}.log"
        self.step(f"run {name}: {' '.join(cmd)}")
        t0 = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            text=True,
        )
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self._kill_group(proc, name)
            out, _ = proc.communicate()
            log.write_text(out or "", encoding="utf-8")
            raise AssertionError(
                f"{name} did not finish in {timeout:g} s; output in {log}"
            ) from exc
        log.write_text(out, encoding="utf-8")
        self.step(f"  {name}: exit {proc.returncode} after {time.monotonic() - t0:.1f}s")
        if proc.returncode != 0:
            raise AssertionError(f"{name} failed with exit code {proc.returncode}:\n{out}")
        return subprocess.CompletedProcess(cmd, proc.returncode, out, None)

    def _kill_group(self, proc: subprocess.Popen, name: str) -> None:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if proc.poll() is not None:
                break
            try:
                os.killpg(proc.pid, sig)  # the group's id is the leader's pid
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                self.step(f"  {name} (pid {proc.pid}) still running after {sig.name}")
        # children that outlived the leader (same group): make sure none is left
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name, proc, _ in reversed(self.started):
            running = proc.poll() is None
            self._kill_group(proc, name)
            self.step(
                f"stopped {name} (pid {proc.pid}): "
                f"{'was running, exit ' if running else 'had exited, exit '}"
                f"{proc.returncode}"
            )

    def tails(self, lines: int = 60) -> str:
        out = []
        for name, _, log in self.started:
            text = log.read_text(encoding="utf-8", errors="replace").splitlines()
            out.append(f"----- last {lines} lines of {name} ({log}) -----")
            out.extend(text[-lines:])
        return "\n".join(out)


@pytest.fixture
def port() -> int:
    """A free TCP port on 127.0.0.1."""
    return free_port()


@pytest.fixture
def steps(tmp_path, request):
    step = Steps(tmp_path / "steps.log")
    yield step
    if _failed(request):
        sys.stdout.write(f"\n===== steps of {request.node.name} ({step.path}) =====\n")
        sys.stdout.write(step.path.read_text(encoding="utf-8"))
        sys.stdout.flush()


@pytest.fixture
def processes(tmp_path, steps, request):
    logdir = tmp_path / "logs"
    logdir.mkdir()
    procs = Processes(logdir, steps)
    try:
        yield procs
    finally:
        procs.stop_all()
        if _failed(request):
            sys.stdout.write("\n" + procs.tails() + "\n")
            sys.stdout.flush()
