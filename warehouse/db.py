"""Warehouse file handling: migrations, the single-writer lock, staging and atomic publication.

How a run writes (one writer, readers never blocked):

1. :func:`writer_lock` takes an exclusive ``flock`` on ``<warehouse>.lock`` (bounded wait; the
   lock file names the holder). A second writer waits, then gets :class:`WarehouseBusy`.
2. :func:`prepare_staging` copies the published file to ``<warehouse>.staging`` and applies
   pending migrations there. All writes of the run go to the staging file.
3. :func:`publish` checkpoints and closes the staging file, fsyncs it and ``os.replace``-s it over
   the published file: readers see the state before the run or after it, never in between, and
   since readers open the published file read-only and the writer never opens it, no reader ever
   meets a lock. A crash before step 3 leaves the published file untouched.

Code outside this package does not call these steps itself: it opens a
:func:`warehouse.session.write_session`, which runs them in order with the run's
``meta.pipeline_run`` row.

Storage version: a new warehouse file is created in the storage format of
:data:`STORAGE_VERSION` (the oldest DuckDB line still supported), so that every DuckDB client
from that line on can open it; DuckDB keeps a file's format when it later writes to it. A file
in a newer format (written before this setting existed) is rewritten once into that format by
:func:`prepare_staging` (``COPY FROM DATABASE`` into a new file), recorded in
``meta.storage_rewrite`` and published with the run like any other change.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import socket
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

from warehouse.plugins import study_files
from warehouse.sql import ident, literal

MIGRATIONS_PACKAGE = "warehouse.migrations"

#: Storage format of every warehouse file this package creates: the oldest DuckDB release line
#: still supported (1.4 LTS). Files in this format open in DuckDB 1.4.0 and every later release
#: (1.4.x, 1.5.x, 2.0.x); raise it only when the oldest line that clients embed moves on.
STORAGE_VERSION = "v1.4.0"


class WarehouseBusy(RuntimeError):
    """Another process holds the writer lock."""


class WarehouseMissing(FileNotFoundError):
    """The warehouse file does not exist (no run has published it yet)."""


def _numbered(files) -> list[tuple[int, str, str]]:
    out = []
    for entry in files:
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            out.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def migrations() -> list[tuple[int, str, str]]:
    """Numbered SQL migrations shipped with the package, in order: (version, name, sql)."""
    return _numbered(resources.files(MIGRATIONS_PACKAGE).iterdir())


def study_migrations() -> dict[str, list[tuple[int, str, str]]]:
    """Each study package's own migrations (``tasks/studies/<study>/migrations/NNN_*.sql``),
    in order: ``{study: [(version, name, sql)]}`` (:func:`warehouse.plugins.study_files`)."""
    found = {study: _numbered(files) for study, files in study_files("migrations", ".sql").items()}
    return {study: ms for study, ms in found.items() if ms}


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations in order, each in its own transaction; return names applied.

    The generic migrations first (recorded in ``meta.schema_migration``), then every study
    package's own (:func:`study_migrations`, recorded in ``meta.study_migration`` by study and
    version; named ``<study>/<file>`` in the list returned).
    """
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE TABLE IF NOT EXISTS meta.schema_migration ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    done = {v for (v,) in con.execute("SELECT version FROM meta.schema_migration").fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        with in_transaction(con):
            con.execute(sql)
            con.execute(
                "INSERT INTO meta.schema_migration (version, name) VALUES (?, ?)", [version, name]
            )
        applied.append(name)
    done_studies = set(con.execute("SELECT study, version FROM meta.study_migration").fetchall())
    for study, ms in study_migrations().items():
        for version, name, sql in ms:
            if (study, version) in done_studies:
                continue
            with in_transaction(con):
                con.execute(sql)
                con.execute(
                    "INSERT INTO meta.study_migration (study, version, name) VALUES (?, ?, ?)",
                    [study, version, name],
                )
            applied.append(f"{study}/{name}")
    return applied


@contextlib.contextmanager
def in_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """``BEGIN`` ... ``COMMIT`` on ``con`` around the block; ``ROLLBACK`` if it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextlib.contextmanager
def transaction(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to ``path`` (a staging file) with one transaction around the block."""
    with duckdb.connect(str(path)) as con, in_transaction(con):
        yield con


def table_counts(path: str | Path) -> dict[str, int]:
    """Row count of every table of the raw/core/results/meta schemas of ``path``."""
    with duckdb.connect(str(path)) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema "
            "IN ('raw','core','results','meta') AND table_type = 'BASE TABLE' ORDER BY 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f"SELECT count(*) FROM {ident(s)}.{ident(t)}").fetchone()[0]
            for s, t in tables
        }


def _version_key(tag: str) -> tuple[int, ...]:
    """``'v1.4.0+'`` -> ``(1, 4, 0)``."""
    return tuple(int(part) for part in re.findall(r"\d+", tag)[:3])


def storage_version(path: str | Path) -> str:
    """The storage format of the DuckDB file ``path`` as DuckDB tags it, e.g. ``'v1.4.0+'``.

    Opens the file read-only, in a connection of its own.
    """
    with duckdb.connect() as con:
        con.execute(f"ATTACH {literal(path)} AS probe (READ_ONLY)")
        (tags,) = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = 'probe'"
        ).fetchone()
        con.execute("DETACH probe")
    return str((tags or {}).get("storage_version", ""))


def needs_rewrite(path: str | Path) -> bool:
    """Whether ``path`` is stored in a format newer than :data:`STORAGE_VERSION`."""
    found = storage_version(path)
    return bool(found) and _version_key(found) > _version_key(STORAGE_VERSION)


def rewrite_storage(path: str | Path) -> tuple[str, str] | None:
    """Rewrite ``path`` in place into :data:`STORAGE_VERSION` if it is stored in a newer format.

    ``COPY FROM DATABASE`` copies every schema, table (with its constraints), view, sequence
    and macro into a new file created in that format, which then replaces ``path``. Call only
    on a staging file, under the writer lock. Returns ``(old, new)`` storage versions, or
    ``None`` when nothing had to be done.
    """
    path = Path(path)
    old = storage_version(path)
    if not old or _version_key(old) <= _version_key(STORAGE_VERSION):
        return None
    target = path.with_name(path.name + ".rewrite")
    for stale in (target, _wal(target)):
        stale.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"ATTACH {literal(path)} AS src")
        con.execute("CHECKPOINT src")  # fold a copied WAL into the source first
        con.execute(f"ATTACH {literal(target)} AS dst (STORAGE_VERSION {literal(STORAGE_VERSION)})")
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("CHECKPOINT dst")
        con.execute("DETACH dst")
        con.execute("DETACH src")
    _wal(path).unlink(missing_ok=True)
    os.replace(target, path)
    return old, storage_version(path)


def staging_path(warehouse: str | Path) -> Path:
    """Where a run builds the next version of ``warehouse``."""
    p = Path(warehouse)
    return p.with_name(p.name + ".staging")


def lock_path(warehouse: str | Path) -> Path:
    """The writer-lock file of ``warehouse``."""
    p = Path(warehouse)
    return p.with_name(p.name + ".lock")


@contextlib.contextmanager
def writer_lock(
    warehouse: str | Path, timeout: float = 30.0, holder: str = "monotowns run"
) -> Iterator[None]:
    """Hold the single-writer lock of ``warehouse`` for the duration of the block.

    Waits up to ``timeout`` seconds, then raises :class:`WarehouseBusy` naming the holder.
    The lock is an OS ``flock``: it is released when the process dies, so a crash never leaves
    a stale lock behind.
    """
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    with contextlib.suppress(OSError):
                        info = Path(path).read_text(encoding="utf-8").strip()
                    raise WarehouseBusy(
                        f"warehouse busy: {warehouse} is being written by "
                        f"{info or 'another process'}; waited {timeout:g} s"
                    ) from None
                time.sleep(0.2)
        info = json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "holder": holder,
                "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing releases the flock


def prepare_staging(warehouse: str | Path, run_id: str | None = None) -> Path:
    """Copy the published warehouse (if any) to the staging path and migrate it there.

    Call only while holding :func:`writer_lock`. A stale staging file from a crashed run is
    discarded. A write-ahead log next to the published file (left by another client that opened
    it read-write and crashed) is copied along, so its committed changes are not lost. A new
    file is created in :data:`STORAGE_VERSION`; a copy in a newer format is rewritten into it
    (:func:`rewrite_storage`) and the rewrite recorded in ``meta.storage_rewrite`` with
    ``run_id``.
    """
    warehouse = Path(warehouse)
    staging = staging_path(warehouse)
    for stale in (staging, _wal(staging)):
        stale.unlink(missing_ok=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    rewritten = None
    if warehouse.exists():
        shutil.copyfile(warehouse, staging)
        if _wal(warehouse).exists():
            shutil.copyfile(_wal(warehouse), _wal(staging))
        rewritten = rewrite_storage(staging)
    else:
        # created in the old format on purpose: DuckDB keeps a file's format when it writes to it
        duckdb.connect(
            str(staging), config={"storage_compatibility_version": STORAGE_VERSION}
        ).close()
    with duckdb.connect(str(staging)) as con:
        migrate(con)
        if rewritten:
            con.execute(
                "INSERT INTO meta.storage_rewrite (rewritten_at, run_id, from_version, "
                "to_version, duckdb_version) VALUES (now(), ?, ?, ?, ?)",
                [run_id, rewritten[0], rewritten[1], duckdb.__version__],
            )
    return staging


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def publish(staging: str | Path, warehouse: str | Path) -> None:
    """Atomically replace ``warehouse`` with the fully written ``staging`` file.

    A write-ahead log of the old file must not stay next to the new one (DuckDB would refuse to
    open the pair, so every reader would fail): it is moved aside to ``<warehouse>.wal.superseded``
    first (its committed changes were copied into staging by :func:`prepare_staging`).
    """
    staging = Path(staging)
    with duckdb.connect(str(staging)) as con:
        con.execute("CHECKPOINT")
    with open(staging, "rb") as fh:
        os.fsync(fh.fileno())
    old_wal = _wal(Path(warehouse))
    if old_wal.exists():
        os.replace(old_wal, old_wal.with_name(old_wal.name + ".superseded"))
    os.replace(staging, warehouse)
    dir_fd = os.open(Path(warehouse).parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def discard_staging(warehouse: str | Path) -> None:
    """Remove the staging file of ``warehouse`` (after a failed run)."""
    staging = staging_path(warehouse)
    rewrite = staging.with_name(staging.name + ".rewrite")
    for p in (staging, _wal(staging), rewrite, _wal(rewrite)):
        p.unlink(missing_ok=True)


def connect_readonly(warehouse: str | Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only (what ``monotowns query`` and readers use)."""
    path = Path(warehouse)
    if not path.exists():
        raise WarehouseMissing(
            f"no warehouse at {path}: run `monotowns run --warehouse {path}` first"
        )
    return duckdb.connect(
        str(path),
        read_only=True,
        config={
            # the query sandbox: no files, no ATTACH/COPY TO, no extensions, config locked
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "lock_configuration": True,
        },
    )


def read_with_retry(read, attempts: int = 5, pause: float = 0.05):
    """Run ``read()`` (open, query, close), retrying a transient I/O error from a publish.

    DuckDB opens a database path more than once while connecting; if a publish swaps the file
    between those opens, the connection mixes the old file's header with the new file's blocks
    and fails with an IO Error ("Could not read enough bytes ..."). The published files
    themselves are never damaged, so reading again (a new connection) succeeds. Seen about once
    in 400 reads under 40 back-to-back publications; a real refresh publishes once per run.
    """
    for attempt in range(1, attempts + 1):
        try:
            return read()
        except duckdb.IOException:
            if attempt == attempts:
                raise
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
