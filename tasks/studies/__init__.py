"""Study packages and the one place they are registered: :data:`STUDIES`.

A study (``tasks/studies/<name>/``) brings its data, inputs, checks and analyses
(:class:`~tasks.studies.base.Study`). The helpers below compose the generic parts with every
registered study's, so validation, loading and the flow never name a study's tables. A second
study is a second folder and one more entry in :data:`STUDIES`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from schemas.inputs import RULES as GENERIC_RULES
from schemas.inputs import InputSpec
from schemas.inputs import input_specs as generic_input_specs
from tasks.analyses.registry import ANALYSES as TOWN_ANALYSES
from tasks.parse import Issue
from tasks.studies.base import Analysis, CheckedBatch, Study
from tasks.studies.khromtau_2024.plugin import STUDY as KHROMTAU_2024

STUDIES: tuple[Study, ...] = (KHROMTAU_2024,)


def input_specs(today: date | None = None) -> dict[str, InputSpec]:
    """Generic input specs, then every study's, rules evaluated for ``today``."""
    specs = generic_input_specs(today)
    for study in STUDIES:
        specs.update(study.inputs(today))
    return specs


#: Every known input (generic and studies'), with today's date-dependent rules.
INPUTS: dict[str, InputSpec] = input_specs()

#: Plain-words rule of every check name, generic and studies'.
RULES: dict[str, str] = {**GENERIC_RULES, **{k: v for s in STUDIES for k, v in s.rules.items()}}

#: Study inputs -> their core table (columns and key: the table's own, see :mod:`tasks.load`).
CORE_TABLES: dict[str, str] = {k: v for s in STUDIES for k, v in s.core_tables.items()}

#: Study inputs -> {input column: core column} where the names differ.
RENAMES: dict[str, dict[str, str]] = {k: dict(v) for s in STUDIES for k, v in s.renames.items()}

#: Every analysis the refresh flow runs: the town analyses, then each study's.
ANALYSES: dict[str, Analysis] = {
    **TOWN_ANALYSES,
    **{k: v for s in STUDIES for k, v in s.analyses.items()},
}


def checks(batch: CheckedBatch) -> list[Issue]:
    """Every registered study's cross-input rules over ``batch``."""
    return [issue for study in STUDIES for issue in study.checks(batch)]


def bundled_dirs() -> list[Path]:
    """Folders of the studies' bundled datasets (what the ``bundled`` source reads)."""
    return [s.data_dir for s in STUDIES if s.data_dir is not None]
