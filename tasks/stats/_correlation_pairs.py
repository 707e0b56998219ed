"""Per-pair sufficient statistics of the correlation engine (n, estimate, Kendall's S).

Private module, used by :mod:`tasks.stats._correlation_engine`. For one pair of columns: n,
the estimate (Pearson r, Spearman rho, Kendall tau-b) and Kendall's standardised S, from the
vectors (:func:`_vector_stat`) or from the joint count table of two columns with few distinct
values (:func:`_table_stat`, linear in the number of rows). Also average ranks, tie sums and
the wording of a degenerate pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Largest joint count table (cells) used instead of the row-wise computation.
_MAX_TABLE_CELLS = 1 << 22
#: Estimates this close to +-1 are taken as exactly +-1 (rounding noise).
_PERFECT_TOL = 1e-14

# --------------------------------------------------------------------------- #
# per-pair sufficient statistics
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _PairStat:
    """What a pair contributes before p-values and intervals are attached."""

    n: int
    estimate: float = np.nan
    z: float = np.nan  # Kendall's standardised S; unused for the other methods
    reason: str = ""  # non-empty when the pair is degenerate


def _degenerate(n: int, x_const: bool, y_const: bool, x_name: str, y_name: str) -> str:
    if n < 3:
        return f"not computed: fewer than 3 complete pairs (n={n})"
    if x_const and y_const:
        return f"not computed: {x_name} and {y_name} are constant"
    if x_const:
        return f"not computed: {x_name} is constant"
    if y_const:
        return f"not computed: {y_name} is constant"
    return ""


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Average (mid) ranks, 1-based, of a 1-D array without missing values.

    Same result as ``scipy.stats.rankdata(values)`` (method "average"), about
    twice as fast: one unstable argsort, ties averaged afterwards.
    """
    order = np.argsort(values)
    ordered = values[order]
    n = ordered.size
    first = np.empty(n, dtype=bool)
    if n:
        first[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, n))
    ranks = np.empty(n)
    ranks[order] = np.repeat(starts + (counts + 1) / 2.0, counts)
    return ranks


def _clip_r(r: float) -> float:
    """Clip to [-1, 1]; values within ``_PERFECT_TOL`` of +-1 become exactly +-1.

    Rounding can leave an exactly monotone (or linear) pair a few ulps short of
    +-1, which with few degrees of freedom turns a p-value of 0 into ~1e-8;
    snapping keeps such rows reproducible whichever way they were computed.
    """
    if r >= 1.0 - _PERFECT_TOL:
        return 1.0
    if r <= -1.0 + _PERFECT_TOL:
        return -1.0
    return r


def _unit_scaled(dev: np.ndarray) -> np.ndarray:
    """Deviations divided by their largest magnitude (no under/overflow in squares)."""
    top = float(np.max(np.abs(dev))) if dev.size else 0.0
    return dev / top if top > 0 and np.isfinite(top) else dev


def _pearson_r(x: np.ndarray, y: np.ndarray) -> float:
    xc = _unit_scaled(x - x.mean())
    yc = _unit_scaled(y - y.mean())
    return _clip_r(float(np.dot(xc, yc) / np.sqrt(np.dot(xc, xc) * np.dot(yc, yc))))


def _tie_sums(counts: np.ndarray) -> tuple[float, float, float]:
    """Sums of t(t-1), t(t-1)(2t+5) and t(t-1)(t-2) over tie-group sizes t."""
    t = counts.astype(float)
    t1 = t * (t - 1.0)
    return float(t1.sum()), float((t1 * (2.0 * t + 5.0)).sum()), float((t1 * (t - 2.0)).sum())


def _kendall_z(s: float, n: int, x_counts: np.ndarray, y_counts: np.ndarray) -> float:
    """Standardise Kendall's S with R's tie-corrected variance (cor.test.R)."""
    xt1, xt2, xt3 = _tie_sums(x_counts)
    yt1, yt2, yt3 = _tie_sums(y_counts)
    nf = float(n)
    v0 = nf * (nf - 1.0) * (2.0 * nf + 5.0)
    var_s = (
        (v0 - xt2 - yt2) / 18.0
        + xt1 * yt1 / (2.0 * nf * (nf - 1.0))
        + xt3 * yt3 / (9.0 * nf * (nf - 1.0) * (nf - 2.0))
    )
    return s / np.sqrt(var_s) if var_s > 0 else np.nan


def _kendall_s_from_table(table: np.ndarray) -> int:
    """Concordant minus discordant pairs from a joint count table.

    Rows and columns of ``table`` are the ordered levels of x and y.
    """
    c = table.astype(np.int64, copy=False)
    # below_right[i, j] = sum of c[i', j'] with i' > i and j' > j
    ge = c[::-1, ::-1].cumsum(axis=0).cumsum(axis=1)[::-1, ::-1]
    below_right = np.zeros_like(c)
    below_right[:-1, :-1] = ge[1:, 1:]
    # below_left[i, j] = sum of c[i', j'] with i' > i and j' < j
    gl = c[::-1, :].cumsum(axis=0)[::-1, :].cumsum(axis=1)
    below_left = np.zeros_like(c)
    below_left[:-1, 1:] = gl[1:, :-1]
    return int((c * below_right).sum() - (c * below_left).sum())


def _kendall_from_table(table: np.ndarray) -> tuple[float, float]:
    """Kendall tau-b and its standardised S from a joint count table."""
    a = table.sum(axis=1)
    b = table.sum(axis=0)
    n = int(a.sum())
    s = _kendall_s_from_table(table)
    t0 = n * (n - 1) / 2.0
    t1 = float((a * (a - 1)).sum()) / 2.0
    t2 = float((b * (b - 1)).sum()) / 2.0
    tau = s / np.sqrt((t0 - t1) * (t0 - t2))
    return _clip_r(float(tau)), float(_kendall_z(float(s), n, a, b))


def _table_fits(kx: int, ky: int, n: int) -> bool:
    cells = (kx + 1) * (ky + 1)
    return cells <= _MAX_TABLE_CELLS and cells <= 4 * n + 4096


def _kendall_vector(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Kendall tau-b and standardised S for complete, non-constant vectors."""
    x_levels, x_codes, x_counts = np.unique(x, return_inverse=True, return_counts=True)
    y_levels, y_codes, y_counts = np.unique(y, return_inverse=True, return_counts=True)
    kx, ky, n = x_levels.size, y_levels.size, x.size
    if _table_fits(kx, ky, n):
        table = np.bincount(x_codes * ky + y_codes, minlength=kx * ky).reshape(kx, ky)
        return _kendall_from_table(table)
    tau = float(stats.kendalltau(x, y).statistic)
    # R derives S from tau the same way (cor.test.R)
    t0 = n * (n - 1) / 2.0
    t1 = float((x_counts * (x_counts - 1.0)).sum()) / 2.0
    t2 = float((y_counts * (y_counts - 1.0)).sum()) / 2.0
    s = tau * np.sqrt((t0 - t1) * (t0 - t2))
    return _clip_r(tau), float(_kendall_z(s, n, x_counts, y_counts))


def _vector_stat(x: np.ndarray, y: np.ndarray, method: str, x_name: str, y_name: str) -> _PairStat:
    """Sufficient statistics for one pair of vectors (missing values allowed)."""
    keep = ~(np.isnan(x) | np.isnan(y))
    if not keep.all():
        x, y = x[keep], y[keep]
    n = int(x.size)
    reason = _degenerate(
        n,
        n > 0 and bool(np.all(x == x[0])),
        n > 0 and bool(np.all(y == y[0])),
        x_name,
        y_name,
    )
    if reason:
        return _PairStat(n=n, reason=reason)
    if method == "pearson":
        return _PairStat(n=n, estimate=_pearson_r(x, y))
    if method == "spearman":
        return _PairStat(n=n, estimate=_pearson_r(_average_ranks(x), _average_ranks(y)))
    tau, z = _kendall_vector(x, y)
    return _PairStat(n=n, estimate=tau, z=z)


def _weighted_r(table: np.ndarray, vx: np.ndarray, vy: np.ndarray, n: int) -> float:
    a = table.sum(axis=1)
    b = table.sum(axis=0)
    dx = _unit_scaled(vx - float(a @ vx) / n)
    dy = _unit_scaled(vy - float(b @ vy) / n)
    r = float(dx @ table @ dy) / np.sqrt(float(a @ (dx * dx)) * float(b @ (dy * dy)))
    return _clip_r(float(r))


def _level_ranks(counts: np.ndarray) -> np.ndarray:
    """Average rank of each level given the level counts (ordered levels)."""
    c = counts.astype(float)
    return np.cumsum(c) - (c - 1.0) / 2.0


def _table_stat(
    table: np.ndarray,
    x_levels: np.ndarray,
    y_levels: np.ndarray,
    method: str,
    x_name: str,
    y_name: str,
) -> _PairStat:
    """Sufficient statistics for one pair from its (complete-pairs) count table."""
    a = table.sum(axis=1)
    b = table.sum(axis=0)
    n = int(a.sum())
    reason = _degenerate(n, np.count_nonzero(a) <= 1, np.count_nonzero(b) <= 1, x_name, y_name)
    if reason:
        return _PairStat(n=n, reason=reason)
    if method == "pearson":
        return _PairStat(n=n, estimate=_weighted_r(table, x_levels, y_levels, n))
    if method == "spearman":
        return _PairStat(n=n, estimate=_weighted_r(table, _level_ranks(a), _level_ranks(b), n))
    tau, z = _kendall_from_table(table)
    return _PairStat(n=n, estimate=tau, z=z)
