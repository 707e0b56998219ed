"""Key rules: every key an input names must exist (blocking errors).

Each rule is ``rule(batch) -> list[Issue]`` (:data:`tasks.validate.rules.RULES`). The
observations' keys are checked in the stage database: only the unknown values come back.
"""

from __future__ import annotations

import pandas as pd

from schemas.inputs import RULES
from tasks import territories
from tasks.parse import Issue
from tasks.validate.rules.batch import RuleBatch, obs_columns, obs_table
from tasks.validate.rules.surveys import survey_inputs
from warehouse.sql import ident


def unknown_keys(
    batch: RuleBatch, table: str, column: str, ref_table: str, ref_col: str, check: str
) -> list[Issue]:
    """One error per row of ``table`` whose ``column`` is not a ``ref_col`` of ``ref_table``."""
    if table not in batch.frames:
        return []
    known = set(batch.frames[ref_table][ref_col]) if ref_table in batch.frames else set()
    src, fname = batch.payload_of[table].source, batch.files[table]
    if table == "observations":  # in the database: only the unknown values come back
        stage, obs = obs_table(batch)
        stage.con.register("_known", pd.DataFrame({"v": sorted(map(str, known))}, dtype=object))
        bad = stage.con.execute(
            f"SELECT _row - 2, {ident(column)} FROM {ident(obs)} WHERE {ident(column)} NOT IN "
            "(SELECT v FROM _known) ORDER BY _row"
        ).fetchall()
        stage.con.unregister("_known")
    else:
        frame = batch.frames[table]
        bad = list(frame.loc[~frame[column].isin(known), column].items())
    return [
        Issue(
            src,
            table,
            check,
            "error",
            f"{fname} row {i + 2}, column {column}: {v!r} - {RULES[check]} [{check}]",
            file=fname,
            file_row=i + 2,
            column_name=column,
            observed=str(v),
            row_key=str(v),
        )
        for i, v in bad
    ]


def known_towns(batch: RuleBatch) -> list[Issue]:
    """An input file's observations name towns of the towns list (registry or ``towns.csv``)."""
    if "town_id" not in obs_columns(batch):
        return []
    return unknown_keys(batch, "observations", "town_id", "towns", "town_id", "known_town")


def known_territories(batch: RuleBatch) -> list[Issue]:
    """Parsed observations (no town_id): every territory_id must be a known territory."""
    obs = batch.frames.get("observations")
    if obs is None or "town_id" in obs.columns or "territories" not in batch.frames:
        return []
    known = set(batch.frames["territories"]["territory_id"])
    bad = obs.loc[~obs["territory_id"].isin(known), "territory_id"]
    src = batch.payload_of["observations"].source
    return [
        Issue(
            src,
            "observations",
            "known_territory",
            "error",
            f"{batch.files['observations']}: territory {v!r} is not in the registry "
            "[known_territory]",
            file=batch.files["observations"],
            row_key=str(v),
            column_name="territory_id",
            observed=str(v),
        )
        for v in sorted(set(bad))
    ]


def known_indicators(batch: RuleBatch) -> list[Issue]:
    """Observations name indicators of the indicator list."""
    return unknown_keys(
        batch, "observations", "indicator_id", "indicators", "indicator_id", "known_indicator"
    )


def territory_map(batch: RuleBatch) -> str:
    """The stage table ``territory_map`` of the staged observations: each distinct (town_id,
    territory_kind, year) with its ``territory_id`` (NULL where the registry has no such
    territory for the town). Few rows even for a large file; the loader's view joins it."""
    stage, obs = obs_table(batch)
    combos = stage.con.execute(
        f"SELECT DISTINCT town_id, territory_kind, year FROM {ident(obs)} ORDER BY ALL"
    ).df()
    combos["territory_id"] = territories.resolve_territories(
        combos["town_id"],
        combos["territory_kind"],
        combos["year"],
        batch.registry,
        batch.extra_towns,
    ).astype(object)
    combos["year"] = combos["year"].astype("int64")
    stage.con.register("_combos", combos)
    stage.con.execute(
        "CREATE OR REPLACE TABLE territory_map AS SELECT town_id::VARCHAR AS town_id, "
        "territory_kind::VARCHAR AS territory_kind, year::BIGINT AS year, "
        "territory_id::VARCHAR AS territory_id FROM _combos"
    )
    stage.con.unregister("_combos")
    return "territory_map"


def town_territories(batch: RuleBatch) -> list[Issue]:
    """Map each file observation's (town_id, territory_kind) to its territory (the stage table
    ``territory_map``, which the core view joins); an unknown combination is a blocking
    ``known_territory`` error. In the database: an anti-join, only the unknown rows come back.
    Checked only when the observations' own keys resolve (no finding of the rules before)."""
    if "town_id" not in obs_columns(batch) or batch.found:
        return []
    reg = batch.registry
    stage, obs = obs_table(batch)
    known = set(batch.frames["towns"]["town_id"]) if "towns" in batch.frames else set()
    mapping = territory_map(batch)
    stage.con.register("_known", pd.DataFrame({"v": sorted(map(str, known))}, dtype=object))
    bad = stage.con.execute(  # unknown towns: known_town says it
        f"SELECT o._row, o.town_id, o.territory_kind, o.indicator_id, o.year "
        f"FROM {ident(obs)} o JOIN {ident(mapping)} m USING (town_id, territory_kind, year) "
        "WHERE m.territory_id IS NULL AND o.town_id IN (SELECT v FROM _known) ORDER BY o._row"
    ).fetchall()
    stage.con.unregister("_known")
    src = batch.payload_of["observations"].source
    fname = batch.files["observations"]
    check = "known_territory"
    registry_towns = {t.town_id for t in reg.towns}
    out = []
    for file_row, town, kind, indicator, year in bad:
        have = ", ".join(territories.kinds_of_town(reg, town)) if town in registry_towns else "town"
        out.append(
            Issue(
                src,
                "observations",
                check,
                "error",
                f"{fname} row {file_row}, column territory_kind ({town}|{kind}): {kind!r} - "
                f"{RULES[check]}; {town} has: {have} [{check}]",
                file=fname,
                file_row=file_row,
                row_key=f"{town}|{indicator}|{year}",
                column_name="territory_kind",
                observed=str(kind),
            )
        )
    return out


def known_survey_towns(batch: RuleBatch) -> list[Issue]:
    """Surveys name towns of the towns list."""
    return unknown_keys(batch, "surveys", "town_id", "towns", "town_id", "known_town")


def known_surveys(batch: RuleBatch) -> list[Issue]:
    """Every input about a survey names a survey of ``surveys.csv``."""
    return [
        issue
        for table in survey_inputs(batch)
        for issue in unknown_keys(batch, table, "survey_id", "surveys", "survey_id", "known_survey")
    ]
