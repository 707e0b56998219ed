"""The words of a refresh run: its messages (blocked, fetch failures, report failed, up to date)
and the load counts as one line. Standard library only (the CLI prints them too)."""

from __future__ import annotations

MAX_ERRORS_SHOWN = 20


def blocked(messages: list[str]) -> str:
    """Errors refused the run: nothing was loaded into core or results."""
    shown = "\n".join(f"  {m}" for m in messages[:MAX_ERRORS_SHOWN])
    more = len(messages) - MAX_ERRORS_SHOWN
    return (
        f"{len(messages)} error(s) blocked the run; nothing was loaded into core or "
        f"results:\n{shown}" + (f"\n  ... and {more} more" if more > 0 else "")
    )


def fetches_failed(failures: list[str]) -> str:
    """Some fetches failed; the rest was loaded (a ``partial`` run)."""
    return (
        f"{len(failures)} fetch(es) failed after retries; everything else was loaded:\n"
        + "\n".join(f"  {m}" for m in failures)
    )


def report_failed(run_id: str, exc: BaseException) -> str:
    """The data were published; writing the report failed."""
    return (
        f"the data of run {run_id} were published, but the report failed: "
        f"{type(exc).__name__}: {exc}"
    )


def cached(run_id: str) -> str:
    """Prefect's cache held the work of these inputs (the run found it, not the CLI's check)."""
    return f"up to date: run {run_id} (Prefect cache)"


def loaded(counts: dict[str, int]) -> str:
    """The load counts in one line: observations new and revised (the earlier values of the
    revised ones are in ``core.observation_history``), then rows upserted per core table."""
    written = counts.get("observations_new_or_revised", 0)
    revised = counts.get("observations_revised", 0)
    tables = ", ".join(f"{t} {n}" for t, n in counts.items() if t.startswith(("core.", "results.")))
    line = (
        f"{written - revised} new observation(s), {revised} revised (earlier values kept in "
        f"core.observation_history)"
    )
    return line + (f"; upserted: {tables}" if tables else "")
