"""Is the published warehouse already the result of these inputs? (``meta.pipeline_run``)

The runs that changed the warehouse are every published ``meta.pipeline_run`` row except
``failed`` ones (a refused or crashed run leaves core and results as they were) and
``up_to_date`` ones (a run that found nothing to do). The warehouse is up to date for an input
fingerprint when the latest of those is a ``completed`` ``refresh`` run that recorded the same
``input_fingerprint``. Reads the published file read-only; never waits for the writer lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

#: Statuses of runs that did not change core or results.
NO_CHANGE = ("failed", "up_to_date", "running")


@dataclass(frozen=True)
class LastRun:
    """The latest run that changed the warehouse."""

    run_id: str
    flow: str
    status: str
    finished_at: str  # "YYYY-MM-DD HH:MM:SS UTC"
    fingerprint: str | None
    parts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class History:
    """What :func:`read_history` found for one fingerprint."""

    latest: LastRun | None  # the latest run that changed the warehouse (None: none, no file)
    #: the latest changing run that is not a completed refresh with this fingerprint: the
    #: "epoch" a cache key of these inputs is valid in ("" when there is none)
    epoch: str = ""
    reason: str = ""  # why the history could not be read (no file, an older schema)

    def up_to_date(self, fingerprint: str | None) -> bool:
        """Whether the latest changing run is a completed refresh of ``fingerprint``."""
        last = self.latest
        return bool(
            fingerprint
            and last is not None
            and last.flow == "refresh"
            and last.status == "completed"
            and last.fingerprint == fingerprint
        )


_SQL = """
SELECT run_id, flow, status,
       strftime(timezone('UTC', finished_at), '%Y-%m-%d %H:%M:%S') || ' UTC',
       input_fingerprint, input_hashes
FROM meta.pipeline_run
WHERE status NOT IN ('failed', 'up_to_date', 'running')
ORDER BY finished_at DESC NULLS LAST, started_at DESC
"""


def read_history(warehouse: str | Path, fingerprint: str | None) -> History:
    """The latest changing run of ``warehouse`` and the cache epoch of ``fingerprint``."""
    path = Path(warehouse)
    if not path.exists():
        return History(None, "", reason="no warehouse yet")
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.execute(_SQL).fetchall()
    except duckdb.Error as exc:  # an older warehouse (no input_fingerprint column yet), ...
        return History(None, "", reason=f"run history unreadable: {type(exc).__name__}")
    runs = [
        LastRun(str(r[0]), r[1], r[2], r[3] or "", r[4], json.loads(r[5]) if r[5] else {})
        for r in rows
    ]
    epoch = next(
        (
            r.run_id
            for r in runs
            if not (r.flow == "refresh" and r.status == "completed" and r.fingerprint)
            or r.fingerprint != fingerprint
        ),
        "",
    )
    return History(runs[0] if runs else None, epoch)


def up_to_date_message(last: LastRun) -> str:
    """``up to date: run <id> of <time>``."""
    return f"up to date: run {last.run_id} of {last.finished_at}"
