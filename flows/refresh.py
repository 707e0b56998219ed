"""The ``refresh`` flow: fetch -> validate -> load -> analyse -> publish. The composition root.

This is the only place that decides which source, which analyses and which files: tasks get
paths and plain values. The warehouse is written in one write session
(:func:`warehouse.session.write_session`): under the single-writer lock, into a staging copy
that is published atomically at the end. Where the flow runs it resolves the warehouse path
(parameter, else ``$MONOTOWNS_WAREHOUSE``, else ``warehouse/monotowns.duckdb``): it is the
composition root for deployments, as the CLI is for ``monotowns run``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE
from prefect.futures import as_completed
from prefect.runtime import flow_run

from flows.progress import progress as fetch_progress
from flows.settings import flow_warehouse
from flows.uptodate import RerunCheck, check
from tasks import studies
from tasks.analyses.coverage import summary as coverage_summary
from tasks.analyses.registry import headline, merge_results
from tasks.load import load_core, record_issues, record_payloads, replace_results
from tasks.parse import Issue
from tasks.sources import bundled
from tasks.sources.base import (
    Batch,
    Fetched,
    Payload,
    Source,
    SourceError,
    archive_payload,
    unique_payloads,
)
from tasks.sources.registry import SOURCES
from warehouse import db
from warehouse.session import write_session

MAX_ERRORS_SHOWN = 20


class RunFailed(RuntimeError):
    """The run was refused (data or source problem); the message says which."""


@dataclass
class RunSummary:
    """What a run did, for the CLI and the artifact."""

    run_id: str
    status: str
    warehouse: str
    source: str
    row_counts: dict[str, int] = field(default_factory=dict)
    issues_by_severity: dict[str, int] = field(default_factory=dict)
    message: str = ""
    failures: list[str] = field(default_factory=list)
    report: str | None = None
    coverage: list[dict] = field(default_factory=list)  # cells by territory kind and status


def default_archive_dir(warehouse: str | Path) -> Path:
    """Raw archive next to the warehouse file: ``<warehouse dir>/raw``."""
    return Path(warehouse).parent / "raw"


# ---------------------------------------------------------------- tasks (thin wrappers)


def _retry_transient(task, task_run, state) -> bool:
    """Retry fetches on transient errors only, not on a missing folder or an unknown source."""
    try:
        state.result()
    except (SourceError, RunFailed):
        return False
    except Exception:
        return True
    return False


@task(
    name="fetch",
    retries=2,
    retry_delay_seconds=[1, 5],
    retry_condition_fn=_retry_transient,
    cache_policy=NONE,
)
def fetch_task(src: Source, session, request, archive_dir: str) -> Fetched:
    """Fetch one planned request of ``src`` and archive every payload before anything parses
    it. A reading error of a folder is retried; a Taldau pair's HTTP errors are retried by its
    client, and a pair that still fails comes back with its ``failure`` (never raised), so the
    other pairs still load."""
    logger = get_run_logger()
    fetched = src.fetch(session, request)
    for p in fetched.payloads:
        archive_payload(p, archive_dir)
    if fetched.failure is not None:
        logger.warning("%s failed: %s", fetched.key, fetched.failure.message)
    else:
        logger.info(
            "fetched %d payload(s) from %s %s", len(fetched.payloads), src.name, fetched.key
        )
    return fetched


def gather(
    src: Source, archive: str, opts: dict, reference: list[Payload], today: date
) -> tuple[list[Payload], Batch, list[Issue]]:
    """Plan the source's fetches, run them as mapped tasks, then parse and validate what came
    back. Returns the payloads, the batch and one ``fetch_failed`` issue per failed fetch."""
    try:
        requests, not_attempted = src.plan(opts)
    except SourceError as exc:
        raise RunFailed(str(exc)) from exc
    logger = get_run_logger()
    with (
        src.session(opts, archive) as session,
        fetch_progress(
            len(requests), f"{src.name} fetch", logger, bar=bool(opts.get("progress"))
        ) as bar,
    ):
        futures = fetch_task.map(unmapped(src), unmapped(session), requests, unmapped(archive))
        position = {id(f): n for n, f in enumerate(futures)}
        done: dict[int, Fetched] = {}
        for fut in as_completed(list(futures)):  # resolve every future, as they complete
            result = fut.result()
            done[position[id(fut)]] = result
            bar.advance(failed=result.failure is not None)
        fetched = [done[n] for n in range(len(futures))]
    batch = validate_task(src, fetched, opts, reference, today)
    batch.issues += not_attempted
    return unique_payloads(fetched), batch, [f.failure for f in fetched if f.failure]


@task(name="validate", cache_policy=NONE)
def validate_task(
    src: Source, fetched: list[Fetched], opts: dict, reference: list[Payload], today: date
) -> Batch:
    """Parse, type and validate what was fetched (pandera schemas + cross-input rules)."""
    batch = src.parse(fetched, options=opts, reference=reference, today=today)
    logger = get_run_logger()
    for issue in batch.errors[:20]:
        logger.error(issue.message)
    logger.info(
        "validated %d input(s): %d error(s), %d warning(s)",
        len(batch.frames),
        len(batch.errors),
        len(batch.warnings),
    )
    return batch


@task(name="load", cache_policy=NONE)
def load_task(
    staging: str,
    payloads: list[Payload],
    archive_dir: str,
    batch: Batch,
    run: dict,
    blocked: bool = False,
) -> dict[str, int]:
    """Record payloads and issues; load core unless the batch is blocked. One transaction."""
    archive_paths = {
        p.content_hash: str(Path(archive_dir) / p.source / p.content_hash) for p in payloads
    }
    with db.transaction(staging) as con:
        record_payloads(con, payloads, archive_paths, run["run_id"])
        record_issues(con, batch.issues, run["run_id"], run["started_at"])
        counts = {} if blocked else load_core(con, batch.frames, run["run_id"], run["started_at"])
    return counts


@task(name="analyse", cache_policy=NONE)
def analyse_task(staging: str, name: str) -> dict[str, pd.DataFrame]:
    """Run one analysis over the core tables of ``staging``; returns results frames."""
    return studies.ANALYSES[name](staging)


@task(name="write-results", cache_policy=NONE)
def write_results_task(staging: str, results: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Replace the results tables in one transaction."""
    with db.transaction(staging) as con:
        return replace_results(con, results)


@task(name="report", cache_policy=NONE)
def report_task(warehouse: str, out_dir: str, lang: str = "en") -> dict:
    """Write the HTML report, charts and Parquet/XLSX exports of the published warehouse."""
    from tasks.report.build import publish_report

    return publish_report(warehouse, out_dir, lang=lang)


# ---------------------------------------------------------------- artifacts


def _artifact(
    summary: RunSummary,
    staging_counts: dict[str, int],
    headline: list[dict],
    report: dict | None = None,
):
    rows = [
        {"table": t, "rows": n}
        for t, n in staging_counts.items()
        if t.startswith(("core.", "results."))
    ]
    create_table_artifact(
        key="refresh-row-counts", table=rows, description=f"Row counts after run {summary.run_id}"
    )
    create_table_artifact(
        key="refresh-coverage",
        table=summary.coverage,
        description="results.coverage cells (town x indicator x year) by territory kind and "
        f"status after run {summary.run_id}",
    )
    lines = [
        f"# Refresh {summary.status}",
        "",
        f"- warehouse: `{summary.warehouse}`",
        f"- source: {summary.source}",
        f"- quality issues: {summary.issues_by_severity}",
        f"- report: `{report['html']}`" if report else "- report: not written",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    lines += [f"| {h['figure']} | {h['value']} |" for h in (report or {}).get("headline", headline)]
    lines += ["", "## Coverage (results.coverage cells)", "", *coverage_lines(summary.coverage)]
    create_markdown_artifact(
        key="refresh-summary",
        markdown="\n".join(lines),
        description="Headline numbers of the last refresh",
    )


def coverage_lines(rows: list[dict]) -> list[str]:
    """The coverage summary as a markdown table (territory kind x status)."""
    if not rows:
        return ["(no cells)"]
    cols = [c for c in rows[0] if c != "territory_kind"]
    out = ["| territory kind | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    out += [
        f"| {r['territory_kind']} | " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows
    ]
    return out


# ---------------------------------------------------------------- the flow


def run_refresh(
    warehouse: str | None = None,
    source: str = "bundled",
    input_dir: str | None = None,
    archive_dir: str | None = None,
    lock_timeout: float = 30.0,
    taldau_url: str | None = None,
    offline: bool = False,
    towns: list[str] | None = None,
    indicators: list[str] | None = None,
    taldau_towns: str | None = None,
    taldau_indicators: str | None = None,
    report: bool = True,
    report_dir: str | None = None,
    report_lang: str = "en",
    progress: bool = False,
    inputs: RerunCheck | None = None,
) -> RunSummary:
    """Refresh the warehouse from one source and recompute every results table.

    Parameters
    ----------
    warehouse : path of the DuckDB file to publish (default ``$MONOTOWNS_WAREHOUSE``, else
        ``warehouse/monotowns.duckdb`` relative to the working directory of the run).
    source : ``bundled`` (the study's data, offline), ``files`` (``input_dir``) or ``taldau``.
    input_dir : folder of input files for ``source="files"``.
    archive_dir : raw archive folder (default ``<warehouse dir>/raw``).
    lock_timeout : seconds to wait for another writer before failing with "warehouse busy".
    taldau_url : Taldau API base URL (default the public one).
    offline : replay Taldau responses from the raw archive, no network.
    towns, indicators : restrict a Taldau fetch to these town / indicator ids.
    taldau_towns, taldau_indicators : registry CSVs replacing the shipped ones.
    report : write the HTML report and exports after publishing (default on).
    report_dir : where (default ``<warehouse dir>/report``).
    report_lang : the report's language, ``en`` (default) or ``ru``.
    progress : draw a progress bar of the fetch on the terminal (the CLI sets it when stderr is
        a TTY); otherwise progress goes to the run log.
    inputs : the ``fingerprint`` task's check, recorded with the run row.
    """
    logger = get_run_logger()
    if source not in SOURCES:
        raise RunFailed(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    warehouse = str(Path(flow_warehouse(warehouse)))
    archive = str(archive_dir or default_archive_dir(warehouse))
    run_id = str(flow_run.get_id() or uuid.uuid4())
    parameters = {
        "warehouse": warehouse,
        "source": source,
        "input_dir": input_dir,
        "archive_dir": archive,
        "taldau_url": taldau_url,
        "offline": offline,
        "towns": towns,
        "indicators": indicators,
        "taldau_towns": taldau_towns,
        "taldau_indicators": taldau_indicators,
        "report": report,
        "report_lang": report_lang,
        "progress": progress,
    }
    summary = RunSummary(run_id=run_id, status="failed", warehouse=warehouse, source=source)
    with write_session(
        warehouse,
        "refresh",
        parameters,
        lock_timeout=lock_timeout,
        run_id=run_id,
        holder=f"refresh run {run_id}",
        record_failures=True,  # an unexpected error publishes the failed run row
        unrecorded=(RunFailed,),  # a refused source: nothing was written, nothing recorded
    ) as session:
        if inputs is not None and inputs.fingerprint is not None:
            session.input_fingerprint = inputs.fingerprint.digest
            session.input_hashes = inputs.fingerprint.parts
        staging = str(session.staging)
        run = {"run_id": run_id, "started_at": session.started_at, "parameters": parameters}
        reference = bundled.read_bundled() if source != "bundled" else []
        payloads, batch, failures = gather(
            SOURCES[source], archive, parameters, reference, date.today()
        )
        blocking = batch.errors
        batch.issues += failures
        summary.issues_by_severity = {
            "error": len(batch.errors),
            "warning": len(batch.warnings),
        }
        summary.failures = [f"{f.row_key}: {f.message}" for f in failures]
        load_task(staging, payloads, archive, batch, run, blocked=bool(blocking))
        if blocking:
            shown = "\n".join(f"  {i.message}" for i in blocking[:MAX_ERRORS_SHOWN])
            more = len(blocking) - MAX_ERRORS_SHOWN
            summary.message = (
                f"{len(blocking)} error(s) blocked the run; nothing was "
                f"loaded into core or results:\n{shown}"
                + (f"\n  ... and {more} more" if more > 0 else "")
            )
            # published: the failed run row, its payloads and issues; core and results unchanged
            session.finish("failed", summary.message, {})
        else:
            futures = {name: analyse_task.submit(staging, name) for name in studies.ANALYSES}
            # resolve every future (a failure fails the run); one table from several analyses
            # (results.correlation: study + cross-town) is concatenated, not overwritten
            results = merge_results(fut.result() for fut in futures.values())
            write_results_task(staging, results)
            summary.coverage = coverage_summary(results["results.coverage"]).to_dict("records")
            counts = session.table_counts()
            summary.row_counts = counts
            loaded_any = len(batch.frames.get("observations", [])) > 0
            summary.status = (
                "completed" if not failures else ("partial" if loaded_any else "failed")
            )
            if failures:
                summary.message = (
                    f"{len(failures)} fetch(es) failed after retries; everything else was "
                    "loaded:\n" + "\n".join(f"  {m}" for m in summary.failures)
                )
            session.finish(summary.status, summary.message, counts)
            headline_rows = headline(staging)
    if blocking:
        raise RunFailed(summary.message)
    logger.info("published %s (run %s)", warehouse, run_id)
    report_info = None
    if report:
        out_dir = report_dir or str(Path(warehouse).parent / "report")
        try:
            report_info = report_task(warehouse, out_dir, lang=report_lang)
        except Exception as exc:
            _artifact(summary, summary.row_counts, headline_rows)
            raise RunFailed(
                f"the data of run {run_id} were published, but the report failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        summary.report = report_info.get("html")
    _artifact(summary, summary.row_counts, headline_rows, report_info)
    return summary


# ---------------------------------------------------------------- unchanged inputs, no work


@task(name="fingerprint", cache_policy=NONE)
def fingerprint_task(parameters: dict) -> RerunCheck:
    """Hash what the run would read and compare it with the warehouse's run history."""
    found = check(**parameters)
    get_run_logger().info("%s", found.message)
    return found


def _work_key(context, parameters: dict) -> str | None:
    """(fingerprint, warehouse, epoch): see :mod:`flows.uptodate`; ``None`` never caches."""
    return parameters["inputs"].cache_key


@task(name="refresh-work", cache_key_fn=_work_key, persist_result=True)
def work_task(inputs: RerunCheck, parameters: dict) -> RunSummary:
    """The whole write session of the run (its fetch, validate, load, analyse and report tasks
    run nested in it). Cached on the inputs: a run whose inputs are unchanged since the last
    completed refresh finds the result of that run's work and does nothing."""
    return run_refresh(**parameters, inputs=inputs)


@task(name="record-up-to-date", cache_policy=NONE)
def record_up_to_date_task(
    warehouse: str, parameters: dict, inputs: RerunCheck, message: str, lock_timeout: float
) -> None:
    """Record the run that found nothing to do (status ``up_to_date``) in meta.pipeline_run."""
    run_id = str(flow_run.get_id() or uuid.uuid4())
    with write_session(
        warehouse, "refresh", parameters, lock_timeout=lock_timeout, run_id=run_id
    ) as session:
        if inputs.fingerprint is not None:
            session.input_fingerprint = inputs.fingerprint.digest
            session.input_hashes = inputs.fingerprint.parts
        session.finish("up_to_date", message, {})


@flow(name="refresh", log_prints=True)
def refresh(
    warehouse: str | None = None,
    source: str = "bundled",
    input_dir: str | None = None,
    archive_dir: str | None = None,
    lock_timeout: float = 30.0,
    taldau_url: str | None = None,
    offline: bool = False,
    towns: list[str] | None = None,
    indicators: list[str] | None = None,
    taldau_towns: str | None = None,
    taldau_indicators: str | None = None,
    report: bool = True,
    report_dir: str | None = None,
    report_lang: str = "en",
    force: bool = False,
    progress: bool = False,
) -> RunSummary:
    """Refresh the warehouse from one source and recompute every results table, unless its
    inputs are unchanged since the last completed refresh.

    The ``fingerprint`` task hashes what the run would read (:mod:`flows.uptodate`); the
    ``refresh-work`` task (every other task of the run, nested) is cached by Prefect on that
    fingerprint, the warehouse and its epoch. When the cache holds the work of these inputs the
    run does no work: it completes with ``up to date: run <id> of <time>`` (its return value's
    ``message``, its log and the ``refresh-summary`` artifact) and records an ``up_to_date``
    row in ``meta.pipeline_run``. ``force`` runs the work anyway (and refreshes the cache).
    The other parameters are those of :func:`run_refresh`.
    """
    logger = get_run_logger()
    if source not in SOURCES:
        raise RunFailed(f"unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    warehouse = str(Path(flow_warehouse(warehouse)))
    parameters = {
        "warehouse": warehouse,
        "source": source,
        "input_dir": input_dir,
        "archive_dir": archive_dir,
        "lock_timeout": lock_timeout,
        "taldau_url": taldau_url,
        "offline": offline,
        "towns": towns,
        "indicators": indicators,
        "taldau_towns": taldau_towns,
        "taldau_indicators": taldau_indicators,
        "report": report,
        "report_dir": report_dir,
        "report_lang": report_lang,
        "progress": progress,
    }
    inputs = fingerprint_task(parameters)
    work = (
        work_task.with_options(refresh_cache=True) if force or inputs.refresh_cache else work_task
    )
    state = work(inputs, parameters, return_state=True)
    done = state.result()  # raises the work's own error (RunFailed, WarehouseBusy, ...)
    if not state.is_completed() or state.name != "Cached":
        return done
    message = (
        inputs.message if inputs.up_to_date else f"up to date: run {done.run_id} (Prefect cache)"
    )
    recorded = {k: v for k, v in parameters.items() if k != "lock_timeout"}
    record_up_to_date_task(warehouse, recorded, inputs, message, lock_timeout)
    logger.info(message)
    summary = RunSummary(
        run_id=str(flow_run.get_id() or uuid.uuid4()),
        status="up_to_date",
        warehouse=warehouse,
        source=source,
        row_counts=done.row_counts,
        issues_by_severity=done.issues_by_severity,
        message=message,
        report=done.report,
    )
    create_markdown_artifact(
        key="refresh-summary",
        markdown=f"# Refresh up to date\n\n{message}\n\n- warehouse: `{warehouse}`\n"
        f"- source: {source}\n- nothing was fetched, loaded or re-rendered",
        description="Headline numbers of the last refresh",
    )
    return summary
