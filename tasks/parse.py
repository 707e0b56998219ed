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
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from schemas.inputs import RULES, InputSpec

_NUM_PLAIN = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_NUM_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$")
_NUM_ENGLISH = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
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
    """Read CSV or XLSX bytes into an all-text frame (empty cells are ``""``)."""
    if not data.strip():
        raise ReadError(f"{filename}: file is empty")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise ReadError(f"{filename}: not a readable XLSX workbook ({exc})") from None
        frame = frame.fillna("")
    else:
        text = decode_text(data)
        header = text.splitlines()[0] if text.splitlines() else ""
        if header.lstrip().lower().startswith(("<!doctype", "<html", "{", "[")):
            raise ReadError(f"{filename}: looks like HTML/JSON, not a CSV table")
        delimiter = max([",", ";", "\t"], key=header.count)
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                quoting=csv.QUOTE_MINIMAL,
                skipinitialspace=False,
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ReadError(f"{filename}: not a readable CSV table ({exc})") from None
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return frame.apply(lambda s: s.astype(str).str.strip())


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


def _row_key(frame: pd.DataFrame, spec: InputSpec, i: int) -> str:
    return "|".join(str(frame.at[i, k]) for k in spec.key if k in frame.columns)


def type_frame(
    text: pd.DataFrame, spec: InputSpec, *, source: str, filename: str
) -> tuple[pd.DataFrame, list[Issue]]:
    """Convert an all-text frame to the spec's types; one :class:`Issue` per bad cell.

    Missing required columns are a single error. Extra columns are a warning and are dropped
    from the typed frame (they stay in the raw archive).
    """
    issues: list[Issue] = []

    def issue(check, message, severity="error", row=None, column=None, observed=None):
        issues.append(
            Issue(
                source=source,
                table_name=spec.name,
                check_name=check,
                severity=severity,
                message=message,
                file=filename,
                file_row=None if row is None else int(row) + 2,
                row_key=None if row is None else _row_key(text, spec, row),
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
                    f"{filename} row {i + 2}, column {col}: {RULES['required']}",
                    row=i,
                    column=col,
                    observed="",
                )
        if kind == "str":
            out[col] = values.astype(object)
        elif kind in ("number", "int"):
            parsed = [parse_number(v) for v in values]
            bad = pd.Series([v is None for v in parsed], index=values.index)
            parsed = pd.Series(
                [np.nan if v is None else v for v in parsed], index=values.index, dtype=float
            )
            for i in values.index[bad]:
                issue(
                    "type:number",
                    f"{filename} row {i + 2}, column {col}: {values[i]!r} {RULES['type:number']}",
                    row=i,
                    column=col,
                    observed=values[i],
                )
            nums = parsed
            if kind == "int":
                frac = nums.notna() & (nums != nums.round())
                for i in values.index[frac]:
                    issue(
                        "type:int",
                        f"{filename} row {i + 2}, column {col}: {values[i]!r} {RULES['type:int']}",
                        row=i,
                        column=col,
                        observed=values[i],
                    )
                nums = nums.where(~frac, np.nan)
                out[col] = nums.astype("Int64") if nums.isna().any() else nums.astype("int64")
            else:
                out[col] = nums
            out[f"{col}__text"] = values.astype(object)
        elif kind == "bool":
            low = values.str.lower()
            ok = low.isin(_TRUE | _FALSE) | low.eq("")
            for i in values.index[~ok]:
                issue(
                    "type:bool",
                    f"{filename} row {i + 2}, column {col}: {values[i]!r} {RULES['type:bool']}",
                    row=i,
                    column=col,
                    observed=values[i],
                )
            out[col] = low.isin(_TRUE)
        else:  # pragma: no cover - spec typo
            raise ValueError(f"unknown column type {kind!r} for {spec.name}.{col}")
    return out, issues
