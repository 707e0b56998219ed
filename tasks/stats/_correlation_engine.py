"""Vectorised correlation engine behind :mod:`tasks.stats.correlation`.

Private module: :func:`tasks.stats.correlation.correlate` and
:func:`tasks.stats.correlation.correlation_matrix` check their arguments and call
:func:`pair_columns` / :func:`matrix_columns` here, which return the result column-wise.

* Per pair, the sufficient statistics (n, estimate, Kendall's standardised S) come from the
  vectors (:func:`_vector_stat`) or from the joint count table of two columns with few
  distinct values (:func:`_table_stat`, linear in the number of rows); both in
  :mod:`tasks.stats._correlation_pairs`.
* Columns without missing values are handled together (:func:`_complete_block_stats`): one
  cross-product matrix of the centred columns (Pearson) or of their ranks (Spearman).
* :func:`~tasks.stats._correlation_inference._finish` attaches p-values and intervals to
  arrays of estimates, for all pairs at once (:mod:`tasks.stats._correlation_inference`).

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

from tasks.stats._correlation_inference import _assemble
from tasks.stats._correlation_pairs import (
    _average_ranks,
    _clip_r,
    _degenerate,
    _kendall_from_table,
    _kendall_vector,
    _level_ranks,
    _PairStat,
    _table_fits,
    _table_stat,
    _vector_stat,
)

__all__ = ["matrix_columns", "pair_columns"]

#: Columns with at most this many distinct values (or integer columns spanning at
#: most this many consecutive values) are coded as levels, so that pairs can be
#: summarised by their joint count table.
_MAX_LEVELS = 4096
#: Rows per block when accumulating cross products.
_CHUNK_ROWS = 1 << 16


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
