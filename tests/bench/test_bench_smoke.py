"""Smoke test of the benchmark suite: generators and every benchmark at a tiny scale.

Asserts only that each benchmark produces ratio numbers (no timing assertions: the machine is
shared). Also checks the vectorised number reading against the cell-by-cell rule it replaces.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bench import __main__ as bench_main
from bench.generate import (
    generate_observations,
    generate_survey,
    likert_matrix,
    observation_table,
)
from tasks.parse import parse_number, parse_numbers


def test_generators_are_deterministic_and_referentially_complete(tmp_path):
    a, towns = observation_table(4_000)
    b, _ = observation_table(4_000)
    assert a.equals(b) and a.num_rows == 4_000
    folder = generate_observations(4_000, base=tmp_path)
    obs = pd.read_csv(folder / "observations.csv", dtype=str, keep_default_na=False)
    known_towns = set(pd.read_csv(folder / "towns.csv", dtype=str)["town_id"])
    known_inds = set(pd.read_csv(folder / "indicators.csv", dtype=str)["indicator_id"])
    assert set(obs["town_id"]) <= known_towns and len(known_towns) == towns
    assert set(obs["indicator_id"]) <= known_inds
    assert not obs.duplicated(["town_id", "indicator_id", "year"]).any()
    assert (folder.with_name(folder.name + "_parquet") / "observations.parquet").exists()
    mat = np.load(generate_survey(500, base=tmp_path))
    assert mat.shape == (500, 20) and mat.min() >= 1 and mat.max() <= 5
    assert np.array_equal(mat, likert_matrix(500))


@pytest.mark.subprocess
def test_every_benchmark_yields_ratios(tmp_path):
    result = bench_main.run_all(
        "tiny", {"ingest", "correlations", "refresh"}, tmp_path / "work", data=tmp_path / "data"
    )
    names = [r.benchmark for r in result["rows"]]
    assert any(n.startswith("ingest CSV") for n in names)
    assert any("Kendall" in n for n in names) and any("Spearman" in n for n in names)
    assert any(n.startswith("refresh") for n in names)
    for row in result["rows"]:
        assert math.isfinite(row.ratio) and row.ratio > 0, row.benchmark
        assert math.isfinite(row.rss_ratio) and row.rss_ratio > 0, row.benchmark
    text = bench_main.render(result, {"cpu": "test"}, "python -m bench --scale tiny", 1.0)
    assert "| benchmark |" in text and "ingest CSV" in text


@pytest.mark.parametrize("dtype", ["str", object])
def test_vectorised_numbers_match_the_cell_rule(dtype):
    cells = ["14,0", "13.5", "1 395", "1\u00a0395,5", "-2", "1,234.5", "531,0", "0.0", "", "NA"]
    cells += ["105 6", "abc", "187, 0", " 7 ", "007", "1,234,567", "+3", "1.", ".5", "9" * 30]
    values = pd.Series(cells, dtype=dtype, index=range(10, 10 + len(cells)))
    floats, bad = parse_numbers(values)
    for i, text in values.items():
        expected = parse_number(text)
        if expected is None:
            assert bad[i], text
        elif math.isnan(expected):
            assert not bad[i] and math.isnan(floats[i]), text
        else:
            assert not bad[i] and floats[i] == expected, text
