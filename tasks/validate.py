"""Validate a batch of input payloads: read, type, run the pandera schemas, cross-check inputs.

Everything happens where the data are: each payload is read into a scratch DuckDB database
(:mod:`tasks.stage`: cells as text with their file row numbers), typed there in SQL (the
``analyst`` number rules of :mod:`tasks.numbers_sql`), and the pandera schemas of
:mod:`schemas.inputs` run on it through pandera's Ibis backend; only failing rows come back to
Python, for the messages. The result is a :class:`Batch`: small inputs as pandas frames,
observations as a :class:`~tasks.stage.StagedFrame` (rows stay in the database; the loader
reads them set-wise), plus every :class:`Issue` found. Errors block the run (nothing reaches
``core``); warnings load and are recorded.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import PurePath

import numpy as np
import pandas as pd
import pandera.ibis as pai
import pandera.pandas as pa

from schemas.inputs import (
    ANSWERS,
    CHECK_COLUMN,
    LABOUR,
    OBSERVATION_COLUMNS,
    OBSERVATION_UNIQUE,
    RULES,
    InputSpec,
    labour_market_schemas,
    labour_wide,
    observations_schemas,
)
from tasks import studies, territories
from tasks.catalogue.batch import (
    CATALOGUE_LABEL,
    carried,
    reference_ids,
    with_folder_indicators,
)
from tasks.numbers_sql import analyst_number_sql
from tasks.parse import Issue, ReadError, row_key_texts
from tasks.sources.base import Batch, Payload
from tasks.sources.taldau.registry import Registry
from tasks.stage import Stage, StagedFrame, ident, read_relation, sql_text, to_pandas, type_relation
from tasks.studies import input_specs

#: Natural-key columns the observations are ordered by when materialised as pandas (an input
#: file's rows as read; the conformed rows by their territory).
OBS_ORDER = ("town_id", "territory_kind", "indicator_id", "year")
CORE_ORDER = ("territory_id", "indicator_id", "year")
#: where the registry's frames come from when no input file gives them (messages, batch.files)
REGISTRY_LABEL = "registry"


def schema_issues(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    *,
    severity: str,
    source: str,
    table: str,
    filename: str,
    key: tuple[str, ...],
    row_offset: int = 2,
) -> list[Issue]:
    """Run ``schema`` lazily and turn each failing (check, row) into one :class:`Issue`."""
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    issues: list[Issue] = []
    seen: set[tuple] = set()
    keys: dict = {}  # row keys and cell values, looked up once: a bad file may fail every row
    cells: dict[str, dict] = {}
    failing: pd.DataFrame | None = None  # only the failing rows (0.1 % of 10M rows is 10k keys)
    for case in cases.itertuples(index=False):
        check = str(case.check).split("(")[0]
        if check in {"multiple_fields_uniqueness", "field_uniqueness"}:
            check = "unique_key"
        idx = case.index
        frame_level = case.schema_context == "DataFrameSchema"
        column = case.column if isinstance(case.column, str) and not frame_level else None
        column = CHECK_COLUMN.get(check, column)
        if check == "unique_key":
            column = ", ".join(key)
        ident = (check, idx if pd.notna(idx) else None, column)
        if ident in seen:
            continue
        seen.add(ident)
        rule = RULES.get(check, check)
        if pd.isna(idx):
            issues.append(
                Issue(
                    source,
                    table,
                    check,
                    severity,
                    f"{filename}: {rule} [{check}]",
                    file=filename,
                    column_name=column,
                )
            )
            continue
        idx = int(idx)
        if failing is None:
            rows = pd.to_numeric(cases["index"], errors="coerce").dropna().astype("int64")
            failing = frame[frame.index.isin(rows)]
        keys = keys or row_key_texts(failing, key)
        row_key = keys[idx]
        if column and column in frame.columns and check != "unique_key":
            if column not in cells:
                cells[column] = failing[column].to_dict()
            observed = cells[column][idx]
        else:
            observed = row_key
        where = f"{filename} row {idx + row_offset}" if row_offset else f"{table} {row_key}"
        col_txt = f", column {column}" if column else ""
        issues.append(
            Issue(
                source,
                table,
                check,
                severity,
                f"{where}{col_txt} ({row_key}): {observed!s} - {rule} [{check}]",
                file=filename,
                file_row=idx + row_offset if row_offset else None,
                row_key=row_key,
                column_name=column,
                observed=None if observed is None else str(observed),
            )
        )
    return issues


def _text(value) -> str:
    """A typed cell as pandas prints it in a message (NULL numbers as ``nan``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nan"
    return str(value)


def table_issues(
    stage: Stage,
    table: str,
    schema: pai.DataFrameSchema,
    *,
    severity: str,
    source: str,
    table_name: str,
    filename: str,
    key: tuple[str, ...],
    by_row: bool = True,
) -> list[Issue]:
    """Run an Ibis ``schema`` lazily on the stage table ``table``; one :class:`Issue` per
    failing (check, row). Rule ids are the checks' names in pandera's structured failure cases;
    the failing rows (only they) are fetched by position (the table's ``rowid``) for the
    messages. ``by_row``: messages name the file row (else the table and the row's key)."""
    try:
        schema.validate(stage.ibis.table(table), lazy=True)
        return []
    except pai.errors.SchemaErrors as exc:
        schema_errors = exc.schema_errors
    # (check, column, (how the failing rows are named: "_pos" | "_row", which))
    found: list[tuple[str, str | None, tuple[str, list[int]]]] = []
    for err in schema_errors:
        check = getattr(err.check, "name", None) or str(err.check)
        if check in {"multiple_fields_uniqueness", "field_uniqueness"}:
            # the duplicated rows, as an Ibis table (lazy): only their row numbers are fetched
            dupes = err.failure_cases.select("_row").execute()["_row"]
            found.append(("unique_key", ", ".join(key), ("_row", sorted(map(int, dupes)))))
            continue
        cases = err.failure_cases
        if not isinstance(cases, pd.DataFrame) or "index" not in cases.columns:
            raise RuntimeError(f"{table_name}: schema {check} failed: {cases}")  # a spec bug
        # a column's check: the component (pai.Column) is the error's schema
        column = err.schema.name if isinstance(err.schema, pai.Column) else None
        column = ", ".join(key) if check == "unique_key" else CHECK_COLUMN.get(check, column)
        positions = sorted(int(i) for i in pd.to_numeric(cases["index"]).dropna())
        found.append((check, column, ("_pos", positions)))
    rows_by: dict[str, dict[int, dict]] = {"_pos": {}, "_row": {}}
    by_view = stage.positions.get(table) == "row+2"  # position p is file row p + 2
    for kind in ("_pos", "_row"):
        wanted = sorted({p for _, _, (k, ps) in found if k == kind for p in ps})
        if not wanted:
            continue
        if kind == "_pos" and by_view:
            wanted = [p + 2 for p in wanted]
        stage.con.register("_wanted", pd.DataFrame({"p": wanted}))
        where = "rowid" if kind == "_pos" and not by_view else "_row"
        pos = "rowid" if where == "rowid" else ("_row - 2" if kind == "_pos" else "_row")
        frame = stage.con.execute(
            f"SELECT {pos} AS _key_, * FROM {ident(table)} WHERE {where} IN (SELECT p FROM _wanted)"
        ).df()
        stage.con.unregister("_wanted")
        for rec in frame.to_dict("records"):
            rows_by[kind][int(rec.pop("_key_"))] = rec
    issues: list[Issue] = []
    seen: set[tuple] = set()
    for check, column, (kind, ps) in found:
        store = rows_by[kind]
        rule = RULES.get(check, check)
        recs = sorted((store[p] for p in ps if p in store), key=lambda r: r.get("_row") or 0)
        for rec in recs:
            row_key = "|".join(_text(rec[k]) for k in key)
            ident_ = (check, rec.get("_row"), row_key, column)
            if ident_ in seen:
                continue
            seen.add(ident_)
            observed = row_key if check == "unique_key" or column not in rec else _text(rec[column])
            file_row = int(rec["_row"]) if by_row and rec.get("_row") is not None else None
            where = f"{filename} row {file_row}" if file_row else f"{table_name} {row_key}"
            col_txt = f", column {column}" if column else ""
            issues.append(
                Issue(
                    source,
                    table_name,
                    check,
                    severity,
                    f"{where}{col_txt} ({row_key}): {observed} - {rule} [{check}]",
                    file=filename,
                    file_row=file_row,
                    row_key=row_key,
                    column_name=column,
                    observed=observed,
                )
            )
    return issues


def _read_input(
    stage: Stage,
    payload: Payload,
    spec: InputSpec,
    source: str,
    units: pd.Series | None = None,
) -> tuple[pd.DataFrame | StagedFrame | None, list[Issue]]:
    """Read, type and check one input in ``stage``; the typed table is named ``spec.name``."""
    filename = PurePath(payload.uri).name

    def issue(check, message, severity="error", **where) -> Issue:
        return Issue(source, spec.name, check, severity, message, file=filename, **where)

    try:
        raw = read_relation(stage, payload, spec.name, filename)
    except ReadError as exc:
        return None, [issue("readable", str(exc))]
    present = [c for c in raw.columns if c]
    missing = [c for c in spec.required if c not in present]
    if missing:
        return None, [
            issue(
                "required_columns",
                f"{filename}: missing required column(s) {', '.join(missing)}; "
                f"expected columns: {', '.join(spec.columns)}",
            )
        ]
    issues: list[Issue] = []
    extra = [c for c in present if c not in spec.columns]
    if extra:
        issues.append(
            issue(
                "extra_columns",
                f"{filename}: unknown column(s) {', '.join(extra)} ignored "
                "(kept in the raw archive)",
                severity="warning",
            )
        )
    fill = None
    normalise = None
    if "territory_kind" in spec.columns:  # lower case, the documented aliases
        aliases = ", ".join(
            f"{sql_text(k)}: {sql_text(v)}" for k, v in territories.KIND_ALIASES.items()
        )
        cell = "lower(<cell>)"
        normalise = {"territory_kind": f"coalesce(MAP {{{aliases}}}[{cell}], {cell})"}
    if "unit" in spec.columns and "indicator_id" in spec.columns and units is not None:
        # an empty unit means "the indicator's unit" (rules such as rate <= 100 need it)
        pairs = {str(k): str(v) for k, v in units.items() if isinstance(v, str)}
        if pairs:
            entries = ", ".join(f"{sql_text(k)}: {sql_text(v)}" for k, v in pairs.items())
            fill = {"unit": f"coalesce(MAP {{{entries}}}[\"indicator_id\"], '')"}
    if "territory_kind" in spec.columns:  # empty = the town proper; documented aliases
        fill = {**(fill or {}), "territory_kind": sql_text(territories.DEFAULT_KIND)}
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

    for f in failures:
        where = f"{filename} row {f.row}, column {f.column}"
        text = RULES[f.check]
        message = (
            f"{where}: {text} [required]"
            if f.check == "required"
            else f"{where}: {f.text!r} {text} [{f.check}]"
        )
        issues.append(
            issue(
                f.check,
                message,
                file_row=f.row,
                row_key=f.key,
                column_name=f.column,
                observed=f.text,
            )
        )
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


def add_registry(batch: Batch, reg: Registry) -> None:
    """Put the registry's towns, territories and town-territory links into ``batch``.

    The registry is the one list of towns: an input ``towns.csv`` adds towns it does not know
    (each gets a town proper) and its rows are loaded after the registry's.
    """
    registry_towns = territories.town_frame(reg)
    file_towns = batch.frames.get("towns")
    extra: list[str] = []
    if file_towns is None:
        batch.frames["towns"] = registry_towns
        batch.files["towns"] = REGISTRY_LABEL
    else:
        extra = sorted(set(file_towns["town_id"]) - set(registry_towns["town_id"]))
        batch.frames["registry_towns"] = registry_towns
        batch.frames["towns"] = pd.concat(  # the file's rows first, then the registry's others
            [file_towns, registry_towns[~registry_towns["town_id"].isin(file_towns["town_id"])]],
            ignore_index=True,
        )[file_towns.columns]
    batch.frames["territories"] = territories.territory_frame(reg, extra)
    batch.frames["town_territories"] = territories.town_territory_frame(reg, extra)
    batch.extra_towns = extra


def validate_payloads(
    payloads: list[Payload],
    *,
    reference: list[Payload] | None = None,
    today: date | None = None,
    registry: Registry | None = None,
) -> Batch:
    """Read and validate ``payloads``; inputs missing from them are taken from ``reference``.

    Indicators are the catalogue's (:mod:`tasks.catalogue.batch`): the batch's ``indicators``
    frame is the catalogue rows of the indicators it and ``reference`` (the bundled folders)
    carry, plus a folder's own; towns and territories come from ``registry`` (default: the
    shipped one).
    """
    folders: dict[str, list[Payload]] = {}
    for p in payloads:
        folders.setdefault(str(PurePath(p.uri).parent), []).append(p)
    if len(folders) > 1:  # several folders (the bundled datasets): each on its own, then merged
        return merge_batches(
            [
                validate_payloads(
                    group,
                    reference=[p for p in payloads if p not in group] + list(reference or []),
                    today=today,
                    registry=registry,
                )
                for group in folders.values()
            ]
        )
    specs = input_specs(today)
    reg = registry or territories.default_registry()
    batch = Batch()
    stage = Stage()
    by_kind: dict[str, list[Payload]] = {}
    for p in payloads:
        by_kind.setdefault(p.kind, []).append(p)
    for p in by_kind.pop("unknown", []):
        name = PurePath(p.uri).name
        batch.issues.append(
            Issue(
                p.source,
                "(unknown)",
                "unknown_file",
                "warning",
                f"{name}: {RULES['unknown_file']}",
                file=name,
            )
        )
    ref_indicators = [
        p for p in reference or [] if p.kind == "indicators" and "indicators" not in by_kind
    ]
    ref_frames = []
    for p in ref_indicators:  # every bundled folder's indicators, as one reference list
        frame, _ = _read_input(stage, p, specs["indicators"], p.source)
        if frame is not None:
            ref_frames.append(frame)
    if ref_frames:
        ref = pd.concat(ref_frames, ignore_index=True).drop_duplicates("indicator_id")
        batch.frames["indicators"] = with_folder_indicators(ref)[0]
        batch.files["indicators"] = " + ".join(PurePath(p.uri).name for p in ref_indicators)
        batch.payload_of["indicators"] = ref_indicators[0]
    else:  # every indicator is defined once, in the catalogue
        batch.frames["indicators"] = with_folder_indicators(None)[0]
        batch.files["indicators"] = CATALOGUE_LABEL
    order = ["towns", "indicators"]  # reference inputs first: others are checked against them
    for kind, group in sorted(by_kind.items(), key=lambda kv: (kv[0] not in order, kv[0])):
        if len(group) > 1:
            names = ", ".join(PurePath(p.uri).name for p in group)
            batch.issues.append(
                Issue(
                    group[0].source,
                    kind,
                    "duplicate_input",
                    "error",
                    f"{names}: {RULES['duplicate_input']}",
                )
            )
            continue
        units = (
            batch.frames["indicators"].set_index("indicator_id")["unit"]
            if "indicators" in batch.frames
            else None
        )
        frame, issues = _read_input(stage, group[0], specs[kind], group[0].source, units)
        batch.issues += issues
        if frame is not None and kind == "indicators":  # only adds what the catalogue lacks
            name = PurePath(group[0].uri).name
            frame, issues = with_folder_indicators(frame, group[0].source, name)
            batch.issues += issues
        if frame is not None:
            batch.frames[kind] = frame
            batch.files[kind] = PurePath(group[0].uri).name
            batch.payload_of[kind] = group[0]
    if "towns" not in by_kind or "towns" in batch.frames:
        add_registry(batch, reg)
    if not batch.errors:
        batch.issues += cross_checks(batch, reg)
    observed = list(reference_ids(reference or []))
    if "observations" in batch.frames and "indicator_id" in _obs_columns(batch):
        obs_stage, obs = _obs_table(batch)
        sql = f"SELECT DISTINCT indicator_id FROM {ident(obs)}"
        observed += [r[0] for r in obs_stage.con.execute(sql).fetchall()]
    if "indicators" in batch.frames:  # core.indicator: the catalogue rows this batch carries
        batch.frames["indicators"] = carried(batch.frames["indicators"], observed)
    if not batch.errors and "observations" in batch.frames:
        batch.frames["observations"] = conform_observations(batch)
    stage.close()  # the loader attaches the stage file read-only
    return batch


def _fk(batch: Batch, table: str, column: str, ref_table: str, ref_col: str, check: str):
    if table not in batch.frames:
        return []
    known = set(batch.frames[ref_table][ref_col]) if ref_table in batch.frames else set()
    src, fname = batch.payload_of[table].source, batch.files[table]
    if table == "observations":  # in the database: only the unknown values come back
        stage, obs = _obs_table(batch)
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


def _obs_table(batch: Batch) -> tuple[Stage, str]:
    """The stage and table holding the batch's observations (typed, with ``_row``): the one
    they were read into, or, for a source's parsed pandas frame, a new stage (file row =
    position + 2, as the frame's index)."""
    obs = batch.frames["observations"]
    if isinstance(obs, StagedFrame):
        return obs.stage, "observations"
    stage = batch.__dict__.get("_obs_stage")
    if stage is None:
        stage = Stage()
        frame = obs.reset_index(drop=True)
        frame = frame.assign(_row=np.arange(len(frame), dtype="int64") + 2)
        stage.con.register("_frame", frame)
        stage.con.execute("CREATE TABLE observations AS SELECT * FROM _frame ORDER BY _row")
        stage.con.unregister("_frame")
        batch.__dict__["_obs_stage"] = stage
    return stage, "observations"


def _obs_columns(batch: Batch) -> set[str]:
    """Column names of the batch's observations (staged or pandas; no rows read)."""
    return set(batch.frames["observations"].columns) if "observations" in batch.frames else set()


def _territory_map(batch: Batch, reg: Registry) -> str:
    """The stage table ``territory_map`` of the staged observations: each distinct (town_id,
    territory_kind, year) with its ``territory_id`` (NULL where the registry has no such
    territory for the town). Few rows even for a large file; the loader's view joins it."""
    stage, obs = _obs_table(batch)
    combos = stage.con.execute(
        f"SELECT DISTINCT town_id, territory_kind, year FROM {ident(obs)} ORDER BY ALL"
    ).df()
    combos["territory_id"] = territories.resolve_territories(
        combos["town_id"], combos["territory_kind"], combos["year"], reg, batch.extra_towns
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


def _territory_issues(batch: Batch, reg: Registry) -> list[Issue]:
    """Map each file observation's (town_id, territory_kind) to its territory (the stage table
    ``territory_map``); an unknown combination is a blocking ``known_territory`` error. In the
    database: an anti-join, only the unknown rows come back."""
    if "town_id" not in _obs_columns(batch):
        return []
    stage, obs = _obs_table(batch)
    known = set(batch.frames["towns"]["town_id"]) if "towns" in batch.frames else set()
    mapping = _territory_map(batch, reg)
    stage.con.register("_known", pd.DataFrame({"v": sorted(map(str, known))}, dtype=object))
    bad = stage.con.execute(  # unknown towns: known_town says it
        f"SELECT o._row, o.town_id, o.territory_kind, o.indicator_id, o.year "
        f"FROM {ident(obs)} o JOIN {mapping} m USING (town_id, territory_kind, year) "
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


def _fk_territory(batch: Batch) -> list[Issue]:
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


def cross_checks(batch: Batch, reg: Registry | None = None) -> list[Issue]:
    """Rules across inputs: foreign keys, territories, labour-market consistency, survey sums,
    then every registered study's own rules."""
    reg = reg or territories.default_registry()
    issues: list[Issue] = []
    if "town_id" in _obs_columns(batch):
        issues += _fk(batch, "observations", "town_id", "towns", "town_id", "known_town")
    issues += _fk_territory(batch)
    issues += _fk(
        batch, "observations", "indicator_id", "indicators", "indicator_id", "known_indicator"
    )
    if not issues:
        issues += _territory_issues(batch, reg)
    issues += _fk(batch, "surveys", "town_id", "towns", "town_id", "known_town")
    for t in survey_inputs(batch):
        issues += _fk(batch, t, "survey_id", "surveys", "survey_id", "known_survey")
    if issues:
        return issues
    if "observations" in batch.frames:
        issues += labour_market_issues(batch)
        issues += printed_reading_issues(batch)
    issues += survey_sum_issues(batch)
    issues += studies.checks(batch)
    return issues


SURVEY_INPUTS = ("survey_respondents", "survey_perception", "survey_support_scores")


def survey_inputs(batch: Batch) -> list[str]:
    """Inputs of ``batch`` that refer to a survey: the generic ones, then the studies'."""
    extra = [
        name
        for name, spec in studies.INPUTS.items()
        if name not in SURVEY_INPUTS and name != "surveys" and "survey_id" in spec.columns
    ]
    return [t for t in (*SURVEY_INPUTS, *extra) if t in batch.frames]


def labour_market_issues(batch: Batch) -> list[Issue]:
    """Cross-column labour-market rules (pandera, Ibis) on the wide table, built in SQL."""
    stage, obs = _obs_table(batch)
    cols = ", ".join(
        f"first(value) FILTER (WHERE indicator_id = {sql_text(ind)}) AS {wide}"
        for ind, wide in LABOUR.items()
    )
    inds = ", ".join(sql_text(i) for i in LABOUR)
    if "town_id" in _obs_columns(batch):  # an input file: per town and territory kind
        unit = "CASE WHEN territory_kind = 'town' THEN town_id ELSE "
        unit += "town_id || ' (' || territory_kind || ')' END"
    else:  # parsed rows: per territory
        unit = "territory_id"
    stage.con.execute(
        f"CREATE OR REPLACE TABLE labour_wide AS SELECT {unit} AS town_id, year, {cols} "
        f"FROM {ident(obs)} WHERE indicator_id IN ({inds}) GROUP BY ALL ORDER BY town_id, year"
    )
    (n,) = stage.con.execute("SELECT count(*) FROM labour_wide").fetchall()[0]
    if not n:
        return []
    src = batch.payload_of["observations"].source
    fname = batch.files["observations"]
    errors, warnings = labour_market_schemas()
    out = []
    for schema, severity in ((errors, "error"), (warnings, "warning")):
        for issue in table_issues(
            stage,
            "labour_wide",
            schema,
            severity=severity,
            source=src,
            table_name="labour_market",
            filename=fname,
            key=("town_id", "year"),
            by_row=False,
        ):
            town, year = issue.row_key.split("|")
            row = stage.con.execute(
                "SELECT active, employed, unemployed, rate FROM labour_wide "
                "WHERE town_id = ? AND year = ?",
                [town, int(year)],
            ).fetchall()[0]
            issue.observed = ", ".join(
                f"{c}={_text(v if v is None else float(v))}"
                for c, v in zip(LABOUR.values(), row, strict=True)
            )
            issue.column_name = None
            issue.message = (
                f"{fname}: labour market {issue.row_key}: {issue.observed} - "
                f"{RULES[issue.check_name]} [{issue.check_name}]"
            )
            out.append(issue)
    return out


def printed_reading_issues(batch: Batch) -> list[Issue]:
    """Warn where the printed text was not read as the plain number in ``value`` (SQL: only
    those rows come back)."""
    stage, obs = _obs_table(batch)
    names = {d[0] for d in stage.con.execute(f"SELECT * FROM {ident(obs)} LIMIT 0").description}
    if "printed" not in names:  # sources without a printed text (e.g. Taldau)
        return []
    parsed = analyst_number_sql("printed")
    rows = stage.con.execute(
        f"SELECT _row, town_id, indicator_id, year, printed, value, note FROM {ident(obs)} "
        f"WHERE printed <> '' AND NOT coalesce(({parsed}) IS NOT NULL AND value IS NOT NULL "
        f"AND abs(({parsed}) - value) < 1e-12 AND NOT contains(trim(printed), ' '), false) "
        "ORDER BY _row"
    ).fetchall()
    src = batch.payload_of["observations"].source
    fname = batch.files["observations"]
    out = []
    for file_row, town, ind, year, printed, value, note in rows:
        value = math.nan if value is None else float(value)
        key = f"{town}|{ind}|{year}"
        out.append(
            Issue(
                src,
                "observations",
                "value_as_printed",
                "warning",
                f"{fname} row {file_row}, column value ({key}): printed "
                f"{printed!r}, loaded {value!r} - {RULES['value_as_printed']}: {note}",
                file=fname,
                file_row=file_row,
                row_key=key,
                column_name="value",
                observed=printed,
            )
        )
    return out


def _sum_issue(src, table, fname, key, total, respondents) -> Issue | None:
    if total == respondents:
        return None
    check = "counts_exceed_respondents" if total > respondents else "counts_below_respondents"
    severity = "error" if total > respondents else "warning"
    return Issue(
        src,
        table,
        check,
        severity,
        f"{fname}: {key}: counts add up to {total}, respondents {respondents} - "
        f"{RULES[check]} [{check}]",
        file=fname,
        row_key=key,
        observed=str(total),
    )


def survey_sum_issues(batch: Batch) -> list[Issue]:
    """Each item's answer counts should add up to the survey's respondents."""
    if "surveys" not in batch.frames:
        return []
    resp = batch.frames["surveys"].set_index("survey_id")["respondents"]
    out = []
    for table, item in (
        ("survey_perception", "area"),
        ("survey_support_scores", "measure"),
        ("survey_respondents", None),
    ):
        if table not in batch.frames:
            continue
        f = batch.frames[table]
        src, fname = batch.payload_of[table].source, batch.files[table]
        groups = ["survey_id"] + ([item] if item else [])
        for key, total in f.groupby(groups)["respondents"].sum().items():
            key = key if isinstance(key, tuple) else (key,)
            issue = _sum_issue(
                src, table, fname, "|".join(map(str, key)), int(total), int(resp[key[0]])
            )
            if issue and item is None:
                issue.check_name = "categories_sum"
                issue.message = issue.message.replace(
                    issue.message.split(" - ")[-1], f"{RULES['categories_sum']} [categories_sum]"
                )
            if issue:
                out.append(issue)
    return out


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
        "source": sql_text(payload.source),
        "source_ref": "CASE WHEN source_table <> '' THEN source_table ELSE "
        f"{sql_text(batch.files['observations'])} END",
        "vintage": sql_text(payload.fetched_at),
        "payload_hash": sql_text(payload.content_hash),
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


__all__ = ["ANSWERS", "LABOUR", "Batch", "labour_wide", "merge_batches", "validate_payloads"]


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
    stage, table = _obs_table(batch)
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
        batch.issues += cross_checks(batch, registry)
    batch.frames["indicators"] = loaded.reset_index(drop=True)
    frame["vintage"] = frame["payload_hash"].map(vintage_of or {})
    batch.frames["observations"] = frame[list(OBSERVATION_COLUMNS)]
    return batch


def merge_batches(batches: list[Batch]) -> Batch:
    """One batch from batches validated separately (the bundled folders): frames concatenated
    by input (the registry's frames taken once), issues kept, file names joined. Observations
    of the same (territory, indicator, year) from two folders are a ``unique_key`` error.
    Staged observations are read into pandas here (the bundled folders are small)."""
    if len(batches) == 1:
        return batches[0]
    out = Batch()
    registry_frames = {"territories", "town_territories", "registry_towns", "towns"}
    for b in batches:
        out.issues += b.issues
        out.extra_towns = sorted({*out.extra_towns, *b.extra_towns})
        for kind, frame in b.frames.items():
            if isinstance(frame, StagedFrame):
                frame = frame.to_pandas()
            if kind in out.frames and kind in registry_frames:
                continue
            if kind in out.frames:
                out.frames[kind] = pd.concat([out.frames[kind], frame], ignore_index=True)
                if kind == "indicators":  # catalogue rows: two folders may carry the same one
                    out.frames[kind] = out.frames[kind].drop_duplicates("indicator_id")
                out.files[kind] = f"{out.files[kind]} + {b.files[kind]}"
            else:
                out.frames[kind] = frame
                out.files[kind] = b.files.get(kind, "")
                out.payload_of[kind] = b.payload_of.get(kind)
    obs = out.frames.get("observations")
    if obs is not None:
        key = ["territory_id", "indicator_id", "year"]
        dup = obs[obs.duplicated(key, keep=False)]
        for row in dup.drop_duplicates(key).itertuples(index=False):
            k = f"{row.territory_id}|{row.indicator_id}|{row.year}"
            out.issues.append(
                Issue(
                    row.source,
                    "observations",
                    "unique_key",
                    "error",
                    f"{out.files['observations']}: {k} is given by two bundled folders - "
                    f"{RULES['unique_key']} [unique_key]",
                    row_key=k,
                    column_name=", ".join(key),
                )
            )
        out.frames["observations"] = obs.sort_values(key).reset_index(drop=True)
    return out
