"""Turn input payloads (CSV/XLSX bytes) into typed frames, reporting every cell it cannot read.

Reading rules (documented in the README, "Input files"):

* encoding: UTF-8 (with or without BOM); otherwise Windows-1251 (Excel in a Russian locale);
* delimiter: ``,``, ``;`` or tab, sniffed from the header line;
* numbers: decimal comma or point; spaces (also non-breaking) only as thousands groups
  (``1 395``); ``1,234.5`` is read as English notation. Anything else is an error naming the
  cell, never a silent NaN;
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

# ASCII digits only; a comma is a decimal comma unless the text is unambiguously English
# notation: comma groups *and* a decimal point (1,234.5), or two or more groups (1,234,567).
# "0,125" and "13,800" are decimal commas (0.125, 13.8), as the reading rules say.
_NUM_PLAIN = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$", re.ASCII)
_NUM_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$", re.ASCII)
_NUM_ENGLISH = re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3}\.\d+|(?:,\d{3}){2,}(?:\.\d+)?)$", re.ASCII)
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


def parse_number(text: str) -> float | None:
    """Parse one number by the reading rules; ``None`` if it is not a number, NaN if empty."""
    t = text.strip()
    if t == "" or t.lower() in {"nan", "na", "null"}:
        return float("nan")
    if _NUM_ENGLISH.match(t):
        return float(t.replace(",", ""))
    if _NUM_PLAIN.match(t) or _NUM_GROUPED.match(t):
        t = re.sub(r"[ \u00a0\u202f]", "", t).replace(",", ".")
        return float(t)
    return None


# Cells that need no locale rule: unsigned ASCII digits with an optional decimal point or comma
# (never English notation: that needs two comma groups or a comma and a point). They are
# converted in one vectorised cast; every other non-empty cell goes through parse_number.
_FAST_NUMBER = r"[0-9]{1,15}(?:[.,][0-9]{1,15})?"


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_number` over a text column, vectorised for plain cells.

    Returns the floats (NaN where empty or missing) and a mask of the cells that are not numbers
    (where :func:`parse_number` returns ``None``). Same values as calling it cell by cell.
    """
    n = len(values)
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    try:
        fast = values.str.fullmatch(_FAST_NUMBER).fillna(False).to_numpy(dtype=bool)
        empty = values.eq("").fillna(False).to_numpy(dtype=bool)
    except (AttributeError, TypeError):  # not a text column: cell by cell, as parse_number does
        fast = empty = np.zeros(n, dtype=bool)
    if fast.any():
        plain = values[fast]
        if plain.str.contains(",", regex=False).any():
            plain = plain.str.replace(",", ".", regex=False)
        if getattr(plain.dtype, "storage", None) == "pyarrow":  # Arrow's cast: 15x pandas'
            import pyarrow as pa
            import pyarrow.compute as pc

            out[fast] = pc.cast(pa.array(plain.array), pa.float64()).to_numpy()
        else:
            out[fast] = plain.astype(float).to_numpy(dtype=float)
    for pos in np.flatnonzero(~(fast | empty)):  # signs, groups, English notation, "NA", ...
        v = parse_number(values.iat[pos])
        if v is None:
            bad[pos] = True
        else:
            out[pos] = v
    return pd.Series(out, index=values.index), pd.Series(bad, index=values.index)


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
            parsed, bad = parse_numbers(values)
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
