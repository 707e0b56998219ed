"""``monotowns report``: the HTML report, charts and exports of a published warehouse.

Registered in :mod:`flows.cli` by ``add_parser(subparsers)``; ``run(args, settings)`` returns
the exit code (0 written, 1 no warehouse or a section failed to draw, 2 usage error). No Prefect
here: the command only reads the warehouse (read-only), so it runs while a refresh is writing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from flows.options import add_warehouse
from flows.settings import Settings

#: Languages of the report (``tasks/report/messages/<lang>.yaml``); the first is the default.
LANGUAGES = ("en", "ru")


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to ``subparsers``."""
    p = subparsers.add_parser(
        "report",
        help="write the HTML report, its charts (PNG, SVG) and Parquet/XLSX exports",
        description="Write one self-contained HTML report of the warehouse (charts inline, no "
        "network needed to view it), each chart as PNG and SVG, every results table as Parquet "
        "and, with --xlsx, all results tables in one workbook. Reads the warehouse read-only.",
    )
    add_warehouse(p)
    p.add_argument(
        "--out",
        metavar="DIR",
        help="output folder (default: <warehouse dir>/report)",
    )
    p.add_argument(
        "--xlsx",
        action="store_true",
        help="also write results.xlsx: one sheet per results table after an 'About' sheet",
    )
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=LANGUAGES[0],
        help="language of the report, its charts and the XLSX export: en (default) or ru "
        "(Russian headings, labels and number formats: 1 234,5; 12,5 %%; DD.MM.YYYY)",
    )
    return p


def run(args, settings: Settings) -> int:
    """Run ``monotowns report``; returns the exit code."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # never try a GUI backend (headless servers)
    from tasks.report.build import WarehouseMissing, default_out_dir, publish_report

    warehouse = settings.warehouse
    out = Path(args.out) if args.out else default_out_dir(warehouse)
    if out.exists() and not out.is_dir():
        print(f"monotowns report: --out {out} is a file, not a folder", file=sys.stderr)
        return 2
    try:
        result = publish_report(
            warehouse, str(out), xlsx=args.xlsx, lang=getattr(args, "lang", LANGUAGES[0])
        )
    except WarehouseMissing as exc:
        print(f"monotowns report: {exc}", file=sys.stderr)
        return 1
    print(f"report:   {Path(result['html']).resolve()}")
    print(f"charts:   {len(result['charts'])} (PNG and SVG) in {(out / 'charts').resolve()}")
    print(f"parquet:  {len(result['parquet'])} table(s) in {(out / 'parquet').resolve()}")
    if result["xlsx"]:
        print(f"xlsx:     {Path(result['xlsx']).resolve()}")
    empty = [s for s, status in result["sections"].items() if status == "empty"]
    if empty:
        print(f"no data yet: {', '.join(empty)}")
    for section, error in result["errors"].items():
        print(f"monotowns report: section {section} failed: {error}", file=sys.stderr)
    return 1 if result["errors"] else 0
