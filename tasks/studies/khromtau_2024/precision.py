"""Printed precision: how many decimals a published number shows, and when a recomputed value
matches it (within half a unit in the last printed digit)."""

from __future__ import annotations

import re

import numpy as np


def printed_decimals(text: str) -> int:
    """Decimal places of a number as printed: ``"0.81252605"`` -> 8, ``"11,750"`` -> 0.

    A comma followed by exactly three digits (and no point) is a thousands separator;
    any other single comma is a decimal comma.
    """
    t = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if "." in t:
        return len(re.sub(r"\D", "", t.rsplit(".", 1)[1]))
    if "," in t:
        tail = t.rsplit(",", 1)[1]
        if len(tail) == 3 and tail.isdigit():
            return 0
        return len(re.sub(r"\D", "", tail))
    return 0


def printed_tolerance(text: str) -> float:
    """Half a unit in the last printed digit."""
    return 0.5 * 10.0 ** (-printed_decimals(text))


def matches(published_value: float, value: float, tolerance: float) -> bool:
    """``|published - value| <= tolerance`` (with a hair of slack for binary rounding)."""
    if not (np.isfinite(published_value) and np.isfinite(value)):
        return False
    return abs(published_value - value) <= tolerance * (1 + 1e-9) + 1e-15
