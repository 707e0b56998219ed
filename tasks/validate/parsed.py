"""Observations a source has already parsed (Taldau's responses; any source whose rows arrive
as a frame in the observation shape), validated with the same schemas and rules as an input
file's."""

from __future__ import annotations

from datetime import date

import pandas as pd

from schemas.inputs import OBSERVATION_COLUMNS, OBSERVATION_UNIQUE, observations_schemas
from tasks import territories
from tasks.catalogue.batch import with_folder_indicators
from tasks.sources.base import Batch, Payload
from tasks.sources.taldau.registry import Registry
from tasks.validate.adapters import table_issues
from tasks.validate.assemble import validate_payloads
from tasks.validate.rules import cross_checks
from tasks.validate.rules.batch import RuleBatch, obs_table
from warehouse.sql import ident


def validate_parsed_observations(
    obs: pd.DataFrame,
    *,
    source: str,
    reference: list[Payload],
    extra_indicators: pd.DataFrame | None = None,
    vintage_of: dict[str, str] | None = None,
    today: date | None = None,
    registry: Registry | None = None,
) -> Batch:
    """Validate observations a source has already parsed (e.g. Taldau) with the same schemas.

    The rows carry their ``territory_id``; towns and territories come from ``registry``.
    Indicator ids are checked against the catalogue; the batch's ``indicators`` (core.indicator
    rows) are those ``reference`` (the bundled folders) carries plus ``extra_indicators`` (the
    catalogue rows of the source's selected indicators). ``vintage_of`` maps a payload hash to
    its fetched-at time.
    """
    batch = validate_payloads([], reference=reference, today=today, registry=registry)
    loaded = batch.frames["indicators"]
    if extra_indicators is not None and len(extra_indicators):
        new = extra_indicators[~extra_indicators["indicator_id"].isin(loaded["indicator_id"])]
        loaded = pd.concat([loaded, new], ignore_index=True)
    # observations are checked against the whole catalogue; core.indicator gets ``loaded``
    catalogue = with_folder_indicators(None)[0]
    batch.frames["indicators"] = pd.concat([loaded, catalogue]).drop_duplicates("indicator_id")
    errors, warnings = observations_schemas((today or date.today()).year, OBSERVATION_UNIQUE)
    frame = obs.reset_index(drop=True).copy()
    label = f"{source} responses"
    batch.frames["observations"] = frame
    batch.files["observations"] = label
    # a descriptor, not a received payload: carries the source name for issue rows
    batch.payload_of["observations"] = Payload.from_bytes(source, "observations", label, b"")
    checked = RuleBatch.of(batch, registry or territories.default_registry())
    stage, table = obs_table(checked)
    # suppressed cells are reported by the source's parser; judge only plain gaps here
    stage.con.execute(
        f"CREATE TABLE judged AS SELECT * FROM {ident(table)} "
        "WHERE value_status <> 'suppressed' ORDER BY _row"
    )
    for schema, severity, rows in (
        (errors, "error", table),
        (warnings, "warning", "judged"),
    ):
        (n,) = stage.con.execute(f"SELECT count(*) FROM {ident(rows)}").fetchall()[0]
        if n:
            batch.issues += table_issues(
                stage,
                rows,
                schema,
                severity=severity,
                source=source,
                table_name="observations",
                filename=label,
                key=tuple(OBSERVATION_UNIQUE),
                by_row=False,
            )
    if not batch.errors:
        batch.issues += cross_checks(checked, checked.registry)
    batch.frames["indicators"] = loaded.reset_index(drop=True)
    frame["vintage"] = frame["payload_hash"].map(vintage_of or {})
    batch.frames["observations"] = frame[list(OBSERVATION_COLUMNS)]
    return batch
