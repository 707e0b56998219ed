"""A live source always fetches (unless ``--offline``): its second run is never "up to date".

Against the fake Taldau on a real 127.0.0.1 server, and with a folder source registered as
live (what a new live source gets from the registry, without any code naming it).
"""

import shutil

import duckdb
import pytest

import tests.taldau_fake as taldau_fake
from flows.cli import main
from flows.refresh import refresh
from tasks.sources import registry
from tasks.sources.bundled import bundled_dir
from tasks.sources.folders import FILES
from tasks.sources.spec import SourceSpec

pytestmark = pytest.mark.flow  # runs the refresh flow: the session's Prefect test server


def statuses(path):
    with duckdb.connect(str(path), read_only=True) as con:
        sql = "SELECT status FROM meta.pipeline_run ORDER BY started_at"
        return [s for (s,) in con.execute(sql).fetchall()]


def test_a_second_taldau_run_fetches_again(tmp_path, capsys):
    server = taldau_fake.start_server()
    try:
        fake = taldau_fake.install_fake_taldau(server)
        towns = taldau_fake.write_fake_towns_csv(tmp_path / "towns.csv")
        w = tmp_path / "w.duckdb"
        args = ["run", "--warehouse", str(w), "--source", "taldau", "--no-report"]
        args += ["--taldau-url", fake.base_url, "--taldau-towns", str(towns), "--town", "khromtau"]
        # the first run's archive, then a fresh one: the client's same-day cache (today's
        # responses in the archive) cannot answer, so a run that fetches asks the server
        assert main([*args, "--archive", str(tmp_path / "a1")]) == 0
        first = len(fake.log)
        capsys.readouterr()
        assert main([*args, "--archive", str(tmp_path / "a2")]) == 0
        out = capsys.readouterr().out
        second = len(fake.log) - first
    finally:
        server.clear()
        server.stop()
    assert first > 0 and second == first, (first, second)
    assert "up to date" not in out and ": completed" in out
    assert statuses(w) == ["completed", "completed"]


def test_any_live_source_runs_again_a_non_live_one_is_up_to_date(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    shutil.copytree(bundled_dir(), folder)
    live = SourceSpec(
        "livefolder",
        "a folder read as if it were a live service",
        FILES.implementation,
        live=True,
        options=FILES.options,
        inputs=FILES.inputs,
    )
    monkeypatch.setitem(registry.SOURCES, "livefolder", live)
    w_live, w_files = tmp_path / "live.duckdb", tmp_path / "files.duckdb"
    kw = {"input_dir": str(folder), "report": False}
    assert refresh(warehouse=str(w_live), source="livefolder", **kw).status == "completed"
    assert refresh(warehouse=str(w_live), source="livefolder", **kw).status == "completed"
    assert statuses(w_live) == ["completed", "completed"]
    # the same folder as the (not live) files source: the second run has nothing to do
    assert refresh(warehouse=str(w_files), source="files", **kw).status == "completed"
    assert refresh(warehouse=str(w_files), source="files", **kw).status == "up_to_date"
    # offline, a live source's run is known by its archive: up to date the second time
    kw["offline"] = True
    assert refresh(warehouse=str(w_live), source="livefolder", **kw).status == "completed"
    assert refresh(warehouse=str(w_live), source="livefolder", **kw).status == "up_to_date"
