"""Progress of a long fetch: a ``rich`` progress bar on a terminal, plain log lines elsewhere.

The flow resolves its fetch futures as they complete and calls :meth:`Progress.advance` for
each; the bar shows pairs done / failed / remaining, elapsed time and ETA. When the CLI is not
on a terminal (or the flow runs under a deployment), a log line every :data:`LOG_EVERY` pairs
and at the end says the same through the run logger.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from logging import Logger, LoggerAdapter
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress

LOG_EVERY = 25


class Progress:
    """Counts of a fetch: ``done`` (ok + failed), ``failed``, ``total``."""

    def __init__(
        self, total: int, label: str, logger: Logger | LoggerAdapter, bar: Any = None
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.failed = 0
        self.logger = logger
        self.bar = bar
        self.task = (
            bar.add_task(label, total=total, failed=0, remaining=total) if bar is not None else None
        )
        self.started = time.monotonic()

    def advance(self, failed: bool = False) -> None:
        """One more request finished (``failed``: it failed after its retries)."""
        self.done += 1
        self.failed += int(failed)
        remaining = self.total - self.done
        if self.bar is not None:
            self.bar.update(self.task, advance=1, failed=self.failed, remaining=remaining)
        elif self.done % LOG_EVERY == 0 or remaining == 0:
            elapsed = time.monotonic() - self.started
            eta = elapsed / self.done * remaining if self.done else 0.0
            self.logger.info(
                "%s: %d/%d done, %d failed, %d remaining, %.0f s elapsed, ETA %.0f s",
                self.label,
                self.done,
                self.total,
                self.failed,
                remaining,
                elapsed,
                eta,
            )


@contextlib.contextmanager
def progress(
    total: int, label: str, logger: Logger | LoggerAdapter, bar: bool = False
) -> Iterator[Progress]:
    """A :class:`Progress` for ``total`` requests; ``bar`` draws a rich bar on stderr."""
    if not bar or total <= 1:
        yield Progress(total, label, logger)
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]}, remaining {task.fields[remaining]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with RichProgress(*columns, console=Console(stderr=True), transient=False) as rich_bar:
        yield Progress(total, label, logger, rich_bar)
