"""The Khromtau study as a :class:`~tasks.studies.base.Study`: what :mod:`tasks.studies`
registers with the flow (the package ``__init__`` imports nothing, so its modules can import
each other through the package without a cycle)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from schemas.inputs import InputSpec
from tasks.parse import Issue
from tasks.report.parts import ReportPart
from tasks.studies.base import Analysis, CheckedBatch
from tasks.studies.khromtau_2024 import analyses as study_analyses
from tasks.studies.khromtau_2024 import checks as study_checks
from tasks.studies.khromtau_2024 import inputs as study_inputs
from tasks.studies.khromtau_2024.report.part import PART

DATA_DIR = Path(str(resources.files("tasks.studies.khromtau_2024") / "data"))


@dataclass(frozen=True)
class KhromtauStudy:
    """The Khromtau study as a :class:`~tasks.studies.base.Study`."""

    name: str = "khromtau_2024"
    data_dir: Path = DATA_DIR
    core_tables: dict[str, str] = field(default_factory=lambda: dict(study_inputs.CORE_TABLES))
    renames: dict[str, dict[str, str]] = field(default_factory=lambda: dict(study_inputs.RENAMES))
    rules: dict[str, str] = field(default_factory=lambda: dict(study_inputs.RULES))
    analyses: dict[str, Analysis] = field(default_factory=lambda: dict(study_analyses.ANALYSES))
    report: ReportPart | None = PART

    def inputs(self, today: date | None = None) -> dict[str, InputSpec]:
        """Tables 5 and 8 as printed and the published numbers."""
        return study_inputs.input_specs(today)

    def checks(self, batch: CheckedBatch) -> list[Issue]:
        """Table 5 against Table 4; printed ranks against recomputed ones."""
        return study_checks.checks(batch)


STUDY = KhromtauStudy()
