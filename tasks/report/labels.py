"""Names and labels the report takes from the data, not from the message catalogue.

The registry carries each town's Russian and Kazakh names (``core.town.name_ru``,
``name_kk``; :meth:`~tasks.report.snapshot.Snapshot.town_name`), the survey codebooks carry
the Russian label of every question item (``tasks/survey/codebooks/*.yaml``): the report uses
those instead of translating names itself. :func:`localized` returns a snapshot whose survey
labels (``area_label``, ``measure_label``) are in the report's language; kinds of territory
read through :func:`territory_kind` (``values.territory_kind.<kind>`` in the catalogue).
Indicator names and unit labels come from the indicator catalogue
(``tasks/catalogue/indicators.yaml``), not from the message catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import pandas as pd

from tasks.catalogue import load_catalogue
from tasks.catalogue import unit_label as catalogue_unit_label
from tasks.report.i18n import DEFAULT_LANG, current_language, value_label
from tasks.report.snapshot import Snapshot
from tasks.survey.codebook import bundled_codebooks, load_codebook

#: Frames and their label column -> the column holding the item id (a study's part adds its
#: own: :attr:`tasks.report.parts.ReportPart.labelled`).
LABELLED = {
    "core.survey_perception_count": ("area_label", "area"),
    "core.survey_support_score_count": ("measure_label", "measure"),
    "results.perception_summary": ("area_label", "area"),
}


@cache
def item_labels(lang: str) -> dict[str, str]:
    """Item id -> its label in ``lang`` (``en`` or ``ru``), from every bundled codebook."""
    out: dict[str, str] = {}
    for name in bundled_codebooks():
        for item in load_codebook(name).items:
            text = getattr(item, lang, "") or ""
            if text:
                out.setdefault(item.id, text)
    return out


def _relabel(frame: pd.DataFrame, label: str, key: str, names: dict[str, str]) -> pd.DataFrame:
    if frame.empty or key not in frame.columns:
        return frame
    ours = frame[key].astype(str).map(names)
    old = frame[label] if label in frame.columns else pd.Series(pd.NA, index=frame.index)
    return frame.assign(**{label: ours.where(ours.notna(), old)})


def localized(
    snap: Snapshot,
    lang: str | None = None,
    labelled: Mapping[str, tuple[str, str]] | None = None,
) -> Snapshot:
    """``snap`` with the survey items' labels in ``lang`` (unchanged for English), in the
    frames of ``labelled`` (default :data:`LABELLED`)."""
    lang = lang or current_language()
    if lang == DEFAULT_LANG:
        return snap
    names = item_labels(lang)
    frames = dict(snap.frames)
    for table, (label, key) in (LABELLED if labelled is None else labelled).items():
        if table in frames:
            frames[table] = _relabel(frames[table], label, key, names)
    return Snapshot(warehouse=snap.warehouse, frames=frames)


def territory_kind(kind: str) -> str:
    """The display label of a kind of territory (``town`` -> ``town proper`` / ``город ...``)."""
    return value_label("territory_kind", kind)


def indicator_name(snap: Snapshot, indicator_id: str) -> str:
    """An indicator's display name in the report's language: the indicator catalogue's
    (``tasks/catalogue/indicators.yaml``), else the warehouse's ``core.indicator.name`` (an
    analyst's own indicator), else the id."""
    entry = load_catalogue().get(str(indicator_id))
    if entry is not None:
        return entry.name(current_language())
    ind = snap.get("core.indicator")
    if not ind.empty and "name" in ind.columns:
        hit = ind.loc[ind["indicator_id"] == indicator_id, "name"]
        if len(hit) and pd.notna(hit.iloc[0]):
            return str(hit.iloc[0])
    return str(indicator_id)


def unit_label(unit) -> str:
    """A unit's display text in the report's language: the catalogue's label of a project unit
    (``persons`` -> ``человек``), else the unit as stored."""
    if not isinstance(unit, str) or not unit:
        return ""
    return catalogue_unit_label(unit, current_language()) or value_label("unit", unit)
