"""The query sandbox at the CLI: ``monotowns query`` refuses writes, ATTACH, COPY ... TO, file
reads, extensions and configuration changes with exit 1 and a clear message, and leaves no file
behind (not in the working directory, not next to the warehouse, not under ``$HOME/.duckdb``)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from tests.reliability.helpers import MONOTOWNS
from warehouse.session import write_session

CASES = [
    # (id, SQL, fragment of the message)
    ("create", "CREATE TABLE core.t (a INTEGER)", "read-only mode"),
    ("insert", "INSERT INTO core.indicator VALUES ('x', 'X', 'u', NULL, NULL)", "read-only mode"),
    ("update", "UPDATE core.indicator SET unit = 'x'", "read-only mode"),
    ("delete", "DELETE FROM core.observation", "read-only mode"),
    ("drop", "DROP TABLE core.town", "read-only mode"),
    ("second-statement", "SELECT 1; DROP TABLE core.town", "read-only mode"),
    ("attach", "ATTACH '{tmp}/other.duckdb' AS o", "file system operations are disabled"),
    ("attach-relative", "ATTACH 'rel.duckdb' AS o", "file system operations are disabled"),
    ("copy-to", "COPY core.indicator TO '{tmp}/out.csv'", "file system operations are disabled"),
    ("copy-to-relative", "COPY core.town TO 'out.parquet'", "file system operations are disabled"),
    ("export", "EXPORT DATABASE '{tmp}/export'", "file system operations are disabled"),
    ("read_csv", "SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled"),
    (
        "read_text",
        "SELECT * FROM read_text('/etc/hostname')",
        "file system operations are disabled",
    ),
    ("glob", "SELECT * FROM glob('/etc/*')", "file system operations are disabled"),
    ("install", "INSTALL httpfs", "file system operations are disabled"),
    ("load", "LOAD httpfs", "disabled through configuration"),
    ("set-external-access", "SET enable_external_access = true", "configuration has been locked"),
    ("set-memory", "SET memory_limit = '10GB'", "configuration has been locked"),
    ("reset-lock", "RESET lock_configuration", "configuration has been locked"),
    ("pragma", "PRAGMA threads = 1", "configuration has been locked"),
]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    w = tmp_path_factory.mktemp("sandbox") / "w.duckdb"
    with write_session(w, "test", {}) as session, session.transaction() as con:
        con.execute("INSERT INTO core.indicator VALUES ('a', 'A', 'u', NULL, NULL)")
        con.execute("INSERT INTO core.town (town_id, name_en, confirmed) VALUES ('t', 'T', true)")
    return w


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(("case", "sql", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_cli_query_refuses(published, plain_env, tmp_path, case, sql, fragment):
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    env = {**plain_env, "HOME": str(home)}
    before = _fingerprint(published.parent)
    r = subprocess.run(
        [MONOTOWNS, "query", "--warehouse", str(published), sql.format(tmp=tmp_path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1, r.stdout
    assert r.stderr.startswith("monotowns query: "), r.stderr
    assert fragment in r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout == ""
    assert list(cwd.iterdir()) == [] and list(home.iterdir()) == []  # no file left behind
    assert {p.name for p in tmp_path.iterdir()} == {"cwd", "home"}
    assert _fingerprint(published.parent) == before  # warehouse, its lock and WAL untouched


def test_cli_query_still_answers_reads(published, plain_env):
    r = subprocess.run(
        [MONOTOWNS, "query", "--warehouse", str(published), "--format", "csv",
         "SELECT indicator_id, unit FROM core.indicator"],
        env=plain_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0 and r.stdout.splitlines() == ["indicator_id,unit", "a,u"]
