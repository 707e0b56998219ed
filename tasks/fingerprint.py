"""The fingerprint of a refresh run's inputs: what would the run read, and with which code?

:func:`input_fingerprint` hashes, without parsing anything and without Prefect, everything a
``refresh`` run's results depend on:

* ``inputs``: the bytes of every file the source would read (``files``: the ``--input`` folder,
  each file by name and SHA-256, the same hash as its ``raw.payload.content_hash``); for
  ``taldau --offline`` the raw archive's index of requests (each request's latest successful
  response, the one the replay would use) and the ``--taldau-towns``/``--taldau-indicators``
  files. A live Taldau run cannot be known in advance: its fingerprint is ``None`` and the run
  always does its work.
* ``studies' data``, ``registry`` (``tasks/sources/taldau/*.csv``), ``codebooks``,
  ``migrations`` and ``code`` (every other file of the ``flows``, ``tasks``, ``schemas`` and
  ``warehouse`` packages, so an edited checkout counts as changed), plus the versions of Python
  and of the packages the run row records.
* ``parameters``: the run parameters that change results or outputs (source, folders, filters,
  report or not, where) and the calendar year (the upper bound of the year rule).

Only the standard library is imported here: the CLI calls this before it imports Prefect.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from warehouse.versions import package_versions

#: The project's packages, beside each other (a checkout or site-packages).
ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "tasks", "schemas", "warehouse")
#: Packages whose versions change the fingerprint (as recorded in ``meta.pipeline_run``).
VERSIONED = ("monotowns", "prefect", "pandas", "pandera", "duckdb", "scipy", "numpy", "pyarrow")
#: Run parameters that do not change what a run produces.
NOT_RESULTS = frozenset({"warehouse", "lock_timeout", "force", "inputs", "progress"})
SKIP_DIRS = {"__pycache__"}
SKIP_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class Fingerprint:
    """A run's input fingerprint: ``digest`` over ``parts`` (part name -> SHA-256 hex)."""

    digest: str
    parts: dict[str, str] = field(default_factory=dict)

    def changed(self, recorded: Mapping[str, str] | None) -> list[str]:
        """Names of the parts that differ from ``recorded`` (added and removed ones too)."""
        recorded = dict(recorded or {})
        names = sorted(set(self.parts) | set(recorded))
        return [n for n in names if self.parts.get(n) != recorded.get(n)]


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (read in 1 MiB blocks)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _digest(items: Iterable[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for name, value in items:
        h.update(name.encode("utf-8") + b"\0" + value.encode("utf-8") + b"\n")
    return h.hexdigest()


def _project_files() -> list[Path]:
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            skipped = SKIP_DIRS & set(path.relative_to(ROOT).parts)
            if path.is_file() and not path.name.endswith(SKIP_SUFFIXES) and not skipped:
                out.append(path)
    return out


def _category(rel: Path) -> str:
    parts = rel.parts
    if parts[:2] == ("tasks", "studies") and "data" in parts[3:-1]:
        return "studies' data"
    if parts[:3] == ("tasks", "sources", "taldau") and rel.suffix == ".csv":
        return "registry"
    if parts[:2] == ("warehouse", "migrations"):
        return "migrations"
    if parts[:3] == ("tasks", "survey", "codebooks"):
        return "codebooks"
    return "code"


def project_parts() -> dict[str, str]:
    """Hashes of the project's own files by category (code, studies' data, registry, ...)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for path in _project_files():
        rel = path.relative_to(ROOT)
        groups.setdefault(_category(rel), []).append((rel.as_posix(), sha256_file(path)))
    return {name: _digest(items) for name, items in sorted(groups.items())}


def versions() -> str:
    """Python and the versions of :data:`VERSIONED`, as one text."""
    found = package_versions(VERSIONED, missing="none", python=True)
    return ";".join(f"{pkg}={version}" for pkg, version in found.items())


def folder_parts(folder: str | Path, prefix: str) -> dict[str, str]:
    """``{prefix/<file name>: sha256}`` of every file a folder source reads (not hidden)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {f"{prefix}/": "missing"}
    return {
        f"{prefix}/{p.name}": sha256_file(p)
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def taldau_archive_part(archive_dir: str | Path) -> str:
    """Hash of what an offline Taldau replay would read: every archived request's latest
    successful response (request hash, body hash, fetch time) in ``<archive>/taldau/requests``.
    """
    requests = Path(archive_dir) / "taldau" / "requests"
    items = []
    if requests.is_dir():
        for meta in sorted(requests.glob("*.json")):
            try:
                ok = json.loads(meta.read_text(encoding="utf-8")).get("latest_ok") or {}
            except (OSError, ValueError):
                ok = {"unreadable": True}
            items.append((meta.stem, f"{ok.get('content_hash')}@{ok.get('fetched_at')}"))
    return _digest(items)


def _file_part(path: str | None) -> str:
    if not path:
        return "shipped"
    p = Path(path)
    return sha256_file(p) if p.is_file() else "missing"


def input_fingerprint(
    *,
    source: str,
    input_dir: str | None = None,
    archive_dir: str | None = None,
    offline: bool = False,
    taldau_url: str | None = None,
    towns: list[str] | None = None,
    indicators: list[str] | None = None,
    taldau_towns: str | None = None,
    taldau_indicators: str | None = None,
    report: bool = True,
    report_dir: str | None = None,
    report_lang: str = "en",
    today: date | None = None,
    **other: Any,
) -> Fingerprint | None:
    """The fingerprint of a refresh run with these parameters, or ``None`` when it cannot be
    known before fetching (a live Taldau run). ``archive_dir`` and ``report_dir`` are the
    resolved folders the run would use; :data:`NOT_RESULTS` (the warehouse path, the lock
    timeout, ``force``) are ignored, and any other parameter counts as it is given (a new flow
    parameter changes the fingerprint until it is known here).
    """
    if source == "taldau" and not offline:
        return None
    params = {
        "source": source,
        "input_dir": str(Path(input_dir).resolve()) if input_dir else None,
        "archive_dir": str(Path(archive_dir).resolve()) if archive_dir else None,
        "offline": bool(offline),
        "taldau_url": taldau_url,
        "towns": sorted(towns or []),
        "indicators": sorted(indicators or []),
        "taldau_towns": str(Path(taldau_towns).resolve()) if taldau_towns else None,
        "taldau_indicators": str(Path(taldau_indicators).resolve()) if taldau_indicators else None,
        "report": bool(report),
        "report_dir": str(Path(report_dir).resolve()) if report_dir else None,
        "report_lang": report_lang,
        "year": (today or date.today()).year,
        "other": {k: other[k] for k in sorted(other) if k not in NOT_RESULTS},
    }
    parts = dict(project_parts())
    parts["versions"] = hashlib.sha256(versions().encode()).hexdigest()
    text = json.dumps(params, sort_keys=True, default=str)
    parts["parameters"] = hashlib.sha256(text.encode()).hexdigest()
    if source == "files":
        parts.update(folder_parts(input_dir or "", "files"))
    elif source == "taldau":
        parts["taldau/archive"] = taldau_archive_part(archive_dir or "")
        parts["taldau/towns"] = _file_part(taldau_towns)
        parts["taldau/indicators"] = _file_part(taldau_indicators)
    return Fingerprint(_digest(sorted(parts.items())), parts)
