"""Every load count is reported: a run that revises a published value says how many it revised,
on the command line, in its ``meta.pipeline_run`` row and in its ``refresh-summary`` artifact."""

import json

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from flows.cli import main
from tests.reliability.helpers import NEW_VALUE, REVISED_KEY, revise, write_inputs

pytestmark = pytest.mark.flow  # runs the refresh flow: the session's Prefect test server


def latest_counts(path):
    with duckdb.connect(str(path), read_only=True) as con:
        [(counts,)] = con.execute(
            "SELECT row_counts FROM meta.pipeline_run ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
        [(value,)] = con.execute(
            "SELECT value FROM core.observation WHERE territory_id = ? AND indicator_id = ? "
            "AND year = ?",
            list(REVISED_KEY),
        ).fetchall()
    return json.loads(counts), value


def latest_summary_artifact() -> str:
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["refresh-summary"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    return artifact.data


def test_a_run_that_revises_a_value_reports_how_many_it_revised(tmp_path, capsys):
    folder = write_inputs(tmp_path / "in")
    w = tmp_path / "w.duckdb"
    args = ["run", "--warehouse", str(w), "--source", "files", "--input", str(folder)]
    assert main([*args, "--no-report"]) == 0
    first = capsys.readouterr().out
    counts, _ = latest_counts(w)
    loaded = counts["loaded.observations_new_or_revised"]
    assert loaded == counts["core.observation"] > 0 and counts["loaded.observations_revised"] == 0
    assert f"loaded: {loaded} new observation(s), 0 revised" in first

    path = folder / "observations.csv"
    path.write_text(revise(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert main([*args, "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "loaded: 0 new observation(s), 1 revised" in out
    counts, value = latest_counts(w)
    assert value == NEW_VALUE
    assert counts["loaded.observations_revised"] == 1
    assert counts["loaded.observations_new_or_revised"] == 1
    assert counts["core.observation_history"] == 1
    assert "- loaded: 0 new observation(s), 1 revised" in latest_summary_artifact()
