"""Tests of independence for contingency tables: Pearson's chi-square (with or without
Yates' continuity correction), Fisher's exact test, Cramér's V.

Bad tables (not two-dimensional, empty, negative, fractional, NaN or infinite counts)
raise :class:`ValueError` naming the argument and the rule.  Tables with fewer than two
non-empty rows or columns are a data problem: the row says "not computed".

Plain functions; no Prefect imports.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from tasks.stats._checks import check_table

__all__ = ["MONTE_CARLO_RESAMPLES", "MONTE_CARLO_SEED", "association_test"]

#: Tables drawn for the r x c Fisher test by Monte Carlo.
MONTE_CARLO_RESAMPLES = 10_000
#: Default seed of the Monte Carlo test (results are reproducible).
MONTE_CARLO_SEED = 20240050


def _correction_label(applied: bool, asked: bool) -> str:
    """How the chi-square statistic was computed, for ``note``."""
    if applied:
        return "with Yates' continuity correction"
    if asked:
        return "without continuity correction (R applies it to 2x2 tables only)"
    return "without continuity correction"


def association_test(
    table: Any,
    seed: int = MONTE_CARLO_SEED,
    *,
    correction: bool = False,
    resamples: int = MONTE_CARLO_RESAMPLES,
) -> dict[str, Any]:
    """Chi-square / Fisher test of independence and Cramér's V for a count table.

    Empty rows and columns are dropped first.  Pearson's chi-square statistic and Cramér's V
    ``sqrt(chi2 / (n (min(r, c) - 1)))`` (always from the uncorrected chi-square, as
    ``scipy.stats.contingency.association``) are always reported.  The p-value is the
    chi-square test's when every expected count is >= 1 and at most 20 % are below 5
    (Cochran's rule); otherwise Fisher's exact test (2x2, R ``fisher.test(table)``) or the
    r x c Fisher test by Monte Carlo (``resamples`` tables, seeded).

    With ``correction=False`` (the default, used by the survey analyses) the chi-square
    test matches R ``chisq.test(table, correct = FALSE)``.  With ``correction=True`` it
    matches R's default ``chisq.test(table)``: Yates' continuity correction
    ``sum((|O - E| - min(0.5, |O - E|))^2 / E)`` on 2x2 tables, no correction on larger
    ones.  ``note`` and ``continuity_correction`` say whether it was applied.

    Parameters
    ----------
    table : array-like of shape (r, c)
        Counts: finite, non-negative whole numbers.
    seed : int, default :data:`MONTE_CARLO_SEED`
        Seed of the Monte Carlo Fisher test.
    correction : bool, default False
        Apply Yates' continuity correction to 2x2 tables (R's ``correct``).
    resamples : int, default :data:`MONTE_CARLO_RESAMPLES`
        Tables drawn for the Monte Carlo Fisher test.

    Returns
    -------
    dict
        ``n, n_rows, n_cols`` (after dropping empty rows and columns), ``test``
        (``chi-square``, ``fisher-exact``, ``fisher-monte-carlo`` or ``not computed``),
        ``statistic`` (chi-square), ``df``, ``p_value``, ``cramers_v``, ``min_expected``,
        ``share_expected_below_5``, ``continuity_correction`` (bool: applied to
        ``statistic``) and ``note``.

    Raises
    ------
    ValueError
        ``table`` not two-dimensional, empty, or holding negative, fractional, NaN or
        infinite counts; ``correction`` not a bool; ``resamples`` not a positive integer.

    Examples
    --------
    >>> r = association_test([[51, 76], [51, 26]], correction=True)
    >>> round(r["statistic"], 3), round(r["p_value"], 7)
    (12.016, 0.0005275)
    """
    t = check_table(table, "table")
    if not isinstance(correction, bool | np.bool_):
        raise ValueError(f"correction must be True or False, got {correction!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int | np.integer) or resamples < 1:
        raise ValueError(f"resamples must be a positive integer, got {resamples!r}")
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    n = int(t.sum())
    out: dict[str, Any] = {
        "n": n,
        "n_rows": int(t.shape[0]),
        "n_cols": int(t.shape[1]),
        "test": "not computed",
        "statistic": np.nan,
        "df": None,
        "p_value": np.nan,
        "cramers_v": np.nan,
        "min_expected": np.nan,
        "share_expected_below_5": np.nan,
        "continuity_correction": False,
        "note": "",
    }
    if t.shape[0] < 2 or t.shape[1] < 2:
        out["note"] = "not computed: fewer than two non-empty answers or categories"
        return out
    plain = stats.chi2_contingency(t, correction=False)
    # R (and scipy) correct only 2x2 tables, i.e. one degree of freedom
    applied = bool(correction) and t.shape == (2, 2)
    res = stats.chi2_contingency(t, correction=True) if applied else plain
    expected = plain.expected_freq
    out.update(
        statistic=float(res.statistic),
        df=int(res.dof),
        cramers_v=float(np.sqrt(float(plain.statistic) / (n * (min(t.shape) - 1)))),
        min_expected=float(expected.min()),
        share_expected_below_5=float((expected < 5).mean()),
        continuity_correction=applied,
    )
    how = _correction_label(applied, bool(correction))
    if out["min_expected"] >= 1 and out["share_expected_below_5"] <= 0.2:
        out.update(test="chi-square", p_value=float(res.pvalue))
        out["note"] = f"Pearson chi-square test {how} (expected counts adequate)"
    elif t.shape == (2, 2):
        out.update(test="fisher-exact", p_value=float(stats.fisher_exact(t).pvalue))
        out["note"] = (
            f"Fisher's exact test: expected counts too small for chi-square; "
            f"statistic: Pearson chi-square {how}"
        )
    else:
        method = stats.MonteCarloMethod(n_resamples=resamples, rng=np.random.default_rng(seed))
        # some table shapes give a 1-element array (scipy 1.17): take the scalar either way
        p = float(np.ravel(stats.fisher_exact(t, method=method).pvalue)[0])
        out.update(test="fisher-monte-carlo", p_value=p)
        out["note"] = (
            f"Fisher's exact test (r x c) by Monte Carlo, {resamples} tables, "
            f"seed {seed}: expected counts too small for chi-square; statistic: Pearson "
            f"chi-square {how}"
        )
    return out
