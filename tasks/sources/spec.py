"""What a source declares about itself: its options, whether it is live, what its run reads.

A :class:`SourceSpec` is the light half of a source (standard library only, so the command line
builds its flags and runs its up-to-date check without importing pandas or an HTTP client); the
heavy half, the :class:`~tasks.sources.base.Source` that plans, fetches and parses, is named by
:attr:`SourceSpec.implementation` and imported only when a run uses it. Every spec is listed
once in :data:`tasks.sources.registry.SOURCES`; from it come

* the ``monotowns run`` flags (one per :class:`Option`) and the ``--source`` choices and help;
* the ``refresh`` flow's parameters (one per option, same name; :mod:`flows.request`);
* the source's part of the input fingerprint (:attr:`SourceSpec.inputs`, :mod:`tasks.fingerprint`);
* whether a run must always fetch (:attr:`SourceSpec.live`: it cannot know in advance what it
  would receive, so it is never "up to date" unless it replays its archive, ``--offline``).
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

#: ``inputs(options, archive_dir) -> {part name: sha256}``: hashes of what a run would read.
Inputs = Callable[[Mapping[str, Any], str], dict[str, str]]


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (read in 1 MiB blocks; the hash of ``raw.payload``)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@dataclass(frozen=True)
class Option:
    """One option of a source: a ``refresh`` flow parameter and a ``monotowns run`` flag.

    Attributes
    ----------
    name : the flow parameter (``taldau_url``); unique across every source, or declared
        identically by each source that shares it.
    help : one line for ``--help``.
    type : ``str``, ``bool`` (a flag that sets ``True``), ``int`` or ``float``.
    default : the value when not given (``None``; ``False`` for a ``bool``).
    flag : the command-line flag (default ``--`` + the name with dashes).
    metavar : what ``--help`` shows for the value.
    many : repeatable: ``--town a --town b`` gives the list ``["a", "b"]``.
    path : a file or folder: made absolute where the run is resolved, hashed as such.
    required : the source cannot run without it (``monotowns run`` says so, exit 2).
    results : changes what the run produces (part of the fingerprint's ``parameters``).
    env : an environment variable giving the value when neither flag nor parameter does (read
        only by :mod:`flows.settings`).
    """

    name: str
    help: str
    type: type = str
    default: Any = None
    flag: str | None = None
    metavar: str | None = None
    many: bool = False
    path: bool = False
    required: bool = False
    results: bool = True
    env: str | None = None

    @property
    def cli_flag(self) -> str:
        """``--taldau-url`` for ``taldau_url`` unless :attr:`flag` says otherwise."""
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def annotation(self) -> Any:
        """The flow parameter's type (what Prefect validates and puts in the schema)."""
        if self.many:
            return list[self.type] | None
        if self.type is bool:
            return bool
        return self.type | None

    @property
    def empty(self) -> Any:
        """The default value as the flow parameter's default."""
        return False if self.type is bool and self.default is None else self.default


@dataclass(frozen=True)
class SourceSpec:
    """A source as the registry lists it.

    Attributes
    ----------
    name : ``--source NAME`` (and ``raw.payload.source``).
    help : one line for ``monotowns run --help``.
    implementation : ``"module:Class"`` of its :class:`~tasks.sources.base.Source`.
    live : fetched from a service whose answer is only known by asking: such a run always
        fetches (never "up to date") unless ``offline`` replays the raw archive.
    options : its options (flags and flow parameters), in ``--help`` order.
    inputs : what a run reads that is not the project's own files (a folder's files, a replay's
        archive index, registry files given as options), as fingerprint parts; ``None``: nothing.
    """

    name: str
    help: str
    implementation: str
    live: bool = False
    options: tuple[Option, ...] = ()
    inputs: Inputs | None = field(default=None, compare=False)

    def option(self, name: str) -> Option:
        """The option called ``name`` (``KeyError`` if this source has none)."""
        for opt in self.options:
            if opt.name == name:
                return opt
        raise KeyError(f"source {self.name!r} has no option {name!r}")

    def input_parts(self, options: Mapping[str, Any], archive_dir: str) -> dict[str, str]:
        """The fingerprint parts of what a run with ``options`` reads (``{}``: nothing more)."""
        return dict(self.inputs(options, archive_dir)) if self.inputs else {}

    def load(self) -> Any:
        """The :class:`~tasks.sources.base.Source` that fetches and parses (imported now)."""
        return _instance(self.implementation)


@cache
def _instance(implementation: str) -> Any:
    module, _, attr = implementation.partition(":")
    return getattr(importlib.import_module(module), attr)()


def all_options(specs: Mapping[str, SourceSpec]) -> dict[str, Option]:
    """Every option of ``specs`` by name, each once; a name two sources declare differently is
    an error (it is one flow parameter and one flag)."""
    found: dict[str, Option] = {}
    for spec in specs.values():
        for opt in spec.options:
            if found.setdefault(opt.name, opt) != opt:
                raise ValueError(
                    f"option {opt.name!r} of source {spec.name!r} differs from the one "
                    "another source declares under that name"
                )
    return found
