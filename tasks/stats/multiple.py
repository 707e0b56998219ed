"""Multiple-comparison adjustments of p-values (R ``p.adjust``).

Plain functions; no Prefect imports.  Usage errors raise :class:`ValueError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tasks.stats._checks import as_float_vector

__all__ = ["holm"]


def holm(pvalues: Any) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values, as R ``p.adjust(p, "holm")``.

    With the m non-missing p-values sorted increasingly, the i-th adjusted value
    is ``min(1, max_{j <= i} (m - j + 1) p_(j))``; results are returned in the
    original order.

    Parameters
    ----------
    pvalues : array-like
        p-values in [0, 1]; NaN (or None) entries stay NaN and do not count in m.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, float, same length and order as ``pvalues``.

    Raises
    ------
    ValueError
        Non-numeric input or p-values outside [0, 1].

    Examples
    --------
    >>> holm([0.01, 0.02, 0.03, 0.04, 0.05]).round(2).tolist()
    [0.05, 0.08, 0.09, 0.09, 0.09]
    """
    p = as_float_vector(pvalues, "pvalues")
    out = np.full(p.size, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    outside = (q < 0) | (q > 1)
    if outside.any():
        raise ValueError(f"pvalues must lie in [0, 1], got {q[outside][0]:g}")
    m = q.size
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    factors = m - np.arange(m, dtype=float)  # m, m-1, ..., 1
    adjusted = np.minimum(1.0, np.maximum.accumulate(factors * q[order]))
    back = np.empty(m)
    back[order] = adjusted
    out[ok] = back
    return out
