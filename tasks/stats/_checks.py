"""Input validators shared by the statistics modules (pingouin-style checks).

Every validator raises :class:`ValueError` whose message names the argument and the rule
it breaks, e.g. ``"table must hold whole-number counts, got 1.6 at (0, 0)"``.  They
return the input converted to a float numpy array so that callers work on one type.

Plain functions; no Prefect imports, no imports from sibling modules.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "as_float_matrix",
    "as_float_vector",
    "check_alternative",
    "check_choice",
    "check_conf_level",
    "check_counts",
    "check_same_length",
    "check_table",
]

_ALTERNATIVES = {
    "two-sided": "two-sided",
    "two.sided": "two-sided",
    "greater": "greater",
    "less": "less",
}


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices``, else ``ValueError``."""
    options = tuple(choices)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_alternative(alternative: Any) -> str:
    """Normalised alternative: ``two-sided`` (also R's ``two.sided``), ``greater``, ``less``."""
    if not isinstance(alternative, str) or alternative not in _ALTERNATIVES:
        raise ValueError(
            "alternative must be 'two-sided' (or 'two.sided'), 'greater' or 'less', "
            f"got {alternative!r}"
        )
    return _ALTERNATIVES[alternative]


def check_conf_level(conf_level: Any) -> float:
    """``conf_level`` as a float strictly between 0 and 1."""
    if (
        isinstance(conf_level, bool)
        or not isinstance(conf_level, Real)
        or not np.isfinite(conf_level)
        or not 0.0 < float(conf_level) < 1.0
    ):
        raise ValueError(f"conf_level must be a number in (0, 1), got {conf_level!r}")
    return float(conf_level)


def as_float_vector(values: Any, name: str) -> np.ndarray:
    """A 1-D float array with NaN for missing values (None, ``pd.NA``)."""
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"{name} must be one-dimensional, got a DataFrame")
    try:
        if isinstance(values, (pd.Series, pd.Index)):
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            try:
                arr = np.asarray(values, dtype=float)
            except (TypeError, ValueError):
                # e.g. a list holding pd.NA, or numeric strings
                series = pd.Series(np.asarray(values, dtype=object).ravel())
                arr = pd.to_numeric(series, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from exc
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def as_float_matrix(data: Any, name: str = "data") -> tuple[np.ndarray, list[str]]:
    """A 2-D float matrix (NaN for missing and non-finite values) plus column names.

    Column names come from a DataFrame, else ``V1, V2, ...`` (as R's ``as.data.frame``).
    The matrix is column-major, so per-column work reads contiguous memory.
    """
    try:
        if isinstance(data, pd.DataFrame):
            names = [str(c) for c in data.columns]
            mat = data.to_numpy(dtype=float, na_value=np.nan)
        else:
            mat = np.asarray(data, dtype=float)
            names = [f"V{j + 1}" for j in range(mat.shape[1])] if mat.ndim == 2 else []
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from exc
    if mat.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional, got shape {mat.shape}")
    mat = np.asfortranarray(mat)
    finite = np.isfinite(mat)
    if not finite.all():
        mat = np.asfortranarray(np.where(finite, mat, np.nan))
    return mat, names


def _where(bad: np.ndarray) -> str:
    """Index of the first offending cell: ``3`` or ``(0, 1)``."""
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return str(index[0] if len(index) == 1 else index)


def _check_count_cells(arr: np.ndarray, name: str) -> None:
    """Each cell a finite, non-negative whole number (R: 'all entries ... non-negative')."""
    rules = (
        (np.isnan(arr), "must not hold NaN counts (a missing count is not a zero)"),
        (np.isinf(arr), "must hold finite counts"),
        (arr < 0, "must hold non-negative counts"),
        (arr != np.floor(arr), "must hold whole-number counts"),
    )
    with np.errstate(invalid="ignore"):
        for bad, rule in rules:
            if bad.any():
                raise ValueError(f"{name} {rule}, got {arr[bad][0]:g} at {_where(bad)}")


def check_counts(counts: Any, name: str = "counts") -> np.ndarray:
    """A 1-D float array of finite, non-negative whole-number counts."""
    arr = as_float_vector(counts, name)
    _check_count_cells(arr, name)
    return arr


def check_table(table: Any, name: str = "table") -> np.ndarray:
    """A 2-D, non-empty int64 table of finite, non-negative whole-number counts."""
    if isinstance(table, pd.DataFrame):
        table = table.to_numpy(dtype=float, na_value=np.nan)
    try:
        arr = np.asarray(table, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric table of counts: {exc}") from exc
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a two-dimensional table of counts (rows x columns), "
            f"got shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    _check_count_cells(arr, name)
    return arr.astype(np.int64)


def check_same_length(a: np.ndarray, b: np.ndarray, a_name: str, b_name: str) -> None:
    """``a`` and ``b`` have the same length."""
    if a.size != b.size:
        raise ValueError(
            f"{a_name} and {b_name} must have the same length, got {a.size} and {b.size}"
        )
