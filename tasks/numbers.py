"""The project's one number parser, with a named dialect per kind of input.

=========  ==================================================  ==============================
dialect    used for                                            rules
=========  ==================================================  ==============================
analyst    files analysts type or export (``--source files``,  :func:`analyst_number`
           survey answers, printed study figures)
csv        generic CSV files (``monotowns correlate``)         :func:`csv_number`
taldau     values of the Taldau API                            :func:`taldau_reading`
=========  ==================================================  ==============================

Every dialect answers the same three questions about a cell: is it a number (``ok``), is it
missing (``missing``; NaN, never 0), or is it not a number (``unparseable``; the caller reports
it, never a silent NaN)? Taldau adds ``suppressed`` (the bureau's confidential ``x``).

* :func:`parse_number` -- one cell: the float, NaN if missing, ``None`` if not a number;
* :func:`parse_numbers` -- a text column, vectorised for plain cells (the ingest hot path);
* :func:`read_number` -- one cell as a :class:`Reading` (value, status, note).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

Dialect = Literal["analyst", "csv", "taldau"]
DIALECTS: tuple[str, ...] = ("analyst", "csv", "taldau")

_MISSING_WORDS = {"nan", "na", "null"}
# ASCII digits only; a comma is a decimal comma unless the text is unambiguously English
# notation: comma groups *and* a decimal point (1,234.5), or two or more groups (1,234,567).
# "0,125" and "13,800" are decimal commas (0.125, 13.8), as the reading rules say.
_NUM_PLAIN = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$", re.ASCII)
_NUM_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$", re.ASCII)
_NUM_ENGLISH = re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3}\.\d+|(?:,\d{3}){2,}(?:\.\d+)?)$", re.ASCII)
_GROUP_SPACE = re.compile(r"[ \u00a0\u202f]")
_NUM_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$", re.ASCII)

_SUPPRESSED = {"x", "х"}  # Latin x and Cyrillic х look the same in the source
_DASHES = {"-", "–", "—"}
_ELLIPSES = {"...", "…"}
_ANY_SPACE = re.compile(r"[\s\u00a0\u202f]")

# Cells that need no dialect rule: unsigned ASCII digits with an optional decimal point or comma.
# They read the same in every dialect (never English notation: that needs two comma groups or a
# comma and a point), so they are converted in one vectorised cast; every other non-empty cell
# goes through the dialect's cell rule.
_FAST_NUMBER = r"[0-9]{1,15}(?:[.,][0-9]{1,15})?"


@dataclass(frozen=True)
class Reading:
    """One cell read by a dialect: ``value`` is NaN unless ``status`` is ``"ok"``."""

    value: float
    status: str  # one of schemas.inputs.VALUE_STATUSES
    note: str = ""


def analyst_number(text: str) -> float | None:
    """Dialect ``analyst``: numbers in files people type or export from Excel.

    * missing (NaN): empty, ``NA``, ``NaN``, ``null`` (any case);
    * ASCII digits, an optional sign, a decimal point *or* comma: ``13.5``, ``14,0``, ``-2``,
      ``+3``; a comma is a decimal comma (``0,125`` = 0.125, ``13,800`` = 13.8) ...
    * ... unless the text is unambiguously English notation: comma groups and a decimal point
      (``1,234.5``) or two or more comma groups (``1,234,567``);
    * spaces (also non-breaking and narrow non-breaking) only as thousands groups of three
      digits: ``1 395``, ``1 395,5``;
    * anything else is not a number (``None``): ``1e3``, ``105 6``, ``187, 0``, ``1.2.3``,
      ``.5``, ``1.``, ``x``, ``abc``.

    Leading and trailing whitespace is ignored.
    """
    t = text.strip()
    if t == "" or t.lower() in _MISSING_WORDS:
        return math.nan
    if _NUM_ENGLISH.match(t):
        return float(t.replace(",", ""))
    if _NUM_PLAIN.match(t) or _NUM_GROUPED.match(t):
        return float(_GROUP_SPACE.sub("", t).replace(",", "."))
    return None


def csv_number(text: str) -> float | None:
    """Dialect ``csv``: numbers in a generic CSV file, as R's ``read.csv`` writes them.

    * every rule of the ``analyst`` dialect (:func:`analyst_number`), including its missing
      values: empty, ``NA``, ``NaN``, ``null`` (any case);
    * and scientific notation, which R's ``write.csv`` produces: ``1e-3``, ``1.5E+03``,
      ``-2e10``, ``2,5e-3`` (mantissa as in ``analyst``, ASCII digits); a result that overflows
      (``1e999``) is not a number.

    Anything else is not a number (``None``).
    """
    value = analyst_number(text)
    if value is not None:
        return value
    t = text.strip()
    if _NUM_SCIENTIFIC.match(t):
        value = float(t.replace(",", "."))
        return value if math.isfinite(value) else None
    return None


def taldau_reading(raw: Any) -> Reading:
    """Dialect ``taldau``: one value of a Taldau API response (JSON string or number).

    * ``None``, absent or ``""`` -> ``missing``;
    * ``"x"`` (Latin or Cyrillic, any case) -> ``suppressed`` (confidential);
    * ``"-"``, ``"–"``, ``"—"`` -> ``missing`` with a note (statistical convention for "no such
      phenomenon"; never 0); ``"..."``, ``"…"`` -> ``missing`` (data not available);
    * a JSON number -> its value (``unparseable`` if not finite; a JSON boolean is
      ``unparseable``);
    * a string: every whitespace character is removed (``" 1 234,5 "``), a comma becomes the
      decimal point (``"3,5"`` = 3.5), then it is read as Python's ``float`` reads it (so
      ``"1e3"`` = 1000); a string with both ``,`` and ``.`` (``"1,234.5"``) is ambiguous and
      ``unparseable``, as is anything ``float`` refuses or a result that is not finite
      (``"NaN"``, ``"inf"``).
    """
    nan = math.nan
    if raw is None:
        return Reading(nan, "missing")
    if isinstance(raw, bool):
        return Reading(nan, "unparseable", "boolean value")
    if isinstance(raw, (int, float)):
        value = float(raw)
        if math.isfinite(value):
            return Reading(value, "ok")
        return Reading(nan, "unparseable", "not finite")
    if not isinstance(raw, str):
        return Reading(nan, "unparseable", f"unexpected JSON type {type(raw).__name__}")
    text = raw.strip()
    if not text:
        return Reading(nan, "missing")
    if text.lower() in _SUPPRESSED:
        return Reading(nan, "suppressed", "suppressed by the statistics bureau ('x': confidential)")
    if text in _DASHES:
        return Reading(nan, "missing", "dash in source (no such phenomenon); not converted to 0")
    if text in _ELLIPSES:
        return Reading(nan, "missing", "ellipsis in source (data not available)")
    compact = _ANY_SPACE.sub("", text)
    if "," in compact and "." in compact:
        return Reading(nan, "unparseable", "both ',' and '.' in number; ambiguous")
    try:
        value = float(compact.replace(",", "."))
    except ValueError:
        return Reading(nan, "unparseable", "not a number")
    if not math.isfinite(value):
        return Reading(nan, "unparseable", "not finite")
    return Reading(value, "ok")


def _check_dialect(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}; got {dialect!r}")
    return dialect


def read_number(raw: Any, dialect: Dialect = "analyst") -> Reading:
    """Read one cell by ``dialect``'s rules into a :class:`Reading` (value, status, note)."""
    if _check_dialect(dialect) == "taldau":
        return taldau_reading(raw)
    value = (analyst_number if dialect == "analyst" else csv_number)(raw)
    if value is None:
        return Reading(math.nan, "unparseable", "not a number")
    return Reading(value, "missing" if math.isnan(value) else "ok")


def parse_number(text: Any, dialect: Dialect = "analyst") -> float | None:
    """Parse one cell by ``dialect``'s rules: the float, NaN if missing, ``None`` if not a number.

    In the ``taldau`` dialect a suppressed value is not a number (``None``) either.
    """
    if dialect == "analyst":  # the hot path: no Reading built
        return analyst_number(text)
    if _check_dialect(dialect) == "csv":
        return csv_number(text)
    reading = taldau_reading(text)
    if reading.status == "ok":
        return reading.value
    return math.nan if reading.status == "missing" else None


def parse_numbers(values: pd.Series, dialect: Dialect = "analyst") -> tuple[pd.Series, pd.Series]:
    """:func:`parse_number` over a text column, vectorised for plain cells.

    Returns the floats (NaN where empty or missing) and a mask of the cells that are not numbers
    (where :func:`parse_number` returns ``None``). Same values as calling it cell by cell.
    """
    _check_dialect(dialect)
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
        v = parse_number(values.iat[pos], dialect)
        if v is None:
            bad[pos] = True
        else:
            out[pos] = v
    return pd.Series(out, index=values.index), pd.Series(bad, index=values.index)
