"""One write session: every change to the warehouse goes through :func:`write_session`.

A session is the one way to write (the refresh flow, ``survey import``, ``survey analyse``)::

    with write_session(path, "survey_analyse", {"warehouse": path}) as session:
        frames = compute(session.staging)
        with session.transaction() as con:
            counts = replace_results(con, frames)
        session.finish("completed", "", counts)

On entry it takes the single-writer lock (:func:`warehouse.db.writer_lock`), prepares the
staging copy and applies pending migrations (:func:`warehouse.db.prepare_staging`) and inserts
the run's ``meta.pipeline_run`` row (status ``running``). All writes of the block go to the
staging file (:attr:`WriteSession.staging`), each step in its own transaction
(:meth:`WriteSession.transaction`).

On a normal exit it records the status, message and row counts given to
:meth:`WriteSession.finish` (default: ``completed`` and the row count of every table) and
publishes atomically (:func:`warehouse.db.publish`): readers see the warehouse before the
session or after it. A session may finish ``failed`` and still publish (a refused input: its
run row, payloads and issues are kept). If the block raises, the staging copy is discarded and
the published file is untouched; with ``record_failures=True`` a failed run row naming the
error is then published on its own, in a second staging copy.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse import db
from warehouse.versions import package_versions

#: Packages whose versions every run row records.
VERSIONED_PACKAGES = ("monotowns", "prefect", "pandas", "pandera", "duckdb", "scipy")


def utc_now() -> str:
    """Current UTC time as an ISO-8601 string with seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def versions() -> dict[str, str]:
    """Python and package versions of this process, as stored in ``meta.pipeline_run``."""
    return package_versions(VERSIONED_PACKAGES, python=True)


@dataclass
class WriteSession:
    """An open write session (see the module docstring). Write only to :attr:`staging`."""

    warehouse: Path
    staging: Path
    run_id: str
    flow: str
    parameters: dict[str, Any]
    started_at: str
    status: str = "completed"
    message: str = ""
    row_counts: dict[str, int] | None = field(default=None)
    #: what the run read (:mod:`tasks.fingerprint`): recorded with the run row when set
    input_fingerprint: str | None = None
    input_hashes: dict[str, str] | None = None

    def transaction(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A connection to the staging file with one transaction around the block."""
        return db.transaction(self.staging)

    def table_counts(self) -> dict[str, int]:
        """Row count of every raw/core/results/meta table of the staging file now."""
        return db.table_counts(self.staging)

    def finish(
        self, status: str = "completed", message: str = "", row_counts: dict | None = None
    ) -> None:
        """What the run row records when the session ends normally (it is then published).

        ``row_counts=None`` records the row count of every table at the end of the session.
        """
        self.status, self.message, self.row_counts = status, message, row_counts


@contextlib.contextmanager
def write_session(
    path: str | Path,
    flow: str,
    params: dict[str, Any],
    *,
    lock_timeout: float = 30.0,
    run_id: str | None = None,
    holder: str | None = None,
    started_at: str | None = None,
    record_failures: bool = False,
    unrecorded: tuple[type[BaseException], ...] = (),
) -> Iterator[WriteSession]:
    """Lock, stage, migrate, insert the run row; on exit finish the row and publish or discard.

    Parameters
    ----------
    path : the published warehouse file.
    flow : the ``meta.pipeline_run.flow`` of the run (``refresh``, ``survey_import``, ...).
    params : the run's parameters (stored as JSON in the run row).
    lock_timeout : seconds to wait for another writer before :class:`warehouse.db.WarehouseBusy`.
    run_id : the run's id (default a new UUID).
    holder : who holds the lock, shown to a second writer (default ``"<flow> run <run_id>"``).
    started_at : when the run started (default now, before waiting for the lock).
    record_failures : if the block raises, publish a failed run row naming the error.
    unrecorded : exception types that are not recorded even then (a refusal before anything
        was written).
    """
    warehouse = Path(path)
    run_id = run_id or str(uuid.uuid4())
    started_at = started_at or utc_now()
    with db.writer_lock(warehouse, timeout=lock_timeout, holder=holder or f"{flow} run {run_id}"):
        staging = db.prepare_staging(warehouse, run_id=run_id)
        session = WriteSession(warehouse, staging, run_id, flow, params, started_at)
        try:
            with db.transaction(staging) as con:
                _insert_run(con, session)
            yield session
            counts = session.row_counts
            if counts is None:
                counts = session.table_counts()
            with db.transaction(staging) as con:
                _finish_run(con, run_id, session.status, session.message, counts)
                _record_inputs(con, session)
            db.publish(staging, warehouse)
        except BaseException as exc:
            db.discard_staging(warehouse)
            if record_failures and isinstance(exc, Exception) and not isinstance(exc, unrecorded):
                try:
                    _publish_failure(session, f"{type(exc).__name__}: {exc}")
                except Exception as again:  # keep the run's own error; say why none was recorded
                    db.discard_staging(warehouse)
                    exc.add_note(f"the failed run could not be recorded: {again!r}")
            raise


def _insert_run(con: duckdb.DuckDBPyConnection, s: WriteSession) -> None:
    con.execute(
        "INSERT INTO meta.pipeline_run (run_id, flow, parameters, started_at, status, versions) "
        "VALUES (?, ?, ?, ?, 'running', ?) ON CONFLICT (run_id) DO NOTHING",
        [
            s.run_id,
            s.flow,
            json.dumps(s.parameters, ensure_ascii=False),
            s.started_at,
            json.dumps(versions()),
        ],
    )


def _finish_run(con, run_id: str, status: str, message: str, counts: dict) -> None:
    con.execute(
        "UPDATE meta.pipeline_run SET status = ?, message = ?, finished_at = ?, "
        "row_counts = ? WHERE run_id = ?",
        [status, message, utc_now(), json.dumps(counts), run_id],
    )


def _record_inputs(con, s: WriteSession) -> None:
    if s.input_fingerprint is None:
        return
    con.execute(
        "UPDATE meta.pipeline_run SET input_fingerprint = ?, input_hashes = ? WHERE run_id = ?",
        [s.input_fingerprint, json.dumps(s.input_hashes or {}), s.run_id],
    )


def _publish_failure(s: WriteSession, message: str) -> None:
    """After a failed block: publish only the run's failed ``meta.pipeline_run`` row."""
    staging = db.prepare_staging(s.warehouse, run_id=s.run_id)
    with db.transaction(staging) as con:
        _insert_run(con, s)
        _finish_run(con, s.run_id, "failed", message, {})
    db.publish(staging, s.warehouse)


def upgrade_storage(path: str | Path, *, lock_timeout: float = 30.0) -> bool:
    """Rewrite the published warehouse into :data:`warehouse.db.STORAGE_VERSION` if it is in a
    newer format; return whether it was. Any write session does this on its way (so does the
    next ``monotowns run``); this one only rewrites, recorded as a ``storage_rewrite`` run.
    """
    path = Path(path)
    if not path.exists() or not db.needs_rewrite(path):
        return False
    params = {"warehouse": str(path)}
    with write_session(path, "storage_rewrite", params, lock_timeout=lock_timeout):
        pass
    return True
