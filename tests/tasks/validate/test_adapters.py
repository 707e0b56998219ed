"""The pandera adapters on tiny inputs: each failing (check, row) becomes one Issue."""

from __future__ import annotations

import pandas as pd
import pandera.ibis as pai
import pandera.pandas as pa
import pytest

from schemas.inputs import RULES, named_check
from tasks.stage import Stage
from tasks.validate.adapters import cell_text, schema_issues, table_issues


@pytest.fixture
def stage():
    s = Stage()
    yield s
    s.remove()


def test_schema_issues_pandas():
    frame = pd.DataFrame({"k": ["a", "b", "c"], "v": [1, -2, -3]})
    non_negative = pa.Check(lambda s: s >= 0, name="non_negative")
    schema = pa.DataFrameSchema({"v": pa.Column(int, non_negative)})
    issues = schema_issues(
        frame, schema, severity="error", source="files", table="t", filename="t.csv", key=("k",)
    )
    assert [(i.file_row, i.row_key, i.observed, i.column_name) for i in issues] == [
        (3, "b", "-2", "v"),
        (4, "c", "-3", "v"),
    ]
    assert issues[0].message == (
        f"t.csv row 3, column v (b): -2 - {RULES['non_negative']} [non_negative]"
    )
    ok = pd.DataFrame({"k": ["a"], "v": [0]})
    assert (
        schema_issues(
            ok, schema, severity="error", source="files", table="t", filename="t.csv", key=("k",)
        )
        == []
    )


def test_table_issues_ibis_names_file_rows(stage):
    stage.con.execute(
        "CREATE TABLE t AS SELECT * FROM "
        "(VALUES (2, 'a', 1.0::DOUBLE), (3, 'b', -2.0), (5, 'c', NULL)) v(_row, k, v)"
    )
    schema = pai.DataFrameSchema(
        {"v": pai.Column(float, named_check(lambda t: t >= 0, "non_negative"), nullable=True)}
    )
    [issue] = table_issues(
        stage,
        "t",
        schema,
        severity="warning",
        source="files",
        table_name="t",
        filename="t.csv",
        key=("k",),
    )
    assert (issue.severity, issue.file_row, issue.row_key, issue.observed) == (
        "warning",
        3,
        "b",
        "-2.0",
    )
    assert (
        issue.message == f"t.csv row 3, column v (b): -2.0 - {RULES['non_negative']} [non_negative]"
    )


def test_cell_text():
    assert cell_text(None) == "nan" and cell_text(float("nan")) == "nan"
    assert cell_text(2.5) == "2.5" and cell_text("x") == "x"
