"""The declarations of the two folder sources, ``bundled`` and ``files`` (:mod:`.spec`).

Their implementations (:mod:`tasks.sources.bundled`, :mod:`tasks.sources.files`) import pandas
and the validation rules; these declarations import nothing, so the command line builds its
flags and fingerprints a run without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tasks.sources.spec import Option, SourceSpec, sha256_file


def folder_parts(folder: str | Path, prefix: str) -> dict[str, str]:
    """``{prefix/<file name>: sha256}`` of every file a folder source reads (not hidden); the
    same hash as each file's ``raw.payload.content_hash``."""
    folder = Path(folder)
    if not folder.is_dir():
        return {f"{prefix}/": "missing"}
    return {
        f"{prefix}/{p.name}": sha256_file(p)
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def _files_inputs(options: Mapping[str, Any], archive_dir: str) -> dict[str, str]:
    return folder_parts(options.get("input_dir") or "", "files")


#: The study's bundled data (its files are the project's own: the fingerprint's ``studies'
#: data`` and ``code`` parts cover them).
BUNDLED = SourceSpec(
    name="bundled",
    help="the datasets shipped with the package (the study's own data, offline)",
    implementation="tasks.sources.bundled:BundledSource",
)

FILES = SourceSpec(
    name="files",
    help="an analyst's folder of CSV/XLSX input files (--input DIR)",
    implementation="tasks.sources.files:FilesSource",
    options=(
        Option(
            "input_dir",
            "folder of input files for --source files",
            flag="--input",
            metavar="DIR",
            path=True,
            required=True,
        ),
    ),
    inputs=_files_inputs,
)
