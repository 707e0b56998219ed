"""Vintages: a revised value becomes current, the old one moves to ``core.observation_history``
with its vintage, source and run; ``core.observation`` shows only current values. The SQL
example of docs/reliability.md ("history is one query away") is run as documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.reliability.helpers import (
    NEW_VALUE,
    OLD_VALUE,
    REVISED_KEY,
    monotowns,
    say,
)
from warehouse import db

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
KEY_SQL = "territory_id = ? AND indicator_id = ? AND year = ?"


def doc_history_sql() -> str:
    """The fenced SQL block of docs/reliability.md that starts with the history comment."""
    m = re.search(r"```sql\n(-- history is one query away.*?)```", DOC.read_text(), re.S)
    assert m, "docs/reliability.md lost its 'history is one query away' example"
    return m.group(1)


def _one(path, sql, params=()):
    with db.connect_readonly(path) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.mark.slow
def test_revised_value_is_current_and_old_value_is_history(
    base_run, revised_run, plain_env, capsys
):
    base, rev = base_run.warehouse, revised_run.warehouse
    [(run0,)] = _one(base, "SELECT run_id FROM meta.pipeline_run")
    [(run1,)] = _one(rev, "SELECT run_id FROM meta.pipeline_run WHERE run_id <> ?", [run0])
    cols = "value, source, vintage, run_id"
    [old] = _one(base, f"SELECT {cols} FROM core.observation WHERE {KEY_SQL}", REVISED_KEY)
    assert old[0] == OLD_VALUE and old[1] == "files" and old[3] == run0

    # current: one row per key, the new value, from the new payload and run
    current = _one(rev, f"SELECT {cols} FROM core.observation WHERE {KEY_SQL}", REVISED_KEY)
    assert len(current) == 1
    [(value, source, vintage, run)] = current
    assert (value, source, run) == (NEW_VALUE, "files", run1) and vintage > old[2]

    # history: the old value with its vintage, source and run, and who superseded it
    hist = _one(
        rev,
        f"SELECT {cols}, superseded_by_run, superseded_at FROM core.observation_history "
        f"WHERE {KEY_SQL}",
        REVISED_KEY,
    )
    assert len(hist) == 1
    assert hist[0][:4] == old and hist[0][4] == run1 and hist[0][5] is not None
    assert _one(rev, "SELECT count(*) FROM core.observation_history") == [(1,)]

    # nothing else moved: unchanged values keep their vintage and run
    assert _one(rev, "SELECT count(*) FROM core.observation") == _one(
        base, "SELECT count(*) FROM core.observation"
    )
    assert _one(rev, "SELECT count(*) FROM core.observation WHERE run_id = ?", [run1]) == [(1,)]

    # the documented query, through the CLI, as a user would run it
    r = monotowns("query", "--warehouse", rev, "--format", "json", doc_history_sql(), env=plain_env)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(x["status"], x["value"], x["source"], x["run_id"]) for x in rows] == [
        ("current", NEW_VALUE, "files", run1),
        ("superseded", OLD_VALUE, "files", run0),
    ]
    say(
        capsys,
        "vintages: khromtau labour_active 2020 current "
        f"{NEW_VALUE} (run {run1[:8]}), history {OLD_VALUE} (vintage {old[2]:%Y-%m-%d %H:%M:%S}, "
        f"run {run0[:8]}, superseded by {run1[:8]})",
    )
