"""Validate a batch of input payloads: read, type, run the pandera schemas, cross-check inputs.

The result is a :class:`Batch`: typed frames ready to load plus every :class:`Issue` found.
Errors block the run (nothing reaches ``core``); warnings load and are recorded.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePath

import numpy as np
import pandas as pd
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
from tasks.parse import Issue, ReadError, parse_number, read_table, row_key_texts, type_frame
from tasks.sources.base import Batch, Payload
from tasks.sources.taldau.registry import Registry
from tasks.studies import input_specs

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


def _read_input(
    payload: Payload, spec: InputSpec, source: str, units: pd.Series | None = None
) -> tuple[pd.DataFrame | None, list[Issue]]:
    filename = PurePath(payload.uri).name
    try:
        text = read_table(payload.data, filename)
    except ReadError as exc:
        return None, [Issue(source, spec.name, "readable", "error", str(exc), file=filename)]
    typed, issues = type_frame(text, spec, source=source, filename=filename)
    if any(i.severity == "error" for i in issues):
        return None, issues
    if "territory_kind" in typed.columns:  # empty = the town proper; documented aliases
        typed["territory_kind"] = territories.normalise_kind(typed["territory_kind"])
    if typed.empty:
        issues.append(
            Issue(
                source,
                spec.name,
                "no_rows",
                "warning",
                f"{filename}: has a header but no data rows; nothing is loaded from it",
                file=filename,
            )
        )
    if "unit" in typed.columns and "indicator_id" in typed.columns and units is not None:
        # an empty unit means "the indicator's unit" (rules such as rate <= 100 need it)
        typed["unit"] = (
            typed["unit"].where(typed["unit"].ne(""), typed["indicator_id"].map(units)).fillna("")
        )
    for schema, severity in ((spec.errors, "error"), (spec.warnings, "warning")):
        if schema is not None and len(typed):
            issues += schema_issues(
                typed,
                schema,
                severity=severity,
                source=source,
                table=spec.name,
                filename=filename,
                key=spec.key,
            )
    if any(i.severity == "error" for i in issues):
        return None, issues
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

    ``reference`` is how an analyst's folder with only ``observations.csv`` still finds the
    bundled indicators; towns and territories come from ``registry`` (default: the shipped one).
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
        frame, issues = _read_input(p, specs["indicators"], p.source)
        if frame is not None:
            ref_frames.append(frame)
    if ref_frames:
        ref = pd.concat(ref_frames, ignore_index=True).drop_duplicates("indicator_id")
        batch.frames["indicators"] = ref
        batch.files["indicators"] = " + ".join(PurePath(p.uri).name for p in ref_indicators)
        batch.payload_of["indicators"] = ref_indicators[0]
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
        frame, issues = _read_input(group[0], specs[kind], group[0].source, units)
        batch.issues += issues
        if frame is not None:
            batch.frames[kind] = frame
            batch.files[kind] = PurePath(group[0].uri).name
            batch.payload_of[kind] = group[0]
    if "towns" not in by_kind or "towns" in batch.frames:
        add_registry(batch, reg)
    if not batch.errors:
        batch.issues += cross_checks(batch, reg)
    if not batch.errors and "observations" in batch.frames:
        batch.frames["observations"] = conform_observations(batch)
    return batch


def _fk(batch: Batch, table: str, column: str, ref_table: str, ref_col: str, check: str):
    if table not in batch.frames:
        return []
    frame = batch.frames[table]
    known = set(batch.frames[ref_table][ref_col]) if ref_table in batch.frames else set()
    bad = frame.loc[~frame[column].isin(known), column]
    src = batch.payload_of[table].source
    return [
        Issue(
            src,
            table,
            check,
            "error",
            f"{batch.files[table]} row {i + 2}, column {column}: {v!r} - {RULES[check]} [{check}]",
            file=batch.files[table],
            file_row=i + 2,
            column_name=column,
            observed=str(v),
            row_key=str(v),
        )
        for i, v in bad.items()
    ]


def _territory_issues(batch: Batch, reg: Registry) -> list[Issue]:
    """Map each file observation's (town_id, territory_kind) to its territory (column
    ``territory_id`` added); an unknown combination is a blocking ``known_territory`` error."""
    if "observations" not in batch.frames or "town_id" not in batch.frames["observations"]:
        return []
    obs = batch.frames["observations"]
    kinds = obs["territory_kind"] if "territory_kind" in obs else pd.Series("town", obs.index)
    extra = batch.extra_towns
    known = set(batch.frames["towns"]["town_id"]) if "towns" in batch.frames else set()
    resolved = territories.resolve_territories(obs["town_id"], kinds, obs["year"], reg, extra)
    batch.frames["observations"] = obs.assign(territory_id=resolved)
    bad = resolved.isna() & obs["town_id"].isin(known)  # unknown towns: known_town says it
    src = batch.payload_of["observations"].source
    fname = batch.files["observations"]
    check = "known_territory"
    out = []
    for i in obs.index[bad]:
        town, kind = obs.at[i, "town_id"], kinds.at[i]
        have = (
            ", ".join(territories.kinds_of_town(reg, town))
            if town in {t.town_id for t in reg.towns}
            else "town"
        )
        out.append(
            Issue(
                src,
                "observations",
                check,
                "error",
                f"{fname} row {i + 2}, column territory_kind ({town}|{kind}): {kind!r} - "
                f"{RULES[check]}; {town} has: {have} [{check}]",
                file=fname,
                file_row=i + 2,
                row_key=f"{town}|{obs.at[i, 'indicator_id']}|{obs.at[i, 'year']}",
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
    if "observations" in batch.frames and "town_id" in batch.frames["observations"]:
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
    """Cross-column labour-market rules (pandera) on the wide frame."""
    obs = batch.frames["observations"]
    if "town_id" in obs.columns:  # an input file: per town and territory kind
        kind = obs["territory_kind"] if "territory_kind" in obs else pd.Series("town", obs.index)
        unit = obs["town_id"].where(kind.eq("town"), obs["town_id"] + " (" + kind + ")")
    else:  # parsed rows: per territory
        unit = obs["territory_id"]
    wide = labour_wide(obs.assign(_unit=unit), unit="_unit").rename(columns={"_unit": "town_id"})
    if wide.empty:
        return []
    src = batch.payload_of["observations"].source
    errors, warnings = labour_market_schemas()
    out = []
    for schema, severity in ((errors, "error"), (warnings, "warning")):
        for issue in schema_issues(
            wide,
            schema,
            severity=severity,
            source=src,
            table="labour_market",
            filename=batch.files["observations"],
            key=("town_id", "year"),
            row_offset=0,
        ):
            row = wide[(wide.town_id + "|" + wide.year.astype(str)) == issue.row_key].iloc[0]
            issue.observed = (
                f"active={row.active}, employed={row.employed}, "
                f"unemployed={row.unemployed}, rate={row.rate}"
            )
            issue.column_name = None
            issue.message = (
                f"{batch.files['observations']}: labour market {issue.row_key}: "
                f"{issue.observed} - {RULES[issue.check_name]} "
                f"[{issue.check_name}]"
            )
            out.append(issue)
    return out


def printed_reading_issues(batch: Batch) -> list[Issue]:
    """Warn where the printed text was not read as the plain number in ``value``."""
    obs = batch.frames["observations"]
    if "printed" not in obs.columns:  # sources without a printed text (e.g. Taldau)
        return []
    out = []
    src = batch.payload_of["observations"].source
    for i, row in obs[obs["printed"].ne("")].iterrows():  # only rows with printed text
        printed = row.get("printed") or ""
        if not printed:
            continue
        parsed = parse_number(printed)
        same = (
            parsed is not None
            and not np.isnan(parsed)
            and not np.isnan(row["value"])
            and abs(parsed - row["value"]) < 1e-12
        )
        if same and (" " not in printed.strip()):
            continue
        key = f"{row.get('town_id', row.get('territory_id'))}|{row.indicator_id}|{row.year}"
        out.append(
            Issue(
                src,
                "observations",
                "value_as_printed",
                "warning",
                f"{batch.files['observations']} row {i + 2}, column value ({key}): printed "
                f"{printed!r}, loaded {row['value']!r} - {RULES['value_as_printed']}: {row.note}",
                file=batch.files["observations"],
                file_row=i + 2,
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


def conform_observations(batch: Batch) -> pd.DataFrame:
    """Observations in the core shape: status, raw text, unit, source and provenance."""
    obs = batch.frames["observations"].copy(deep=False)  # copy-on-write: no data copied
    payload = batch.payload_of["observations"]
    printed = obs["printed"].astype(str)
    obs["raw_value"] = printed.where(printed.ne(""), obs["value__text"]).replace("", None)
    obs["value_status"] = np.where(obs["value"].notna(), "ok", "missing")
    obs["source"] = payload.source
    obs["source_ref"] = obs["source_table"].where(
        obs["source_table"].astype(str).ne(""), batch.files["observations"]
    )
    obs["payload_hash"] = payload.content_hash
    obs["vintage"] = payload.fetched_at
    obs["note"] = obs["note"].replace("", None)
    obs["row_ref"] = None  # the file row is the frame's index (+2), named in every issue
    cols = list(OBSERVATION_COLUMNS)
    key = ["territory_id", "indicator_id", "year"]
    out = obs[cols]
    # keys are unique here (a duplicate is an error), so an already sorted file keeps its order
    if not pd.MultiIndex.from_frame(out[key]).is_monotonic_increasing:
        out = out.sort_values(key)
    return out.reset_index(drop=True)


__all__ = ["ANSWERS", "LABOUR", "Batch", "labour_wide", "validate_payloads"]


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

    The rows carry their ``territory_id``; towns and territories come from ``registry``,
    indicators from ``reference`` (the bundled lists) plus ``extra_indicators`` (the source's
    own registry). ``vintage_of`` maps a payload hash to its fetched-at time.
    """
    batch = validate_payloads([], reference=reference, today=today, registry=registry)
    if extra_indicators is not None and len(extra_indicators):
        known = batch.frames["indicators"]
        new = extra_indicators[~extra_indicators["indicator_id"].isin(known["indicator_id"])]
        batch.frames["indicators"] = pd.concat([known, new], ignore_index=True)
    spec = input_specs(today)["observations"]
    errors, warnings = observations_schemas((today or date.today()).year, OBSERVATION_UNIQUE)
    frame = obs.reset_index(drop=True).copy()
    label = f"{source} responses"
    batch.frames["observations"] = frame
    batch.files["observations"] = label
    # a descriptor, not a received payload: carries the source name for issue rows
    batch.payload_of["observations"] = Payload.from_bytes(source, "observations", label, b"")
    for schema, severity, rows in (
        (errors, "error", frame),
        # suppressed cells are reported by the source's parser; judge only plain gaps here
        (warnings, "warning", frame[frame["value_status"] != "suppressed"]),
    ):
        if len(rows):
            batch.issues += schema_issues(
                rows,
                schema,
                severity=severity,
                source=source,
                table="observations",
                filename=label,
                key=tuple(OBSERVATION_UNIQUE),
                row_offset=0,
            )
    del spec
    if not batch.errors:
        batch.issues += cross_checks(batch, registry)
    frame["vintage"] = frame["payload_hash"].map(vintage_of or {})
    batch.frames["observations"] = frame[list(OBSERVATION_COLUMNS)]
    return batch


def merge_batches(batches: list[Batch]) -> Batch:
    """One batch from batches validated separately (the bundled folders): frames concatenated
    by input (the registry's frames taken once), issues kept, file names joined. Observations
    of the same (territory, indicator, year) from two folders are a ``unique_key`` error."""
    if len(batches) == 1:
        return batches[0]
    out = Batch()
    registry_frames = {"territories", "town_territories", "registry_towns", "towns"}
    for b in batches:
        out.issues += b.issues
        out.extra_towns = sorted({*out.extra_towns, *b.extra_towns})
        for kind, frame in b.frames.items():
            if kind in out.frames and kind in registry_frames:
                continue
            if kind in out.frames:
                out.frames[kind] = pd.concat([out.frames[kind], frame], ignore_index=True)
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
