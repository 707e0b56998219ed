"""The ``refresh`` flow: fetch -> validate -> load -> analyse -> publish.

The flow's parameters are those of a :class:`~flows.request.RefreshRequest` (the run's own and
every registered source's options, :func:`~flows.request.flow_signature`); the flow resolves
them once into that request (:func:`flows.settings.flow_request`: parameters, then the
environment where it runs, then defaults), the composition root for deployments as the CLI is
for ``monotowns run``. Tasks get paths and plain values (:mod:`flows.steps`). The warehouse is
written in one write session (:func:`warehouse.session.write_session`): under the single-writer
lock, into a staging copy that is published atomically at the end.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from flows import artifacts, wording
from flows.request import RefreshRequest, UnknownSource, with_request_parameters
from flows.settings import flow_request
from flows.status import RunFailed, RunSummary, recorded_counts, run_status
from flows.steps import (
    analyse_task,
    fingerprint_task,
    gather,
    load_task,
    record_up_to_date_task,
    report_task,
    write_results_task,
)
from flows.uptodate import RerunCheck
from tasks import studies
from tasks.analyses.coverage import summary as coverage_summary
from tasks.analyses.registry import headline, merge_results
from tasks.sources import bundled
from warehouse.session import write_session

__all__ = ["RunFailed", "RunSummary", "refresh", "run_refresh"]


def run_refresh(request: RefreshRequest, inputs: RerunCheck | None = None) -> RunSummary:
    """Refresh the warehouse of ``request`` from its source and recompute every results table;
    ``inputs`` is the ``fingerprint`` task's check, recorded with the run row."""
    logger = get_run_logger()
    warehouse, run_id = request.warehouse, str(flow_run.get_id() or uuid.uuid4())
    summary = RunSummary(run_id=run_id, status="failed", warehouse=warehouse, source=request.source)
    with write_session(
        warehouse,
        "refresh",
        request.recorded(),
        lock_timeout=request.lock_timeout,
        run_id=run_id,
        holder=f"refresh run {run_id}",
        record_failures=True,  # an unexpected error publishes the failed run row
        unrecorded=(RunFailed,),  # a refused source: nothing was written, nothing recorded
    ) as session:
        if inputs is not None and inputs.fingerprint is not None:
            session.input_fingerprint = inputs.fingerprint.digest
            session.input_hashes = inputs.fingerprint.parts
        staging = str(session.staging)
        run = {"run_id": run_id, "started_at": session.started_at}
        reference = bundled.read_bundled() if request.source != "bundled" else []
        src = request.spec.load()
        payloads, batch, failures = gather(src, request, reference, date.today())
        blocking = batch.errors
        batch.issues += failures
        summary.issues_by_severity = {"error": len(batch.errors), "warning": len(batch.warnings)}
        summary.failures = [f"{f.row_key}: {f.message}" for f in failures]
        summary.load_counts = load_task(
            staging, payloads, request.archive, batch, run, blocked=bool(blocking)
        )
        if blocking:
            summary.message = wording.blocked([i.message for i in blocking])
            # published: the failed run row, its payloads and issues; core and results unchanged
            session.finish("failed", summary.message, {})
        else:
            futures = {name: analyse_task.submit(staging, name) for name in studies.ANALYSES}
            # resolve every future (a failure fails the run); one table from several analyses
            # (results.correlation: study + cross-town) is concatenated, not overwritten
            results = merge_results(fut.result() for fut in futures.values())
            write_results_task(staging, results)
            summary.coverage = coverage_summary(results["results.coverage"]).to_dict("records")
            summary.row_counts = session.table_counts()
            loaded_any = len(batch.frames.get("observations", [])) > 0
            summary.status = run_status(len(failures), loaded_any)
            if failures:
                summary.message = wording.fetches_failed(summary.failures)
            counts = recorded_counts(summary.row_counts, summary.load_counts)
            session.finish(summary.status, summary.message, counts)
            headline_rows = headline(staging)
    if blocking:
        raise RunFailed(summary.message)
    logger.info("published %s (run %s): %s", warehouse, run_id, wording.loaded(summary.load_counts))
    report_info = None
    if request.report:
        try:
            report_info = report_task(warehouse, request.report_folder, lang=request.report_lang)
        except Exception as exc:
            artifacts.publish(summary, headline_rows)
            raise RunFailed(wording.report_failed(run_id, exc)) from exc
        summary.report = report_info.get("html")
    artifacts.publish(summary, headline_rows, report_info)
    return summary


# ---------------------------------------------------------------- unchanged inputs, no work


def _work_key(context, parameters: dict) -> str | None:
    """(fingerprint, warehouse, epoch): see :mod:`flows.uptodate`; ``None`` never caches."""
    return parameters["inputs"].cache_key


@task(name="refresh-work", cache_key_fn=_work_key, persist_result=True)
def work_task(inputs: RerunCheck, request: RefreshRequest) -> RunSummary:
    """The whole write session of the run (its fetch, validate, load, analyse and report tasks
    run nested in it). Cached on the inputs: a run whose inputs are unchanged since the last
    completed refresh finds the result of that run's work and does nothing."""
    return run_refresh(request, inputs=inputs)


@flow(name="refresh", log_prints=True)
@with_request_parameters
def refresh(**parameters: Any) -> RunSummary:
    """Refresh the warehouse from one source and recompute every results table, unless its
    inputs are unchanged since the last completed refresh.

    The parameters are those of :class:`~flows.request.RefreshRequest`: ``warehouse`` (default
    ``$MONOTOWNS_WAREHOUSE``, else ``warehouse/monotowns.duckdb``), ``source`` (a name of
    :data:`~tasks.sources.registry.SOURCES`), ``archive_dir``, ``lock_timeout``, ``offline``,
    ``report``, ``report_dir``, ``report_lang``, ``force``, ``progress``, and every source's
    options by name (``input_dir``, ``taldau_url``, ``towns``, ...).

    The ``fingerprint`` task hashes what the run would read (:mod:`flows.uptodate`); the
    ``refresh-work`` task (every other task of the run, nested) is cached by Prefect on that
    fingerprint, the warehouse and its epoch. When the cache holds the work of these inputs the
    run does no work: it completes with ``up to date: run <id> of <time>`` (its return value's
    ``message``, its log and the ``refresh-summary`` artifact) and records an ``up_to_date``
    row in ``meta.pipeline_run``. ``force`` runs the work anyway (and refreshes the cache). A
    live source not run ``offline`` has no fingerprint: it always does its work.
    """
    logger = get_run_logger()
    try:
        request = flow_request(parameters)
    except UnknownSource as exc:
        raise RunFailed(str(exc)) from None
    inputs = fingerprint_task(request)
    fresh = request.force or inputs.refresh_cache
    work = work_task.with_options(refresh_cache=True) if fresh else work_task
    state = work(inputs, request, return_state=True)
    done = state.result()  # raises the work's own error (RunFailed, WarehouseBusy, ...)
    if not state.is_completed() or state.name != "Cached":
        return done
    message = inputs.message if inputs.up_to_date else wording.cached(done.run_id)
    record_up_to_date_task(request, inputs, message)
    logger.info(message)
    artifacts.publish_up_to_date(message, request.warehouse, request.source)
    return RunSummary(
        run_id=str(flow_run.get_id() or uuid.uuid4()),
        status="up_to_date",
        warehouse=request.warehouse,
        source=request.source,
        row_counts=done.row_counts,
        issues_by_severity=done.issues_by_severity,
        message=message,
        report=done.report,
    )
