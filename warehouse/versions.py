"""Versions of the software in this process: the one helper behind every record of them.

``meta.pipeline_run.versions`` (the write session) and the report's run section both call
:func:`package_versions`; only the package lists and the word for a missing package differ.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable
from importlib import metadata


def package_versions(
    packages: Iterable[str], *, missing: str = "unknown", python: bool = False
) -> dict[str, str]:
    """``{package: version}`` of installed ``packages`` (``missing`` for one not installed).

    With ``python=True`` the first entry is ``"python"``, the interpreter's version.
    """
    out = {"python": platform.python_version()} if python else {}
    for pkg in packages:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = missing
    return out
