"""The ``indicators`` frame of a validated batch, made from the catalogue.

Every indicator is defined once, in ``tasks/catalogue/indicators.yaml``. An input folder carries
no indicator list: its observations name catalogue ids. An analyst's folder may still bring an
``indicators.csv`` for indicators the catalogue does not have (its own, ad hoc ones); a row of it
for a catalogue id is not used (the catalogue's definition is) and is reported as a warning.
``core.indicator`` receives the catalogue rows of the indicators a batch carries and of those
its reference datasets (the bundled folders) carry (:func:`carried`, :func:`reference_ids`), as
when each folder had its own list; a run does not load the whole catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

import pandas as pd

from schemas.inputs import RULES
from tasks.catalogue import CATALOGUE_LABEL, CORE_COLUMNS, indicator_frame, load_catalogue
from tasks.parse import Issue, ReadError, read_table
from tasks.sources.base import Payload


def with_folder_indicators(
    folder: pd.DataFrame | None, source: str = "", file: str = ""
) -> tuple[pd.DataFrame, list[Issue]]:
    """The catalogue's rows plus ``folder``'s rows for ids the catalogue lacks; a warning per
    ``folder`` row whose id is catalogued (that row is not used)."""
    frame = indicator_frame()
    if folder is None or folder.empty:
        return frame, []
    known = load_catalogue()
    issues = []
    ids = folder["indicator_id"].astype(str)
    rows = folder["_row"] if "_row" in folder.columns else pd.Series(range(2, len(folder) + 2))
    for iid, row in zip(ids, rows, strict=True):
        if iid in known:
            issues.append(
                Issue(
                    source,
                    "indicators",
                    "catalogued_indicator",
                    "warning",
                    f"{file}: row {int(row)}: indicator {iid!r}: {RULES['catalogued_indicator']}",
                    file=file,
                    file_row=int(row),
                    row_key=iid,
                    column_name="indicator_id",
                    observed=iid,
                )
            )
    own = folder.loc[~ids.isin(set(known)).to_numpy()]
    cols = [c for c in CORE_COLUMNS if c in own.columns]
    return pd.concat([frame, own[cols]], ignore_index=True), issues


def carried(frame: pd.DataFrame, observed: Iterable[str]) -> pd.DataFrame:
    """The rows of ``frame`` for the ``observed`` ids and for indicators the catalogue lacks
    (a folder's own)."""
    ids = frame["indicator_id"].astype(str)
    keep = ids.isin({str(i) for i in observed}) | ~ids.isin(set(load_catalogue()))
    out = frame.loc[keep.to_numpy()]
    return out.reset_index(drop=True)


def reference_ids(reference: Iterable[Payload]) -> set[str]:
    """Indicator ids in the ``observations`` of ``reference`` (the bundled folders: small files,
    validated on their own in a bundled run; here only their ids are read)."""
    ids: set[str] = set()
    for p in reference:
        if p.kind != "observations":
            continue
        try:
            frame = read_table(p.read_bytes(), PurePath(p.uri).name)
        except ReadError:
            continue  # the folder's own validation reports it
        if "indicator_id" in frame.columns:
            ids |= {str(v).strip() for v in frame["indicator_id"] if str(v).strip()}
    return ids


__all__ = ["CATALOGUE_LABEL", "carried", "reference_ids", "with_folder_indicators"]
