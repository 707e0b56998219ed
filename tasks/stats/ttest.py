"""Tests of means and medians: one-sample t and sign test on frequency tables, Welch's
two-sample t test from summary statistics.

Each function checks its input and returns one tidy row (a ``dict``) at full precision.
Bad input (negative, fractional or NaN counts, levels and counts of different length,
negative standard deviations, ``conf_level`` outside (0, 1)) raises :class:`ValueError`
naming the argument and the rule.  Data R's ``t.test`` refuses (fewer than 2
observations, "data are essentially constant") raise too, unless the caller asks for
``degenerate="nan"``: then the row holds NaN and the reason in ``note``.

Plain functions; no Prefect imports.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from scipy import special, stats

from tasks.stats._checks import (
    as_float_vector,
    check_choice,
    check_conf_level,
    check_counts,
    check_same_length,
)
from tasks.stats.describe import mean_ci

__all__ = ["one_sample_t", "sign_test", "welch"]

_DEGENERATE = ("raise", "nan")
_EPS = float(np.finfo(float).eps)


def _check_number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return out


def _frequency_table(levels: Any, counts: Any) -> tuple[np.ndarray, np.ndarray]:
    """Checked ``(levels, counts)``: finite levels, whole non-negative counts, same length."""
    lv = as_float_vector(levels, "levels")
    c = check_counts(counts, "counts")
    check_same_length(lv, c, "levels", "counts")
    if not np.isfinite(lv).all():
        raise ValueError("levels must be finite numbers (no NaN or infinity)")
    return lv, c


def _refuse(reason: str, degenerate: str) -> str:
    """Raise ``reason`` as ValueError, or return it as a note when ``degenerate == "nan"``."""
    if degenerate == "raise":
        raise ValueError(reason)
    return f"not computed: {reason}"


def one_sample_t(
    levels: Any,
    counts: Any,
    mu: float = 0.0,
    *,
    conf_level: float = 0.95,
    degenerate: str = "raise",
) -> dict[str, Any]:
    """Two-sided one-sample t test of the mean of a frequency table against ``mu``.

    Matches R ``t.test(rep(levels, counts), mu = mu, conf.level = conf_level)``:
    ``t = (mean - mu) / (sd / sqrt(n))`` with ``n - 1`` degrees of freedom.

    Parameters
    ----------
    levels : array-like
        Numeric value of each level (finite).
    counts : array-like
        Number of observations at each level: finite, non-negative whole numbers, one per
        level.  NaN is refused (a missing count is not a zero).
    mu : float, default 0.0
        Hypothesised mean.
    conf_level : float, default 0.95
        Level of the interval of the mean, strictly between 0 and 1.
    degenerate : {"raise", "nan"}, default "raise"
        What to do when R's ``t.test`` stops: fewer than 2 observations ("not enough 'x'
        observations") or constant data ("data are essentially constant").  ``"raise"``
        raises :class:`ValueError`; ``"nan"`` returns the row with NaN ``t``, ``df`` and
        ``p`` and the reason in ``note``.

    Returns
    -------
    dict
        ``n, mean, sd, ci_low, ci_high, ci_level, mu, t, df, p, note``; ``sd`` is the sample
        standard deviation, ``ci_low``/``ci_high`` the Student-t interval of the mean
        (R ``t.test(...)$conf.int``), ``p`` the two-sided p-value.

    Raises
    ------
    ValueError
        Bad levels or counts (see the module docstring), ``mu`` not finite, ``conf_level``
        outside (0, 1), or (with ``degenerate="raise"``) fewer than 2 observations or
        constant data.

    Examples
    --------
    >>> r = one_sample_t([1, 2, 3], [2, 3, 5], mu=2)
    >>> round(r["t"], 4), r["df"]
    (1.1523, 9)
    """
    degenerate = check_choice(degenerate, "degenerate", _DEGENERATE)
    lv, c = _frequency_table(levels, counts)
    mu = _check_number(mu, "mu")
    conf_level = check_conf_level(conf_level)
    m = mean_ci(counts=c, levels=lv, conf_level=conf_level)
    row: dict[str, Any] = {**m, "ci_level": conf_level, "mu": mu}
    n = m["n"]
    note = ""
    if n < 2:
        note = _refuse(
            f"counts must hold at least 2 observations (R t.test: not enough 'x' "
            f"observations), got n = {n}",
            degenerate,
        )
    else:
        se = m["sd"] / np.sqrt(n)
        if m["sd"] == 0 or se < 10 * _EPS * abs(m["mean"]):
            note = _refuse(
                f"counts put all {n} observations at one level: data are essentially "
                "constant (R t.test)",
                degenerate,
            )
    if note:
        return {**row, "t": np.nan, "df": np.nan, "p": np.nan, "note": note}
    t = (m["mean"] - mu) / se
    df = n - 1
    p = float(2 * stats.t.sf(abs(t), df))
    return {**row, "t": float(t), "df": df, "p": p, "note": "one-sample t test, two-sided"}


def sign_test(levels: Any, counts: Any, mu: float = 0.0) -> dict[str, Any]:
    """Two-sided sign test of the median of a frequency table against ``mu``.

    Observations above ``mu`` against those below (ties with ``mu`` dropped), exact
    binomial test with probability 1/2: R ``binom.test(n_above, n_above + n_below)``
    (what ``BSDA::SIGN.test(rep(levels, counts), md = mu)`` reports).

    Parameters
    ----------
    levels : array-like
        Numeric value of each level (finite).
    counts : array-like
        Number of observations at each level: finite, non-negative whole numbers, one per
        level.
    mu : float, default 0.0
        Hypothesised median.

    Returns
    -------
    dict
        ``n_above, n_below, n_ties, mu, p_value, note``.  When every observation equals
        ``mu`` (or there are none) ``p_value`` is NaN and ``note`` says why.

    Raises
    ------
    ValueError
        Bad levels or counts (see the module docstring) or ``mu`` not finite.

    Examples
    --------
    >>> round(sign_test([5, 4, 3, 2, 1], [10, 10, 13, 13, 4], mu=3)["p_value"], 4)
    0.7428
    """
    lv, c = _frequency_table(levels, counts)
    mu = _check_number(mu, "mu")
    above, below = int(c[lv > mu].sum()), int(c[lv < mu].sum())
    row: dict[str, Any] = {
        "n_above": above,
        "n_below": below,
        "n_ties": int(c[lv == mu].sum()),
        "mu": mu,
    }
    if above + below == 0:
        return {**row, "p_value": np.nan, "note": "not computed: no observation differs from mu"}
    p = float(stats.binomtest(above, above + below, 0.5).pvalue)
    return {**row, "p_value": p, "note": "sign test (exact binomial, ties dropped), two-sided"}


def welch(
    n1: Any,
    m1: Any,
    s1: Any,
    n2: Any,
    m2: Any,
    s2: Any,
    conf_level: float = 0.95,
    *,
    degenerate: str = "raise",
) -> dict[str, Any]:
    """Welch's two-sample t test of ``m2 - m1`` from summary statistics.

    Matches R ``t.test(y, x)`` (``var.equal = FALSE``) for samples ``x`` (size ``n1``, mean
    ``m1``, sd ``s1``) and ``y`` (``n2``, ``m2``, ``s2``): ``t = (m2 - m1) / se`` with
    ``se = sqrt(s1^2/n1 + s2^2/n2)`` and the Welch-Satterthwaite degrees of freedom.

    Parameters
    ----------
    n1, n2 : int
        Sample sizes, whole numbers >= 0.
    m1, m2 : float
        Sample means (finite when the sample has >= 2 observations).
    s1, s2 : float
        Sample standard deviations (n-1 denominator), finite and >= 0 when the sample has
        >= 2 observations.
    conf_level : float, default 0.95
        Level of the interval of the difference, strictly between 0 and 1.
    degenerate : {"raise", "nan"}, default "raise"
        What to do when R's ``t.test`` stops: a sample with fewer than 2 observations, or
        "data are essentially constant" (both standard deviations 0, i.e. the standard
        error below ``10 eps max(|m1|, |m2|)`` as in R).  ``"nan"`` returns NaN statistics
        and the reason in ``note``.

    Returns
    -------
    dict
        ``difference, t_statistic, df, p_value, ci_low, ci_high, ci_level, note``
        (two-sided p-value and interval).

    Raises
    ------
    ValueError
        A size that is negative or not a whole number, a mean or sd that is not finite or a
        negative sd, ``conf_level`` outside (0, 1), or (with ``degenerate="raise"``) the
        degenerate cases above.

    Examples
    --------
    >>> w = welch(10, 3.0, 1.0, 12, 3.5, 1.2)
    >>> round(w["t_statistic"], 4), round(w["df"], 2)
    (1.066, 20.0)
    """
    degenerate = check_choice(degenerate, "degenerate", _DEGENERATE)
    conf_level = check_conf_level(conf_level)
    sizes = []
    for name, value in (("n1", n1), ("n2", n2)):
        n = _check_number(value, name)
        if n < 0 or n != np.floor(n):
            raise ValueError(f"{name} must be a non-negative whole number, got {value!r}")
        sizes.append(n)
    n1f, n2f = sizes
    nan_row = {
        "difference": np.nan,
        "t_statistic": np.nan,
        "df": np.nan,
        "p_value": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "ci_level": conf_level,
    }
    for name, n in (("n1", n1f), ("n2", n2f)):
        if n < 2:
            reason = f"{name} must be at least 2 (R t.test: not enough observations), got {n:g}"
            return {**nan_row, "note": _refuse(reason, degenerate)}
    mean1, mean2 = _check_number(m1, "m1"), _check_number(m2, "m2")
    sd1, sd2 = _check_number(s1, "s1"), _check_number(s2, "s2")
    for name, sd in (("s1", sd1), ("s2", sd2)):
        if sd < 0:
            raise ValueError(f"{name} must be a non-negative standard deviation, got {sd!r}")
    v1, v2 = sd1**2 / n1f, sd2**2 / n2f
    se = float(np.sqrt(v1 + v2))
    diff = mean2 - mean1
    if se == 0 or se < 10 * _EPS * max(abs(mean1), abs(mean2)):
        reason = "s1 and s2 are both 0: data are essentially constant (R t.test)"
        return {**nan_row, "difference": diff, "note": _refuse(reason, degenerate)}
    df = (v1 + v2) ** 2 / (v1**2 / (n1f - 1) + v2**2 / (n2f - 1))
    t = diff / se
    half = float(special.stdtrit(df, (1 + conf_level) / 2) * se)
    return {
        "difference": diff,
        "t_statistic": float(t),
        "df": float(df),
        "p_value": float(2 * special.stdtr(df, -abs(t))),
        "ci_low": diff - half,
        "ci_high": diff + half,
        "ci_level": conf_level,
        "note": "Welch two-sample t test, two-sided",
    }
