"""Input payloads (CSV/XLSX bytes) as pandas frames, and the one :class:`Issue` type.

The reading rules are those of :mod:`tasks.stage.read` (documented in ``docs/inputs.md``,
"Input files"), the typing rules those of :mod:`tasks.stage.typed`: :func:`read_table` and
:func:`type_frame` run them in a scratch database of their own and hand back pandas frames, so
a small file read here (a survey export, ``monotowns correlate``) is read exactly as the
pipeline reads its inputs. In short:

* encoding: UTF-8 (with or without BOM); otherwise Windows-1251 (Excel in a Russian locale);
* delimiter: ``,``, ``;`` or tab, sniffed from the header line;
* numbers: the ``analyst`` dialect of :mod:`tasks.numbers` (decimal comma or point; spaces,
  also non-breaking, only as thousands groups: ``1 395``; ``1,234.5`` is read as English
  notation). Anything else is an error naming the cell, never a silent NaN;
* every cell is first read as text, so nothing is coerced behind the user's back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from schemas.inputs import RULES, InputSpec
from tasks.numbers import parse_number as parse_number  # re-exported: the analyst dialect
from tasks.numbers import parse_numbers
from tasks.stage.database import Stage, insert_rows
from tasks.stage.errors import ReadError as ReadError  # re-exported: the reading error
from tasks.stage.frames import to_pandas
from tasks.stage.raw import RawTable
from tasks.stage.read import read_relation, text_frame
from tasks.stage.sniff import Bytes
from tasks.stage.typed import CellFailure, type_relation
from warehouse.sql import ident


@dataclass
class Issue:
    """One data-quality finding; becomes a row of ``meta.quality_issue``."""

    source: str
    table_name: str
    check_name: str
    severity: str  # error | warning
    message: str
    file: str | None = None
    file_row: int | None = None
    row_key: str | None = None
    column_name: str | None = None
    observed: str | None = None

    def as_row(self) -> dict:
        """Plain dict for loading."""
        return dict(self.__dict__)


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """Read CSV or XLSX bytes into an all-text frame (empty cells are ``""``).

    The frame's index is the data row number minus 2 (row 2 = first data row, as a spreadsheet
    shows it): blank rows are dropped but still counted, so issues name the row a user sees.
    :class:`ReadError` if the bytes are not a table.
    """
    stage = Stage(in_memory=True)
    try:
        return text_frame(stage, read_relation(stage, Bytes(data), "table", filename), "table")
    finally:
        stage.remove()


def row_key_texts(frame: pd.DataFrame, key: tuple[str, ...]) -> dict:
    """Natural key text (``a|b|c``) of every row, computed once (files may have 200k rows)."""
    cols = [k for k in key if k in frame.columns]
    if not cols:
        return dict.fromkeys(frame.index, "")
    keys = frame[cols[0]].astype(str)
    for k in cols[1:]:
        keys = keys + "|" + frame[k].astype(str)
    return dict(zip(frame.index, keys, strict=True))


def column_issues(
    present: list[str], spec: InputSpec, *, source: str, filename: str
) -> list[Issue]:
    """The input's columns against ``spec``: missing required columns are one error (nothing
    else of the input can be checked), unknown columns one warning (they are dropped from the
    typed input and stay in the raw archive)."""
    missing = [c for c in spec.required if c not in present]
    if missing:
        message = (
            f"{filename}: missing required column(s) {', '.join(missing)}; "
            f"expected columns: {', '.join(spec.columns)}"
        )
        return [Issue(source, spec.name, "required_columns", "error", message, file=filename)]
    extra = [c for c in present if c not in spec.columns]
    if not extra:
        return []
    message = f"{filename}: unknown column(s) {', '.join(extra)} ignored (kept in the raw archive)"
    return [Issue(source, spec.name, "extra_columns", "warning", message, file=filename)]


def cell_issues(
    failures: list[CellFailure], *, source: str, table: str, filename: str
) -> list[Issue]:
    """One error per cell the typing refused, naming file, row, column, value and rule."""
    issues = []
    for f in failures:
        where = f"{filename} row {f.row}, column {f.column}"
        rule = RULES[f.check]
        message = (
            f"{where}: {rule} [required]"
            if f.check == "required"
            else f"{where}: {f.text!r} {rule} [{f.check}]"
        )
        issues.append(
            Issue(
                source,
                table,
                f.check,
                "error",
                message,
                file=filename,
                file_row=f.row,
                row_key=f.key,
                column_name=f.column,
                observed=f.text,
            )
        )
    return issues


def _records(text: pd.DataFrame) -> Iterator[list[str]]:
    """The header, then one record per file row (blank where ``text`` has no row)."""
    yield [str(c) for c in text.columns]
    rows = dict(zip(text.index, text.astype(str).to_numpy().tolist(), strict=True))
    blank = [""] * len(text.columns)
    for i in range(int(text.index.max()) + 1 if len(text) else 0):
        yield rows.get(i, blank)


def type_frame(
    text: pd.DataFrame, spec: InputSpec, *, source: str, filename: str
) -> tuple[pd.DataFrame, list[Issue]]:
    """Convert an all-text frame (:func:`read_table`) to the spec's types by the typing rules
    of :func:`tasks.stage.typed.type_relation`; one :class:`Issue` per bad cell.

    Missing required columns are a single error. Extra columns are a warning and are dropped
    from the typed frame (they stay in the raw archive).
    """
    issues = column_issues(list(text.columns), spec, source=source, filename=filename)
    if any(i.severity == "error" for i in issues):
        return pd.DataFrame(columns=list(spec.columns)), issues
    stage = Stage(in_memory=True)
    try:
        insert_rows(stage, "text", len(text.columns), _records(text))
        raw = RawTable(ident("text"), tuple(str(c) for c in text.columns))
        failures = type_relation(stage, raw, spec.name, spec.columns, spec.key, spec.required)
        typed = to_pandas(
            stage.con, f"SELECT * FROM {ident(spec.name)} ORDER BY _row", spec.columns
        )
    finally:
        stage.remove()
    issues += cell_issues(failures, source=source, table=spec.name, filename=filename)
    return typed, issues


class NotANumber(ValueError):
    """Non-empty cells that are not numbers; ``cells`` are ``(file_row, column, text)``."""

    def __init__(self, filename: str, cells: list[tuple[int, str, str]]) -> None:
        self.filename = filename
        self.cells = cells
        super().__init__("; ".join(self.messages()))

    def messages(self) -> list[str]:
        """One ``<file> row <r>, column <c>: '<text>' is not a number`` per cell."""
        return [
            f"{self.filename} row {r}, column {c}: {v!r} is not a number" for r, c, v in self.cells
        ]


@dataclass(frozen=True)
class Pairs:
    """Two numeric columns of a file, row by row (NaN where a cell is missing).

    ``rows`` are the file's line numbers (the header is row 1). A pair is complete when both
    values are finite numbers; incomplete pairs are what R's ``cor.test`` drops.
    """

    x_name: str
    y_name: str
    x: pd.Series
    y: pd.Series
    rows: tuple[int, ...]

    def _rows_where(self, mask: np.ndarray) -> list[int]:
        return [r for r, m in zip(self.rows, mask, strict=True) if m]

    @property
    def missing_x(self) -> list[int]:
        """Rows where only x is missing."""
        return self._rows_where(~np.isfinite(self.x.to_numpy()) & np.isfinite(self.y.to_numpy()))

    @property
    def missing_y(self) -> list[int]:
        """Rows where only y is missing."""
        return self._rows_where(np.isfinite(self.x.to_numpy()) & ~np.isfinite(self.y.to_numpy()))

    @property
    def missing_both(self) -> list[int]:
        """Rows where x and y are both missing."""
        return self._rows_where(~np.isfinite(self.x.to_numpy()) & ~np.isfinite(self.y.to_numpy()))

    @property
    def n_dropped(self) -> int:
        """Number of incomplete pairs."""
        return len(self.missing_x) + len(self.missing_y) + len(self.missing_both)

    def dropped_note(self, limit: int = 10) -> str:
        """Why pairs are dropped, e.g. ``2 incomplete pairs dropped (missing a in rows 4, 7;
        missing b in row 9)``; ``""`` when every pair is complete."""
        n = self.n_dropped
        if not n:
            return ""
        if self.x_name == self.y_name:
            parts = [(self.x_name, self.missing_both)]
        else:
            parts = [
                (self.x_name, self.missing_x),
                (self.y_name, self.missing_y),
                (f"{self.x_name} and {self.y_name}", self.missing_both),
            ]
        reasons = []
        for what, rows in parts:
            if rows:
                shown = ", ".join(map(str, rows[:limit]))
                more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
                reasons.append(f"missing {what} in row{'s' if len(rows) > 1 else ''} {shown}{more}")
        pairs = "pair" if n == 1 else "pairs"
        return f"{n} incomplete {pairs} dropped ({'; '.join(reasons)})"


def read_pairs(text: pd.DataFrame, x: str, y: str, *, filename: str) -> Pairs:
    """Columns ``x`` and ``y`` of an all-text frame (:func:`read_table`) as numbers, by the
    ``csv`` dialect of :mod:`tasks.numbers` (empty and ``NA`` are missing).

    Raises :class:`KeyError` naming a missing column, and :class:`NotANumber` listing every
    non-empty cell of the two columns that is not a number (never a silent NaN).
    """
    for col in (x, y):
        if col not in text.columns:
            raise KeyError(col)
    parsed = {}
    bad_cells: list[tuple[int, str, str]] = []
    for col in dict.fromkeys((x, y)):
        values, bad = parse_numbers(text[col], "csv")
        bad_cells += [(int(i) + 2, col, v) for i, v in text[col][bad].items()]
        parsed[col] = values
    if bad_cells:
        order = {x: 0, y: 1}
        raise NotANumber(filename, sorted(bad_cells, key=lambda c: (c[0], order[c[1]])))
    rows = tuple(int(i) + 2 for i in text.index)
    return Pairs(x_name=x, y_name=y, x=parsed[x], y=parsed[y], rows=rows)
