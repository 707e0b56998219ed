"""Unchanged inputs, no work: the check shared by ``monotowns run`` and the ``refresh`` flow.

:func:`check` fingerprints a run's inputs (:func:`tasks.fingerprint.input_fingerprint`) and
reads the published warehouse's run history (:func:`warehouse.rerun.read_history`). It imports
neither Prefect nor pandas, so the CLI runs it before starting anything heavy:

* ``monotowns run`` prints ``up to date: run <id> of <time>`` and exits 0 when
  :attr:`RerunCheck.up_to_date` (``--force`` skips the check);
* the flow's ``fingerprint`` task returns the same :class:`RerunCheck`, and its work task is
  cached by Prefect on :attr:`RerunCheck.cache_key`: (fingerprint, warehouse, epoch), where the
  epoch is the latest run that changed the warehouse and is *not* a completed refresh of these
  inputs. The key is the same before and after a run of these inputs (their own run does not
  move the epoch), and any other change of the warehouse (other inputs, a survey import) moves
  it, so an old cache entry can never hide newer data.

A run of a live source (:attr:`~tasks.sources.spec.SourceSpec.live`, e.g. Taldau) that is not
``offline`` has no fingerprint (what the service returns is only known by asking it): it always
runs and is never cached. A run whose report is asked for but missing (or older than the
run it should show: the report failed after the data were published) runs and stores its work
again (Prefect's ``refresh_cache``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flows.request import RefreshRequest
from tasks.fingerprint import Fingerprint, input_fingerprint
from warehouse.rerun import History, read_history, up_to_date_message

REPORT_FILE = "report.html"


@dataclass(frozen=True)
class RerunCheck:
    """The verdict of :func:`check` for one run."""

    warehouse: str
    fingerprint: Fingerprint | None
    history: History
    report_missing: bool = False
    source: str = ""

    @property
    def up_to_date(self) -> bool:
        """Nothing to do: the latest changing run is a completed refresh of these inputs."""
        return (
            self.fingerprint is not None
            and not self.report_missing
            and self.history.up_to_date(self.fingerprint.digest)
        )

    @property
    def message(self) -> str:
        """``up to date: run <id> of <time>`` or why the run has work to do."""
        if self.up_to_date:
            return up_to_date_message(self.history.latest)
        return f"inputs changed: {self.reason}"

    @property
    def reason(self) -> str:
        if self.fingerprint is None:
            return f"a live {self.source} fetch (its inputs are only known by fetching)"
        last = self.history.latest
        if last is None:
            return self.history.reason or "no earlier run"
        if self.report_missing:
            return "the report is missing or older than the last run"
        if last.flow != "refresh" or last.status != "completed":
            return f"the latest change was {last.flow} run {last.run_id} ({last.status})"
        changed = self.fingerprint.changed(last.parts)
        return ", ".join(changed[:8]) + (" ..." if len(changed) > 8 else "") or "fingerprint"

    @property
    def refresh_cache(self) -> bool:
        """Run the work even on a cache hit (and store it again): the report is missing."""
        return self.report_missing

    @property
    def cache_key(self) -> str | None:
        """Prefect cache key of the work with these inputs (``None``: never cached)."""
        if self.fingerprint is None:
            return None
        text = "\n".join(
            [
                "monotowns-refresh",
                self.fingerprint.digest,
                str(Path(self.warehouse).resolve()),
                self.history.epoch,
            ]
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check(request: RefreshRequest) -> RerunCheck:
    """Fingerprint the run of ``request`` and compare it with its warehouse's history."""
    fp = input_fingerprint(request)
    history = read_history(request.warehouse, fp.digest if fp else None)
    missing = request.report and not _report_current(
        Path(request.report_folder) / REPORT_FILE, history
    )
    return RerunCheck(
        str(Path(request.warehouse)), fp, history, report_missing=missing, source=request.source
    )


def _report_current(report: Path, history: History) -> bool:
    """The report exists and was written after the latest changing run finished (a report
    that failed after its run published is older than that run)."""
    try:
        written = report.stat().st_mtime
    except OSError:
        return False
    last = history.latest
    if last is None or not last.finished_at:
        return True
    try:
        finished = datetime.strptime(last.finished_at, "%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        return True
    return written >= finished.replace(tzinfo=UTC).timestamp() - 1.0
