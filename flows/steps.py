"""The refresh flow's tasks: thin Prefect wrappers around plain functions of ``tasks/``.

``fetch`` (mapped, one per planned request of the source), ``validate``, ``load``,
``analyse`` (one per analysis), ``write-results``, ``report``, and the two of the up-to-date
check: ``fingerprint`` and ``record-up-to-date``. :func:`gather` runs a source's fetches and
validation. The flow (:mod:`flows.refresh`) composes them.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import get_run_logger, task, unmapped
from prefect.cache_policies import NONE
from prefect.futures import as_completed
from prefect.runtime import flow_run

from flows.progress import progress as fetch_progress
from flows.request import RefreshRequest
from flows.status import RunFailed
from flows.uptodate import RerunCheck, check
from tasks import studies
from tasks.load import load_core, record_issues, record_payloads, replace_results
from tasks.parse import Issue
from tasks.sources.base import (
    Batch,
    Fetched,
    Payload,
    Source,
    SourceError,
    archive_payload,
    unique_payloads,
)
from warehouse import db
from warehouse.session import write_session


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
def fetch_task(src: Source, session: Any, request: Any, archive_dir: str) -> Fetched:
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
    src: Source, request: RefreshRequest, reference: list[Payload], today: date
) -> tuple[list[Payload], Batch, list[Issue]]:
    """Plan the source's fetches, run them as mapped tasks, then parse and validate what came
    back. Returns the payloads, the batch and one ``fetch_failed`` issue per failed fetch."""
    opts, archive = request.options, request.archive
    try:
        planned, not_attempted = src.plan(opts)
    except SourceError as exc:
        raise RunFailed(str(exc)) from exc
    logger = get_run_logger()
    with (
        src.session(opts, archive) as session,
        fetch_progress(len(planned), f"{src.name} fetch", logger, bar=request.progress) as bar,
    ):
        futures = fetch_task.map(unmapped(src), unmapped(session), planned, unmapped(archive))
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
    """Record payloads and issues; load core unless the batch is blocked. One transaction.
    Returns the load counts (:func:`tasks.load.load_core`; empty when blocked)."""
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


@task(name="fingerprint", cache_policy=NONE)
def fingerprint_task(request: RefreshRequest) -> RerunCheck:
    """Hash what the run would read and compare it with the warehouse's run history."""
    found = check(request)
    get_run_logger().info("%s", found.message)
    return found


@task(name="record-up-to-date", cache_policy=NONE)
def record_up_to_date_task(request: RefreshRequest, inputs: RerunCheck, message: str) -> None:
    """Record the run that found nothing to do (status ``up_to_date``) in meta.pipeline_run."""
    run_id = str(flow_run.get_id() or uuid.uuid4())
    with write_session(
        request.warehouse,
        "refresh",
        request.recorded(),
        lock_timeout=request.lock_timeout,
        run_id=run_id,
    ) as session:
        if inputs.fingerprint is not None:
            session.input_fingerprint = inputs.fingerprint.digest
            session.input_hashes = inputs.fingerprint.parts
        session.finish("up_to_date", message, {})
