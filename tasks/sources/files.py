"""``files`` source: an analyst's folder of CSV/XLSX files in the study-data format.

The format is documented in the README ("Input files"); the bundled source is the same format.
Reading only collects bytes with provenance; parsing happens in :mod:`tasks.parse`.
"""

from __future__ import annotations

from pathlib import Path

from schemas.inputs import INPUTS
from tasks.sources.base import Payload

EXTENSIONS = (".csv", ".xlsx")


class SourceError(RuntimeError):
    """A source could not be read at all (missing folder, no known file)."""


def read_folder(folder: str | Path, source: str = "files") -> list[Payload]:
    """Read every known input file (``<name>.csv`` or ``<name>.xlsx``) of ``folder`` as payloads.

    Unknown files are returned too, with kind ``unknown``, so they are archived and reported.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"input folder not found: {folder}")
    payloads = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        stem, suffix = path.stem, path.suffix.lower()
        kind = stem if (stem in INPUTS and suffix in EXTENSIONS) else "unknown"
        payloads.append(
            Payload.from_bytes(
                source, kind, str(path.resolve()), path.read_bytes(), meta={"file": path.name}
            )
        )
    if not any(p.kind != "unknown" for p in payloads):
        known = ", ".join(f"{n}.csv" for n in INPUTS)
        raise SourceError(f"no known input file in {folder}; expected any of: {known}")
    return payloads
