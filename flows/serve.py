"""``monotowns serve``: run the deployments of ``prefect.yaml`` from one long-running process.

The schedule, the tags and the default parameters are read from ``prefect.yaml`` (the single
source of truth, also used by ``prefect deploy``); only the warehouse path is given here. The
process registers ``refresh/yearly-refresh`` and ``refresh/manual-refresh`` with the Prefect API
and executes their runs itself, one at a time (no work pool, no worker). It needs a Prefect API
with a scheduler: ``prefect server start`` (or Prefect Cloud) and ``PREFECT_API_URL``.

SIGINT (Ctrl-C) and SIGTERM stop it cleanly with exit code 0. A run in progress is cancelled;
the warehouse is only ever replaced atomically at the end of a run, so the published file stays
as it was. Schedules are left active on shutdown (``pause_on_shutdown=False``): a run due while
the process was down is picked up, late, when it starts again, instead of being dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from flows.options import add_warehouse
from flows.request import RefreshRequest, UnknownSource
from flows.settings import Settings, resolve_settings

#: ``prefect.yaml`` of the checkout this module belongs to.
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "prefect.yaml"
#: The entrypoint every deployment in ``prefect.yaml`` must name (what serve runs).
ENTRYPOINT = "flows/refresh.py:refresh"
DISPLAY_TIMEZONE = "Asia/Almaty"


class ConfigError(ValueError):
    """``prefect.yaml`` is missing or does not describe the refresh deployments."""


@dataclass(frozen=True)
class ScheduleSpec:
    """One cron schedule of a deployment, as written in ``prefect.yaml``."""

    cron: str
    timezone: str
    active: bool = True


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment of ``prefect.yaml``: what ``prefect deploy`` and ``serve`` both use."""

    name: str
    entrypoint: str
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    schedules: tuple[ScheduleSpec, ...] = ()
    concurrency_limit: int | None = None


def load_specs(config: str | Path = DEFAULT_CONFIG) -> list[DeploymentSpec]:
    """Read the deployments of ``prefect.yaml``; raise :class:`ConfigError` if it is unusable."""
    path = Path(config)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    deployments = (doc or {}).get("deployments") or []
    if not deployments:
        raise ConfigError(f"{path} defines no deployments")
    specs = []
    for d in deployments:
        schedules = []
        for s in d.get("schedules") or []:
            if "cron" not in s:
                raise ConfigError(
                    f"{path}: deployment {d.get('name')!r}: only cron schedules "
                    f"are supported, got {sorted(s)}"
                )
            if not s.get("timezone"):
                raise ConfigError(
                    f"{path}: deployment {d.get('name')!r}: schedule {s['cron']!r} has no timezone"
                )
            schedules.append(
                ScheduleSpec(
                    cron=str(s["cron"]),
                    timezone=str(s["timezone"]),
                    active=bool(s.get("active", True)),
                )
            )
        try:  # the parameters are a refresh request's (the flow resolves the rest where it runs)
            RefreshRequest.from_parameters(d.get("parameters") or {})
        except (TypeError, UnknownSource) as exc:
            raise ConfigError(f"{path}: deployment {d.get('name')!r}: {exc}") from None
        limit = d.get("concurrency_limit")
        if isinstance(limit, dict):
            limit = limit.get("limit")
        specs.append(
            DeploymentSpec(
                name=str(d["name"]),
                entrypoint=str(d.get("entrypoint", "")),
                description=" ".join(str(d.get("description") or "").split()),
                tags=tuple(d.get("tags") or ()),
                parameters=dict(d.get("parameters") or {}),
                schedules=tuple(schedules),
                concurrency_limit=limit,
            )
        )
    return specs


def next_runs(
    spec: DeploymentSpec, n: int = 1, after: dt.datetime | None = None
) -> list[dt.datetime]:
    """The next ``n`` start times of ``spec``'s active schedules, computed by the same code
    as the Prefect server's scheduler; aware datetimes in each schedule's timezone."""
    from zoneinfo import ZoneInfo

    from prefect.server.schemas.schedules import CronSchedule

    after = after or dt.datetime.now(dt.UTC)
    dates: list[dt.datetime] = []
    for s in spec.schedules:
        if s.active:
            sched = CronSchedule(cron=s.cron, timezone=s.timezone)
            zone = ZoneInfo(s.timezone)
            # plain datetimes (the server returns its own datetime subclass)
            dates += [
                dt.datetime.fromtimestamp(d.timestamp(), zone)
                for d in asyncio.run(sched.get_dates(n=n, start=after))
            ]
    return sorted(dates)[:n]


def build_deployments(
    warehouse: str | None = None, config: str | Path = DEFAULT_CONFIG
) -> list[Any]:
    """``RunnerDeployment``-s of the refresh flow, one per deployment in ``prefect.yaml``.

    ``warehouse``, if given, becomes the ``warehouse`` parameter of every deployment; without
    it the flow resolves the warehouse where it runs (``$MONOTOWNS_WAREHOUSE``, else the
    default path), as for deployments made with ``prefect deploy``. Everything else
    (schedules, tags, parameters, concurrency limit) comes from the file.
    """
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Schedule

    from flows.refresh import refresh

    out = []
    for spec in load_specs(config):
        if spec.entrypoint != ENTRYPOINT:
            raise ConfigError(
                f"deployment {spec.name!r} runs {spec.entrypoint!r}; "
                f"monotowns serve only serves {ENTRYPOINT}"
            )
        out.append(
            refresh.to_deployment(
                name=spec.name,
                description=spec.description or None,
                tags=list(spec.tags),
                parameters=(
                    {**spec.parameters, "warehouse": warehouse}
                    if warehouse
                    else dict(spec.parameters)
                ),
                schedules=[
                    Schedule(cron=s.cron, timezone=s.timezone, active=s.active)
                    for s in spec.schedules
                ],
                concurrency_limit=spec.concurrency_limit,
                # the installed package, not a file path relative to wherever serve was started
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return out


def serve(warehouse: str, config: str | Path = DEFAULT_CONFIG, *, limit: int = 1) -> None:
    """Serve every deployment of ``config`` until SIGINT or SIGTERM, then return.

    ``warehouse`` should be absolute: runs execute in child processes. ``limit`` is the number
    of runs this process executes at once (1: one writer).
    """
    from prefect import serve as prefect_serve

    deployments = build_deployments(warehouse, config)
    _route_sigint_to_sigterm_handler()
    prefect_serve(*deployments, limit=limit, pause_on_shutdown=False)


def _route_sigint_to_sigterm_handler() -> None:
    """Make Ctrl-C take the runner's graceful SIGTERM path.

    Prefect's runner installs a SIGTERM handler that stops it from any phase; a bare
    KeyboardInterrupt can be swallowed while the runner is starting up (seen in the loopback
    test: a SIGINT 2 s after start left the process serving).
    """
    import signal

    if threading.current_thread() is not threading.main_thread():
        return

    def on_sigint(signum, frame):
        handler = signal.getsignal(signal.SIGTERM)
        if callable(handler):
            handler(signal.SIGTERM, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)


# ---------------------------------------------------------------- command line


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``serve`` subcommand on the ``monotowns`` parser."""
    p = subparsers.add_parser(
        "serve",
        help="run the scheduled and manual refresh deployments from this process",
        description="Register the deployments of prefect.yaml (yearly-refresh on its cron "
        "schedule, see --next; manual-refresh on demand) with the Prefect API and "
        "execute their runs in this process, one at a time, until Ctrl-C or "
        "SIGTERM (exit code 0). Needs a Prefect server with its scheduler: "
        "`prefect server start` and PREFECT_API_URL (see docs/deployment.md). "
        "Trigger a manual run with `prefect deployment run "
        "refresh/manual-refresh`.",
    )
    add_warehouse(p)
    p.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help=f"deployments file (default: {DEFAULT_CONFIG.name} of the checkout, {DEFAULT_CONFIG})",
    )
    p.add_argument(
        "--next",
        type=int,
        metavar="N",
        default=None,
        dest="show_next",
        help=f"print the next N scheduled runs ({DISPLAY_TIMEZONE} and UTC) and "
        f"exit without serving",
    )
    return p


def _print_next(specs: list[DeploymentSpec], n: int) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(DISPLAY_TIMEZONE)
    for spec in specs:
        if not any(s.active for s in spec.schedules):
            print(
                f"{spec.name}: no schedule (run it with `prefect deployment run "
                f"refresh/{spec.name}`)"
            )
            continue
        crons = ", ".join(f"{s.cron!r} {s.timezone}" for s in spec.schedules if s.active)
        print(f"{spec.name}: {crons}")
        for when in next_runs(spec, n):
            local = when.astimezone(zone)
            utc = when.astimezone(dt.UTC)
            print(
                f"  {local:%Y-%m-%d %H:%M} {DISPLAY_TIMEZONE} ({local:%z})  "
                f"= {utc:%Y-%m-%d %H:%M} UTC"
            )


def run_serve(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """``monotowns serve``: exit 0 after a clean stop, 1 if it cannot start, 2 on usage errors.

    ``settings`` come from the composition root (:func:`flows.cli.main` or :func:`main`);
    without them the flags in ``args`` and the defaults apply (no environment is read here).
    """
    settings = settings or resolve_settings(args, {})

    config = Path(args.config) if args.config else DEFAULT_CONFIG
    try:
        specs = load_specs(config)
    except ConfigError as exc:
        print(f"monotowns serve: {exc}", file=sys.stderr)
        return 2
    if args.show_next is not None:
        if args.show_next < 1:
            print("monotowns serve: --next must be at least 1", file=sys.stderr)
            return 2
        _print_next(specs, args.show_next)
        return 0

    from prefect.settings import get_current_settings

    api_url = get_current_settings().api.url
    if not api_url:
        print(
            "monotowns serve: no Prefect API configured. Schedules need a Prefect server with "
            "its scheduler: run `prefect server start` and set PREFECT_API_URL (e.g. `prefect "
            "config set PREFECT_API_URL=http://127.0.0.1:4200/api`); see "
            "docs/deployment.md.",
            file=sys.stderr,
        )
        return 2
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        unhealthy = client.api_healthcheck()
    if unhealthy is not None:
        print(
            f"monotowns serve: the Prefect API at {api_url} does not answer "
            f"({type(unhealthy).__name__}: {unhealthy}); is `prefect server start` "
            f"running?",
            file=sys.stderr,
        )
        return 1

    warehouse = str(Path(settings.warehouse).resolve())
    print(f"monotowns serve: warehouse {warehouse}; Prefect API {api_url}", flush=True)
    _print_next(specs, 1)
    print("monotowns serve: serving; stop with Ctrl-C or SIGTERM", flush=True)
    try:
        serve(warehouse, config)
    except ConfigError as exc:
        print(f"monotowns serve: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        pass
    except SystemExit as exc:  # the runner's signal handler before it had started
        if exc.code not in (0, None):
            raise
    print(
        "monotowns serve: stopped (schedules stay active: a run that falls due while serve "
        "is down starts, late, when it is back)",
        flush=True,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m flows.serve [OPTIONS]``: the same as ``monotowns serve [OPTIONS]``."""
    parser = argparse.ArgumentParser(prog="monotowns")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    return run_serve(args, resolve_settings(args, os.environ))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
