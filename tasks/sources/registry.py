"""Every source the refresh flow can run, by name (``monotowns run --source NAME``).

Each line names a source's :class:`~tasks.sources.spec.SourceSpec` (``"module:NAME"``): its
options (the ``monotowns run`` flags and the ``refresh`` flow's parameters), whether it is
live, what its run reads (the fingerprint) and where its :class:`~tasks.sources.base.Source`
is. Adding a source is its package, with a light ``spec`` module (standard library only: the
command line imports every spec before anything heavy, ``tests/test_cli_startup.py``), plus
one line here. The order is that of ``--help``; the first is the default source.
"""

from __future__ import annotations

import importlib

from tasks.sources.spec import SourceSpec, all_options

REGISTERED = (
    "tasks.sources.folders:BUNDLED",
    "tasks.sources.folders:FILES",
    "tasks.sources.taldau.spec:SOURCE",
)


def _load(entry: str) -> SourceSpec:
    module, _, name = entry.partition(":")
    return getattr(importlib.import_module(module), name)


SOURCES: dict[str, SourceSpec] = {s.name: s for s in map(_load, REGISTERED)}
DEFAULT_SOURCE = next(iter(SOURCES))
all_options(SOURCES)  # two sources sharing an option name must declare it identically
