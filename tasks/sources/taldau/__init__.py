"""Taldau source: the statistics bureau's indicator API (https://taldau.stat.gov.kz/ru/Api/).

Plain functions, no Prefect (flows wrap them):

* ``spec.py``: what the source declares (its ``monotowns run`` options, live, its fingerprint);
  light, so importing this package costs nothing until its code is used;
* :class:`TaldauClient` (``client.py``): HTTP with retries, rate limit, raw archive, offline replay.
* ``parse.py``: pure parsers, GetIndexData -> the long observation frame + quality issues.
* ``registry/`` + ``indicators.csv`` / ``territories.csv`` / ``towns.csv``: what to fetch, as data.
* :func:`fetch_indicator` (``fetch.py``): the recommended call sequence for one (indicator, town);
* ``source.py``: the :class:`~tasks.sources.base.Source` the flow runs, one fetch per pair.

See ``docs/taldau.md``.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    """``from tasks.sources.taldau import TaldauClient`` (and every name of ``fetch.py``'s
    ``__all__``), imported on first use: :mod:`.spec` is read by the command line before any
    heavy import, and importing it runs this file."""
    fetch = importlib.import_module("tasks.sources.taldau.fetch")
    if name in fetch.__all__:
        return getattr(fetch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
