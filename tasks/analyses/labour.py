"""Labour-market series per town and year, with the implied values used by the consistency rules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas.inputs import LABOUR, RATE_TOLERANCE_PP, UNEMPLOYED_TOLERANCE_PERSONS, labour_wide

INDICATORS = (*LABOUR, "labour_self_employed")


def labour_market(observations: pd.DataFrame) -> pd.DataFrame:
    """Wide labour series; missing years stay missing (never interpolated)."""
    w = labour_wide(observations)
    se = observations[observations["indicator_id"] == "labour_self_employed"]
    w = w.merge(
        se[["town_id", "year", "value"]].rename(columns={"value": "self_employed"}),
        on=["town_id", "year"],
        how="outer",
    )
    out = pd.DataFrame(
        {
            "town_id": w["town_id"],
            "year": w["year"],
            "active_thousand": w["active"],
            "employed_thousand": w["employed"],
            "unemployed": w["unemployed"],
            "self_employed": w["self_employed"],
            "unemployment_rate": w["rate"],
        }
    )
    out["implied_unemployed"] = 1000 * (w["active"] - w["employed"])
    out["implied_rate"] = 100 * w["unemployed"] / (1000 * w["active"])
    out["employment_rate"] = 100 * w["employed"] / w["active"]
    ok_u = (out["implied_unemployed"] - out["unemployed"]).abs() <= UNEMPLOYED_TOLERANCE_PERSONS
    ok_r = (out["implied_rate"] - out["unemployment_rate"]).abs() <= RATE_TOLERANCE_PP + 1e-9
    known = (
        out[["implied_unemployed", "unemployed", "implied_rate", "unemployment_rate"]]
        .notna()
        .all(axis=1)
    )
    out["consistent"] = pd.Series(np.where(known, ok_u & ok_r, None), dtype="object")
    notes = []
    for u, r, k in zip(ok_u, ok_r, known, strict=True):
        if not k:
            notes.append("a needed value is missing")
        elif u and r:
            notes.append(None)
        else:
            notes.append(
                "; ".join(
                    t
                    for t, bad in (
                        ("unemployed differs from 1000 x (active - employed)", not u),
                        ("rate differs from unemployed / active", not r),
                    )
                    if bad
                )
            )
    out["note"] = notes
    return out.sort_values(["town_id", "year"]).reset_index(drop=True)
