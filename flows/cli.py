"""``monotowns`` command line: the composition root for interactive use.

Configuration is resolved here and only here (flags, then environment, then defaults) and passed
down as plain values. Exit codes: 0 success, 1 the run failed (data or source problem; the
message says which), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from flows import report as report_cmd
from flows import serve as serve_cmd
from flows import survey as survey_cmd

DEFAULT_WAREHOUSE = "warehouse/monotowns.duckdb"
ENV_WAREHOUSE = "MONOTOWNS_WAREHOUSE"
ENV_TALDAU_URL = "MONOTOWNS_TALDAU_URL"


def resolve_warehouse(flag: str | None) -> str:
    """``--warehouse``, else ``$MONOTOWNS_WAREHOUSE``, else ``warehouse/monotowns.duckdb``."""
    return flag or os.environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE


def _add_warehouse(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--warehouse",
        metavar="PATH",
        help=f"DuckDB warehouse file (default: ${ENV_WAREHOUSE} or {DEFAULT_WAREHOUSE})",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (every command has --help)."""
    parser = argparse.ArgumentParser(
        prog="monotowns",
        description="Data observatory for Kazakhstan's single-industry towns: load official "
        "indicators and surveys into a DuckDB warehouse and analyse them.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run the refresh flow once (fetch, validate, load, analyse)",
        description="Run the refresh flow once and print a short summary.",
    )
    _add_warehouse(run)
    run.add_argument(
        "--source",
        choices=["bundled", "files", "taldau"],
        default="bundled",
        help="where inputs come from (default: bundled, the study's own data)",
    )
    run.add_argument("--input", metavar="DIR", help="folder of input files for --source files")
    tal = run.add_argument_group("Taldau (--source taldau)")
    tal.add_argument(
        "--taldau-url",
        metavar="URL",
        help=f"API base URL (default: ${ENV_TALDAU_URL} or the public "
        "https://taldau.stat.gov.kz/ru/Api/)",
    )
    tal.add_argument(
        "--offline",
        action="store_true",
        help="replay responses from the raw archive; no network",
    )
    tal.add_argument(
        "--town", action="append", metavar="ID", help="fetch only this town (repeatable)"
    )
    tal.add_argument(
        "--indicator",
        action="append",
        metavar="ID",
        help="fetch only this indicator (repeatable)",
    )
    tal.add_argument(
        "--taldau-towns", metavar="CSV", help="towns registry replacing the shipped one"
    )
    tal.add_argument(
        "--taldau-indicators",
        metavar="CSV",
        help="indicator registry replacing the shipped one",
    )
    run.add_argument(
        "--archive", metavar="DIR", help="raw archive folder (default: <warehouse dir>/raw)"
    )
    run.add_argument(
        "--lock-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="wait this long for another writer before failing (default 30)",
    )
    run.add_argument("--no-report", action="store_true", help="skip the HTML report and exports")
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")

    query = sub.add_parser(
        "query",
        help="run read-only SQL against the warehouse",
        description="Run one read-only SQL statement against the warehouse. "
        "The connection cannot write, attach other databases, "
        "read files or load extensions.",
    )
    query.add_argument("sql", metavar="SQL", help="the SQL statement")
    _add_warehouse(query)
    query.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="output format (default: table)",
    )

    val = sub.add_parser(
        "validate",
        help="validate a folder of input files without loading",
        description="Read and validate input files; print every issue. Exit 1 "
        "if any error would block a run.",
    )
    val.add_argument("input", metavar="DIR", help="folder of input files")

    corr = sub.add_parser(
        "correlate",
        help="one correlation test on two columns of a CSV",
        description="Correlation test on two columns of a CSV file, as R's "
        "cor.test (exact = FALSE).",
    )
    corr.add_argument("file", metavar="FILE", help="CSV file")
    corr.add_argument("--x", required=True, metavar="COL", help="first column")
    corr.add_argument("--y", required=True, metavar="COL", help="second column")
    corr.add_argument("--method", choices=["pearson", "spearman", "kendall"], default="pearson")
    corr.add_argument(
        "--alternative", choices=["two-sided", "greater", "less"], default="two-sided"
    )
    corr.add_argument("--conf-level", type=float, default=0.95, metavar="LEVEL")
    corr.add_argument("--json", action="store_true", help="print one JSON object")
    survey_cmd.add_parser(sub)
    report_cmd.add_parser(sub)
    serve_cmd.add_parser(sub)
    return parser


def _clean(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return _clean(v.item())
    return v


def _print_frame(frame, fmt: str) -> None:
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        records = [{k: _clean(v) for k, v in r.items()} for r in frame.to_dict("records")]
        print(json.dumps(records, ensure_ascii=False, default=str, indent=1))
    else:
        import pandas as pd

        with pd.option_context(
            "display.max_rows",
            500,
            "display.max_columns",
            50,
            "display.width",
            200,
            "display.max_colwidth",
            80,
        ):
            print(frame.to_string(index=False) if len(frame) else "(no rows)")


def cmd_run(args) -> int:
    if args.source == "files" and not args.input:
        print("monotowns run: --source files needs --input DIR", file=sys.stderr)
        return 2
    if not args.verbose:
        # the CLI prints its own summary and every blocking error; Prefect's log (with the
        # flow's traceback) is for -v
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    # no telemetry from the temporary local Prefect server (and no failed DNS look-ups offline)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.refresh import RunFailed, refresh
    from warehouse.db import WarehouseBusy

    warehouse = resolve_warehouse(args.warehouse)
    taldau_url = args.taldau_url or os.environ.get(ENV_TALDAU_URL)
    try:
        summary = refresh(
            warehouse=warehouse,
            source=args.source,
            input_dir=args.input,
            archive_dir=args.archive,
            lock_timeout=args.lock_timeout,
            taldau_url=taldau_url,
            offline=args.offline,
            towns=args.town,
            indicators=args.indicator,
            taldau_towns=args.taldau_towns,
            taldau_indicators=args.taldau_indicators,
            report=not args.no_report,
        )
    except WarehouseBusy as exc:
        print(f"monotowns run: {exc}", file=sys.stderr)
        return 1
    except RunFailed as exc:
        print(f"monotowns run failed: {exc}", file=sys.stderr)
        print(
            f'details: monotowns query --warehouse {warehouse} "SELECT file, file_row, '
            f"column_name, check_name, message FROM meta.quality_issue WHERE severity = "
            f"'error' ORDER BY last_seen_at DESC\"",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # an unexpected failure: recorded as a failed run, shown plainly
        if args.verbose:
            raise
        print(
            f"monotowns run failed: unexpected {type(exc).__name__}: {exc}\n"
            "the warehouse is unchanged and the failed run is recorded in meta.pipeline_run; "
            "run again with -v for the traceback",
            file=sys.stderr,
        )
        return 1
    counts = summary.row_counts
    print(f"run {summary.run_id}: {summary.status}")
    print(f"warehouse: {Path(warehouse).resolve()}")
    if summary.report:
        print(f"report: {Path(summary.report).resolve()}")
    print(
        f"quality issues: {summary.issues_by_severity.get('error', 0)} error(s), "
        f"{summary.issues_by_severity.get('warning', 0)} warning(s) "
        f"(see meta.quality_issue)"
    )
    print("rows:")
    for table, n in counts.items():
        if table.startswith(("core.", "results.")):
            print(f"  {table:<40} {n:>6}")
    if summary.status != "completed":
        print(f"monotowns run: {summary.status}: {summary.message}", file=sys.stderr)
        return 1
    return 0


def cmd_query(args) -> int:
    import duckdb

    from warehouse.db import WarehouseMissing, connect_readonly, read_with_retry

    warehouse = resolve_warehouse(args.warehouse)

    def read():
        with connect_readonly(warehouse) as con:
            return con.execute(args.sql).df()

    try:
        frame = read_with_retry(read)
    except WarehouseMissing as exc:
        print(f"monotowns query: {exc}", file=sys.stderr)
        return 1
    except duckdb.Error as exc:
        print(f"monotowns query: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    _print_frame(frame, args.format)
    return 0


def cmd_validate(args) -> int:
    from tasks.sources import bundled, files
    from tasks.validate import validate_payloads

    try:
        payloads = files.read_folder(args.input)
    except files.SourceError as exc:
        print(f"monotowns validate: {exc}", file=sys.stderr)
        return 1
    batch = validate_payloads(payloads, reference=bundled.read_bundled())
    for issue in batch.issues:
        print(f"{issue.severity.upper():8} {issue.message}")
    print(
        f"{len(batch.errors)} error(s), {len(batch.warnings)} warning(s) in "
        f"{len(batch.frames)} readable input(s)"
    )
    return 1 if batch.errors else 0


def cmd_correlate(args) -> int:
    import pandas as pd

    from tasks.parse import ReadError, parse_number, read_table
    from tasks.stats.correlation import correlate

    path = Path(args.file)
    try:
        text = read_table(path.read_bytes(), path.name)
    except (OSError, ReadError) as exc:
        print(f"monotowns correlate: {exc}", file=sys.stderr)
        return 1
    cols = {}
    for col in (args.x, args.y):
        if col not in text.columns:
            print(
                f"monotowns correlate: {path.name} has no column {col!r}; columns: "
                f"{', '.join(text.columns)}",
                file=sys.stderr,
            )
            return 1
        parsed = text[col].map(parse_number)
        bad = [i + 2 for i, v in parsed.items() if v is None]
        if bad:
            print(
                f"monotowns correlate: {path.name} column {col!r}: not a number in row(s) "
                f"{', '.join(map(str, bad[:10]))}",
                file=sys.stderr,
            )
            return 1
        cols[col] = pd.to_numeric(parsed, errors="coerce")
    if not 0 < args.conf_level < 1:
        print("monotowns correlate: --conf-level must be between 0 and 1", file=sys.stderr)
        return 2
    row = correlate(
        cols[args.x],
        cols[args.y],
        method=args.method,
        alternative=args.alternative,
        conf_level=args.conf_level,
        analysis=path.name,
        x_name=args.x,
        y_name=args.y,
    )
    if args.json:
        keys = ["method", "n", "estimate", "p_value", "ci_low", "ci_high", "ci_level", "note"]
        print(json.dumps({k: _clean(row[k]) for k in keys}))
    else:
        for k, v in row.items():
            print(f"{k:>9}: {v}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "query": cmd_query,
    "validate": cmd_validate,
    "correlate": cmd_correlate,
    "survey": survey_cmd.run,
    "report": report_cmd.run,
    "serve": serve_cmd.run_serve,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``monotowns`` console script."""
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
