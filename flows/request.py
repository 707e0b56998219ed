"""One refresh run's request: which source with which options, where, and what to write.

A :class:`RefreshRequest` is resolved once, at a composition root (``monotowns run``:
:func:`flows.settings.resolve_settings`; a flow run, e.g. of a deployment:
:func:`flows.settings.flow_request`), and handed as one frozen value to the flow, the up-to-date
check (:mod:`flows.uptodate`, :mod:`tasks.fingerprint`) and the run row. Everything about the
``refresh`` flow's Prefect parameters is derived here, in one place, from the registry
(:data:`tasks.sources.registry.SOURCES`):

* :func:`flow_signature`: the flow's parameters, the run's own (:data:`RUN_PARAMETERS`) and one
  per source option under the option's name (``input_dir``, ``taldau_url``, ``towns`` ...);
  Prefect reads it for validation and for a deployment's parameter schema;
* :meth:`RefreshRequest.from_parameters` / :meth:`RefreshRequest.parameters`: flat parameters
  to a request and back.

Standard library only: the command line imports it before anything heavy.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.sources.registry import DEFAULT_SOURCE, SOURCES
from tasks.sources.spec import SourceSpec, all_options

_KW = inspect.Parameter.KEYWORD_ONLY

#: The run's own parameters, the same for every source (name -> (type, default)).
RUN_PARAMETERS: dict[str, tuple[Any, Any]] = {
    "warehouse": (str | None, None),
    "source": (str, DEFAULT_SOURCE),
    "archive_dir": (str | None, None),
    "lock_timeout": (float, 30.0),
    "offline": (bool, False),
    "report": (bool, True),
    "report_dir": (str | None, None),
    "report_lang": (str, "en"),
    "force": (bool, False),
    "progress": (bool, False),
}
#: Run parameters that do not change what a run produces (not in the fingerprint nor the run
#: row's parameters).
NOT_RESULTS = frozenset({"warehouse", "lock_timeout", "force", "progress"})


_CLASH = sorted(set(RUN_PARAMETERS) & set(all_options(SOURCES)))
if _CLASH:  # one flow parameter each: a source cannot take a run setting's name
    raise ValueError(f"source option(s) named like a run parameter: {', '.join(_CLASH)}")


class UnknownSource(ValueError):
    """The request names a source the registry does not have."""


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


@dataclass(frozen=True)
class RefreshRequest:
    """What one ``refresh`` run is asked to do.

    Attributes
    ----------
    warehouse : the DuckDB file to publish (resolved: flag/parameter, environment, default).
    source : a name of :data:`~tasks.sources.registry.SOURCES`.
    source_options : the source's options, ``(name, value)`` in its declared order (lists as
        tuples); values given for other sources' options are not part of the request.
    archive_dir : raw archive folder (``None``: ``<warehouse dir>/raw``).
    lock_timeout : seconds to wait for another writer.
    offline : a live source replays its raw archive instead of asking the network.
    report, report_dir, report_lang : write the HTML report (where; ``None`` beside the
        warehouse) and in which language.
    force : run even if the inputs are unchanged since the last completed run.
    progress : draw a progress bar of the fetch (the CLI sets it on a terminal).
    """

    warehouse: str
    source: str = DEFAULT_SOURCE
    source_options: tuple[tuple[str, Any], ...] = ()
    archive_dir: str | None = None
    lock_timeout: float = 30.0
    offline: bool = False
    report: bool = True
    report_dir: str | None = None
    report_lang: str = "en"
    force: bool = False
    progress: bool = False

    @property
    def spec(self) -> SourceSpec:
        """The source's declaration."""
        return SOURCES[self.source]

    @property
    def options(self) -> dict[str, Any]:
        """The source's options by name, plus ``offline`` (what the source's ``plan``,
        ``session`` and ``parse`` receive)."""
        return {**dict(self.source_options), "offline": self.offline}

    @property
    def archive(self) -> str:
        """The raw archive folder: :attr:`archive_dir`, else ``<warehouse dir>/raw``."""
        return str(self.archive_dir or Path(self.warehouse).parent / "raw")

    @property
    def report_folder(self) -> str:
        """Where the report goes: :attr:`report_dir`, else ``<warehouse dir>/report``."""
        return str(self.report_dir or Path(self.warehouse).parent / "report")

    @property
    def fetches_live(self) -> bool:
        """A live source asked to fetch (not ``offline``): what it reads is only known by
        fetching, so the run always does its work."""
        return self.spec.live and not self.offline

    def missing(self) -> list[str]:
        """The required options not given, as flags (``["--input DIR"]``)."""
        given = dict(self.source_options)
        return [
            f"{o.cli_flag} {o.metavar or o.name.upper()}"
            for o in self.spec.options
            if o.required and not given.get(o.name)
        ]

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> RefreshRequest:
        """The request of flat ``refresh`` flow parameters (no environment: see
        :mod:`flows.settings`). Raises :class:`UnknownSource` and ``TypeError`` for a
        parameter that is neither the run's nor any source's."""
        known = set(RUN_PARAMETERS) | set(all_options(SOURCES))
        unknown = sorted(set(parameters) - known)
        if unknown:
            raise TypeError(f"unknown refresh parameter(s): {', '.join(unknown)}")
        source = parameters.get("source") or DEFAULT_SOURCE
        if source not in SOURCES:
            raise UnknownSource(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
        run = {
            k: parameters[k]
            for k in RUN_PARAMETERS
            if k not in ("warehouse", "source") and parameters.get(k) is not None
        }
        options = tuple(
            (o.name, _frozen(parameters.get(o.name, o.empty))) for o in SOURCES[source].options
        )
        return cls(
            warehouse=str(parameters.get("warehouse") or ""),
            source=source,
            source_options=options,
            **run,
        )

    def parameters(self) -> dict[str, Any]:
        """The flow parameters of this request (``refresh(**request.parameters())``)."""
        out: dict[str, Any] = {k: getattr(self, k) for k in RUN_PARAMETERS}
        for name, value in self.source_options:
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def recorded(self) -> dict[str, Any]:
        """What the run row records as its parameters: the request without the settings that
        do not change results, the archive resolved."""
        out = {k: v for k, v in self.parameters().items() if k not in NOT_RESULTS}
        return {"warehouse": self.warehouse, **out, "archive_dir": self.archive}


def flow_signature(returns: Any = inspect.Parameter.empty) -> inspect.Signature:
    """The ``refresh`` flow's signature: :data:`RUN_PARAMETERS`, then every option of every
    registered source (keyword-only, each with its declared type and default)."""
    params = [
        inspect.Parameter(name, _KW, default=default, annotation=kind)
        for name, (kind, default) in RUN_PARAMETERS.items()
    ]
    params += [
        inspect.Parameter(o.name, _KW, default=o.empty, annotation=o.annotation)
        for o in all_options(SOURCES).values()
    ]
    return inspect.Signature(params, return_annotation=returns)


def with_request_parameters(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Give ``fn(**parameters)`` the signature of :func:`flow_signature` (applied under
    ``@flow``, which reads it for validation and the deployment's parameter schema)."""
    fn.__signature__ = flow_signature(inspect.signature(fn).return_annotation)
    return fn
