"""Study Table 4: perception of change per area, on the 5-point change scale."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.inputs import ANSWER_SCORE, ANSWERS
from tasks.stats.describe import mean_ci, median_from_counts


def perception_summary(counts: pd.DataFrame, conf_level: float = 0.95) -> pd.DataFrame:
    """Per (survey, area): counts, shares, net balance, mean/median score and a t CI for the mean.

    The CI treats respondents as a simple random sample, which the study's sample of 50
    entrepreneurs is not; read it as a measure of spread, not of population inference.
    """
    rows = []
    for (survey, area), g in counts.groupby(["survey_id", "area"], sort=True):
        by = g.set_index("answer")["respondents"].reindex(ANSWERS, fill_value=0)
        n = int(by.sum())
        improved = int(by["improved_significantly"] + by["improved_somewhat"])
        worsened = int(by["worsened_somewhat"] + by["worsened_significantly"])
        unchanged = int(by["unchanged"])
        levels = np.array([ANSWER_SCORE[a] for a in ANSWERS], dtype=float)
        m = mean_ci(counts=by.to_numpy(dtype=float), levels=levels, conf_level=conf_level)
        rows.append(
            {
                "survey_id": survey,
                "area": area,
                "n": n,
                "improved": improved,
                "unchanged": unchanged,
                "worsened": worsened,
                "share_improved": improved / n if n else np.nan,
                "share_unchanged": unchanged / n if n else np.nan,
                "share_worsened": worsened / n if n else np.nan,
                "net_balance": 100 * (improved - worsened) / n if n else np.nan,
                "mean_score": m["mean"],
                "sd_score": m["sd"],
                "ci_low": m["ci_low"],
                "ci_high": m["ci_high"],
                "ci_level": conf_level,
                "median_score": median_from_counts(levels, by.to_numpy(dtype=float)),
            }
        )
    return pd.DataFrame(rows)
