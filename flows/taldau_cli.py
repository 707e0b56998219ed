"""``monotowns taldau ...`` subcommands (wired into ``flows/cli.py`` by ``add_parser``/``run``).

``monotowns taldau discover [--taldau-url URL] [--out FILE] [--archive DIR]`` walks the Taldau
tree for every registry town and indicator (:mod:`tasks.sources.taldau.discover`), writes the
findings CSV, archives every response and prints the proposed registry changes. It never edits
the registry files. Exit 0 when the walk completes, 1 when a request failed after its retries
(the findings that were reached are still written), 2 on a bad registry.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from flows.settings import ENV_TALDAU_URL, Settings
from tasks.sources.taldau.spec import PUBLIC_URL as PUBLIC_TALDAU_URL

DEFAULT_OUT = "taldau_discovery.csv"


def _load() -> SimpleNamespace:
    """Import the Taldau package on first use, not with this module: every ``monotowns``
    command imports this module to build its parser, and the package brings pandas, pandera
    and httpx (~2 s), which ``monotowns run`` must not pay before its up-to-date check. Names
    already set (a test's replacement client) are kept."""
    from tasks.sources.taldau.archive import TaldauError
    from tasks.sources.taldau.client import DEFAULT_BASE_URL, TaldauClient
    from tasks.sources.taldau.discover import (
        discover,
        format_proposal,
        proposed_changes,
        write_findings,
    )
    from tasks.sources.taldau.registry import TaldauRegistryError, load_registry

    found = {
        "TaldauError": TaldauError,
        "DEFAULT_BASE_URL": DEFAULT_BASE_URL,
        "TaldauClient": TaldauClient,
        "discover": discover,
        "format_proposal": format_proposal,
        "proposed_changes": proposed_changes,
        "write_findings": write_findings,
        "TaldauRegistryError": TaldauRegistryError,
        "load_registry": load_registry,
    }
    for name, value in found.items():
        globals().setdefault(name, value)
    return SimpleNamespace(**{name: globals()[name] for name in found})


def __getattr__(name: str):
    """``taldau_cli.TaldauClient`` and the other Taldau names, imported on first access."""
    _load()
    try:
        return globals()[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``taldau`` (with its ``discover`` subcommand) to the CLI's subparsers."""
    taldau = subparsers.add_parser(
        "taldau",
        help="Taldau registry tools (discover)",
        description="Tools for the Taldau registry (tasks/sources/taldau/*.csv).",
    )
    sub = taldau.add_subparsers(dest="taldau_command", required=True, metavar="SUBCOMMAND")
    disc = sub.add_parser(
        "discover",
        help="find each town's Taldau node and check the registry against the API",
        description="For every registry town, walk GetIndexTreeData below its district or city "
        "administration to find the town node; for every indicator, record the periods and "
        "segments (dictionaries 67/68) that exist. Writes one CSV row per finding, archives "
        "every response and prints the proposed registry changes (files are never edited).",
    )
    disc.add_argument(
        "--taldau-url",
        metavar="URL",
        help=f"API base URL (default: ${ENV_TALDAU_URL} or {PUBLIC_TALDAU_URL})",
    )
    disc.add_argument(
        "--out",
        metavar="FILE",
        default=DEFAULT_OUT,
        help=f"findings CSV to write (default: {DEFAULT_OUT})",
    )
    disc.add_argument(
        "--archive",
        metavar="DIR",
        help="raw archive folder (default: 'raw' beside --out)",
    )
    disc.add_argument("--taldau-towns", metavar="CSV", help="towns.csv replacing the shipped one")
    disc.add_argument(
        "--taldau-territories", metavar="CSV", help="territories.csv replacing the shipped one"
    )
    disc.add_argument(
        "--taldau-indicators", metavar="CSV", help="indicators.csv replacing the shipped one"
    )
    disc.add_argument("--town", action="append", metavar="ID", help="only this town (repeatable)")
    return taldau


def run_discover(args: argparse.Namespace, settings: Settings) -> int:
    """``monotowns taldau discover`` (the Taldau URL comes resolved in ``settings``)."""
    n = _load()
    try:
        registry = n.load_registry(
            getattr(args, "taldau_towns", None),
            getattr(args, "taldau_territories", None),
            getattr(args, "taldau_indicators", None),
        )
        towns = registry.towns
        if getattr(args, "town", None):
            towns = [registry.town(t) for t in args.town]
    except n.TaldauRegistryError as exc:
        print(f"monotowns taldau discover: bad registry: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    archive = Path(args.archive) if args.archive else out.resolve().parent / "raw"
    url = settings.taldau_url or n.DEFAULT_BASE_URL
    started = time.monotonic()
    try:
        with n.TaldauClient(archive, base_url=url) as client:
            result = n.discover(client, registry, towns=towns)
            stats = dict(client.stats)
    except n.TaldauError as exc:  # not expected: discover records request failures itself
        print(f"monotowns taldau discover: Taldau failed: {exc}", file=sys.stderr)
        return 1
    n.write_findings(result.rows, out)
    found = result.town_nodes()
    elapsed = time.monotonic() - started
    print(
        f"taldau discover: {len(result.rows)} finding(s) written to {out}; town nodes found for "
        f"{len(found)} of {len(towns)} town(s); {stats['network']} HTTP attempt(s), "
        f"{stats['archive']} from today's archive; responses archived in {archive}; "
        f"{elapsed:.1f} s"
    )
    print(n.format_proposal(n.proposed_changes(result.rows, registry)), end="")
    if not result.ok:
        print(
            f"monotowns taldau discover: {len(result.errors)} request(s) failed after retries "
            f"against {url}; the walk is incomplete:",
            file=sys.stderr,
        )
        for line in result.errors[:20]:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


SUBCOMMANDS = {"discover": run_discover}


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch ``monotowns taldau <subcommand>``."""
    return SUBCOMMANDS[args.taldau_command](args, settings)
