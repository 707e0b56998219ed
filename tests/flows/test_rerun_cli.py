"""``monotowns run`` twice on a temporary warehouse: the second run is up to date and starts no
Prefect; ``--force`` runs anyway; an edited input file runs. The installed console script, in
subprocesses with their own ``PREFECT_HOME``, against the session's Prefect test server
(``prefect_api``; the temporary server of the default mode is covered in tests/reliability)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tasks.sources.bundled import bundled_dir

MONOTOWNS = str(Path(sys.executable).with_name("monotowns"))


def monotowns(*args, env):
    return subprocess.run(
        [MONOTOWNS, *map(str, args)], env=env, capture_output=True, text=True, timeout=600
    )


def test_run_twice_force_and_edited_input(tmp_path, prefect_api):
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": prefect_api,
    }
    folder = tmp_path / "in"
    shutil.copytree(bundled_dir(), folder)
    w = tmp_path / "wh" / "monotowns.duckdb"
    args = ["run", "--warehouse", w, "--source", "files", "--input", folder, "--no-report"]

    first = monotowns(*args, env=env)
    assert first.returncode == 0, first.stderr
    [(run_id,)] = (
        duckdb.connect(str(w), read_only=True)
        .execute("SELECT run_id FROM meta.pipeline_run")
        .fetchall()
    )
    assert first.stdout.startswith(f"run {run_id}: completed")

    again = monotowns(*args, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"up to date: run {run_id} of ")
    assert "rows:" not in again.stdout  # no flow ran: no summary

    forced = monotowns(*args, "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.startswith("run ") and ": completed" in forced.stdout.splitlines()[0]

    obs = folder / "observations.csv"
    obs.write_bytes(obs.read_bytes().replace(b"\n", b"\r\n"))  # same values, other bytes
    edited = monotowns(*args, env=env)
    assert edited.returncode == 0, edited.stderr
    assert ": completed" in edited.stdout.splitlines()[0]

    with duckdb.connect(str(w), read_only=True) as con:
        statuses = con.execute("SELECT status FROM meta.pipeline_run").fetchall()
    assert statuses == [("completed",)] * 3  # the CLI's up-to-date exit writes nothing
