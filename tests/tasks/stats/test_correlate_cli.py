"""``monotowns correlate``: cells that are not numbers are errors; missing cells are reported.

The reference values are R's ``cor.test(x, y)`` on the tuna data of R's ``?cor.test`` page
(r = 0.5711816, p = 0.1082, 95% CI -0.1497426 0.8955795; see test_correlation.py). Pearson's r
does not change when a column is rescaled, and R drops incomplete pairs before testing, so the
files below (rescaled, with missing cells added) must give R's values.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main

TUNA_X = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
TUNA_Y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]
R_ESTIMATE, R_P, R_CI = 0.5711816, 0.1082, (-0.1497426, 0.8955795)
REPRO = "a,b\n1,2\n2,abc\n3,4\n4,3\n5,6\n"
MONOTOWNS = Path(sys.executable).parent / "monotowns"


def correlate(tmp_path, capsys, text: str, *args: str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main(["correlate", str(path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_matches_r(row: dict) -> None:
    assert row["estimate"] == pytest.approx(R_ESTIMATE, rel=1e-6)
    assert row["p_value"] == pytest.approx(R_P, abs=0.5e-4)
    assert row["ci_low"] == pytest.approx(R_CI[0], rel=1e-6)
    assert row["ci_high"] == pytest.approx(R_CI[1], rel=1e-6)


def test_a_cell_that_is_not_a_number_is_an_error(tmp_path, capsys):
    code, out, err = correlate(tmp_path, capsys, REPRO, "--x", "a", "--y", "b", "--json")
    assert code == 1
    assert out == ""
    assert err.strip() == "monotowns correlate: t.csv row 3, column b: 'abc' is not a number"


def test_every_bad_cell_is_named_in_row_order(tmp_path, capsys):
    text = "a,b,c\n1,2,x\nzz,abc,x\n3,4,x\n4,1e3e,x\n5,6,x\n"
    code, _, err = correlate(tmp_path, capsys, text, "--x", "a", "--y", "b")
    assert code == 1
    assert err.splitlines() == [
        "monotowns correlate: t.csv row 3, column a: 'zz' is not a number",
        "monotowns correlate: t.csv row 3, column b: 'abc' is not a number",
        "monotowns correlate: t.csv row 5, column b: '1e3e' is not a number",
    ]


def test_a_text_column_is_an_error(tmp_path, capsys):
    text = "town,b\nkhromtau,2\nzhezkazgan,1\nsatpayev,4\n"
    code, _, err = correlate(tmp_path, capsys, text, "--x", "town", "--y", "b")
    assert code == 1
    assert "t.csv row 2, column town: 'khromtau' is not a number" in err
    assert "row 4, column town: 'satpayev'" in err


def test_scientific_notation_is_read_as_r_writes_it(tmp_path, capsys):
    # y / 1000 as R's write.csv prints small numbers (2.6e-03)
    rows = [f"{x},{y / 1000:.1e}" for x, y in zip(TUNA_X, TUNA_Y, strict=True)]
    assert rows[0] == "44.4,2.6e-03"
    code, out, err = correlate(
        tmp_path, capsys, "x,y\n" + "\n".join(rows) + "\n", "--x", "x", "--y", "y", "--json"
    )
    assert code == 0, err
    row = json.loads(out)
    assert_matches_r(row)
    assert row["n"] == 9 and row["n_dropped"] == 0 and row["dropped"] is None


def _with_missing() -> str:
    lines = [f"{x},{y}" for x, y in zip(TUNA_X, TUNA_Y, strict=True)]
    lines.insert(2, ",3.3")  # row 4: x empty
    lines.insert(5, "47.0,NA")  # row 7: y NA
    lines.insert(7, "NA,")  # row 9: both missing
    lines.insert(8, "")  # row 10: a blank line is not a pair (R's blank.lines.skip)
    lines.append("NA,4.4")  # row 15: x NA
    return "x,y\n" + "\n".join(lines) + "\n"


def test_incomplete_pairs_are_dropped_as_r_drops_them_and_reported(tmp_path, capsys):
    code, out, err = correlate(tmp_path, capsys, _with_missing(), "--x", "x", "--y", "y", "--json")
    assert code == 0, err
    row = json.loads(out)
    assert_matches_r(row)
    assert row["n"] == 9
    assert row["n_dropped"] == 4
    assert row["dropped"] == (
        "4 incomplete pairs dropped (missing x in rows 4, 15; missing y in row 7; "
        "missing x and y in row 9)"
    )


def test_the_table_output_says_how_many_pairs_were_dropped_and_why(tmp_path, capsys):
    code, out, _ = correlate(tmp_path, capsys, _with_missing(), "--x", "x", "--y", "y")
    assert code == 0
    lines = out.splitlines()
    assert "        n: 9" in lines
    assert lines[lines.index("        n: 9") + 1] == "n_dropped: 4"
    assert lines[-1] == (
        "  dropped: 4 incomplete pairs dropped (missing x in rows 4, 15; missing y in row 7; "
        "missing x and y in row 9)"
    )


def test_one_dropped_pair_is_singular(tmp_path, capsys):
    text = "a,b\n1,2\n2,\n3,4\n4,3\n5,6\n"
    code, out, _ = correlate(tmp_path, capsys, text, "--x", "a", "--y", "b", "--json")
    assert code == 0
    row = json.loads(out)
    assert row["n"] == 4 and row["n_dropped"] == 1
    assert row["dropped"] == "1 incomplete pair dropped (missing b in row 3)"


def test_missing_column_and_conf_level_keep_their_exit_codes(tmp_path, capsys):
    code, _, err = correlate(tmp_path, capsys, "a,b\n1,2\n", "--x", "a", "--y", "c")
    assert code == 1 and "t.csv has no column 'c'; columns: a, b" in err
    text = "a,b\n1,2\n2,1\n3,4\n"
    code, _, err = correlate(tmp_path, capsys, text, "--x", "a", "--y", "b", "--conf-level", "2")
    assert code == 2 and "--conf-level must be between 0 and 1" in err


@pytest.mark.subprocess
def test_the_installed_console_script(tmp_path):
    (tmp_path / "t.csv").write_text(REPRO, encoding="utf-8")
    proc = subprocess.run(
        [str(MONOTOWNS), "correlate", "t.csv", "--x", "a", "--y", "b", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "t.csv row 3, column b: 'abc' is not a number" in proc.stderr
