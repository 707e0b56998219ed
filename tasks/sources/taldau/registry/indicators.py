"""``indicators.csv``: how Taldau's indexes map onto catalogue ids, one :class:`Indicator` per row.

A row says where Taldau publishes a catalogue indicator (index id, period, dics, levels) and how
its values convert to the project unit (``taldau_unit``, ``scale``). What the indicator *is*
(name, project unit, topic) comes from the one catalogue (:mod:`tasks.catalogue`); a row whose
``indicator_id`` is not in the catalogue, or that still gives ``unit``, ``name_ru`` or ``topic``,
is an error naming the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.catalogue import CATALOGUE_LABEL, load_catalogue
from tasks.sources.taldau.registry._rows import (
    _as_mapping,
    _bool,
    _int,
    _ints,
    _numbered_rows,
    _text,
    _unique,
)
from tasks.sources.taldau.registry.base import (
    INDICATORS_CSV,
    LEVELS_OF_DIC,
    TERRITORY_DICS,
    TaldauRegistryError,
)

#: Columns an older ``indicators.csv`` had; the catalogue defines them now.
CATALOGUE_COLUMNS = ("unit", "name_ru", "topic")


@dataclass(frozen=True)
class Indicator:
    """One row of ``indicators.csv``, with the catalogue's ``unit``, ``name_ru`` and ``topic``."""

    indicator_id: str
    taldau_index_id: int
    period_id: int
    territory_dic: int
    dics: tuple[int, ...] = ()
    measure_id: int = 1
    unit: str = ""
    taldau_unit: str = ""
    scale: float = 1.0
    name_ru: str = ""
    topic: str = ""
    confirmed: bool = False
    verified_live: bool = False
    source: str = ""
    notes: str = ""
    levels: tuple[str, ...] = ()

    @property
    def territory_level(self) -> str:
        return TERRITORY_DICS[self.territory_dic]

    @property
    def fetch_levels(self) -> tuple[str, ...]:
        """Levels to fetch: ``levels``, or the level of ``territory_dic`` when it is empty."""
        return self.levels or (self.territory_level,)

    @classmethod
    def from_row(cls, row: Any, *, where: str | None = None) -> Indicator:
        row = _as_mapping(row)
        iid = _text(row, "indicator_id")
        where = where or f"indicators.csv row {iid or '?'}"
        if not iid:
            raise TaldauRegistryError(f"{where}: indicator_id is required")
        entry = load_catalogue().get(iid)
        if entry is None:
            raise TaldauRegistryError(
                f"{where}: indicator_id {iid!r} is not in {CATALOGUE_LABEL}; add its catalogue "
                "entry first (the Taldau row only maps an index onto a catalogue id)"
            )
        defined = [c for c in CATALOGUE_COLUMNS if _text(row, c)]
        if defined:
            raise TaldauRegistryError(
                f"{where}: column {defined[0]!r} = {_text(row, defined[0])!r}: name, unit and "
                f"topic come from {CATALOGUE_LABEL}, not from the Taldau mapping; drop the column"
            )
        territory_dic = _int(row, "territory_dic", required=True, where=where)
        if territory_dic not in TERRITORY_DICS:
            raise TaldauRegistryError(
                f"{where}: territory_dic must be 67 (oblast) or 68 (district), got {territory_dic}"
            )
        dics = _ints(_text(row, "dics"), where=where, key="dics")
        if dics and territory_dic not in dics:
            raise TaldauRegistryError(f"{where}: dics {dics} must include territory_dic")
        try:
            scale = float(_text(row, "scale") or 1)
        except ValueError:
            scale = float("nan")
        if not scale > 0:
            raise TaldauRegistryError(f"{where}: scale must be a positive number")
        levels_text = _text(row, "levels")
        levels = tuple(p.strip() for p in levels_text.replace(",", ";").split(";") if p.strip())
        allowed = LEVELS_OF_DIC[territory_dic]  # type: ignore[index]
        bad = [lv for lv in levels if lv not in allowed]
        if bad or len(set(levels)) != len(levels):
            raise TaldauRegistryError(
                f"{where}: column 'levels' = {levels_text!r}: with territory_dic {territory_dic} "
                f"the levels are among {', '.join(allowed)}, each once"
            )
        return cls(
            indicator_id=iid,
            taldau_index_id=_int(row, "taldau_index_id", required=True, where=where),  # type: ignore[arg-type]
            period_id=_int(row, "period_id", required=True, where=where),  # type: ignore[arg-type]
            territory_dic=territory_dic,  # type: ignore[arg-type]
            dics=dics,
            measure_id=_int(row, "measure_id", required=False, where=where) or 1,
            unit=entry.unit,
            taldau_unit=_text(row, "taldau_unit"),
            scale=scale,
            name_ru=entry.name_ru,
            topic=entry.topic,
            confirmed=_bool(row, "confirmed", where=where),
            verified_live=_bool(row, "verified_live", where=where),
            source=_text(row, "source"),
            notes=_text(row, "notes"),
            levels=levels,
        )

    @classmethod
    def coerce(cls, obj: Any) -> Indicator:
        return obj if isinstance(obj, cls) else cls.from_row(obj)


def load_indicators(path: str | Path | None = None) -> list[Indicator]:
    """Read ``indicators.csv`` (default: the bundled registry)."""
    path = Path(path) if path else INDICATORS_CSV
    items = [Indicator.from_row(r, where=w) for w, r in _numbered_rows(path, "indicator_id")]
    _unique(items, "indicator_id", path)
    return items


def get_indicator(indicator_id: str, path: str | Path | None = None) -> Indicator:
    for ind in load_indicators(path):
        if ind.indicator_id == indicator_id:
            return ind
    raise TaldauRegistryError(f"indicator {indicator_id!r} is not in the Taldau registry")
