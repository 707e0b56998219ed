"""Typed stage tables as pandas: :func:`to_pandas` for small inputs, and :class:`StagedFrame`,
the stand-in for a pandas frame whose rows stay in the stage database."""

from __future__ import annotations

import duckdb
import pandas as pd

from tasks.stage.database import Stage
from warehouse.sql import ident


def to_pandas(
    con: duckdb.DuckDBPyConnection, sql: str, columns: dict[str, str], *, index_from_row=True
) -> pd.DataFrame:
    """A small typed table (:func:`~tasks.stage.typed.type_relation`) as a pandas frame
    (index = file row - 2; whole-number columns int64, Int64 where a cell is empty)."""
    frame = con.execute(sql).df()
    if index_from_row and "_row" in frame.columns:
        frame.index = pd.Index(frame.pop("_row").astype("int64") - 2)
    for col, kind in columns.items():
        if col not in frame.columns:
            continue
        if kind == "int":
            frame[col] = frame[col].astype("Int64" if frame[col].isna().any() else "int64")
        elif kind == "number":
            frame[col] = frame[col].astype("float64")
        elif kind == "bool":
            frame[col] = frame[col].astype(bool)
        if kind != "str":
            frame[f"{col}__text"] = frame[f"{col}__text"].astype(object)
        else:
            frame[col] = frame[col].astype(object)
    return frame


class StagedFrame:
    """A validated input that stays in the stage database: what :class:`~tasks.sources.base.Batch`
    holds for observations, so no stage keeps every row as Python objects.

    The loader reads it set-wise (:attr:`stage`, :attr:`table`). Anything else that asks for
    pandas (tests, small folders) gets the rows materialised once, ordered by ``order``:
    attribute access and ``[...]`` are the pandas frame's.
    """

    def __init__(self, stage: Stage, table: str, order: tuple[str, ...]) -> None:
        self.stage = stage
        self.table = table
        self.order = order
        self._frame: pd.DataFrame | None = None
        self._len: int | None = None

    def _read(self, sql: str) -> pd.DataFrame:
        if self.stage._con is not None:
            return self.stage.con.execute(sql).df()
        with duckdb.connect(str(self.stage.path), read_only=True) as con:
            return con.execute(sql).df()

    def __len__(self) -> int:
        if self._len is None:
            self._len = int(self._read(f"SELECT count(*) AS n FROM {ident(self.table)}")["n"][0])
        return self._len

    @property
    def columns(self) -> pd.Index:
        """The column names (no rows read)."""
        return self._read(f"SELECT * FROM {ident(self.table)} LIMIT 0").columns

    def to_pandas(self) -> pd.DataFrame:
        """Every row as a pandas frame (for small inputs and tests), ordered by the key."""
        if self._frame is None:
            order = ", ".join(ident(c) for c in self.order)
            frame = self._read(f"SELECT * FROM {ident(self.table)} ORDER BY {order}")
            self._frame = frame.reset_index(drop=True)
        return self._frame

    @property
    def empty(self) -> bool:
        return len(self) == 0

    def __getitem__(self, item):
        return self.to_pandas()[item]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.to_pandas(), name)
