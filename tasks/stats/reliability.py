"""Reliability of multi-item scales: Cronbach's alpha with the Feldt interval.

Plain functions; no Prefect imports.  Usage errors raise :class:`ValueError` naming the
argument and the rule; data problems (too few items or respondents, constant items) give
NaN and the reason in ``note``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from tasks.stats._checks import check_conf_level

__all__ = ["cronbach_alpha"]


def cronbach_alpha(data: Any, conf_level: float = 0.95) -> dict[str, Any]:
    """Cronbach's alpha of the columns of ``data`` (rows = respondents), listwise complete.

    ``alpha = k/(k-1) * (1 - sum(item variances) / variance(total score))`` with sample
    variances, as R ``psych::alpha(data)$total$raw_alpha``.  The interval is Feldt's
    (Feldt, Woodruff & Salih 1987, formulas 6-7):
    ``1 - (1 - alpha) * F_{1-c/2}(n-1, (n-1)(k-1))`` and ``1 - (1 - alpha) * F_{c/2}(...)``,
    as R ``psych::alpha`` prints ("Feldt") and ``cocron::cronbach.alpha.CI`` computes.
    Also the standardised alpha ``k r / (1 + (k-1) r)`` from the mean inter-item Pearson r
    (``psych::alpha(data)$total$std.alpha``).

    Parameters
    ----------
    data : array-like of shape (n_respondents, k_items)
        Item scores; NaN marks a missing answer (respondents with one are dropped).
    conf_level : float, default 0.95
        Level of the Feldt interval, strictly between 0 and 1.

    Returns
    -------
    dict
        ``k, n`` (complete respondents), ``alpha, alpha_standardized, mean_inter_item_r,
        ci_low, ci_high, ci_level, note``.  With fewer than 2 items or 3 complete
        respondents, or a constant item or total, the statistics are NaN and ``note``
        starts with "not computed".

    Raises
    ------
    ValueError
        ``data`` not numeric, not two-dimensional, or holding infinite values;
        ``conf_level`` outside (0, 1).

    Examples
    --------
    >>> round(cronbach_alpha([[1, 2], [2, 3], [3, 3], [4, 5]])["alpha"], 4)
    0.96
    """
    conf_level = check_conf_level(conf_level)
    try:
        x = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"data must be numeric: {exc}") from exc
    if x.ndim != 2:
        raise ValueError(f"data must be two-dimensional (respondents x items), got shape {x.shape}")
    if np.isinf(x).any():
        raise ValueError("data must hold finite scores or NaN (missing), got an infinity")
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    out = {
        "k": int(k),
        "n": int(n),
        "alpha": np.nan,
        "alpha_standardized": np.nan,
        "mean_inter_item_r": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "ci_level": conf_level,
        "note": "",
    }
    if k < 2 or n < 3:
        out["note"] = f"not computed: needs >= 2 items and >= 3 complete respondents (k={k}, n={n})"
        return out
    centred = x - x.mean(axis=0)
    item_var = (centred**2).sum(axis=0) / (n - 1)
    total = centred.sum(axis=1)
    total_var = float(total @ total) / (n - 1)
    if total_var <= 0 or (item_var <= 0).any():
        out["note"] = "not computed: an item or the total score is constant"
        return out
    alpha = k / (k - 1) * (1 - float(item_var.sum()) / total_var)
    cov = centred.T @ centred / (n - 1)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    mean_r = float(corr[np.triu_indices(k, 1)].mean())
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - conf_level) / 2
    out.update(
        alpha=alpha,
        alpha_standardized=k * mean_r / (1 + (k - 1) * mean_r),
        mean_inter_item_r=mean_r,
        ci_low=1 - (1 - alpha) * float(stats.f.isf(tail, df1, df2)),
        ci_high=1 - (1 - alpha) * float(stats.f.isf(1 - tail, df1, df2)),
    )
    return out
