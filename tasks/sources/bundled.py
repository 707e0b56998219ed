"""``bundled`` source: the Khromtau study's own inputs, shipped with the package.

The files live in ``tasks/sources/data/khromtau_study/`` in exactly the format an analyst uses
for ``--source files --input DIR``; see that folder's README for provenance.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from tasks.sources.base import Payload
from tasks.sources.files import read_folder

BUNDLED_DATASET = "khromtau_study"


def bundled_dir() -> Path:
    """Folder of the bundled dataset."""
    return Path(str(resources.files("tasks.sources") / "data" / BUNDLED_DATASET))


def read_bundled() -> list[Payload]:
    """The bundled study inputs as payloads (source ``bundled``)."""
    return read_folder(bundled_dir(), source="bundled")
