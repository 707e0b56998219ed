"""``files`` source: an analyst's folder of CSV/XLSX files in the study-data format.

The format is documented in ``docs/inputs.md`` ("Input files"); the bundled source is the same
format.
Reading only collects bytes with provenance; parsing happens in :mod:`tasks.parse` and
:mod:`tasks.validate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Any

from tasks.sources.base import Batch, Fetched, Payload, SourceError
from tasks.studies import INPUTS
from tasks.validate import validate_payloads

EXTENSIONS = (".csv", ".xlsx")

__all__ = ["FilesSource", "SourceError", "read_folder"]


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
        # the bytes stay in the file (streamed by the reader): inputs may be gigabytes
        payloads.append(Payload.from_path(source, kind, path, meta={"file": path.name}))
    if not any(p.kind != "unknown" for p in payloads):
        known = ", ".join(f"{n}.csv" for n in INPUTS)
        raise SourceError(f"no known input file in {folder}; expected any of: {known}")
    return payloads


class FilesSource:
    """:class:`~tasks.sources.base.Source` over one folder (option ``input_dir``)."""

    name = "files"

    def plan(self, options: Mapping[str, Any]) -> tuple[list[Any], list]:
        if not options.get("input_dir"):
            raise SourceError("--source files needs --input DIR")
        return [str(options["input_dir"])], []

    def session(self, options: Mapping[str, Any], archive_dir: str):
        return nullcontext()

    def fetch(self, session: Any, request: Any) -> Fetched:
        return Fetched(key=str(request), payloads=read_folder(request, source=self.name))

    def parse(
        self,
        fetched: list[Fetched],
        *,
        options: Mapping[str, Any],
        reference: list[Payload],
        today: date,
    ) -> Batch:
        payloads = [p for f in fetched for p in f.payloads]
        return validate_payloads(payloads, reference=reference, today=today)
