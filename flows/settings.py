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
===================  ==========================  ==============================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_WAREHOUSE = "warehouse/monotowns.duckdb"
ENV_WAREHOUSE = "MONOTOWNS_WAREHOUSE"
ENV_TALDAU_URL = "MONOTOWNS_TALDAU_URL"


@dataclass(frozen=True)
class Settings:
    """Everything a command needs from flags and environment, resolved once."""

    warehouse: str = DEFAULT_WAREHOUSE
    taldau_url: str | None = None


def resolve_warehouse(flag: str | None, environ: Mapping[str, str]) -> str:
    """``--warehouse``, else ``$MONOTOWNS_WAREHOUSE``, else ``warehouse/monotowns.duckdb``."""
    return flag or environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE


def flow_warehouse(parameter: str | None) -> str:
    """The warehouse of a flow run: its ``warehouse`` parameter, else ``$MONOTOWNS_WAREHOUSE``
    of the process running it (a deployment's worker), else the default. The flow is the
    composition root for deployments, as :func:`resolve_settings` is for the CLI."""
    return resolve_warehouse(parameter, os.environ)


def resolve_settings(args: Any, environ: Mapping[str, str]) -> Settings:
    """The :class:`Settings` of parsed arguments ``args`` (flags a command lacks count as not
    given) and the environment ``environ`` (the composition root passes ``os.environ``)."""
    return Settings(
        warehouse=resolve_warehouse(getattr(args, "warehouse", None), environ),
        taldau_url=getattr(args, "taldau_url", None) or environ.get(ENV_TALDAU_URL) or None,
    )
