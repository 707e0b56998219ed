"""Turn input payloads (CSV/XLSX bytes) into typed frames, reporting every cell it cannot read.

Reading rules (documented in ``docs/inputs.md``, "Input files"):

* encoding: UTF-8 (with or without BOM); otherwise Windows-1251 (Excel in a Russian locale);
* delimiter: ``,``, ``;`` or tab, sniffed from the header line;
* numbers: the ``analyst`` dialect of :mod:`tasks.numbers` (decimal comma or point; spaces,
  also non-breaking, only as thousands groups: ``1 395``; ``1,234.5`` is read as English
  notation). Anything else is an error naming the cell, never a silent NaN;
* every cell is first read as text, so nothing is coerced behind the user's back.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from schemas.inputs import RULES, InputSpec
from tasks.numbers import parse_number as parse_number  # re-exported: the analyst dialect
from tasks.numbers import parse_numbers

_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_TRUE = {"true", "yes", "1", "да", "y", "t"}
_FALSE = {"false", "no", "0", "нет", "n", "f"}


class ReadError(ValueError):
    """The payload cannot be read as a table at all (empty, not CSV/XLSX, truncated)."""


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


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (BOM stripped), else Windows-1251."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """Read CSV or XLSX bytes into an all-text frame (empty cells are ``""``).

    The frame's index is the data row number minus 2 (row 2 = first data row, as a spreadsheet
    shows it): blank rows are dropped but still counted, so issues name the row a user sees.
    """
    if not data.strip():
        raise ReadError(f"{filename}: file is empty")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        try:
            raw = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl", header=None)
        except Exception as exc:  # a broken workbook can fail anywhere inside zip/openpyxl
            raise ReadError(
                f"{filename}: not a readable XLSX workbook ({type(exc).__name__}: {exc})"
            ) from None
        raw = raw.fillna("")
    else:
        text = decode_text(data)
        if "\x00" in text:
            raise ReadError(
                f"{filename}: contains NUL bytes: binary data or UTF-16 text, not a CSV table "
                "(save it as CSV UTF-8 or Windows-1251)"
            )
        first = next((line for line in io.StringIO(text) if line.strip()), "")
        if first.lstrip().startswith(("<", "{", "[")):
            raise ReadError(f"{filename}: looks like HTML/JSON, not a CSV table")
        header = text.partition("\n")[0]
        delimiter = max([",", ";", "\t"], key=header.count)
        try:
            raw = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                header=None,  # a row with more cells than the header is an error, not an index
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                quoting=csv.QUOTE_MINIMAL,
                skipinitialspace=False,
                skip_blank_lines=False,  # blank rows still count for row numbers
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            m = _TOO_MANY_FIELDS.search(str(exc))
            if m:
                raise ReadError(
                    f"{filename} row {m[2]}: {m[3]} cells, but the header has {m[1]} "
                    f"(delimiter {delimiter!r}; quote cells that contain it)"
                ) from None
            raise ReadError(f"{filename}: not a readable CSV table ({exc})") from None
    raw = raw.astype(str).apply(lambda s: s.str.strip())
    columns = [c.lstrip("\ufeff").strip() for c in raw.iloc[0]] if len(raw) else []
    frame = raw.iloc[1:].copy()
    frame.columns = columns
    frame.index = frame.index - 1
    # an unnamed column is dropped if it is empty (trailing delimiters, formatted Excel cells)
    keep = [j for j, c in enumerate(columns) if c or frame.iloc[:, j].ne("").any()]
    frame = frame.iloc[:, keep]
    names = zip(keep, frame.columns, strict=True)
    frame.columns = [c or f"(unnamed column {j + 1})" for j, c in names]
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dupes:
        raise ReadError(f"{filename}: column(s) {', '.join(dupes)} appear more than once")
    return frame[frame.ne("").any(axis=1)]


def row_key_texts(frame: pd.DataFrame, key: tuple[str, ...]) -> dict:
    """Natural key text (``a|b|c``) of every row, computed once (files may have 200k rows)."""
    cols = [k for k in key if k in frame.columns]
    if not cols:
        return dict.fromkeys(frame.index, "")
    keys = frame[cols[0]].astype(str)
    for k in cols[1:]:
        keys = keys + "|" + frame[k].astype(str)
    return dict(zip(frame.index, keys, strict=True))


def type_frame(
    text: pd.DataFrame, spec: InputSpec, *, source: str, filename: str
) -> tuple[pd.DataFrame, list[Issue]]:
    """Convert an all-text frame to the spec's types; one :class:`Issue` per bad cell.

    Missing required columns are a single error. Extra columns are a warning and are dropped
    from the typed frame (they stay in the raw archive).
    """
    issues: list[Issue] = []
    row_keys: dict = {}

    def issue(check, message, severity="error", row=None, column=None, observed=None):
        if row is not None and not row_keys:
            row_keys.update(row_key_texts(text, spec.key))
        issues.append(
            Issue(
                source=source,
                table_name=spec.name,
                check_name=check,
                severity=severity,
                message=message,
                file=filename,
                file_row=None if row is None else int(row) + 2,
                row_key=None if row is None else row_keys[row],
                column_name=column,
                observed=observed,
            )
        )

    missing = [c for c in spec.required if c not in text.columns]
    if missing:
        issue(
            "required_columns",
            f"{filename}: missing required column(s) {', '.join(missing)}; "
            f"expected columns: {', '.join(spec.columns)}",
        )
        return pd.DataFrame(columns=list(spec.columns)), issues
    extra = [c for c in text.columns if c not in spec.columns]
    if extra:
        issue(
            "extra_columns",
            f"{filename}: unknown column(s) {', '.join(extra)} ignored (kept in the raw archive)",
            severity="warning",
        )
    out = pd.DataFrame(index=text.index)
    for col, kind in spec.columns.items():
        values = text[col] if col in text.columns else pd.Series("", index=text.index)
        if col in spec.required:
            for i in values.index[values.eq("")]:
                issue(
                    "required",
                    f"{filename} row {i + 2}, column {col}: {RULES['required']} [required]",
                    row=i,
                    column=col,
                    observed="",
                )
        if kind == "str":
            out[col] = values.astype(object)
        elif kind in ("number", "int"):
            parsed, bad = parse_numbers(values, "analyst")
            for i, v in values[bad].items():
                issue(
                    "type:number",
                    f"{filename} row {i + 2}, column {col}: {v!r} "
                    f"{RULES['type:number']} [type:number]",
                    row=i,
                    column=col,
                    observed=v,
                )
            nums = parsed
            if kind == "int":
                frac = nums.notna() & (nums != nums.round())
                for i, v in values[frac].items():
                    issue(
                        "type:int",
                        f"{filename} row {i + 2}, column {col}: {v!r} "
                        f"{RULES['type:int']} [type:int]",
                        row=i,
                        column=col,
                        observed=v,
                    )
                nums = nums.where(~frac, np.nan)
                out[col] = nums.astype("Int64") if nums.isna().any() else nums.astype("int64")
            else:
                out[col] = nums
            out[f"{col}__text"] = values.astype(object)
        elif kind == "bool":
            low = values.str.lower()
            ok = low.isin(_TRUE | _FALSE) | low.eq("")
            for i, v in values[~ok].items():
                issue(
                    "type:bool",
                    f"{filename} row {i + 2}, column {col}: {v!r} {RULES['type:bool']} [type:bool]",
                    row=i,
                    column=col,
                    observed=v,
                )
            out[col] = low.isin(_TRUE)
        else:  # pragma: no cover - spec typo
            raise ValueError(f"unknown column type {kind!r} for {spec.name}.{col}")
    return out, issues


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
