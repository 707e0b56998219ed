"""Synthetic benchmark data with fixed seeds (re-generated only when missing).

* An observations folder in the ``--source files`` input format: ``towns.csv`` (synthetic towns
  ``t00001`` ...), ``indicators.csv`` (100 indicators, 10 of them in ``%``) and
  ``observations.csv`` (``town_id, indicator_id, year, value, note``), one row per
  town x indicator x year (20 years, 2004-2023), towns added until the row count is reached.
  About 0.1 % of values are empty (each one a ``value_missing`` warning, as in real files) and
  0.5 % carry a note. The same table is written as ``observations.parquet`` (typed columns) in
  a sibling folder, for the Parquet baseline.
* A second vintage of the same keys (``vintage=2``): 1 % of values revised, for the revision path.
* Survey microdata: ``n`` respondents x 20 Likert items (1-5, int8) driven by two latent
  factors, as ``survey_likert.npy`` and ``survey_likert.parquet``.

``python -m bench.generate --rows 1000000`` writes under ``bench/_data/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np

from bench.common import DATA_DIR

N_INDICATORS = 100
PCT_INDICATORS = 10  # the first 10 indicators are percentages (rule: value <= 100)
YEARS = np.arange(2004, 2024)
SEED = 20250101


def _label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows % 1000 == 0:
        return f"{rows // 1000}k"
    return str(rows)


def observations_dir(rows: int, vintage: int = 1, base: Path = DATA_DIR) -> Path:
    """Folder of the CSV input set with ``rows`` observations (vintage 1 or 2)."""
    return base / f"obs_{_label(rows)}_v{vintage}"


def _manifest_ok(folder: Path, params: dict) -> bool:
    m = folder / "manifest.json"
    try:
        return json.loads(m.read_text()) == params
    except (OSError, ValueError):
        return False


def _write_manifest(folder: Path, params: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(params, indent=1))


def observation_table(rows: int, vintage: int = 1):
    """The observations as a pyarrow table (town_id, indicator_id, year, value, note)."""
    import pyarrow as pa

    per_town = N_INDICATORS * len(YEARS)
    n_towns = -(-rows // per_town)
    rng = np.random.default_rng(SEED)
    idx = np.arange(rows, dtype=np.int64)
    town = idx // per_town
    ind = (idx // len(YEARS)) % N_INDICATORS
    year = YEARS[idx % len(YEARS)].astype(np.int32)
    # a per-(town, indicator) level times a yearly drift: realistic magnitudes, 1 decimal
    level = rng.lognormal(mean=6.0, sigma=2.0, size=(n_towns, N_INDICATORS))
    drift = 1.0 + 0.03 * rng.standard_normal(rows)
    value = np.round(level[town, ind] * drift, 1)
    pct = ind < PCT_INDICATORS
    value[pct] = np.round(rng.uniform(0.0, 100.0, int(pct.sum())), 1)
    missing = rng.random(rows) < 0.001
    noted = rng.random(rows) < 0.005
    if vintage > 1:  # a later vintage revises 1 % of the values (same seed for the rest)
        rev_rng = np.random.default_rng(SEED + vintage)
        revised = rev_rng.random(rows) < 0.01
        value[revised & ~pct] = np.round(value[revised & ~pct] * 1.01, 1)
        value[revised & pct] = np.round(value[revised & pct] * 0.99, 1)
    town_names = np.array([f"t{i:05d}" for i in range(n_towns)], dtype=object)
    ind_names = np.array([f"ind{j:03d}" for j in range(N_INDICATORS)], dtype=object)
    note = np.full(rows, None, dtype=object)
    note[noted] = "estimate"
    return pa.table(
        {
            "town_id": pa.DictionaryArray.from_arrays(
                pa.array(town.astype(np.int32)), pa.array(town_names, pa.string())
            ).cast(pa.string()),
            "indicator_id": pa.DictionaryArray.from_arrays(
                pa.array(ind.astype(np.int32)), pa.array(ind_names, pa.string())
            ).cast(pa.string()),
            "year": pa.array(year),
            "value": pa.array(value, mask=missing),
            "note": pa.array(note, pa.string()),
        }
    ), n_towns


def _write_reference(folder: Path, n_towns: int) -> None:
    lines = ["town_id,name_en,region,confirmed,status,source"]
    lines += [
        f"t{i:05d},Town {i},Region {i % 17},true,current,synthetic benchmark"
        for i in range(n_towns)
    ]
    (folder / "towns.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["indicator_id,name,unit,topic"]
    for j in range(N_INDICATORS):
        unit = "%" if j < PCT_INDICATORS else ("persons" if j % 2 else "mln KZT")
        lines.append(f"ind{j:03d},Indicator {j},{unit},synthetic")
    (folder / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate_observations(rows: int, vintage: int = 1, base: Path = DATA_DIR) -> Path:
    """Write (or reuse) the CSV input folder and its Parquet twin; return the CSV folder."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    folder = observations_dir(rows, vintage, base)
    pq_folder = folder.with_name(folder.name + "_parquet")
    params = {"rows": rows, "vintage": vintage, "seed": SEED, "format": 2}
    if _manifest_ok(folder, params) and _manifest_ok(pq_folder, params):
        return folder
    for f in (folder, pq_folder):
        shutil.rmtree(f, ignore_errors=True)
        f.mkdir(parents=True)
    table, n_towns = observation_table(rows, vintage)
    pacsv.write_csv(
        table,
        folder / "observations.csv",
        pacsv.WriteOptions(include_header=True, quoting_style="none"),
    )
    pq.write_table(table, pq_folder / "observations.parquet", compression="zstd")
    for f in (folder, pq_folder):
        _write_reference(f, n_towns)
        _write_manifest(f, params)
    return folder


#: Above this many rows the CSV is written in chunks (bounded memory) and has no Parquet twin.
CHUNKED_ABOVE = 10_000_000
CHUNK_ROWS = 5_000_000


def generate_observations_chunked(rows: int, base: Path = DATA_DIR) -> Path:
    """The CSV input folder of ``rows`` observations written in chunks of :data:`CHUNK_ROWS`
    (same shape as :func:`generate_observations`, vintage 1, no Parquet twin): 50M rows are
    ~5 GB of CSV that would not fit in memory as one table. Fixed seeds per chunk."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    folder = observations_dir(rows, 1, base)
    params = {"rows": rows, "vintage": 1, "seed": SEED, "format": "chunked-1"}
    if _manifest_ok(folder, params):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    per_town = N_INDICATORS * len(YEARS)
    n_towns = -(-rows // per_town)
    level = np.random.default_rng(SEED).lognormal(mean=6.0, sigma=2.0, size=(n_towns, N_INDICATORS))
    town_names = pa.array([f"t{i:05d}" for i in range(n_towns)], pa.string())
    ind_names = pa.array([f"ind{j:03d}" for j in range(N_INDICATORS)], pa.string())
    with open(folder / "observations.csv", "wb") as out:
        for k, start in enumerate(range(0, rows, CHUNK_ROWS)):
            rng = np.random.default_rng([SEED, k])
            idx = np.arange(start, min(rows, start + CHUNK_ROWS), dtype=np.int64)
            n = len(idx)
            town = idx // per_town
            ind = (idx // len(YEARS)) % N_INDICATORS
            value = np.round(level[town, ind] * (1.0 + 0.03 * rng.standard_normal(n)), 1)
            pct = ind < PCT_INDICATORS
            value[pct] = np.round(rng.uniform(0.0, 100.0, int(pct.sum())), 1)
            note = pa.array(np.where(rng.random(n) < 0.005, "estimate", None), pa.string())
            table = pa.table(
                {
                    "town_id": pa.DictionaryArray.from_arrays(
                        pa.array(town.astype(np.int32)), town_names
                    ).cast(pa.string()),
                    "indicator_id": pa.DictionaryArray.from_arrays(
                        pa.array(ind.astype(np.int32)), ind_names
                    ).cast(pa.string()),
                    "year": pa.array(YEARS[idx % len(YEARS)].astype(np.int32)),
                    "value": pa.array(value, mask=rng.random(n) < 0.001),
                    "note": note,
                }
            )
            pacsv.write_csv(
                table,
                out,
                pacsv.WriteOptions(include_header=start == 0, quoting_style="none"),
            )
    _write_reference(folder, n_towns)
    _write_manifest(folder, params)
    return folder


def generate_analyst_folder(
    towns: int = 15_000, years: range = range(1991, 2026), base: Path = DATA_DIR
) -> Path:
    """The held-out analyst-file case of issue 16: ``towns`` x 4 GRP indicators x 35 years
    (2.1M rows at 15 000 towns) as an analyst's Excel export writes them: ``;`` delimiter,
    decimal comma, space thousands groups (``1 234,5``), a ``source_table`` column; with its
    ``towns.csv``. For ``monotowns validate DIR`` (the bundled indicators)."""
    folder = base / f"analyst_{_label(towns * 4 * len(years))}"
    params = {"towns": towns, "years": [years.start, years.stop], "seed": SEED, "format": 1}
    if _manifest_ok(folder, params):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    inds = ("grp_industry", "grp_mining", "grp_manufacturing", "grp_services")
    rng = np.random.default_rng(SEED)
    lines = ["town_id,name_en,confirmed"] + [f"a{i:05d},Town {i},true" for i in range(towns)]
    (folder / "towns.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(folder / "observations.csv", "w", encoding="utf-8") as out:
        out.write("town_id;indicator_id;year;value;source_table\n")
        for i in range(towns):
            level = rng.lognormal(7.0, 1.5, len(inds))
            chunk = []
            for j, ind in enumerate(inds):
                for y in years:
                    v = level[j] * (1 + 0.03 * (y - years.start))
                    whole, frac = divmod(round(v * 10), 10)
                    text = f"{whole:,}".replace(",", " ") + f",{frac}"
                    chunk.append(f"a{i:05d};{ind};{y};{text};Regional accounts\n")
            out.write("".join(chunk))
    _write_manifest(folder, params)
    return folder


def survey_path(rows: int, items: int = 20, base: Path = DATA_DIR) -> Path:
    """``.npy`` file of the Likert matrix (``.parquet`` beside it)."""
    return base / f"survey_{_label(rows)}x{items}.npy"


def likert_matrix(rows: int, items: int = 20, seed: int = SEED) -> np.ndarray:
    """``rows`` x ``items`` answers 1-5 (int8), two latent factors plus noise."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((rows, 2))
    load = rng.uniform(0.2, 0.8, size=(2, items)) * np.where(np.arange(items) % 2, 1, -1)
    latent = f @ load + rng.standard_normal((rows, items))
    cuts = np.array([-1.2, -0.4, 0.4, 1.2])
    return (np.searchsorted(cuts, latent) + 1).astype(np.int8)


def generate_survey(rows: int, items: int = 20, base: Path = DATA_DIR) -> Path:
    """Write (or reuse) the survey matrix as ``.npy`` and ``.parquet``; return the ``.npy``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = survey_path(rows, items, base)
    pq_path = path.with_suffix(".parquet")
    if path.exists() and pq_path.exists():
        return path
    base.mkdir(parents=True, exist_ok=True)
    mat = likert_matrix(rows, items)
    np.save(path, mat)
    pq.write_table(
        pa.table({f"q{j + 1:02d}": mat[:, j] for j in range(items)}), pq_path, compression="zstd"
    )
    return path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    p.add_argument("--rows", type=int, default=1_000_000, help="observation rows")
    p.add_argument("--survey-rows", type=int, default=1_000_000)
    p.add_argument("--out", type=Path, default=DATA_DIR)
    a = p.parse_args(argv)
    print(generate_observations(a.rows, 1, a.out))
    print(generate_observations(a.rows, 2, a.out))
    print(generate_survey(a.survey_rows, 20, a.out))


if __name__ == "__main__":
    main()
