"""What a study package provides to the observatory: the :class:`Study` protocol.

A study (a paper redone as software) brings its own inputs beyond the generic ones, the checks
that only make sense for them, the analyses that reproduce and audit the paper, its own
warehouse tables (its migrations), its part of the report, and optionally a bundled dataset.
The generic layers (sources, validation, load, town analyses, the report) reach a study only
through these attributes, via the registry in :mod:`tasks.studies`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Protocol

import pandas as pd

from schemas.inputs import InputSpec
from tasks.parse import Issue
from tasks.report.parts import ReportPart

#: ``f(warehouse_path) -> {results_table: frame}``, the shape of every analysis.
Analysis = Callable[[str], dict[str, pd.DataFrame]]


class CheckedBatch(Protocol):
    """The parts of :class:`tasks.validate.Batch` a study's checks read."""

    frames: dict[str, pd.DataFrame]
    files: dict[str, str]
    payload_of: dict


class Study(Protocol):
    """One study package, registered in :data:`tasks.studies.STUDIES`.

    Attributes
    ----------
    name : package name, e.g. ``khromtau_2024``.
    data_dir : folder of the study's bundled inputs (the ``bundled`` source reads it), or None.
    core_tables : input name -> core table of the study's inputs (its migration declares the
        columns and the primary key the load uses).
    renames : input name -> {input column: core column} where they differ.
    rules : check name -> plain-words rule of the study's own checks.
    analyses : analysis name -> function over a warehouse path.
    report : the study's part of the report (its sections, headline figures and snapshot
        queries), or None.

    Files found by folder, not attributes (the layers that read them sit below the study):
    ``migrations/NNN_*.sql``, the study's own tables, applied after the generic migrations
    (:func:`warehouse.db.migrate`); ``messages/<lang>.yaml`` and ``messages/<lang>_columns.yaml``,
    its report text and the descriptions of its tables in other languages
    (:mod:`tasks.report.i18n`, :func:`tasks.report.exports.column_texts`).
    """

    name: str
    data_dir: Path | None
    core_tables: Mapping[str, str]
    renames: Mapping[str, Mapping[str, str]]
    rules: Mapping[str, str]
    analyses: Mapping[str, Analysis]
    report: ReportPart | None

    def inputs(self, today: date | None = None) -> dict[str, InputSpec]:
        """The study's input specs (beyond the generic ones), rules evaluated for ``today``."""
        ...

    def checks(self, batch: CheckedBatch) -> list[Issue]:
        """Cross-input rules over the study's inputs, run after the generic cross-checks."""
        ...
