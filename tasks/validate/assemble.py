"""A batch assembled from input payloads: each folder's inputs read and checked (reference
inputs first), the registry merged in, the cross-input rules run, observations conformed; the
bundled folders validated one by one and merged."""

from __future__ import annotations

from datetime import date
from pathlib import PurePath

import pandas as pd

from schemas.inputs import RULES
from tasks import territories
from tasks.catalogue.batch import CATALOGUE_LABEL, carried, reference_ids, with_folder_indicators
from tasks.parse import Issue
from tasks.sources.base import Batch, Payload
from tasks.sources.taldau.registry import Registry
from tasks.stage.database import Stage
from tasks.stage.frames import StagedFrame
from tasks.studies import input_specs
from tasks.validate.conform import conform_observations
from tasks.validate.reading import read_input
from tasks.validate.registry import add_registry
from tasks.validate.rules import cross_checks
from warehouse.sql import ident


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
        frame, _ = read_input(stage, p, specs["indicators"], p.source)
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
        frame, issues = read_input(stage, group[0], specs[kind], group[0].source, units)
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
    if "indicators" in batch.frames:  # core.indicator: the catalogue rows this batch carries
        observed = [*reference_ids(reference or []), *observed_indicators(batch)]
        batch.frames["indicators"] = carried(batch.frames["indicators"], observed)
    if not batch.errors and "observations" in batch.frames:
        batch.frames["observations"] = conform_observations(batch)
    stage.close()  # the loader attaches the stage file read-only
    return batch


def observed_indicators(batch: Batch) -> list[str]:
    """The distinct indicator ids of the batch's observations (staged or pandas)."""
    obs = batch.frames.get("observations")
    if obs is None or "indicator_id" not in obs.columns:
        return []
    if isinstance(obs, StagedFrame):
        sql = f"SELECT DISTINCT indicator_id FROM {ident(obs.table)}"
        return list(obs._read(sql)["indicator_id"])
    return list(obs["indicator_id"].dropna().unique())


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
