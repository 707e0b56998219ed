"""The Prefect artifacts of a refresh run: ``refresh-row-counts``, ``refresh-coverage`` and the
``refresh-summary`` markdown (what the run did, its load counts, headline and coverage)."""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows import wording
from flows.status import RunSummary

SUMMARY_DESCRIPTION = "Headline numbers of the last refresh"


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


def summary_markdown(summary: RunSummary, headline: list[dict], report: dict | None) -> str:
    """The ``refresh-summary`` text of a run that did its work."""
    lines = [
        f"# Refresh {summary.status}",
        "",
        f"- warehouse: `{summary.warehouse}`",
        f"- source: {summary.source}",
        f"- loaded: {wording.loaded(summary.load_counts)}",
        f"- quality issues: {summary.issues_by_severity}",
        f"- report: `{report['html']}`" if report else "- report: not written",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    lines += [f"| {h['figure']} | {h['value']} |" for h in (report or {}).get("headline", headline)]
    lines += ["", "## Coverage (results.coverage cells)", "", *coverage_lines(summary.coverage)]
    return "\n".join(lines)


def publish(summary: RunSummary, headline: list[dict], report: dict | None = None) -> None:
    """The three artifacts of a run that did its work."""
    rows = [
        {"table": t, "rows": n}
        for t, n in summary.row_counts.items()
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
    create_markdown_artifact(
        key="refresh-summary",
        markdown=summary_markdown(summary, headline, report),
        description=SUMMARY_DESCRIPTION,
    )


def publish_up_to_date(message: str, warehouse: str, source: str) -> None:
    """The ``refresh-summary`` of a run that found its inputs unchanged."""
    create_markdown_artifact(
        key="refresh-summary",
        markdown=f"# Refresh up to date\n\n{message}\n\n- warehouse: `{warehouse}`\n"
        f"- source: {source}\n- nothing was fetched, loaded or re-rendered",
        description=SUMMARY_DESCRIPTION,
    )
