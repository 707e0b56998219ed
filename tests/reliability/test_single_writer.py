"""One writer at a time: a second run waits ``--lock-timeout`` seconds, then exits 1 with
"warehouse busy" naming the holder, and leaves the warehouse as it was."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.reliability.helpers import (
    MONOTOWNS,
    PROCS,
    copy_warehouse,
    dump,
    integrity,
    kill_group,
    monotowns,
    say,
    start,
)
from warehouse import db


@pytest.mark.slow
def test_second_run_waits_then_fails_busy_naming_the_holder(
    run_env, plain_env, base_run, inputs, tmp_path, capsys
):
    w = copy_warehouse(base_run.warehouse, tmp_path / "wh")
    helper = start(
        [sys.executable, PROCS, "hold-lock", str(w)],
        plain_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert helper.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        r = monotowns("run", "--warehouse", w, "--lock-timeout", "3", env=run_env)
        elapsed = time.monotonic() - t0
    finally:
        helper.stdin.close()
        helper.wait(30)
    last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    say(capsys, f"busy run: exit {r.returncode} after {elapsed:.1f} s; message: {last}")
    assert r.returncode == 1
    assert last.startswith("monotowns run: warehouse busy:"), r.stderr
    assert f"reliability lock helper (pid {helper.pid})" in last  # names the holder
    assert "waited 3 s" in last and elapsed >= 3
    assert not db.staging_path(w).exists()
    assert dump(w) == base_run.dump
    integrity(w)
    with db.writer_lock(w, timeout=0):  # the holder is gone: the lock is free at once
        pass

    # a real run holds the lock while it writes; a second writer is told who holds it
    args = ["run", "--no-report", "--warehouse", w, "--source", "files", "--input", inputs["v2"]]
    proc = start(
        [MONOTOWNS, *map(str, args)],
        run_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not db.staging_path(w).exists() and proc.poll() is None:
            time.sleep(0.002)
        busy = r"warehouse busy: .*\"holder\": \"refresh run [0-9a-f-]{36}\""
        with pytest.raises(db.WarehouseBusy, match=busy), db.writer_lock(w, timeout=0.2):
            pass
        assert proc.wait(120) == 0
    finally:
        if proc.poll() is None:
            kill_group(proc)
    integrity(w)
