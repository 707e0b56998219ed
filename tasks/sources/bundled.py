"""``bundled`` source: the datasets shipped with the package.

* the monotown panel (``tasks/sources/data/monotown_panel/``): published figures for many towns
  (today the resident population at 1 January from ``shared/reference/towns/population.csv``),
  each against the kind of territory it covers;
* each registered study's own ``data/`` folder (today the Khromtau study's,
  ``tasks/studies/khromtau_2024/data/``).

Every folder is in exactly the format an analyst uses for ``--source files --input DIR``
(``docs/inputs.md``); :func:`tasks.validate.validate_payloads` validates each folder on its
own and merges the batches. The towns come from the registry
(``tasks/sources/taldau/towns.csv``) and the indicators from the catalogue
(``tasks/catalogue/indicators.yaml``), never from a folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tasks.sources.base import Fetched, Payload
from tasks.sources.files import FilesSource, read_folder
from tasks.studies import bundled_dirs as study_dirs

PANEL_DIR = Path(__file__).resolve().parent / "data" / "monotown_panel"


def bundled_dirs() -> list[Path]:
    """Folders of the bundled datasets: the monotown panel, then every study's."""
    return [PANEL_DIR, *study_dirs()]


def bundled_dir() -> Path:
    """Folder of the first registered study's bundled dataset."""
    return study_dirs()[0]


def read_bundled() -> list[Payload]:
    """Every bundled input as payloads (source ``bundled``)."""
    return [p for folder in bundled_dirs() for p in read_folder(folder, source="bundled")]


class BundledSource(FilesSource):
    """:class:`~tasks.sources.base.Source` over the bundled folders (no options)."""

    name = "bundled"

    def plan(self, options: Mapping[str, Any]) -> tuple[list[Any], list]:
        return [str(d) for d in bundled_dirs()], []

    def fetch(self, session: Any, request: Any) -> Fetched:
        return Fetched(key=str(request), payloads=read_folder(request, source=self.name))
