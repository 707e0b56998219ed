"""Ingest benchmark: our validate + load + bookkeeping path against raw DuckDB.

Ours (``--child ours``) is what ``monotowns run --source files --input DIR`` does minus Prefect
and the analyses: ``files.read_folder`` -> archive every payload -> ``validate_payloads`` (with the
bundled reference) -> a write session (lock, staging copy, run row) -> one transaction of
``record_payloads`` + ``record_issues`` + ``load_core`` -> finish the run row -> publish, into a
fresh warehouse.

Baselines, each into a fresh database file:

* ``raw_csv``: ``CREATE TABLE t AS SELECT * FROM read_csv('observations.csv')``;
* ``raw_parquet``: the same from ``read_parquet`` on the Parquet twin of the file.

Time ratio and peak-RSS ratio are ours / raw CSV (the like-for-like input).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import tempfile
from pathlib import Path

from bench.common import DATA_DIR, Row, Stopwatch, emit, interleave

TARGET_TIME = 1.5
TARGET_RSS = 2.0


def _fresh_dir(work: Path) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="ingest-", dir=work))


def child_ours(input_dir: Path, work: Path) -> dict:
    """Our path, plain functions, no Prefect; returns timings and what was loaded."""
    import uuid
    from datetime import date

    from tasks.load import load_core, record_issues, record_payloads
    from tasks.sources import bundled, files
    from tasks.sources.base import archive_payload, utc_now
    from tasks.validate import validate_payloads
    from warehouse.session import write_session

    out = _fresh_dir(work)
    warehouse = out / "monotowns.duckdb"
    archive = out / "raw"
    sw = Stopwatch()
    run_id = str(uuid.uuid4())
    started = utc_now()
    with sw("read"):
        payloads = files.read_folder(input_dir)
        reference = bundled.read_bundled()
    with sw("archive"):
        for p in payloads:
            archive_payload(p, archive)
    with sw("validate"):
        batch = validate_payloads(payloads, reference=reference, today=date.today())
    if batch.errors:
        raise SystemExit(f"unexpected errors: {[i.message for i in batch.errors[:5]]}")
    with contextlib.ExitStack() as stack:
        with sw("staging"):  # lock, staging copy, migrations, run row
            session = stack.enter_context(
                write_session(
                    warehouse,
                    "refresh",
                    {"input_dir": str(input_dir)},
                    lock_timeout=5,
                    run_id=run_id,
                    holder="bench",
                    started_at=started,
                )
            )
        with sw("load"):
            paths = {p.content_hash: str(archive / p.source / p.content_hash) for p in payloads}
            with session.transaction() as con:
                record_payloads(con, payloads, paths, run_id)
                record_issues(con, batch.issues, run_id, started)
                load_core(con, batch.frames, run_id, started)
        with sw("finish"):
            counts = session.table_counts()
            session.finish("completed", "", counts)
        with sw("publish"):
            stack.close()  # the session's exit: finish the run row, publish
    result = {
        "seconds": sw.total,
        "stages": sw.stages,
        "peaks": sw.peaks,
        "rows": counts["core.observation"],
        "issues": counts["meta.quality_issue"],
        "warehouse_mb": warehouse.stat().st_size / 2**20,
    }
    shutil.rmtree(out, ignore_errors=True)
    return result


def child_raw(path: Path, work: Path, kind: str) -> dict:
    """Raw DuckDB: one CREATE TABLE AS SELECT from the file into a fresh database."""
    import time

    import duckdb

    out = _fresh_dir(work)
    t0 = time.perf_counter()
    with duckdb.connect(str(out / "raw.duckdb")) as con:
        reader = "read_parquet" if kind == "parquet" else "read_csv"
        con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}(?)", [str(path)])
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    seconds = time.perf_counter() - t0
    result = {
        "seconds": seconds,
        "rows": rows,
        "warehouse_mb": (out / "raw.duckdb").stat().st_size / 2**20,
    }
    shutil.rmtree(out, ignore_errors=True)
    return result


def child_floor(path: Path, work: Path) -> dict:
    """The warehouse's own floor: typed rows inserted into ``core.observation``.

    DuckDB only, no validation messages: read the CSV as text, cast, and INSERT into a freshly
    migrated warehouse (no key index since migration 010: validation keeps the key unique).
    Whatever our path does, it cannot be faster than this.
    """
    import time

    import duckdb

    from warehouse.db import migrate

    out = _fresh_dir(work)
    t0 = time.perf_counter()
    with duckdb.connect(str(out / "floor.duckdb")) as con:
        migrate(con)
        con.execute(
            "INSERT INTO core.observation SELECT 'town_' || town_id, indicator_id, "
            "CAST(year AS INTEGER), "
            "CAST(value AS DOUBLE), CASE WHEN value IS NULL THEN 'missing' ELSE 'ok' END, value, "
            "'unit', 'files', 'observations.csv', now(), 'run', 'hash', note "
            "FROM read_csv(?, all_varchar = true, header = true)",
            [str(path)],
        )
        rows = con.execute("SELECT count(*) FROM core.observation").fetchone()[0]
        con.execute("CHECKPOINT")
    seconds = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "rows": rows}


def run(rows: int, reps: int, work: Path, parquet: bool = True, data: Path = DATA_DIR) -> list[Row]:
    """Interleaved repetitions of ours, raw CSV (and raw Parquet); returns table rows."""
    from bench.generate import CHUNKED_ABOVE, generate_observations, generate_observations_chunked

    if rows > CHUNKED_ABOVE:  # written in chunks, no Parquet twin (50M rows: ~5 GB of CSV)
        folder = generate_observations_chunked(rows, base=data)
        parquet = False
    else:
        folder = generate_observations(rows, base=data)
    csv = folder / "observations.csv"
    pq = folder.with_name(folder.name + "_parquet") / "observations.parquet"
    paths = {
        "ours": ["bench.ingest", "--child", "ours", "--input", str(folder), "--work", str(work)],
        "raw_csv": ["bench.ingest", "--child", "raw_csv", "--input", str(csv), "--work", str(work)],
    }
    if parquet:
        paths["raw_parquet"] = [
            "bench.ingest", "--child", "raw_parquet", "--input", str(pq), "--work", str(work),
        ]  # fmt: skip
    floor = rows <= 1_000_000  # at 10M rows the floor alone takes ~30-40 s per repetition
    if floor:
        paths["floor_pk"] = [
            "bench.ingest", "--child", "floor_pk", "--input", str(csv), "--work", str(work),
        ]  # fmt: skip
    series = interleave(paths, reps)
    scale = f"{rows:,}".replace(",", " ")
    rows_out = [
        Row(
            "ingest CSV: ours / raw DuckDB read_csv",
            scale,
            series["ours"],
            series["raw_csv"],
            target=f"<= {TARGET_TIME}x time, <= {TARGET_RSS}x RSS",
            ratio_target=TARGET_TIME,
            rss_target=TARGET_RSS,
        )
    ]
    if parquet:
        rows_out.append(
            Row(
                "ingest: ours (CSV) / raw read_parquet",
                scale,
                series["ours"],
                series["raw_parquet"],
                note="second baseline: the same rows from Parquet",
            )
        )
    if floor:
        rows_out.append(
            Row(
                "ingest floor: DuckDB-only typed INSERT into core.observation / raw read_csv",
                scale,
                series["floor_pk"],
                series["raw_csv"],
                note="no validation at all: what loading the typed rows alone costs",
            )
        )
    loaded = {r["rows"] for s in series.values() for r in s.runs}
    if len(loaded) != 1:
        raise RuntimeError(f"paths loaded different row counts: {loaded}")
    return rows_out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ingest")
    p.add_argument("--child", choices=["ours", "raw_csv", "raw_parquet", "floor_pk"])
    p.add_argument("--input", type=Path)
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "monotowns-bench")
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args(argv)
    if a.child == "ours":
        emit(child_ours(a.input, a.work))
    elif a.child == "floor_pk":
        emit(child_floor(a.input, a.work))
    elif a.child in ("raw_csv", "raw_parquet"):
        emit(child_raw(a.input, a.work, a.child.removeprefix("raw_")))
    else:
        from bench.common import fmt_row

        for row in run(a.rows, a.reps, a.work):
            print(fmt_row(row))
            print("  stages:", json.dumps(row.ours.stage_medians()))


if __name__ == "__main__":
    main()
