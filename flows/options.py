"""Command-line options shared by the ``monotowns`` commands (one definition, one help text)."""

from __future__ import annotations

import argparse

from flows.settings import DEFAULT_WAREHOUSE, ENV_WAREHOUSE
from tasks.sources.registry import DEFAULT_SOURCE, SOURCES
from tasks.sources.spec import Option


def add_warehouse(p: argparse.ArgumentParser) -> None:
    """``--warehouse PATH`` (resolved by :func:`flows.settings.resolve_settings`)."""
    p.add_argument(
        "--warehouse",
        metavar="PATH",
        help=f"DuckDB warehouse file (default: ${ENV_WAREHOUSE} or {DEFAULT_WAREHOUSE})",
    )


def add_lock_timeout(p: argparse.ArgumentParser) -> None:
    """``--lock-timeout SECONDS`` (default 30): how long a writer waits for another."""
    p.add_argument(
        "--lock-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="wait this long for another writer before failing (default 30)",
    )


def add_format(p: argparse.ArgumentParser, help: str | None = None) -> None:
    """``--format table|csv|json`` (default table), printed by :func:`flows.output.print_frame`."""
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help=help)


def add_sources(p: argparse.ArgumentParser) -> None:
    """``--source NAME`` (choices and help from :data:`~tasks.sources.registry.SOURCES`),
    ``--offline`` and one flag per source option, grouped by source. Each flag's ``dest`` is
    the option's name, the ``refresh`` flow parameter (:func:`flows.settings.run_parameters`)."""
    p.add_argument(
        "--source",
        choices=list(SOURCES),
        default=DEFAULT_SOURCE,
        help=f"where inputs come from (default: {DEFAULT_SOURCE}); each source and its "
        "options are listed below",
    )
    live = [s.name for s in SOURCES.values() if s.live]
    if live:
        p.add_argument(
            "--offline",
            action="store_true",
            default=None,
            help=f"replay a live source's responses from the raw archive; no network "
            f"(--source {' | '.join(live)}; a live run always fetches, it is never up to date)",
        )
    seen: dict[str, list[str]] = {}
    for spec in SOURCES.values():
        for opt in spec.options:
            seen.setdefault(opt.name, []).append(spec.name)
    added: set[str] = set()
    for spec in SOURCES.values():
        note = " Live: always fetches unless --offline." if spec.live else ""
        group = p.add_argument_group(f"--source {spec.name}", f"{spec.help}.{note}")
        for opt in (o for o in spec.options if o.name not in added):
            shared = seen[opt.name][1:]
            _add_option(group, opt, f" (also --source {', '.join(shared)})" if shared else "")
            added.add(opt.name)


def _add_option(group, opt: Option, more: str) -> None:
    help = opt.help + more
    if opt.type is bool:
        group.add_argument(
            opt.cli_flag, dest=opt.name, action="store_true", default=None, help=help
        )
        return
    group.add_argument(
        opt.cli_flag,
        dest=opt.name,
        type=opt.type,
        action="append" if opt.many else "store",
        metavar=opt.metavar,
        help=help,
    )
