"""Command-line options shared by the ``monotowns`` commands (one definition, one help text)."""

from __future__ import annotations

import argparse

from flows.settings import DEFAULT_WAREHOUSE, ENV_WAREHOUSE


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
