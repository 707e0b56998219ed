"""Vectorised correlation engine behind :mod:`tasks.stats.correlation`.

Private module: :func:`tasks.stats.correlation.correlate` and
:func:`tasks.stats.correlation.correlation_matrix` check their arguments and call
:func:`pair_columns` / :func:`matrix_columns` here, which return the result column-wise.

* Per pair, the sufficient statistics (n, estimate, Kendall's standardised S) come from the
  vectors (:func:`_vector_stat`) or from the joint count table of two columns with few
  distinct values (:func:`_table_stat`, linear in the number of rows).
* Columns without missing values are handled together (:func:`_complete_block_stats`): one
  cross-product matrix of the centred columns (Pearson) or of their ranks (Spearman).
* :func:`_finish` attaches p-values and intervals to arrays of estimates, for all pairs at once.

See ``docs/statistics.md`` ("How the matrix form is computed") for the design and timings.
Plain functions; no Prefect imports.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

__all__ = ["matrix_columns", "pair_columns"]

_METHOD_NOTES = {
    "pearson": ("Pearson r; p: t test with n-2 df; CI: Fisher z, SE 1/sqrt(n-3) (as R cor.test)"),
    "spearman": (
        "Spearman rho (average ranks); p: t approximation with n-2 df "
        "(as R cor.test exact=FALSE); CI (ours, R gives none): Fisher z with "
        "Bonett-Wright (2000) SE sqrt((1+rho^2/2)/(n-3))"
    ),
    "kendall": (
        "Kendall tau-b; p: normal approximation with tie-corrected variance "
        "(as R cor.test exact=FALSE, continuity=FALSE); CI (ours, R gives none): "
        "Fisher z with Fieller-Hartley-Pearson (1957) SE sqrt(0.437/(n-4))"
    ),
}

#: Smallest n for which each method's confidence interval is defined.
_CI_MIN_N = {"pearson": 4, "spearman": 4, "kendall": 5}

#: Columns with at most this many distinct values (or integer columns spanning at
#: most this many consecutive values) are coded as levels, so that pairs can be
#: summarised by their joint count table.
_MAX_LEVELS = 4096
#: Largest joint count table (cells) used instead of the row-wise computation.
_MAX_TABLE_CELLS = 1 << 22
#: Rows per block when accumulating cross products.
_CHUNK_ROWS = 1 << 16
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


# --------------------------------------------------------------------------- #
# p-values and confidence intervals (vectorised over pairs)
# --------------------------------------------------------------------------- #


def _finish(
    method: str,
    n: np.ndarray,
    estimate: np.ndarray,
    z: np.ndarray,
    alternative: str,
    conf_level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Attach p-values and confidence limits to arrays of estimates.

    Returns ``(p_value, ci_low, ci_high, ci_defined)``.
    """
    nf = n.astype(float)
    r = estimate
    if method == "kendall":
        lower = special.ndtr(z)  # P(Z <= z)
        upper = special.ndtr(-z)  # P(Z >= z)
        se = np.sqrt(0.437 / (nf - 4.0))
    else:
        df = nf - 2.0
        t = np.sqrt(df) * r / np.sqrt(1.0 - r * r)
        lower = special.stdtr(df, t)
        upper = special.stdtr(df, -t)
        if method == "pearson":
            se = 1.0 / np.sqrt(nf - 3.0)
        else:
            se = np.sqrt((1.0 + r * r / 2.0) / (nf - 3.0))
    if alternative == "two-sided":
        p = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    elif alternative == "greater":
        p = upper
    else:
        p = lower

    fz = np.arctanh(r)
    if alternative == "two-sided":
        q = special.ndtri((1.0 + conf_level) / 2.0)
        lo, hi = np.tanh(fz - q * se), np.tanh(fz + q * se)
    elif alternative == "less":
        q = special.ndtri(conf_level)
        lo, hi = np.full_like(r, -1.0), np.tanh(fz + q * se)
    else:
        q = special.ndtri(conf_level)
        lo, hi = np.tanh(fz - q * se), np.full_like(r, 1.0)
    ci_defined = (nf >= _CI_MIN_N[method]) & np.isfinite(r)
    lo = np.where(ci_defined, lo, np.nan)
    hi = np.where(ci_defined, hi, np.nan)
    p = np.where(np.isfinite(r), p, np.nan)
    return p, lo, hi, ci_defined


def _assemble(
    pairs: Sequence[_PairStat],
    x_names: Sequence[str],
    y_names: Sequence[str],
    method: str,
    alternative: str,
    conf_level: float,
    analysis: str,
) -> dict[str, Any]:
    """Column-wise result for a list of pairs (lists / arrays keyed by COLUMNS)."""
    n = np.array([s.n for s in pairs], dtype=np.int64)
    est = np.array([s.estimate for s in pairs], dtype=float)
    z = np.array([s.z for s in pairs], dtype=float)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p, lo, hi, ci_defined = _finish(method, n, est, z, alternative, conf_level)
    base = _METHOD_NOTES[method]
    if alternative != "two-sided":
        base = f"{base}; one-sided ({alternative})"
    ci_missing = f"; CI not computed: needs n >= {_CI_MIN_N[method]}"
    notes = []
    for k, (s, ok) in enumerate(zip(pairs, ci_defined, strict=True)):
        if s.reason:
            notes.append(s.reason)
        elif not np.isfinite(est[k]):  # numerical failure; should not happen
            notes.append("not computed: estimate undefined")
            p[k] = lo[k] = hi[k] = np.nan
        else:
            notes.append(base if ok else base + ci_missing)
    return {
        "analysis": [analysis] * len(pairs),
        "x": list(x_names),
        "y": list(y_names),
        "method": [method] * len(pairs),
        "n": n,
        "estimate": est,
        "p_value": p,
        "ci_low": lo,
        "ci_high": hi,
        "ci_level": np.full(len(pairs), conf_level),
        "note": notes,
    }


@dataclass
class _Coding:
    """A column coded as ordered levels; ``codes == k`` marks a missing value."""

    codes: np.ndarray  # intp, values in [0, k]
    levels: np.ndarray  # float, length k, increasing
    counts: np.ndarray  # int64, length k: complete-entry counts per level

    @property
    def k(self) -> int:
        return int(self.levels.size)


def _code_column(col: np.ndarray, allow_unique: bool = True) -> _Coding | None:
    """Code a column as levels, or return None when it has too many values.

    Integer-valued columns spanning at most ``_MAX_LEVELS`` consecutive values are
    coded arithmetically (no sorting; empty levels are harmless).  Other columns
    are coded with ``np.unique`` when ``allow_unique`` and they have at most
    ``_MAX_LEVELS`` distinct values.
    """
    missing = np.isnan(col)
    has_missing = bool(missing.any())
    vals = col[~missing] if has_missing else col
    if vals.size == 0:
        return _Coding(np.zeros(col.size, dtype=np.intp), np.empty(0), np.empty(0, dtype=np.int64))
    lo, hi = float(vals.min()), float(vals.max())
    if hi - lo < _MAX_LEVELS and bool(np.all(np.floor(vals) == vals)):
        k = int(hi - lo) + 1
        levels = lo + np.arange(k, dtype=float)
        if has_missing:
            codes = np.full(col.size, k, dtype=np.intp)
            codes[~missing] = (vals - lo).astype(np.intp)
        else:
            codes = (col - lo).astype(np.intp)
    elif allow_unique:
        levels, inverse = np.unique(vals, return_inverse=True)
        if levels.size > _MAX_LEVELS:
            return None
        k = int(levels.size)
        if has_missing:
            codes = np.full(col.size, k, dtype=np.intp)
            codes[~missing] = inverse
        else:
            codes = inverse.astype(np.intp, copy=False)
    else:
        return None
    counts = np.bincount(codes, minlength=k + 1)[:k].astype(np.int64)
    return _Coding(codes, levels, counts)


class _Codings:
    """Lazily computed level codings of the columns of a matrix."""

    def __init__(self, mat: np.ndarray) -> None:
        self._mat = mat
        self._cache: dict[int, _Coding | None] = {}

    def __getitem__(self, j: int) -> _Coding | None:
        if j not in self._cache:
            self._cache[j] = _code_column(self._mat[:, j])
        return self._cache[j]


def _joint_table(cx: _Coding, cy: _Coding) -> np.ndarray:
    """Count table of complete pairs: rows are x levels, columns y levels."""
    stride = cy.k + 1
    full = np.bincount(cx.codes * stride + cy.codes, minlength=(cx.k + 1) * stride)
    return full.reshape(cx.k + 1, stride)[: cx.k, : cy.k]


def _centered_gram(
    cols: Sequence[Any], n: int, center: np.ndarray, scale: np.ndarray | None = None
) -> np.ndarray:
    """Cross-product matrix of centred (and scaled) columns, over row blocks.

    Each element of ``cols`` is either a float array of length ``n`` or a
    ``(codes, values)`` tuple whose column is ``values[codes]``.  Each column is
    used as ``(col - center) / scale``.
    """
    m = len(cols)
    gram = np.zeros((m, m))
    block = np.empty((min(n, _CHUNK_ROWS), m))
    for start in range(0, n, _CHUNK_ROWS):
        stop = min(n, start + _CHUNK_ROWS)
        b = block[: stop - start]
        for j, col in enumerate(cols):
            if isinstance(col, tuple):
                codes, values = col
                np.take(values, codes[start:stop], out=b[:, j])
            else:
                b[:, j] = col[start:stop]
        b -= center
        if scale is not None:
            b /= scale
        gram += b.T @ b
    return gram


def _rank_source(col: np.ndarray) -> Any:
    coding = _code_column(col, allow_unique=False)
    if coding is not None:  # small-integer column: ranks from the value counts
        return (coding.codes, _level_ranks(coding.counts))
    return _average_ranks(col)


def _rank_sources(mat: np.ndarray, cols: Sequence[int]) -> list[Any]:
    """Ranks of complete columns, as ``_centered_gram`` sources (threads over columns)."""
    workers = min(len(cols), os.cpu_count() or 1)
    if workers <= 1 or mat.shape[0] < 50_000:
        return [_rank_source(mat[:, c]) for c in cols]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda c: _rank_source(mat[:, c]), cols))


def _complete_block_stats(
    mat: np.ndarray,
    cols: np.ndarray,
    names: Sequence[str],
    method: str,
    codings: _Codings,
) -> dict[tuple[int, int], _PairStat]:
    """All pairs among columns without missing values, using matrix algebra."""
    n = mat.shape[0]
    sub = [int(c) for c in cols]
    lows = {c: float(mat[:, c].min()) if n else 0.0 for c in sub}
    highs = {c: float(mat[:, c].max()) if n else 0.0 for c in sub}
    const = {c: lows[c] == highs[c] for c in sub}
    out: dict[tuple[int, int], _PairStat] = {}

    def reason(i: int, j: int) -> str:
        return _degenerate(n, const[i], const[j], names[i], names[j])

    if method == "kendall":
        for a_pos, i in enumerate(sub):
            for j in sub[a_pos + 1 :]:
                why = reason(i, j)
                if why:
                    out[i, j] = _PairStat(n=n, reason=why)
                    continue
                ci, cj = codings[i], codings[j]
                if ci is not None and cj is not None and _table_fits(ci.k, cj.k, n):
                    tau, z = _kendall_from_table(_joint_table(ci, cj))
                else:
                    tau, z = _kendall_vector(mat[:, i], mat[:, j])
                out[i, j] = _PairStat(n=n, estimate=tau, z=z)
        return out

    if n >= 3:
        scale = None
        if method == "pearson":
            sources: list[Any] = [mat[:, c] for c in sub]
            center = np.array([mat[:, c].mean() for c in sub])
            # largest |deviation| of each column: keeps squares clear of under/overflow
            spread = [max(highs[c] - m, m - lows[c]) for c, m in zip(sub, center, strict=True)]
            scale = np.array([v if v > 0 and np.isfinite(v) else 1.0 for v in spread])
        else:  # spearman: ranks of every column once
            sources = _rank_sources(mat, sub)
            center = np.full(len(sub), (n + 1) / 2.0)
        gram = _centered_gram(sources, n, center, scale)
        scale = np.sqrt(np.diag(gram))
        corr = gram / np.outer(scale, scale)
    for a_pos, i in enumerate(sub):
        for b_pos in range(a_pos + 1, len(sub)):
            j = sub[b_pos]
            why = reason(i, j)
            if why:
                out[i, j] = _PairStat(n=n, reason=why)
            else:
                out[i, j] = _PairStat(n=n, estimate=_clip_r(float(corr[a_pos, b_pos])))
    return out


def pair_columns(
    x: np.ndarray,
    y: np.ndarray,
    method: str,
    alternative: str,
    conf_level: float,
    analysis: str,
    x_name: str,
    y_name: str,
) -> dict[str, Any]:
    """Column-wise result (one entry per key) for one pair of float vectors of equal length."""
    x = np.where(np.isfinite(x), x, np.nan)
    y = np.where(np.isfinite(y), y, np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        stat = _vector_stat(x, y, method, x_name, y_name)
    return _assemble([stat], [x_name], [y_name], method, alternative, conf_level, analysis)


def matrix_columns(
    mat: np.ndarray,
    names: Sequence[str],
    method: str,
    alternative: str,
    conf_level: float,
    analysis: str,
) -> dict[str, Any] | None:
    """Column-wise result for every pair ``i < j`` of columns of ``mat`` (None: < 2 columns).

    ``mat`` is a float matrix with NaN for missing values (from ``as_float_matrix``).
    """
    m = mat.shape[1]
    iu, ju = np.triu_indices(m, k=1)
    if iu.size == 0:
        return None
    codings = _Codings(mat)
    complete = ~np.isnan(mat).any(axis=0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        found: dict[tuple[int, int], _PairStat] = {}
        complete_cols = np.flatnonzero(complete)
        if complete_cols.size >= 2:
            found = _complete_block_stats(mat, complete_cols, names, method, codings)
        pairs: list[_PairStat] = []
        for i, j in zip(iu.tolist(), ju.tolist(), strict=True):
            stat = found.get((i, j))
            if stat is None:
                ci, cj = codings[i], codings[j]
                if ci is not None and cj is not None and _table_fits(ci.k, cj.k, mat.shape[0]):
                    table = _joint_table(ci, cj)
                    stat = _table_stat(table, ci.levels, cj.levels, method, names[i], names[j])
                else:
                    stat = _vector_stat(mat[:, i], mat[:, j], method, names[i], names[j])
            pairs.append(stat)
    return _assemble(
        pairs,
        [names[i] for i in iu],
        [names[j] for j in ju],
        method,
        alternative,
        conf_level,
        analysis,
    )
