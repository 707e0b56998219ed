"""``bundled`` source: the datasets the registered studies ship with the package.

Each study keeps its inputs in its own ``data/`` folder (today the Khromtau study's,
``tasks/studies/khromtau_2024/data/``) in exactly the format an analyst uses for
``--source files --input DIR``; provenance and format: ``docs/inputs.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tasks.sources.base import Fetched, Payload
from tasks.sources.files import FilesSource, read_folder
from tasks.studies import bundled_dirs


def bundled_dir() -> Path:
    """Folder of the (first registered study's) bundled dataset."""
    return bundled_dirs()[0]


def read_bundled() -> list[Payload]:
    """The bundled study inputs as payloads (source ``bundled``)."""
    return [p for folder in bundled_dirs() for p in read_folder(folder, source="bundled")]


class BundledSource(FilesSource):
    """:class:`~tasks.sources.base.Source` over the studies' bundled folders (no options)."""

    name = "bundled"

    def plan(self, options: Mapping[str, Any]) -> tuple[list[Any], list]:
        return [str(d) for d in bundled_dirs()], []

    def fetch(self, session: Any, request: Any) -> Fetched:
        return Fetched(key=str(request), payloads=read_folder(request, source=self.name))
