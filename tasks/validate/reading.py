"""One input read, typed and checked in the stage: the reading rules (:mod:`tasks.stage.read`),
the spec's columns, the typing rules (:mod:`tasks.stage.typed`), then the input's pandera
schemas (:func:`~tasks.validate.adapters.table_issues`)."""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd

from schemas.inputs import InputSpec
from tasks import territories
from tasks.parse import Issue, ReadError, cell_issues, column_issues
from tasks.sources.base import Payload
from tasks.stage.database import Stage
from tasks.stage.frames import StagedFrame, to_pandas
from tasks.stage.read import read_relation
from tasks.stage.typed import type_relation
from tasks.validate.adapters import table_issues
from warehouse.sql import ident, literal

#: Natural-key columns the observations are ordered by when materialised as pandas (an input
#: file's rows as read).
OBS_ORDER = ("town_id", "territory_kind", "indicator_id", "year")


def cell_sql(spec: InputSpec, units: pd.Series | None) -> tuple[dict | None, dict | None]:
    """SQL the typing applies to text cells of ``spec``: ``fill`` for an empty cell (the
    indicator's unit; the town proper's territory kind), ``normalise`` for every cell of a
    column (territory kinds in lower case, the documented aliases)."""
    fill = None
    normalise = None
    if "territory_kind" in spec.columns:  # lower case, the documented aliases
        aliases = ", ".join(
            f"{literal(k)}: {literal(v)}" for k, v in territories.KIND_ALIASES.items()
        )
        cell = "lower(<cell>)"
        normalise = {"territory_kind": f"coalesce(MAP {{{aliases}}}[{cell}], {cell})"}
    if "unit" in spec.columns and "indicator_id" in spec.columns and units is not None:
        # an empty unit means "the indicator's unit" (rules such as rate <= 100 need it)
        pairs = {str(k): str(v) for k, v in units.items() if isinstance(v, str)}
        if pairs:
            entries = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in pairs.items())
            fill = {"unit": f"coalesce(MAP {{{entries}}}[{ident('indicator_id')}], '')"}
    if "territory_kind" in spec.columns:  # empty = the town proper; documented aliases
        fill = {**(fill or {}), "territory_kind": literal(territories.DEFAULT_KIND)}
    return fill, normalise


def read_input(
    stage: Stage,
    payload: Payload,
    spec: InputSpec,
    source: str,
    units: pd.Series | None = None,
) -> tuple[pd.DataFrame | StagedFrame | None, list[Issue]]:
    """Read, type and check one input in ``stage``; the typed table is named ``spec.name``.

    Returns the typed input (observations stay in the stage: a :class:`StagedFrame`; other
    inputs as pandas) or None when an error blocks it, and every issue found. ``units``
    (indicator id -> unit) fills an empty ``unit`` cell.
    """
    filename = PurePath(payload.uri).name

    def issue(check, message, severity="error", **where) -> Issue:
        return Issue(source, spec.name, check, severity, message, file=filename, **where)

    try:
        raw = read_relation(stage, payload, spec.name, filename)
    except ReadError as exc:
        return None, [issue("readable", str(exc))]
    present = [c for c in raw.columns if c]
    issues = column_issues(present, spec, source=source, filename=filename)
    if any(i.severity == "error" for i in issues):
        return None, issues
    fill, normalise = cell_sql(spec, units)
    try:  # a clean CSV is read by DuckDB inside the typing query: reading errors show here
        failures = type_relation(
            stage,
            raw,
            spec.name,
            spec.columns,
            spec.key,
            spec.required,
            fill=fill,
            normalise=normalise,
        )
    except ReadError as exc:
        return None, [issue("readable", str(exc))]
    issues += cell_issues(failures, source=source, table=spec.name, filename=filename)
    if any(i.severity == "error" for i in issues):
        return None, issues
    (n_rows,) = stage.con.execute(f"SELECT count(*) FROM {ident(spec.name)}").fetchall()[0]
    if not n_rows:
        issues.append(
            issue(
                "no_rows",
                f"{filename}: has a header but no data rows; nothing is loaded from it",
                severity="warning",
            )
        )
    for schema, severity in ((spec.errors, "error"), (spec.warnings, "warning")):
        if schema is not None and n_rows:
            issues += table_issues(
                stage,
                spec.name,
                schema,
                severity=severity,
                source=source,
                table_name=spec.name,
                filename=filename,
                key=spec.key,
            )
    if any(i.severity == "error" for i in issues):
        return None, issues
    if spec.name == "observations":  # rows stay in the database
        return StagedFrame(stage, spec.name, OBS_ORDER), issues
    typed = to_pandas(stage.con, f"SELECT * FROM {ident(spec.name)} ORDER BY _row", spec.columns)
    return typed, issues
