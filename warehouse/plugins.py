"""Where the study packages are, found without importing them.

A study package (``tasks/studies/<study>/``, registered in ``tasks.studies.STUDIES``) may bring
files that lower layers read by convention: its own numbered SQL migrations
(``migrations/NNN_*.sql``, applied by :func:`warehouse.db.migrate` after the generic ones) and
its report messages (``messages/<lang>.yaml``, merged by :mod:`tasks.report.i18n`). Those layers
sit below the study code (a study imports them), so they cannot import the study registry;
they find the folders here instead. ``tests/tasks/studies/test_plugin.py`` checks that the
folders found are exactly the registered studies.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

#: The package that holds one sub-package per study.
STUDIES_PACKAGE = ("tasks", "studies")


def studies_root() -> Path:
    """The folder of ``tasks/studies`` (``tasks`` located by its spec, not imported)."""
    spec = importlib.util.find_spec(STUDIES_PACKAGE[0])
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {STUDIES_PACKAGE[0]!r} not found")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*STUDIES_PACKAGE[1:])


def study_dirs() -> dict[str, Path]:
    """``{study name: folder}`` of every study package (a folder with ``__init__.py``), sorted."""
    root = studies_root()
    return {
        p.name: p
        for p in sorted(root.iterdir())
        if p.is_dir() and (p / "__init__.py").is_file() and not p.name.startswith(("_", "."))
    }


def study_files(folder: str, suffix: str) -> dict[str, list[Path]]:
    """``{study: [files]}``: the files ending in ``suffix`` of each study's ``folder``, sorted."""
    out: dict[str, list[Path]] = {}
    for name, path in study_dirs().items():
        sub = path / folder
        if sub.is_dir():
            out[name] = sorted(p for p in sub.iterdir() if p.name.endswith(suffix))
    return out
