"""Correlation tests that reproduce R's ``cor.test`` as tidy rows.

Two entry points:

* :func:`correlate` -- one pair of variables, one tidy row (a ``dict``).
* :func:`correlation_matrix` -- every unordered pair of columns of a table, one
  tidy row per pair (a :class:`pandas.DataFrame`), computed in one pass.

Both return the same keys, in this order: ``analysis, x, y, method, n, estimate,
p_value, ci_low, ci_high, ci_level, note``.

What each method computes (see ``docs/statistics.md`` for the references):

``pearson``
    Pearson's r; p-value from the t statistic ``sqrt(n-2) r / sqrt(1-r^2)`` with
    ``n-2`` degrees of freedom; Fisher-z confidence interval with standard error
    ``1/sqrt(n-3)`` (needs ``n >= 4``).  Equals R ``cor.test(x, y)``, including the
    one-sided intervals ``[-1, upper]`` (``less``) and ``[lower, 1]`` (``greater``).
``spearman``
    Spearman's rho = Pearson's r of the average ranks; p-value from the t
    approximation with ``n-2`` degrees of freedom, as R
    ``cor.test(x, y, method="spearman", exact=FALSE)``.  R gives no interval; ours
    is Fisher-z with the Bonett & Wright (2000) standard error
    ``sqrt((1 + rho^2/2)/(n-3))`` (needs ``n >= 4``).
``kendall``
    Kendall's tau-b; p-value from the normal approximation of ``S`` (concordant
    minus discordant pairs) with R's tie-corrected variance, as R
    ``cor.test(x, y, method="kendall", exact=FALSE)`` (``continuity=FALSE``).  R gives
    no interval; ours is Fisher-z with the Fieller, Hartley & Pearson (1957)
    standard error ``sqrt(0.437/(n-4))`` (needs ``n >= 5``).

Usage errors (unknown method or alternative, ``conf_level`` outside ``(0, 1)``,
arrays of different length, non-numeric data) raise :class:`ValueError`.  Data
problems (fewer than 3 complete pairs, a constant variable) never raise: the row
carries NaN estimate, p-value and interval and the reason in ``note``.
Non-finite values (NaN, None, ``pd.NA``, +-inf) are treated as missing and the
incomplete pairs are dropped (R's ``complete.cases``).

The computation lives in :mod:`tasks.stats._correlation_engine` (vectorised over pairs);
this module checks the arguments and shapes the rows.  Plain functions; no Prefect imports.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import special

from tasks.stats._checks import (
    as_float_matrix,
    as_float_vector,
    check_alternative,
    check_conf_level,
    check_same_length,
)
from tasks.stats._correlation_engine import matrix_columns, pair_columns

__all__ = ["COLUMNS", "METHODS", "FisherZ", "correlate", "correlation_matrix", "fisher_z_ci"]


#: Keys of a result row, in order.
COLUMNS: tuple[str, ...] = (
    "analysis",
    "x",
    "y",
    "method",
    "n",
    "estimate",
    "p_value",
    "ci_low",
    "ci_high",
    "ci_level",
    "note",
)

#: Supported methods.
METHODS: tuple[str, ...] = ("pearson", "spearman", "kendall")


def _check_method(method: str) -> str:
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return method.lower()


def correlate(
    x: Any,
    y: Any,
    method: str = "pearson",
    alternative: str = "two-sided",
    conf_level: float = 0.95,
    analysis: str = "",
    x_name: str = "x",
    y_name: str = "y",
) -> dict[str, Any]:
    """Test the correlation of two variables; return one tidy row.

    Parameters
    ----------
    x, y : array-like
        Paired observations (lists, numpy arrays, pandas Series) of equal length.
        Missing values (NaN, None, ``pd.NA``) and infinities mark a pair as
        incomplete; incomplete pairs are dropped.
    method : {"pearson", "spearman", "kendall"}, default "pearson"
        Correlation coefficient and test; see the module docstring.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative hypothesis; ``"two.sided"`` (R's spelling) is accepted.
        ``"greater"`` is positive association.  One-sided intervals are
        ``[lower, 1]`` for ``"greater"`` and ``[-1, upper]`` for ``"less"``, as R.
    conf_level : float, default 0.95
        Confidence level of the interval, strictly between 0 and 1.
    analysis : str, default ""
        Free label copied into the ``analysis`` column.
    x_name, y_name : str, default "x", "y"
        Labels copied into the ``x`` and ``y`` columns (and used in notes).

    Returns
    -------
    dict
        Keys, in order: ``analysis, x, y, method, n, estimate, p_value, ci_low,
        ci_high, ci_level, note``.  ``n`` is the number of complete pairs used.
        Values are full-precision floats.  For degenerate data (fewer than 3
        complete pairs, a constant variable) ``estimate``, ``p_value`` and the
        interval are NaN and ``note`` gives the reason; when only the interval is
        undefined (Pearson/Spearman with n = 3, Kendall with n < 5) the interval
        is NaN and ``note`` says so.

    Raises
    ------
    ValueError
        Unknown ``method`` or ``alternative``, ``conf_level`` outside (0, 1),
        ``x`` and ``y`` of different lengths or not numeric.

    See Also
    --------
    correlation_matrix : all pairs of columns of a table in one pass.

    Notes
    -----
    Pearson matches R ``cor.test(x, y)``; Spearman and Kendall match the
    p-values of R ``cor.test(x, y, method=..., exact=FALSE)``.  Spearman and
    Kendall intervals are not produced by R; see ``docs/statistics.md``.

    Examples
    --------
    >>> row = correlate([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], method="spearman")
    >>> round(row["estimate"], 3), row["n"]
    (0.8, 5)
    """
    method = _check_method(method)
    alternative = check_alternative(alternative)
    conf_level = check_conf_level(conf_level)
    xv = as_float_vector(x, "x")
    yv = as_float_vector(y, "y")
    check_same_length(xv, yv, "x", "y")
    cols = pair_columns(
        xv, yv, method, alternative, conf_level, str(analysis), str(x_name), str(y_name)
    )
    row: dict[str, Any] = {}
    for key in COLUMNS:
        value = cols[key][0]
        if key == "n":
            value = int(value)
        elif key in ("estimate", "p_value", "ci_low", "ci_high", "ci_level"):
            value = float(value)
        row[key] = value
    return row


def correlation_matrix(
    data: Any,
    method: str = "pearson",
    alternative: str = "two-sided",
    conf_level: float = 0.95,
    analysis: str = "",
) -> pd.DataFrame:
    """Test every unordered pair of columns; one tidy row per pair.

    Parameters
    ----------
    data : pandas.DataFrame or array-like of shape (n_rows, n_columns)
        Columns are items (variables), rows are respondents (observations).
        Missing values (NaN, ``pd.NA``, +-inf) are allowed; each pair uses its
        complete rows (pairwise deletion).  Column names come from the
        DataFrame, or are ``V1, V2, ...`` for arrays (as R's ``as.data.frame``).
    method : {"pearson", "spearman", "kendall"}, default "pearson"
        Correlation coefficient and test; see :func:`correlate`.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative hypothesis; ``"two.sided"`` is accepted.
    conf_level : float, default 0.95
        Confidence level, strictly between 0 and 1.
    analysis : str, default ""
        Free label copied into the ``analysis`` column.

    Returns
    -------
    pandas.DataFrame
        One row per pair ``(i, j)`` with ``i < j`` in column order (row-major
        upper triangle), columns as :data:`COLUMNS`.  Each row equals what
        :func:`correlate` returns for that pair (to ~1e-12).

    Raises
    ------
    ValueError
        Unknown ``method`` or ``alternative``, ``conf_level`` outside (0, 1),
        ``data`` not two-dimensional or not numeric.

    Notes
    -----
    Columns without missing values are handled together: Pearson and Spearman
    use one cross-product of the centred (ranked) columns, with ranks of
    small-integer columns (Likert items) computed from their value counts
    instead of by sorting.  Kendall's tau-b of two columns with few distinct
    values is computed from their joint count table (one ``bincount`` per
    pair), which is linear in the number of rows.  Pairs involving a column
    with missing values are computed pair by pair on their complete rows
    (from the joint count table when both columns have few values).
    """
    method = _check_method(method)
    alternative = check_alternative(alternative)
    conf_level = check_conf_level(conf_level)
    mat, names = as_float_matrix(data)
    cols = matrix_columns(mat, names, method, alternative, conf_level, str(analysis))
    if cols is None:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in COLUMNS})
    return pd.DataFrame(cols, columns=list(COLUMNS))


class FisherZ(NamedTuple):
    """The steps of a Fisher z interval (see :func:`fisher_z_ci`)."""

    z: float
    se: float
    z_low: float
    z_high: float
    r_low: float
    r_high: float


def fisher_z_ci(r: float, n: int, conf_level: float = 0.95) -> FisherZ:
    """Fisher z confidence interval of a correlation, step by step.

    Mirrors the spreadsheet recipe ``z = FISHER(r)``, ``se = 1/SQRT(n-3)``,
    ``z -+ NORM.S.INV((1+level)/2) * se``, back-transformed with ``FISHERINV``;
    the two-sided interval of R ``cor.test(x, y)$conf.int`` for Pearson's r.

    Parameters
    ----------
    r : float
        Correlation coefficient in [-1, 1].
    n : int
        Number of complete pairs behind ``r``.
    conf_level : float, default 0.95
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    FisherZ
        Named tuple ``(z, se, z_low, z_high, r_low, r_high)``.  ``se`` and the limits are NaN
        when ``n <= 3``; ``z`` and the limits are NaN when ``r`` is NaN.  ``|r| = 1`` gives
        infinite z limits and r limits of exactly +-1.

    Raises
    ------
    ValueError
        ``|r| > 1`` or ``conf_level`` outside (0, 1).

    Examples
    --------
    >>> [round(v, 4) for v in fisher_z_ci(0.5, 28)]
    [0.5493, 0.2, 0.1573, 0.9413, 0.156, 0.7358]
    """
    conf_level = check_conf_level(conf_level)
    r = float(r)
    if not np.isnan(r) and abs(r) > 1.0:
        raise ValueError(f"r must lie in [-1, 1], got {r!r}")
    nf = float(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = float(np.arctanh(r))
        se = 1.0 / np.sqrt(nf - 3.0) if nf > 3.0 else np.nan
        q = float(special.ndtri((1.0 + conf_level) / 2.0))
        z_low, z_high = z - q * se, z + q * se
        r_low, r_high = float(np.tanh(z_low)), float(np.tanh(z_high))
    return FisherZ(z, float(se), float(z_low), float(z_high), r_low, r_high)


def _dtype(column: str) -> str:
    if column == "n":
        return "int64"
    if column in ("estimate", "p_value", "ci_low", "ci_high", "ci_level"):
        return "float64"
    return "object"
