"""Printing results of the ``monotowns`` commands: frames as a table, CSV or JSON."""

from __future__ import annotations

import json
import math
import sys
from typing import Any


def clean(v: Any) -> Any:
    """A JSON-ready value: NaN becomes ``None``, numpy scalars plain Python values."""
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return clean(v.item())
    return v


def print_frame(frame, fmt: str) -> None:
    """Print a pandas frame to stdout as ``table`` (aligned text), ``csv`` or ``json``."""
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        records = [{k: clean(v) for k, v in r.items()} for r in frame.to_dict("records")]
        print(json.dumps(records, ensure_ascii=False, default=str, indent=1))
    else:
        import pandas as pd  # only here: the other commands start without pandas

        with pd.option_context(
            "display.max_rows",
            500,
            "display.max_columns",
            50,
            "display.width",
            200,
            "display.max_colwidth",
            80,
        ):
            print(frame.to_string(index=False) if len(frame) else "(no rows)")
