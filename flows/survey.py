"""``monotowns survey ...``: import respondent-level survey waves, templates, analyses, tables.

Registered in :mod:`flows.cli` by :func:`add_parser`; :func:`run` (given the parsed arguments
and the :class:`~flows.settings.Settings` resolved by the CLI) returns the exit code
(0 success, 1 the import or run failed -- the message names file, row, column and rule --,
2 usage error). The import runs without Prefect: plain functions, one writer at a time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.options import add_format, add_lock_timeout, add_warehouse
from flows.output import print_frame
from flows.settings import Settings


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``survey`` command (with its sub-commands) to ``subparsers``."""
    survey = subparsers.add_parser(
        "survey",
        help="respondent-level survey waves: import, templates, analyses, tables",
        description="Import respondent-level survey files (CSV/XLSX exported by form tools) "
        "against a codebook, write blank templates, recompute the survey analyses, print the "
        "study's Tables 3, 4 and 7 from the imported microdata. See docs/survey.md.",
    )
    sub = survey.add_subparsers(dest="survey_command", required=True, metavar="SUBCOMMAND")

    imp = sub.add_parser(
        "import",
        help="import one wave (CSV/XLSX) into the warehouse",
        description="Archive the file, map answers via the codebook, validate, and load the "
        "wave into core.survey_response (replacing an earlier version of the same wave). A file "
        "with any error is refused (exit 1) and core is left unchanged; every problem is listed "
        "with file, row, column and rule, and recorded in meta.quality_issue.",
    )
    imp.add_argument("file", metavar="FILE", help="CSV or XLSX file, one row per respondent")
    imp.add_argument(
        "--codebook",
        required=True,
        metavar="C",
        help="codebook YAML file, or the name of a bundled codebook (e.g. khromtau_2024)",
    )
    imp.add_argument("--wave", required=True, metavar="ID", help="wave (survey) id to load as")
    imp.add_argument("--town", metavar="T", help="town_id (default: the codebook's town)")
    imp.add_argument(
        "--period", metavar="P", help="period of the wave, e.g. 2025 (default: year in the id)"
    )
    imp.add_argument(
        "--synthetic",
        action="store_true",
        help="flag the wave synthetic (also detected from the file name, a <stem>.meta.json "
        "sidecar or the codebook)",
    )
    add_warehouse(imp)
    imp.add_argument(
        "--archive", metavar="DIR", help="raw archive folder (default: <warehouse dir>/raw)"
    )
    add_lock_timeout(imp)
    imp.add_argument(
        "--no-analyse",
        action="store_true",
        help="load only; leave the survey results tables to the next run or `survey analyse`",
    )

    tpl = sub.add_parser(
        "template",
        help="write blank CSV and XLSX templates for a codebook",
        description="Write <codebook>_template.csv and .xlsx (columns of the codebook; the XLSX "
        "also lists each column's question and accepted answers).",
    )
    tpl.add_argument("--codebook", required=True, metavar="C", help="codebook file or name")
    tpl.add_argument("--out", default=".", metavar="DIR", help="output folder (default: .)")

    ana = sub.add_parser(
        "analyse",
        help="recompute the survey results tables",
        description="Recompute results.survey_* from core.survey_response and publish.",
    )
    add_warehouse(ana)
    add_lock_timeout(ana)

    tab = sub.add_parser(
        "tables",
        help="print the study's Tables 3, 4 and 7 computed from a wave's microdata",
        description="Tables 3, 4 and 7 of the study, recomputed in SQL from core.survey_response.",
    )
    tab.add_argument("--wave", required=True, metavar="ID", help="wave (survey) id")
    add_warehouse(tab)
    add_format(tab)
    return survey


def _err(msg: str) -> None:
    print(f"monotowns survey: {msg}", file=sys.stderr)


def cmd_import(args, settings: Settings) -> int:
    from tasks.survey.codebook import CodebookError, load_codebook
    from tasks.survey.importer import ImportRefused, import_file
    from warehouse.db import WarehouseBusy

    warehouse = settings.warehouse
    path = Path(args.file)
    if not path.is_file():
        _err(f"file not found: {path}")
        return 1
    try:
        cb = load_codebook(args.codebook)
        result = import_file(
            path,
            codebook=cb,
            survey_id=args.wave,
            warehouse=warehouse,
            town_id=args.town,
            archive_dir=args.archive,
            synthetic=args.synthetic or None,
            period=args.period,
            lock_timeout=args.lock_timeout,
            analyse=not args.no_analyse,
        )
    except CodebookError as exc:
        _err(f"codebook: {exc}")
        return 1
    except ImportRefused as exc:
        _err(f"import refused: {exc}")
        print(
            f'details: monotowns query --warehouse {warehouse} "SELECT file, file_row, '
            f"column_name, check_name, message FROM meta.quality_issue WHERE source = 'survey' "
            f"AND severity = 'error' ORDER BY file_row\"",
            file=sys.stderr,
        )
        return 1
    except (WarehouseBusy, OSError, ValueError) as exc:
        _err(str(exc))
        return 1
    flag = f" [SYNTHETIC: {result.synthetic_reason}]" if result.synthetic else ""
    verb = {"loaded": "loaded", "unchanged": "already loaded (unchanged)"}[result.status]
    print(f"wave {result.survey_id}{flag}: {result.file} {verb}")
    print(f"  respondents: {result.respondents}, answers: {result.responses}")
    print(f"  warnings: {len(result.warnings)} (see meta.quality_issue)")
    for w in result.warnings[:20]:
        print(f"    {w.message}")
    print(f"  raw archive: {result.archive_path}")
    print(f"  warehouse: {Path(warehouse).resolve()}")
    for table, n in result.row_counts.items():
        print(f"  {table:<40} {n:>8}")
    return 0


def cmd_template(args, settings: Settings) -> int:
    from tasks.survey.codebook import CodebookError, load_codebook, write_templates

    try:
        cb = load_codebook(args.codebook)
    except CodebookError as exc:
        _err(f"codebook: {exc}")
        return 1
    for p in write_templates(cb, args.out):
        print(p)
    return 0


def analyse_warehouse(warehouse: str, lock_timeout: float = 30.0) -> dict[str, int]:
    """Recompute the survey results tables of ``warehouse`` in one write session (its own
    ``meta.pipeline_run`` row, flow ``survey_analyse``); return the rows written per table."""
    from tasks.load import replace_results
    from tasks.survey.analyses import run_survey_analyses
    from warehouse.session import write_session

    params = {"warehouse": str(warehouse)}
    with write_session(
        warehouse, "survey_analyse", params, lock_timeout=lock_timeout, holder="survey analyse"
    ) as session:
        frames = run_survey_analyses(str(session.staging))
        with session.transaction() as con:
            counts = replace_results(con, frames)
        session.finish("completed", "survey results recomputed", counts)
    return counts


def cmd_analyse(args, settings: Settings) -> int:
    from warehouse.db import WarehouseBusy

    warehouse = settings.warehouse
    if not Path(warehouse).exists():
        _err(f"no warehouse at {warehouse}")
        return 1
    try:
        counts = analyse_warehouse(warehouse, args.lock_timeout)
    except WarehouseBusy as exc:
        _err(str(exc))
        return 1
    for table, n in counts.items():
        print(f"{table:<40} {n:>8}")
    return 0


def cmd_tables(args, settings: Settings) -> int:
    from tasks.survey import aggregates
    from warehouse.db import WarehouseMissing, connect_readonly

    warehouse = settings.warehouse
    try:
        con = connect_readonly(warehouse)
    except WarehouseMissing as exc:
        _err(str(exc))
        return 1
    with con:
        known = con.execute(
            "SELECT count(*) FROM core.survey_wave WHERE survey_id = ?", [args.wave]
        ).fetchone()[0]
        if not known:
            _err(f"no imported wave {args.wave!r} in {warehouse}")
            return 1
        for title, fn in (
            ("Table 3 - category of respondents", aggregates.table3),
            ("Table 4 - perception of change per area", aggregates.table4),
            ("Table 7 - scores of the support measures", aggregates.table7),
        ):
            if args.format == "table":
                print(f"\n{title} ({args.wave})")
            print_frame(fn(con, args.wave), args.format)
    return 0


SUBCOMMANDS = {
    "import": cmd_import,
    "template": cmd_template,
    "analyse": cmd_analyse,
    "tables": cmd_tables,
}


def run(args, settings: Settings) -> int:
    """Run the ``survey`` sub-command chosen in ``args``; return the exit code."""
    return SUBCOMMANDS[args.survey_command](args, settings)
