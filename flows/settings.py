"""Settings of one ``monotowns`` process, resolved once at the composition root.

Precedence: command-line flag, then environment variable, then default. Only
:func:`resolve_settings` looks at the environment, and only the composition roots call it
(:func:`flows.cli.main`, :func:`flows.serve.main`); they pass the frozen :class:`Settings` down
as plain values, so no command and no business code reads ``os.environ``.

===================  ==========================  ==============================================
setting              flag                        environment, then default
===================  ==========================  ==============================================
``warehouse``        ``--warehouse PATH``        ``$MONOTOWNS_WAREHOUSE``, then
                                                 ``warehouse/monotowns.duckdb``
``taldau_url``       ``--taldau-url URL``        ``$MONOTOWNS_TALDAU_URL``, then none (the
                                                 client's public https://taldau.stat.gov.kz/ru/Api/)
``request``          ``monotowns run``'s flags   a source option's own variable (``env`` of its
                                                 :class:`~tasks.sources.spec.Option`), then its
                                                 default
===================  ==========================  ==============================================

A flow run (of a deployment, or the CLI's) resolves its :class:`~flows.request.RefreshRequest`
the same way from its parameters and the environment of the process running it
(:func:`flow_request`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.request import RUN_PARAMETERS, RefreshRequest
from tasks.sources.registry import DEFAULT_SOURCE, SOURCES
from tasks.sources.spec import all_options
from tasks.sources.taldau.spec import ENV_URL as ENV_TALDAU_URL

DEFAULT_WAREHOUSE = "warehouse/monotowns.duckdb"
ENV_WAREHOUSE = "MONOTOWNS_WAREHOUSE"


@dataclass(frozen=True)
class Settings:
    """Everything a command needs from flags and environment, resolved once."""

    warehouse: str = DEFAULT_WAREHOUSE
    taldau_url: str | None = None
    #: ``monotowns run``'s request (``None`` for the other commands)
    request: RefreshRequest | None = None


def resolve_warehouse(flag: str | None, environ: Mapping[str, str]) -> str:
    """``--warehouse``, else ``$MONOTOWNS_WAREHOUSE``, else ``warehouse/monotowns.duckdb``."""
    return flag or environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE


def resolve_request(parameters: Mapping[str, Any], environ: Mapping[str, str]) -> RefreshRequest:
    """The :class:`~flows.request.RefreshRequest` of flat ``refresh`` parameters: the warehouse
    as :func:`resolve_warehouse`, each option of the chosen source that is not given from its
    environment variable (if it declares one), else its default."""
    params = dict(parameters)
    params["warehouse"] = str(Path(resolve_warehouse(params.get("warehouse"), environ)))
    spec = SOURCES.get(params.get("source") or DEFAULT_SOURCE)
    for opt in spec.options if spec else ():
        if opt.env and params.get(opt.name) in (None, ""):
            params[opt.name] = environ.get(opt.env) or None
    return RefreshRequest.from_parameters(params)


def flow_request(parameters: Mapping[str, Any]) -> RefreshRequest:
    """The request of a flow run: its parameters, then the environment of the process running
    it (a deployment's worker), then the defaults. The flow is the composition root for
    deployments, as :func:`resolve_settings` is for the CLI."""
    return resolve_request(parameters, os.environ)


def run_parameters(args: Any) -> dict[str, Any]:
    """The ``refresh`` parameters among parsed arguments (``monotowns run``'s flags are named
    after them: ``--input`` is ``input_dir``, ``--no-report`` sets ``report``)."""
    names = [*RUN_PARAMETERS, *all_options(SOURCES)]
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def flow_warehouse(parameter: str | None) -> str:
    """The warehouse of a flow run: its ``warehouse`` parameter, else ``$MONOTOWNS_WAREHOUSE``
    of the process running it (a deployment's worker), else the default. The flow is the
    composition root for deployments, as :func:`resolve_settings` is for the CLI."""
    return resolve_warehouse(parameter, os.environ)


def resolve_settings(args: Any, environ: Mapping[str, str]) -> Settings:
    """The :class:`Settings` of parsed arguments ``args`` (flags a command lacks count as not
    given) and the environment ``environ`` (the composition root passes ``os.environ``)."""
    run = getattr(args, "command", None) == "run"
    return Settings(
        warehouse=resolve_warehouse(getattr(args, "warehouse", None), environ),
        taldau_url=getattr(args, "taldau_url", None) or environ.get(ENV_TALDAU_URL) or None,
        request=resolve_request(run_parameters(args), environ) if run else None,
    )
