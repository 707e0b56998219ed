"""Fixtures of the reliability tests: a shared Prefect server, subprocess environments, input
folders and warehouses built by real ``monotowns run`` processes (see ``helpers.py``).

A full ``monotowns run`` spends most of its time starting Prefect's temporary server; the slow
tests therefore point their runs at the session's one Prefect test server (``prefect_api`` in
``tests/conftest.py``, via ``PREFECT_API_URL``), which leaves a run at a few seconds, about one
of which touches the warehouse. One test in ``test_atomic_runs.py`` kills a run in the default
mode, temporary server included.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `tests.reliability.helpers` must import under any runner
    sys.path.insert(0, str(ROOT))

from tests.reliability.helpers import (  # noqa: E402
    TimedRun,
    extra_rows,
    revise,
    subprocess_env,
    timed_run,
    write_inputs,
)


@pytest.fixture(scope="session")
def run_env(prefect_api, tmp_path_factory) -> dict[str, str]:
    """Environment of CLI runs against the session's Prefect server."""
    return subprocess_env(tmp_path_factory.mktemp("prefect-client"), prefect_api)


@pytest.fixture
def plain_env(tmp_path) -> dict[str, str]:
    """Environment of commands that need no Prefect (query, validate)."""
    return subprocess_env(tmp_path / "prefect-home", None)


@pytest.fixture(scope="session")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """Input folders for ``--source files``: v1 (study data), v2 (revised), v3 (v2 + rows)."""
    base = tmp_path_factory.mktemp("inputs")
    return {
        "v1": write_inputs(base / "v1"),
        "v2": write_inputs(base / "v2", revise),
        "v3": write_inputs(base / "v3", lambda t: extra_rows(revise(t))),
    }


@pytest.fixture(scope="session")
def base_run(run_env, inputs, tmp_path_factory) -> TimedRun:
    """A fresh warehouse built by ``monotowns run --source files --input v1``.

    Session runs pass ``--no-report``: the HTML report is written after the warehouse is
    published and only reads it; the default-mode kill test and one reader-test run keep it."""
    w = tmp_path_factory.mktemp("base") / "w.duckdb"
    run = timed_run(
        ["run", "--no-report", "--warehouse", w, "--source", "files", "--input", inputs["v1"]],
        run_env,
        w,
    )
    assert run.returncode == 0, run.stderr
    return run


@pytest.fixture(scope="session")
def revised_run(run_env, inputs, base_run, tmp_path_factory) -> TimedRun:
    """A copy of the base warehouse after a complete run with the revised value (v2)."""
    w = tmp_path_factory.mktemp("revised") / "w.duckdb"
    shutil.copyfile(base_run.warehouse, w)
    run = timed_run(
        ["run", "--no-report", "--warehouse", w, "--source", "files", "--input", inputs["v2"]],
        run_env,
        w,
    )
    assert run.returncode == 0, run.stderr
    return run
