"""Observations in the core shape: the view the loader reads from the stage."""

from __future__ import annotations

from schemas.inputs import OBSERVATION_COLUMNS
from tasks.sources.base import Batch
from tasks.stage.frames import StagedFrame
from warehouse.sql import ident, literal

#: the conformed rows' order when materialised as pandas (by their territory)
CORE_ORDER = ("territory_id", "indicator_id", "year")


def conform_observations(batch: Batch) -> StagedFrame:
    """Observations in the core shape (a view in the stage): the territory (the stage table
    ``territory_map``), status, raw text, unit, source and provenance, columns as
    :data:`~schemas.inputs.OBSERVATION_COLUMNS`."""
    frame = batch.frames["observations"]
    payload = batch.payload_of["observations"]
    stage = frame.stage
    exprs = {
        "territory_id": "m.territory_id",
        "indicator_id": "indicator_id",
        "year": "year",
        "value": "value",
        "value_status": "CASE WHEN value IS NOT NULL THEN 'ok' ELSE 'missing' END",
        "raw_value": "nullif(CASE WHEN printed <> '' THEN printed ELSE value__text END, '')",
        "unit": "unit",
        "source": literal(payload.source),
        "source_ref": "CASE WHEN source_table <> '' THEN source_table ELSE "
        f"{literal(batch.files['observations'])} END",
        "vintage": literal(payload.fetched_at),
        "payload_hash": literal(payload.content_hash),
        "note": "nullif(note, '')",
        "row_ref": "CAST(NULL AS VARCHAR)",
    }
    select = ", ".join(f"{exprs[c]} AS {ident(c)}" for c in OBSERVATION_COLUMNS)
    # the territory each row's (town_id, territory_kind, year) names (validated: never NULL)
    stage.con.execute(
        f"CREATE OR REPLACE VIEW observations_core AS SELECT {select} FROM observations "
        "JOIN territory_map m USING (town_id, territory_kind, year)"
    )
    return StagedFrame(stage, "observations_core", CORE_ORDER)
