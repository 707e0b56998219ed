"""``monotowns`` command line: the composition root for interactive use.

Configuration is resolved here and only here, by :func:`flows.settings.resolve_settings` (flags,
then environment, then defaults), into one frozen :class:`~flows.settings.Settings` passed down
to every command. Command modules (:mod:`flows.survey`, :mod:`flows.report`,
:mod:`flows.serve`) take their shared options from :mod:`flows.options` and never import this
module. Exit codes: 0 success, 1 the run failed (data or source problem; the message says
which), 2 usage error. Commands import their heavy dependencies (Prefect, DuckDB, pandas) when
they run, so ``--help`` and the light commands start quickly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from flows import report as report_cmd
from flows import serve as serve_cmd
from flows import survey as survey_cmd
from flows import taldau_cli
from flows.options import add_format, add_lock_timeout, add_sources, add_warehouse
from flows.output import clean, print_frame
from flows.settings import Settings, resolve_settings
from flows.wording import loaded


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
    add_warehouse(run)
    add_sources(run)
    run.add_argument(
        "--archive",
        dest="archive_dir",
        metavar="DIR",
        help="raw archive folder (default: <warehouse dir>/raw)",
    )
    add_lock_timeout(run)
    run.add_argument(
        "--no-report",
        dest="report",
        action="store_false",
        help="skip the HTML report and exports",
    )
    run.add_argument(
        "--force",
        action="store_true",
        default=None,
        help="run even if the inputs are unchanged since the last completed run",
    )
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")

    query = sub.add_parser(
        "query",
        help="run read-only SQL against the warehouse",
        description="Run one read-only SQL statement against the warehouse. "
        "The connection cannot write, attach other databases, "
        "read files or load extensions.",
    )
    query.add_argument("sql", metavar="SQL", help="the SQL statement")
    add_warehouse(query)
    add_format(query, help="output format (default: table)")

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
    taldau_cli.add_parser(sub)
    return parser


def cmd_run(args, settings: Settings) -> int:
    """``monotowns run``: the request resolved by :func:`~flows.settings.resolve_settings`, the
    up-to-date check, then the flow; prints the summary."""
    # a bar on a terminal for a live source, plain log lines elsewhere (Prefect's log, with -v)
    request = replace(settings.request, progress=sys.stderr.isatty() and settings.request.spec.live)
    if request.missing():
        needs = ", ".join(request.missing())
        print(f"monotowns run: --source {request.source} needs {needs}", file=sys.stderr)
        return 2
    if not request.force:  # before Prefect is imported: a no-change run costs a few file hashes
        from flows.uptodate import check

        found = check(request)
        if found.up_to_date:
            print(found.message)
            return 0
    if not args.verbose:
        # the CLI prints its own summary and every blocking error; Prefect's log (with the
        # flow's traceback) is for -v
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    # no telemetry from the temporary local Prefect server (and no failed DNS look-ups offline)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.refresh import RunFailed, refresh
    from warehouse.db import WarehouseBusy

    warehouse = request.warehouse
    try:
        summary = refresh(**request.parameters())
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
    if summary.status == "up_to_date":  # the flow's own check (its Prefect cache) agreed
        print(summary.message)
        return 0
    counts = summary.row_counts
    print(f"run {summary.run_id}: {summary.status}")
    print(f"loaded: {loaded(summary.load_counts)}")
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
    if summary.coverage:
        print("coverage (results.coverage cells by territory kind):")
        cols = [c for c in summary.coverage[0] if c != "territory_kind"]
        print(f"  {'territory kind':<20}" + "".join(f"{c:>16}" for c in cols))
        for r in summary.coverage:
            print(f"  {r['territory_kind']:<20}" + "".join(f"{r[c]:>16}" for c in cols))
    if summary.status != "completed":
        print(f"monotowns run: {summary.status}: {summary.message}", file=sys.stderr)
        return 1
    return 0


def cmd_query(args, settings: Settings) -> int:
    import duckdb

    from warehouse.db import WarehouseMissing, connect_readonly, read_with_retry

    warehouse = settings.warehouse

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
    print_frame(frame, args.format)
    return 0


def cmd_validate(args, settings: Settings) -> int:
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


def cmd_correlate(args, settings: Settings) -> int:
    from tasks.parse import NotANumber, ReadError, read_pairs, read_table
    from tasks.stats.correlation import correlate

    path = Path(args.file)
    try:
        text = read_table(path.read_bytes(), path.name)
    except (OSError, ReadError) as exc:
        print(f"monotowns correlate: {exc}", file=sys.stderr)
        return 1
    try:
        pairs = read_pairs(text, args.x, args.y, filename=path.name)
    except KeyError as exc:
        print(
            f"monotowns correlate: {path.name} has no column {exc.args[0]!r}; columns: "
            f"{', '.join(text.columns)}",
            file=sys.stderr,
        )
        return 1
    except NotANumber as exc:
        messages = exc.messages()
        for message in messages[:20]:
            print(f"monotowns correlate: {message}", file=sys.stderr)
        if len(messages) > 20:
            print(
                f"monotowns correlate: ... and {len(messages) - 20} more cell(s) that are not "
                "numbers",
                file=sys.stderr,
            )
        return 1
    if not 0 < args.conf_level < 1:
        print("monotowns correlate: --conf-level must be between 0 and 1", file=sys.stderr)
        return 2
    row = correlate(
        pairs.x,
        pairs.y,
        method=args.method,
        alternative=args.alternative,
        conf_level=args.conf_level,
        analysis=path.name,
        x_name=args.x,
        y_name=args.y,
    )
    row = {**row, "n_dropped": pairs.n_dropped, "dropped": pairs.dropped_note() or None}
    if args.json:
        keys = ["method", "n", "n_dropped", "estimate", "p_value", "ci_low", "ci_high"]
        keys += ["ci_level", "note", "dropped"]
        print(json.dumps({k: clean(row[k]) for k in keys}))
    else:
        order = [k for k in row if k not in ("n_dropped", "dropped")]
        order.insert(order.index("n") + 1, "n_dropped")
        for k in order:
            print(f"{k:>9}: {row[k]}")
        if row["dropped"]:
            print(f"{'dropped':>9}: {row['dropped']}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "query": cmd_query,
    "validate": cmd_validate,
    "correlate": cmd_correlate,
    "survey": survey_cmd.run,
    "report": report_cmd.run,
    "serve": serve_cmd.run_serve,
    "taldau": taldau_cli.run,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``monotowns`` console script (the composition root: settings are
    resolved here, once, from the flags and the environment)."""
    args = build_parser().parse_args(argv)
    settings = resolve_settings(args, os.environ)
    return COMMANDS[args.command](args, settings)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
