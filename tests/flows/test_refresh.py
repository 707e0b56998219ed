"""The refresh flow end to end into temporary warehouses, under Prefect's test harness."""

import json
import shutil

import duckdb
import pytest

from flows.cli import main
from flows.refresh import RunFailed, refresh
from tasks.sources.bundled import bundled_dir, bundled_dirs

pytestmark = pytest.mark.flow  # runs the refresh flow: the session's Prefect test server


def rows(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def core_and_results(path):
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('core', 'results') ORDER BY 1"
        ).fetchall()
        return {
            t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for (t,) in tables
        }


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    w = tmp_path_factory.mktemp("run") / "w.duckdb"
    summary = refresh(warehouse=str(w))
    return w, summary


def test_default_run_loads_study_data(default_run):
    w, summary = default_run
    assert summary.status == "completed"
    # the study's 74 figures for Khromtau and the panel's 29 population figures
    assert rows(w, "SELECT count(*) FROM core.observation")[0][0] == 74 + 29
    assert rows(w, "SELECT count(*) FROM core.town")[0][0] == 28  # the registry's candidates
    [(total,)] = rows(w, "SELECT total_as_study FROM results.grp_by_year WHERE year = 2021")
    assert total == pytest.approx(11750.0, abs=1e-9)
    [(status, counts)] = rows(w, "SELECT status, row_counts FROM meta.pipeline_run")
    assert status == "completed" and json.loads(counts)["core.observation"] == 74 + 29


def test_default_run_records_labour_warnings(default_run):
    w, _ = default_run
    got = rows(
        w,
        "SELECT check_name, row_key, severity FROM meta.quality_issue "
        "WHERE table_name = 'labour_market' ORDER BY 1, 2",
    )
    assert got == [
        ("rate_matches", f"khromtau|{y}", "warning") for y in (2014, 2021, 2022, 2023)
    ] + [("unemployed_matches", f"khromtau|{y}", "warning") for y in (2021, 2022)]


def test_report_is_published_with_the_run(default_run):
    w, summary = default_run
    html = w.parent / "report" / "report.html"
    assert summary.report == str(html) and html.stat().st_size > 10_000
    assert (w.parent / "report" / "parquet" / "results.grp_by_year.parquet").exists()


def test_raw_payloads_are_kept(default_run):
    w, _ = default_run
    [(n, missing)] = rows(w, "SELECT count(*), count(*) FILTER (content IS NULL) FROM raw.payload")
    assert n == sum(len(list(d.glob("*.csv"))) for d in bundled_dirs()) and missing == 0
    assert (w.parent / "raw" / "bundled").is_dir()


def test_second_run_is_idempotent(tmp_path):
    w = tmp_path / "w.duckdb"
    refresh(warehouse=str(w), report=False)
    before = core_and_results(w)
    issues_before = rows(w, "SELECT count(*) FROM meta.quality_issue")
    refresh(warehouse=str(w), report=False)
    assert core_and_results(w) == before
    assert rows(w, "SELECT count(*) FROM meta.quality_issue") == issues_before
    assert rows(w, "SELECT count(*) FROM meta.pipeline_run")[0][0] == 2


@pytest.mark.parametrize(
    ("bad_line", "check"),
    [
        ("khromtau,labour_active,2020,abc", "type:number"),
        ("khromtau,labour_active,2020,-3", "non_negative"),
        ("khromtau,labour_active,2019,13.5", "unique_key"),
    ],
)
def test_bad_file_is_refused_and_warehouse_unchanged(
    default_run, tmp_path, capsys, bad_line, check
):
    w = tmp_path / "w.duckdb"
    shutil.copyfile(default_run[0], w)  # a published warehouse, as a default run leaves it
    before = core_and_results(w)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "observations.csv").write_text(
        "town_id,indicator_id,year,value\nkhromtau,labour_active,2019,13.5\n" + bad_line + "\n"
    )
    code = main(["run", "--warehouse", str(w), "--source", "files", "--input", str(folder)])
    err = capsys.readouterr().err
    assert code == 1
    assert "observations.csv row 3, column" in err
    assert f"[{check}]" in err or "must be a number" in err
    assert core_and_results(w) == before
    [(status,)] = rows(w, "SELECT status FROM meta.pipeline_run ORDER BY started_at DESC LIMIT 1")
    assert status == "failed"
    assert (
        rows(
            w,
            f"SELECT count(*) FROM meta.quality_issue WHERE check_name = '{check}' "
            "AND severity = 'error'",
        )[0][0]
        >= 1
    )


def test_files_source_with_good_folder(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(bundled_dir(), folder)
    w = tmp_path / "w.duckdb"
    summary = refresh(warehouse=str(w), source="files", input_dir=str(folder), report=False)
    assert summary.status == "completed"
    assert rows(w, "SELECT DISTINCT source FROM core.observation") == [("files",)]


def test_cli_query_json(default_run, capsys):
    w, _ = default_run
    code = main(
        [
            "query",
            "--warehouse",
            str(w),
            "--format",
            "json",
            "SELECT year, value FROM core.observation WHERE indicator_id = "
            "'grp_industry' ORDER BY year",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0] == {"year": 2018, "value": 7760.6}


def test_missing_input_dir_is_usage_error(tmp_path, capsys):
    assert main(["run", "--warehouse", str(tmp_path / "w.duckdb"), "--source", "files"]) == 2


def test_unknown_source_fails():
    with pytest.raises(RunFailed):
        refresh(warehouse="unused.duckdb", source="nope")
