"""The fingerprint of a refresh run's inputs: what would the run read, and with which code?

:func:`input_fingerprint` hashes, without parsing anything and without Prefect, everything a
``refresh`` run's results depend on:

* ``inputs``: what the source declares its run reads (:attr:`~tasks.sources.spec.SourceSpec.inputs`;
  ``files``: the ``--input`` folder, each file by name and SHA-256, the same hash as its
  ``raw.payload.content_hash``; ``taldau --offline``: the raw archive's index of requests, each
  request's latest successful response, the one the replay would use, and the
  ``--taldau-towns``/``--taldau-indicators`` files). A run of a live source that is not
  ``offline`` cannot be known in advance: its fingerprint is ``None`` and the run always does
  its work.
* ``studies' data``, ``registry`` (``tasks/sources/taldau/*.csv``), ``codebooks``,
  ``migrations`` and ``code`` (every other file of the ``flows``, ``tasks``, ``schemas`` and
  ``warehouse`` packages, so an edited checkout counts as changed), plus the versions of Python
  and of the packages the run row records.
* ``parameters``: the request's settings that change results or outputs (source, the source's
  options declared ``results``, paths made absolute; archive, report or not, where, language)
  and the calendar year (the upper bound of the year rule).

Only the standard library and the sources' declarations (:mod:`tasks.sources.spec`) are
imported here: the CLI calls this before it imports Prefect.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tasks.sources.spec import sha256_file
from warehouse.versions import package_versions

if TYPE_CHECKING:  # the request is resolved by the composition root (flows/); no import here
    from flows.request import RefreshRequest

#: The project's packages, beside each other (a checkout or site-packages).
ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "tasks", "schemas", "warehouse")
#: Packages whose versions change the fingerprint (as recorded in ``meta.pipeline_run``).
VERSIONED = ("monotowns", "prefect", "pandas", "pandera", "duckdb", "scipy", "numpy", "pyarrow")
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


def _absolute(path: str | None) -> str | None:
    return str(Path(path).resolve()) if path else None


def request_parameters(request: RefreshRequest, today: date | None = None) -> dict:
    """The part of ``request`` that changes what the run produces, as hashed: the source, its
    options declared ``results`` (paths absolute, lists sorted), the archive and report
    settings, and the calendar year."""
    options = {}
    for opt in request.spec.options:
        if opt.results:
            value = dict(request.source_options).get(opt.name)
            if opt.path:
                value = _absolute(value)
            elif opt.many:
                value = sorted(value or [])
            options[opt.name] = value
    return {
        "source": request.source,
        "options": options,
        "offline": bool(request.offline),
        "archive_dir": _absolute(request.archive),
        "report": bool(request.report),
        "report_dir": _absolute(request.report_folder) if request.report else None,
        "report_lang": request.report_lang,
        "year": (today or date.today()).year,
    }


def input_fingerprint(request: RefreshRequest, today: date | None = None) -> Fingerprint | None:
    """The fingerprint of the run of ``request``, or ``None`` when it cannot be known before
    fetching (a live source not run ``offline``: :attr:`RefreshRequest.fetches_live`)."""
    if request.fetches_live:
        return None
    parts = dict(project_parts())
    parts["versions"] = hashlib.sha256(versions().encode()).hexdigest()
    text = json.dumps(request_parameters(request, today), sort_keys=True, default=str)
    parts["parameters"] = hashlib.sha256(text.encode()).hexdigest()
    parts.update(request.spec.input_parts(request.options, request.archive))
    return Fingerprint(_digest(sorted(parts.items())), parts)
