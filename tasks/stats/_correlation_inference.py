"""p-values and confidence intervals of the correlation engine, for all pairs at once.

Private module, used by :mod:`tasks.stats._correlation_engine`. :func:`_finish` attaches
p-values and intervals to arrays of estimates; :func:`_assemble` builds the column-wise result
with each pair's note (method, test, interval, why a pair or its interval was not computed).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import special

from tasks.stats._correlation_pairs import _PairStat

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
