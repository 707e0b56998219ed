"""Descriptive helpers: means with Student-t intervals and medians, from raw values or
from frequency tables.

Plain functions; no Prefect imports.  Usage errors raise :class:`ValueError`;
data problems (too few observations) give NaN.  Tests of the mean are in
:mod:`tasks.stats.ttest`, Holm's adjustment in :mod:`tasks.stats.multiple` and the
Fisher z steps of a correlation interval in :mod:`tasks.stats.correlation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from tasks.stats._checks import as_float_vector as _float_vector
from tasks.stats._checks import check_conf_level as _check_conf_level

__all__ = ["mean_ci", "median_from_counts"]


def _frequency_table(levels: Any, counts: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validated (levels, counts) float arrays; ``levels`` may come from ``counts``."""
    if levels is None and isinstance(counts, Mapping):
        levels, counts = list(counts.keys()), list(counts.values())
    elif levels is None and isinstance(counts, pd.Series):
        levels, counts = counts.index.to_numpy(), counts.to_numpy()
    c = _float_vector(counts, "counts")
    if levels is None:
        lv = np.arange(1, c.size + 1, dtype=float)
    else:
        lv = _float_vector(levels, "levels")
    if lv.size != c.size:
        raise ValueError(f"levels and counts must have the same length, got {lv.size} and {c.size}")
    if np.isnan(lv).any() or not np.isfinite(lv).all():
        raise ValueError("levels must be finite numbers")
    c = np.where(np.isnan(c), 0.0, c)  # a missing count is an empty cell
    if not np.isfinite(c).all() or (c < 0).any():
        raise ValueError("counts must be finite and non-negative (NaN counts as 0)")
    return lv, c


def mean_ci(
    values: Any = None,
    *,
    counts: Any = None,
    levels: Any = None,
    conf_level: float = 0.95,
) -> dict[str, float | int]:
    """Mean, standard deviation and Student-t confidence interval of the mean.

    Works on raw values or on a frequency table (how many respondents gave each
    level), giving identical results for the same data.

    Parameters
    ----------
    values : array-like, optional
        Raw observations; NaN / None / ``pd.NA`` are dropped.  Give either
        ``values`` or ``counts``.
    counts : array-like, mapping or pandas.Series, optional
        Number of observations at each level.  A mapping ``{level: count}`` or a
        Series indexed by level supplies ``levels`` itself.  Missing counts are
        taken as 0.
    levels : array-like, optional
        Numeric value of each level of ``counts``; defaults to ``1, 2, ..., k``
        (a k-point Likert scale).
    conf_level : float, default 0.95
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    dict
        ``mean``, ``sd`` (sample standard deviation, n-1 denominator), ``n``,
        ``ci_low`` and ``ci_high`` (``mean -+ t_{(1+conf_level)/2, n-1} sd/sqrt(n)``,
        as R ``t.test(values)$conf.int``).  With ``n == 0`` everything but ``n``
        is NaN; with ``n == 1`` the mean is defined but ``sd`` and the interval
        are NaN.

    Raises
    ------
    ValueError
        Both or neither of ``values`` and ``counts`` given, ``conf_level``
        outside (0, 1), negative counts, mismatched ``levels`` and ``counts``,
        non-numeric input.

    Examples
    --------
    >>> r = mean_ci(counts={1: 2, 2: 3, 3: 5})
    >>> r["n"], round(r["mean"], 2)
    (10, 2.3)
    """
    conf_level = _check_conf_level(conf_level)
    if (values is None) == (counts is None):
        raise ValueError("give exactly one of values or counts")
    if values is not None:
        if levels is not None:
            raise ValueError("levels only applies together with counts")
        v = _float_vector(values, "values")
        v = v[np.isfinite(v)]
        lv, c = v, np.ones(v.size)
    else:
        lv, c = _frequency_table(levels, counts)
    n = float(c.sum())
    n_out = int(n) if n.is_integer() else n
    if n <= 0:
        return {"mean": np.nan, "sd": np.nan, "n": n_out, "ci_low": np.nan, "ci_high": np.nan}
    mean = float(c @ lv) / n
    if n <= 1:
        return {"mean": mean, "sd": np.nan, "n": n_out, "ci_low": np.nan, "ci_high": np.nan}
    dev = lv - mean
    sd = float(np.sqrt(float(c @ (dev * dev)) / (n - 1.0)))
    half = float(special.stdtrit(n - 1.0, (1.0 + conf_level) / 2.0) * sd / np.sqrt(n))
    return {"mean": mean, "sd": sd, "n": n_out, "ci_low": mean - half, "ci_high": mean + half}


def median_from_counts(levels: Any, counts: Any) -> float:
    """Median of the data described by a frequency table.

    The sample median of the expanded data ``repeat(levels, counts)`` (R
    ``median(rep(levels, counts))``): the middle value, or the average of the two
    middle values when the total count is even.  No interpolation within levels.

    Parameters
    ----------
    levels : array-like
        Numeric value of each level, in any order.
    counts : array-like
        Non-negative whole number of observations at each level (NaN means 0).

    Returns
    -------
    float
        The median; NaN when the total count is 0.

    Raises
    ------
    ValueError
        Mismatched lengths, negative or fractional counts, non-numeric input.

    Examples
    --------
    >>> median_from_counts([1, 2, 3, 4, 5], [1, 1, 0, 1, 1])
    3.0
    """
    lv, c = _frequency_table(levels, counts)
    if not np.all(c == np.floor(c)):
        raise ValueError("counts must be whole numbers for a median")
    order = np.argsort(lv, kind="stable")
    lv, c = lv[order], c[order].astype(np.int64)
    total = int(c.sum())
    if total == 0:
        return float("nan")
    cum = np.cumsum(c)
    # 0-based positions of the middle observation(s) in the sorted expansion
    lo_pos, hi_pos = (total - 1) // 2, total // 2
    lo = lv[np.searchsorted(cum, lo_pos, side="right")]
    hi = lv[np.searchsorted(cum, hi_pos, side="right")]
    return float((lo + hi) / 2.0)
