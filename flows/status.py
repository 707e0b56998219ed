"""What a refresh run did and how it ended: :class:`RunSummary` and the status rules.

Standard library only (the command line imports :class:`RunFailed` to catch it).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class RunFailed(RuntimeError):
    """The run was refused (data or source problem); the message says which."""


@dataclass
class RunSummary:
    """What a run did, for the CLI, the run row and the artifact.

    Attributes
    ----------
    row_counts : rows per table after the run.
    load_counts : what the load wrote (:func:`tasks.load.load_core`): rows per core table
        loaded and ``observations_new_or_revised`` / ``observations_revised``.
    coverage : results.coverage cells by territory kind and status.
    """

    run_id: str
    status: str
    warehouse: str
    source: str
    row_counts: dict[str, int] = field(default_factory=dict)
    load_counts: dict[str, int] = field(default_factory=dict)
    issues_by_severity: dict[str, int] = field(default_factory=dict)
    message: str = ""
    failures: list[str] = field(default_factory=list)
    report: str | None = None
    coverage: list[dict] = field(default_factory=list)


def run_status(failures: int, loaded_any: bool) -> str:
    """A run that was not blocked: ``completed`` when every fetch succeeded, else ``partial``
    when something was still loaded, else ``failed``."""
    if not failures:
        return "completed"
    return "partial" if loaded_any else "failed"


#: The prefix of a load count in the run row's ``row_counts`` (``loaded.observations_revised``),
#: beside the tables' row counts after the run.
LOADED = "loaded."


def recorded_counts(row_counts: dict[str, int], load_counts: dict[str, int]) -> dict[str, int]:
    """The run row's ``row_counts``: rows per table after the run and, under :data:`LOADED`,
    every count of the load."""
    return {**row_counts, **{LOADED + k: int(v) for k, v in load_counts.items()}}
