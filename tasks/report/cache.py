"""Charts are re-rendered only when what they show changed.

A chart function wrapped by :func:`keyed` stamps its :class:`~tasks.report.charts.Chart` with
:func:`data_key`: a SHA-256 of the function's name and arguments (the frames and values drawn),
the report's language, the project's code (chart code, message catalogues, styles: the
``code`` part of :func:`tasks.fingerprint.project_parts`) and matplotlib's version.
:func:`~tasks.report.charts.render` asks :func:`cached_svg` first: when ``charts.json`` in the
chart folder records the same key for the chart's name and both its PNG and SVG are there, the
SVG is read back instead of drawn; after drawing, :func:`remember` records the key. A chart
without a key (not wrapped) is always drawn.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pandas as pd

from tasks.fingerprint import project_parts
from tasks.report.i18n import current_language

MANIFEST = "charts.json"


@functools.cache
def _code_hash() -> str:
    return project_parts().get("code", "")


def _stable(value: Any) -> bytes:
    """Bytes that change exactly when the value drawn changes (frames: columns, dtypes, cells)."""
    if isinstance(value, pd.DataFrame):
        head = json.dumps([list(map(str, value.columns)), list(map(str, value.dtypes))])
        return head.encode() + value.to_csv(index=True).encode("utf-8")
    if isinstance(value, pd.Series):
        return _stable(value.to_frame())
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True, default=str).encode("utf-8")
    return repr(value).encode("utf-8")


def data_key(name: str, args: tuple, kwargs: dict) -> str:
    """The input hash of one chart (see the module docstring)."""
    h = hashlib.sha256()
    for part in (name, current_language(), _code_hash(), mpl.__version__):
        h.update(part.encode("utf-8") + b"\0")
    for value in (*args, *(kwargs[k] for k in sorted(kwargs))):
        h.update(hashlib.sha256(_stable(value)).digest())
    h.update(json.dumps(sorted(kwargs)).encode())
    return h.hexdigest()


def keyed(fn: Callable) -> Callable:
    """Wrap a chart function so that its chart carries ``data_key``."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        chart = fn(*args, **kwargs)
        chart.data_key = data_key(fn.__name__, args, kwargs)
        return chart

    return wrapper


def _manifest(out: Path) -> dict[str, str]:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def cached_svg(chart: Any, out: Path) -> str | None:
    """The chart's SVG text if it was drawn from the same inputs into ``out``; else None."""
    key = getattr(chart, "data_key", None)
    png, svg = out / f"{chart.name}.png", out / f"{chart.name}.svg"
    if not key or _manifest(out).get(chart.name) != key or not png.exists():
        return None
    try:
        return svg.read_text(encoding="utf-8")
    except OSError:
        return None


def remember(chart: Any, out: Path) -> None:
    """Record the key of the chart just drawn into ``out`` (or forget it: no key)."""
    manifest = _manifest(out)
    key = getattr(chart, "data_key", None)
    if key:
        manifest[chart.name] = key
    else:
        manifest.pop(chart.name, None)
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, out / MANIFEST)
