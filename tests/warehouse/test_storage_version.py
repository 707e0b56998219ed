"""A warehouse every DuckDB client opens: files are written in ``db.STORAGE_VERSION`` (v1.4.0).

The slow tests build a published warehouse with the real ``monotowns`` commands and open it
read-only with DuckDB 1.4.x and 1.5.x, each installed by the test into a throw-away venv (from
PyPI; cached per version under the temp dir, so reruns take seconds), reading every table and
view. A file written before this setting existed (DuckDB 2.0.1 defaults) is refused by 1.4,
then rewritten once by the next write session and read.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from warehouse import db
from warehouse.session import upgrade_storage, write_session

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EXAMPLE = ROOT / "tasks" / "survey" / "examples" / "khromtau_synthetic_wave.csv"
#: Where the throw-away venvs live between runs (one per DuckDB line).
VENV_CACHE = Path(
    os.environ.get("MONOTOWNS_TEST_VENVS") or Path(tempfile.gettempdir()) / "monotowns-test-venvs"
)
NO_REGISTRY = re.compile(
    r"NewConnectionError|Max retries exceeded|Temporary failure in name resolution|"
    r"Network is unreachable|No matching distribution found|ConnectionError|timed out",
    re.IGNORECASE,
)

#: Run by each old DuckDB: open read-only, count the rows of every table and view.
READER = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = con.execute(
    "SELECT table_schema, table_name FROM information_schema.tables "
    "WHERE table_catalog = current_database() ORDER BY 1, 2"
).fetchall()
counts = {f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
          for s, t in tables}
print(json.dumps({"duckdb": duckdb.__version__, "counts": counts}))
"""


# ---------------------------------------------------------------- fast: the format itself


def _old_default_file(path: Path, source: Path | None = None) -> Path:
    """A warehouse as written before this change: DuckDB 2.0.1's default storage format."""
    with duckdb.connect(str(path)) as con:
        if source is None:
            db.migrate(con)
            con.execute("INSERT INTO core.indicator VALUES ('a', 'A', 'u', NULL, NULL)")
            con.execute("COMMENT ON TABLE core.indicator IS 'indicators'")
        else:
            (here,) = con.execute("SELECT current_database()").fetchone()
            con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
            con.execute(f'COPY FROM DATABASE src TO "{here}"')
            con.execute("DETACH src")
    assert db.needs_rewrite(path), db.storage_version(path)
    return path


def _dump(path: Path, skip=("meta.pipeline_run", "meta.storage_rewrite")) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
        out = {
            t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))
            for (t,) in tables
            if t not in skip
        }
        out["(schema)"] = [
            repr(r)
            for r in con.execute(
                "SELECT schema_name, table_name, sql, comment FROM duckdb_tables() "
                "UNION ALL SELECT schema_name, view_name, sql, comment FROM duckdb_views() "
                "WHERE NOT internal ORDER BY ALL"
            ).fetchall()
        ]
        out["(constraints)"] = [
            repr(r)
            for r in con.execute(
                "SELECT schema_name, table_name, constraint_type, constraint_column_names "
                "FROM duckdb_constraints() ORDER BY ALL"
            ).fetchall()
        ]
    return out


def test_new_files_are_created_in_the_supported_format(tmp_path):
    w = tmp_path / "w.duckdb"
    assert db.STORAGE_VERSION == "v1.4.0"
    with write_session(w, "test", {}) as s:
        assert db.storage_version(s.staging) == "v1.4.0+"
        with s.transaction() as con:  # written by this DuckDB (2.x): the format stays
            con.execute(
                "CREATE TABLE core.big AS SELECT range AS i, range::VARCHAR AS s FROM range(200000)"
            )
    assert db.storage_version(w) == "v1.4.0+"
    assert not db.needs_rewrite(w)
    assert _rows(w, "SELECT count(*) FROM meta.storage_rewrite") == [(0,)]


def test_an_old_file_is_rewritten_once_keeping_every_row_and_constraint(tmp_path):
    w = _old_default_file(tmp_path / "w.duckdb")
    before = _dump(w)
    with write_session(w, "test", {}, run_id="r1") as s, s.transaction() as con:
        con.execute("INSERT INTO core.indicator VALUES ('b', 'B', 'u', NULL, NULL)")
    assert db.storage_version(w) == "v1.4.0+"
    after = _dump(w)
    assert after["core.indicator"] == sorted(
        [*before["core.indicator"], repr(("b", "B", "u", None, None))]
    )
    del before["core.indicator"], after["core.indicator"]
    assert after == before
    [(run_id, old, new, lib)] = _rows(
        w, "SELECT run_id, from_version, to_version, duckdb_version FROM meta.storage_rewrite"
    )
    assert (run_id, old, new, lib) == ("r1", "v2.0.0+", "v1.4.0+", duckdb.__version__)
    with write_session(w, "test", {}):  # once: the next session has nothing to rewrite
        pass
    assert _rows(w, "SELECT count(*) FROM meta.storage_rewrite") == [(1,)]
    assert upgrade_storage(w) is False


def test_a_failed_session_leaves_an_old_file_as_it_was(tmp_path):
    w = _old_default_file(tmp_path / "w.duckdb")
    data = w.read_bytes()
    with pytest.raises(RuntimeError), write_session(w, "test", {}):
        raise RuntimeError("boom")
    assert w.read_bytes() == data and db.needs_rewrite(w)
    assert not list(tmp_path.glob("*.rewrite*")) and not db.staging_path(w).exists()


def _rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


# ---------------------------------------------------------------- slow: real old clients


def _venv(version: str) -> Path:
    """A venv with ``duckdb=={version}.*`` (made once, cached under :data:`VENV_CACHE`)."""
    home = VENV_CACHE / f"duckdb-{version}"
    python = home / "bin" / "python"
    VENV_CACHE.mkdir(parents=True, exist_ok=True)
    with open(VENV_CACHE / f"duckdb-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder per version at a time
        if (home / "ready").exists():
            return python
        shutil.rmtree(home, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=300)
        pip = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"duckdb=={version}.*"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if pip.returncode != 0:
            tail = "\n".join((pip.stdout + pip.stderr).strip().splitlines()[-5:])
            shutil.rmtree(home, ignore_errors=True)
            if NO_REGISTRY.search(pip.stdout + pip.stderr):
                pytest.skip(f"pip cannot install duckdb=={version}.* from the registry:\n{tail}")
            pytest.fail(f"pip install duckdb=={version}.* failed:\n{tail}")
        (home / "ready").write_text("ok\n", encoding="utf-8")
    return python


def _read_with(version: str, warehouse: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(_venv(version)), "-c", READER, str(warehouse)],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )


def _monotowns(*args, env: dict) -> str:
    exe = BIN / "monotowns"
    r = subprocess.run(
        [str(exe), *map(str, args)], capture_output=True, text=True, env=env, timeout=600
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.fixture(scope="module")
def run_env(tmp_path_factory, prefect_api) -> dict:
    """`monotowns run` in a private home, against the session's Prefect test server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MONOTOWNS_"))}
    env["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["PREFECT_API_URL"] = prefect_api
    return env


@pytest.fixture(scope="module")
def published(tmp_path_factory, run_env) -> Path:
    """A warehouse published by `monotowns run` plus a survey wave (so survey tables have rows)."""
    w = tmp_path_factory.mktemp("published") / "w.duckdb"
    _monotowns("run", "--no-report", "--warehouse", w, env=run_env)
    _monotowns(
        "survey", "import", EXAMPLE, "--codebook", "khromtau_2024",
        "--wave", "khromtau-2024-synthetic", "--warehouse", w, env=run_env,
    )  # fmt: skip
    return w


def _expected_counts(w: Path) -> dict[str, int]:
    return json.loads(
        subprocess.run(
            [sys.executable, "-c", READER, str(w)], capture_output=True, text=True, check=True
        ).stdout
    )["counts"]


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.4", "1.5"])
def test_a_published_warehouse_opens_in_older_duckdb(published, version):
    assert db.storage_version(published) == "v1.4.0+"
    expected = _expected_counts(published)
    r = _read_with(version, published)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["duckdb"].startswith(f"{version}.")
    assert got["counts"] == expected  # every table and view, same rows
    assert (
        got["counts"]["core.observation"] == 74 + 29 and got["counts"]["core.survey_response"] > 0
    )
    assert set(db.table_counts(published)) < set(got["counts"])  # every table, and the views


@pytest.mark.slow
def test_a_warehouse_written_before_this_change_is_rewritten_by_the_next_run(
    published, run_env, tmp_path
):
    old = _old_default_file(tmp_path / "old.duckdb", source=published)
    refused = _read_with("1.4", old)  # what an analyst on DuckDB 1.4 met before
    assert refused.returncode != 0 and "version number" in refused.stderr
    before = _dump(old)
    _monotowns("survey", "analyse", "--warehouse", old, env=run_env)  # any write session
    assert db.storage_version(old) == "v1.4.0+"
    after = _dump(old)
    assert after == before  # the rewrite and a re-analysis change no row
    [(new_version, run_flow)] = _rows(
        old,
        "SELECT s.to_version, r.flow FROM meta.storage_rewrite s "
        "JOIN meta.pipeline_run r USING (run_id)",
    )
    assert (new_version, run_flow) == ("v1.4.0+", "survey_analyse")
    r = _read_with("1.4", old)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["counts"] == _expected_counts(old)
