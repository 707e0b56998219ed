"""Load validated frames, raw payloads, results and run bookkeeping into a warehouse file.

Every function takes a *path* and opens its own connection; each write is one transaction.
Loads are idempotent: reloading the same inputs leaves identical core and results rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable

import duckdb
import pandas as pd

from schemas.inputs import OBSERVATION_COLUMNS, OBSERVATION_KEY
from tasks.parse import Issue
from tasks.schema import primary_key, table_columns
from tasks.sources.base import Payload
from tasks.stage import StagedFrame
from tasks.studies import CORE_TABLES as STUDY_CORE_TABLES
from tasks.studies import RENAMES as STUDY_RENAMES
from warehouse.sql import ident, literal, qualified

INLINE_PAYLOAD_LIMIT = 16 * 1024 * 1024  # bytes kept inside raw.payload; larger ones by path

#: Input name -> its core table (generic inputs, then every study's). The columns loaded and the
#: natural key are read from the warehouse itself (:mod:`tasks.schema`):
#: the migrations declare them once. Observations are handled separately (vintages).
CORE_TABLES: dict[str, str] = {
    "towns": "core.town",
    "indicators": "core.indicator",
    "surveys": "core.survey",
    "survey_respondents": "core.survey_respondent_category",
    "survey_perception": "core.survey_perception_count",
    "survey_support_scores": "core.survey_support_score_count",
    **STUDY_CORE_TABLES,
}
#: The registry's frames (:func:`tasks.validate.add_registry`): input name -> core table, loaded
#: on every run before the inputs (a ``towns.csv`` input then overrides the columns it gives).
REGISTRY_TABLES: dict[str, str] = {
    "territories": "core.territory",
    "registry_towns": "core.town",
    "town_territories": "core.town_territory",
}
# core.observation column order: the observation shape without row_ref, run_id after vintage
_STORED = [c for c in OBSERVATION_COLUMNS if c != "row_ref"]
_AT = _STORED.index("vintage") + 1
OBS_COLS = [*_STORED[:_AT], "run_id", *_STORED[_AT:]]


def _unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a registered frame; in a transaction aborted by an error DuckDB refuses even that,
    and raising here would hide the error that aborted it (e.g. a duplicate key)."""
    with contextlib.suppress(duckdb.TransactionException):
        con.unregister(name)


def upsert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, key: list[str]):
    """Insert or replace ``frame`` rows into ``table`` by ``key`` (frame must be deduplicated)."""
    if frame.empty:
        return
    cols = list(frame.columns)
    con.register("_upsert", frame)
    try:
        updates = ", ".join(f"{ident(c)} = excluded.{ident(c)}" for c in cols if c not in key)
        conflict = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        con.execute(
            f"INSERT INTO {qualified(table)} ({', '.join(map(ident, cols))}) "
            f"SELECT {', '.join(map(ident, cols))} FROM _upsert "
            f"ON CONFLICT ({', '.join(map(ident, key))}) {conflict}"
        )
    finally:
        _unregister(con, "_upsert")


def payload_rows(payloads: Iterable[Payload], archive_paths: dict[str, str], run_id: str):
    """Rows of ``raw.payload`` for ``payloads`` (bytes inlined up to the limit)."""
    rows = []
    for p in payloads:
        rows.append(
            {
                "content_hash": p.content_hash,
                "source": p.source,
                "kind": p.kind,
                "uri": p.uri,
                "fetched_at": p.fetched_at,
                "size_bytes": p.size_bytes,
                "archive_path": archive_paths.get(p.content_hash),
                "meta": json.dumps(p.meta, ensure_ascii=False, default=str),
                "content": p.read_bytes() if p.size_bytes <= INLINE_PAYLOAD_LIMIT else None,
                "first_run_id": run_id,
            }
        )
    return rows


def record_payloads(con, payloads: list[Payload], archive_paths: dict[str, str], run_id: str):
    """Insert payloads not yet in ``raw.payload`` (content-addressed, first sighting kept)."""
    rows = payload_rows(payloads, archive_paths, run_id)
    if not rows:
        return
    frame = pd.DataFrame(rows).drop_duplicates("content_hash")
    con.register("_raw", frame)
    try:
        con.execute(
            "INSERT INTO raw.payload SELECT content_hash, source, kind, uri, "
            "CAST(fetched_at AS TIMESTAMPTZ), size_bytes, archive_path, CAST(meta AS JSON), "
            "content, first_run_id FROM _raw ON CONFLICT (content_hash) DO NOTHING"
        )
    finally:
        _unregister(con, "_raw")


def issue_id(issue: Issue) -> str:
    """Stable id of a quality issue (its natural key), so re-runs do not duplicate it."""
    key = "|".join(
        str(x)
        for x in (
            issue.source,
            issue.table_name,
            issue.file,
            issue.file_row,
            issue.row_key,
            issue.column_name,
            issue.check_name,
            issue.observed,
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def record_issues(con, issues: list[Issue], run_id: str, now: str) -> None:
    """Upsert quality issues: first/last run that saw each one."""
    if not issues:
        return
    frame = pd.DataFrame([i.as_row() for i in issues])
    frame.insert(0, "issue_id", [issue_id(i) for i in issues])
    frame = frame.drop_duplicates("issue_id")
    frame["file_row"] = frame["file_row"].astype("Int64")
    frame["first_run_id"] = run_id
    frame["last_run_id"] = run_id
    frame["first_seen_at"] = pd.Timestamp(now)
    frame["last_seen_at"] = pd.Timestamp(now)
    con.register("_qi", frame)
    try:
        con.execute(
            "INSERT INTO meta.quality_issue (issue_id, source, table_name, file, file_row, "
            "row_key, column_name, check_name, severity, observed, message, first_run_id, "
            "last_run_id, first_seen_at, last_seen_at) SELECT issue_id, source, table_name, file,"
            " file_row, row_key, column_name, check_name, severity, observed, message, "
            "first_run_id, last_run_id, first_seen_at, last_seen_at FROM _qi "
            "ON CONFLICT (issue_id) DO UPDATE SET last_run_id = excluded.last_run_id, "
            "last_seen_at = excluded.last_seen_at, message = excluded.message"
        )
    finally:
        _unregister(con, "_qi")


def _observations_source(con, obs, run_id: str) -> tuple[str, list[str]]:
    """Make ``_obs`` (the rows to load, core.observation's columns) visible to ``con``; returns
    the SQL that undoes it. A staged frame is read where it is (the stage database attached
    read-only); a pandas frame (a source's parsed rows) is registered."""
    if isinstance(obs, StagedFrame):
        obs.stage.close()  # its own connection: the file is attached read-only here
        con.execute(f"ATTACH {literal(obs.stage.path)} AS _stage (READ_ONLY)")
        cols = ", ".join(
            "CAST(vintage AS TIMESTAMPTZ) AS vintage"
            if c == "vintage"
            else ("CAST(? AS VARCHAR) AS run_id" if c == "run_id" else ident(c))
            for c in OBS_COLS
        )
        sql = f"SELECT {cols} FROM _stage.main.{ident(obs.table)}"
        # a prepared parameter cannot live in a view: the run id is a literal
        sql = sql.replace("CAST(? AS VARCHAR)", literal(run_id))
        con.execute(f"CREATE OR REPLACE TEMP VIEW _obs AS {sql}")
        return ["DROP VIEW IF EXISTS _obs", "DETACH _stage"]
    # assign, not copy(): with copy-on-write the input is not duplicated
    frame = obs.assign(run_id=run_id, vintage=pd.to_datetime(obs["vintage"], utc=True))[OBS_COLS]
    con.register("_obs", frame)
    return ["unregister"]


def load_observations(con, obs, run_id: str, now: str) -> dict[str, int]:
    """Upsert current observations set-wise; a changed value moves the old row to the history
    table (``core.observation_history``), all in SQL (anti-joins on the natural key).

    ``obs`` is a :class:`~tasks.stage.StagedFrame` (the validated rows, still in the stage
    database: no pandas round trip) or a pandas frame of the observation shape. The key is
    unique in ``obs`` (validation's ``unique_key`` rule refuses a duplicate before any load),
    so ``core.observation`` needs no key index for it to stay unique.
    An unchanged value keeps its vintage and run, so a re-run changes nothing.
    """
    undo = _observations_source(con, obs, run_id)
    try:
        key = " AND ".join(f"o.{ident(c)} = n.{ident(c)}" for c in OBSERVATION_KEY)
        changed = (
            "(o.value IS DISTINCT FROM n.value OR o.value_status <> n.value_status "
            "OR o.raw_value IS DISTINCT FROM n.raw_value OR o.unit <> n.unit)"
        )
        # counts from the INSERT's own result row: RETURNING would ship every row to Python
        (revised,) = con.execute(
            f"INSERT INTO core.observation_history SELECT o.*, ?::TIMESTAMPTZ, ? "
            f"FROM core.observation o JOIN _obs n ON {key} WHERE {changed}",
            [now, run_id],
        ).fetchall()[0]
        if revised:
            con.execute(f"DELETE FROM core.observation o USING _obs n WHERE {key} AND {changed}")
        (current,) = con.execute("SELECT count(*) FROM core.observation").fetchall()[0]
        if current:
            (inserted,) = con.execute(
                f"INSERT INTO core.observation SELECT * FROM _obs n WHERE NOT EXISTS "
                f"(SELECT 1 FROM core.observation o WHERE {key})"
            ).fetchall()[0]
            # notes and provenance text may be corrected without a new vintage (rows whose
            # text differs only: rewriting every row would rewrite the whole table on each run)
            con.execute(
                f"UPDATE core.observation o SET note = n.note, source_ref = n.source_ref "
                f"FROM _obs n WHERE {key} AND (o.note IS DISTINCT FROM n.note "
                f"OR o.source_ref IS DISTINCT FROM n.source_ref)"
            )
        else:  # an empty table (first load of a warehouse): one plain insert
            (inserted,) = con.execute("INSERT INTO core.observation SELECT * FROM _obs").fetchall()[
                0
            ]
    finally:
        for sql in undo:
            if sql == "unregister":
                _unregister(con, "_obs")
            else:
                with contextlib.suppress(duckdb.Error):
                    con.execute(sql)
    return {"observations_new_or_revised": inserted, "observations_revised": revised}


def load_core(con, frames: dict[str, pd.DataFrame], run_id: str, now: str) -> dict[str, int]:
    """Load every validated input frame into its core table (caller owns the transaction)."""
    counts: dict[str, int] = {}
    for name, table in {**REGISTRY_TABLES, **CORE_TABLES}.items():
        if name not in frames:
            continue
        frame = frames[name].rename(columns=STUDY_RENAMES.get(name, {}))
        frame = frame[[c for c in table_columns(con, table) if c in frame.columns]]
        upsert(con, table, frame, primary_key(con, table))
        counts[table] = len(frame)
    if "observations" in frames:
        counts.update(load_observations(con, frames["observations"], run_id, now))
    return counts


def replace_results(con, results: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Replace each results table by the new frame (columns must match the migration)."""
    counts = {}
    for table, frame in results.items():
        cols = [r[0] for r in con.execute(f"DESCRIBE {qualified(table)}").fetchall()]
        if frame.empty:  # an analysis with no input rows: nothing to check column by column
            frame = frame.reindex(columns=cols)
        missing = set(cols) - set(frame.columns)
        if missing:
            raise ValueError(f"{table}: result frame lacks columns {sorted(missing)}")
        con.execute(f"DELETE FROM {qualified(table)}")
        if len(frame):
            con.register("_res", frame[cols])
            try:
                con.execute(f"INSERT INTO {qualified(table)} SELECT * FROM _res")
            finally:
                _unregister(con, "_res")
        counts[table] = len(frame)
    return counts
