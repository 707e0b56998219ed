"""The scratch database: one DuckDB file in a temporary folder per batch of inputs."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterable
from pathlib import Path

import duckdb
import ibis
import ibis.backends.duckdb
import pyarrow as pa

from warehouse.sql import ident

#: DuckDB memory of the scratch database (it spills to its folder beyond this).
MEMORY_LIMIT = "1GB"
BATCH_ROWS = 100_000  # rows per batch where Python reads (blank-line CSV, XLSX)


class Stage:
    """A scratch DuckDB database (file in a temporary folder) for one batch of inputs.

    Tables: ``<input>__raw`` (as read), ``<input>`` (typed, see :mod:`tasks.validate`) and
    views derived from them. The folder is removed when the stage is garbage collected.
    ``in_memory``: the database lives in memory (spilling to the folder), for a small file read
    and dropped at once (:func:`tasks.parse.read_table`); its tables end with the connection.
    """

    def __init__(self, directory: str | Path | None = None, *, in_memory: bool = False) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="monotowns-stage-", dir=directory))
        self.path = self.dir / "stage.duckdb"
        self.in_memory = in_memory
        self._con: duckdb.DuckDBPyConnection | None = None
        self._ibis = None
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.dir), True)
        #: how pandera's row positions in each typed relation map to rows: "row+2" (a view,
        #: position p is file row p + 2) or "rowid" (a table, position p is its rowid p)
        self.positions: dict[str, str] = {}

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The read-write connection (opened on first use, again after :meth:`close`)."""
        if self._con is None:
            self._con = duckdb.connect(
                ":memory:" if self.in_memory else str(self.path),
                config={
                    "memory_limit": MEMORY_LIMIT,
                    "temp_directory": str(self.dir / "spill"),
                    "preserve_insertion_order": True,
                },
            )
        return self._con

    @property
    def ibis(self):
        """An Ibis backend on :attr:`con` (what the pandera schemas run on)."""
        if self._ibis is None:
            self._ibis = ibis.duckdb.from_connection(self.con.cursor())
        return self._ibis

    def close(self) -> None:
        """Close the connection (the file stays for the loader to attach read-only)."""
        if self._con is not None:
            self._con.close()
        self._con = None
        self._ibis = None

    def remove(self) -> None:
        """Close and delete the scratch folder."""
        self.close()
        self._finalizer()


def insert_rows(stage: Stage, table: str, n: int, rows: Iterable[list[str]]) -> None:
    """Create ``table`` (``c0..c{n-1}`` VARCHAR) and insert ``rows`` in batches of
    :data:`BATCH_ROWS`, in order (the table's ``rowid`` is the row's position in ``rows``)."""
    names = [f"c{j}" for j in range(n)]
    cols = ", ".join(f"{ident(c)} VARCHAR" for c in names)
    stage.con.execute(f"CREATE OR REPLACE TABLE {ident(table)} ({cols})")
    batch: list[list[str]] = []

    def flush() -> None:
        if batch:
            arrow = pa.table({c: [r[j] for r in batch] for j, c in enumerate(names)})
            stage.con.register("_batch", arrow)
            stage.con.execute(f"INSERT INTO {ident(table)} SELECT * FROM _batch")
            stage.con.unregister("_batch")
            batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            flush()
    flush()
