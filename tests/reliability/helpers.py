"""Helpers of the reliability tests: real processes, real kills, real DuckDB files.

CLI-level tests call the installed ``monotowns`` console script in subprocesses, each the leader
of its own process group, so a SIGKILL hits the whole run (and Prefect's temporary server when
there is one). Here: subprocess environments, process-group kills, the input folders of the
scenarios (v1 = the bundled study data as an analyst's folder, v2 = one revised value, v3 = v2
plus extra rows), timed runs, a canonical dump of the core/results tables and an integrity check.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tasks.sources.bundled import bundled_dir
from warehouse import db

BIN = Path(sys.executable).parent
MONOTOWNS = str(BIN / "monotowns") if (BIN / "monotowns").exists() else shutil.which("monotowns")
PROCS = str(Path(__file__).with_name("procs.py"))  # helper processes (readers, lock holder)

REVISED_KEY = ("town_khromtau", "labour_active", 2020)  # territory_id: the town proper
OLD_VALUE, NEW_VALUE = 13.8, 13.9
EXTRA_YEARS = (2024, 2025)  # v3 adds GRP rows for these years (<= the current year)

# columns that differ between two runs of the same inputs (masked when comparing to a reference)
_VOLATILE = {"run_id", "vintage", "superseded_by_run"}


def volatile(column: str) -> bool:
    """Run-specific bookkeeping columns (ids and timestamps of the run that wrote a row)."""
    return column in _VOLATILE or column.endswith(("_at", "_run_id"))


# ------------------------------------------------------------------------------- processes


def subprocess_env(prefect_home: Path, api_url: str | None) -> dict[str, str]:
    """Environment of a CLI subprocess: no inherited Prefect/monotowns settings, a private
    PREFECT_HOME, no telemetry; ``api_url`` None means Prefect's temporary server (default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MONOTOWNS_"))}
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        PYTHONUNBUFFERED="1",
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def monotowns(*args: str, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the installed console script to completion."""
    return subprocess.run(
        [MONOTOWNS, *map(str, args)], env=env, capture_output=True, text=True, timeout=timeout
    )


def start(cmd: list[str], env: dict, **kw) -> subprocess.Popen:
    """Start ``cmd`` as the leader of a new process group (so killpg reaches its children)."""
    return subprocess.Popen(cmd, env=env, start_new_session=True, **kw)


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid``."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def kill_group(proc: subprocess.Popen) -> list[int]:
    """SIGKILL the whole process group of ``proc``; return members still alive after 5 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    deadline = time.monotonic() + 5
    while (alive := group_members(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------- inputs


def write_inputs(folder: Path, edit=None) -> Path:
    shutil.copytree(bundled_dir(), folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    if edit:
        path = folder / "observations.csv"
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def revise(text: str) -> str:
    old = 'khromtau,labour_active,2020,"13,8","13,8",'
    assert old in text, "bundled observations changed: update REVISED_KEY/OLD_VALUE"
    return text.replace(old, 'khromtau,labour_active,2020,"13,9","13,9",')


def extra_rows(text: str) -> str:
    rows = [f"khromtau,grp_services,{y},{4000 + y % 10},,mln KZT,test,\n" for y in EXTRA_YEARS]
    return text + "".join(rows)


# ------------------------------------------------------------------------------- runs


@dataclass
class TimedRun:
    """A complete CLI run, timed; ``window`` is when ``<warehouse>.staging`` existed."""

    warehouse: Path
    returncode: int
    stdout: str
    stderr: str
    duration: float
    window: tuple[float, float] | None
    dump: dict = field(default_factory=dict)
    masked: dict = field(default_factory=dict)


def timed_run(args: list[str], env: dict, warehouse: Path) -> TimedRun:
    """Run ``monotowns *args`` and watch the staging file to learn when it writes."""
    staging = db.staging_path(warehouse)
    t0 = time.monotonic()
    proc = start(
        [MONOTOWNS, *map(str, args)], env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen: list[float] = []
    while proc.poll() is None:
        if staging.exists():
            seen.append(time.monotonic() - t0)
        time.sleep(0.01)
    out, err = proc.communicate()
    duration = time.monotonic() - t0
    window = (seen[0], seen[-1]) if seen else None
    run = TimedRun(warehouse, proc.returncode, out, err, duration, window)
    if warehouse.exists():
        run.dump, run.masked = dump(warehouse), dump(warehouse, mask=True)
    return run


def copy_warehouse(src: Path, dst_dir: Path) -> Path:
    """Copy a published warehouse file into ``dst_dir`` (the raw archive is not needed)."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / src.name
    shutil.copyfile(src, dst)
    return dst


# ------------------------------------------------------------------------------- warehouse state


def dump(path: Path, *, mask: bool = False) -> dict[str, list[str]]:
    """Canonical content of every core/results table: sorted row reprs, per table.

    With ``mask`` the run-specific columns (run ids, vintages, timestamps) are blanked, so two
    complete runs of the same inputs compare equal.
    """
    with db.connect_readonly(path) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('core', 'results') AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
        out = {}
        for (t,) in tables:
            cur = con.execute(f"SELECT * FROM {t}")
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
            if mask:
                hide = [volatile(c) for c in cols]
                rows = [tuple("*" if h else v for h, v in zip(hide, r, strict=True)) for r in rows]
            out[t] = sorted(map(repr, rows))
    return out


def integrity(path: Path) -> dict[str, int]:
    """Check a published warehouse; return its row counts per table.

    Opens read-only (through the query sandbox), reads every table in full, checks that every
    primary key is unique, that ``meta.schema_migration`` lists exactly the shipped migrations,
    that no run is left ``running`` and that the core/results row counts equal those recorded
    by the latest completed run.
    """
    with db.connect_readonly(path) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'core', 'results', 'meta') "
            "AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for (t,) in tables}
        for (t,) in tables:  # read every column of every row (DuckDB verifies block checksums)
            con.execute(f"SELECT * FROM {t}").fetchall()
        pks = con.execute(
            "SELECT schema_name || '.' || table_name, constraint_column_names "
            "FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
            "AND schema_name IN ('raw', 'core', 'results', 'meta')"
        ).fetchall()
        for table, cols in pks:
            key = ", ".join(f'"{c}"' for c in cols)
            dupes = con.execute(
                f"SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL HAVING count(*) > 1)"
            ).fetchone()[0]
            assert dupes == 0, f"{table}: {dupes} duplicate key(s) ({key})"
        dupes = con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM core.observation "
            "GROUP BY territory_id, indicator_id, year, source HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0, "core.observation: duplicate natural keys"
        migrations = con.execute(
            "SELECT version, name FROM meta.schema_migration ORDER BY version"
        ).fetchall()
        shipped = [(v, n) for v, n, _ in db.migrations()]
        assert migrations == shipped[: len(migrations)] and migrations, migrations
        running = con.execute(
            "SELECT count(*) FROM meta.pipeline_run WHERE status = 'running'"
        ).fetchone()[0]
        assert running == 0, "a run is published as still running"
        latest = con.execute(
            "SELECT row_counts FROM meta.pipeline_run WHERE status = 'completed' "
            "ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
    if latest and latest[0]:
        recorded = json.loads(latest[0])
        for t, n in counts.items():
            if t.startswith(("core.", "results.")) and t in recorded:
                assert recorded[t] == n, f"{t}: {n} rows, latest completed run: {recorded[t]}"
    return counts


def say(capsys, *lines: str) -> None:
    """Print past pytest's capture: the numbers these tests report."""
    with capsys.disabled():
        for line in lines:
            print(f"\n[reliability] {line}", end="")
        print()
