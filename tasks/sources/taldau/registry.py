"""The Taldau registry, kept as data: ``indicators.csv`` and ``towns.csv`` next to this module.

* ``indicators.csv``: one row per indicator we fetch. Our ``indicator_id`` <-> Taldau
  ``taldau_index_id``, the period type (``period_id``, 7 = year), the territory dictionary
  (``territory_dic``: 67 oblasts, 68 the KATO tree down to districts), the preferred segment
  (``dics``, comma-separated; empty = the smallest segment containing ``territory_dic``), our
  ``unit`` (as in ``core.indicator``), the ``taldau_unit`` we expect from GetIndexAttributes and
  the ``scale`` from it to ours (e.g. 1000 for thousand persons -> persons), and whether the ids
  are ``confirmed`` by a public client that used them (``verified_live`` = checked by us against
  the live API; nothing is yet).
* ``towns.csv``: one row per monotown: ``town_id`` slug <-> KATO code <-> Taldau term ids
  (``taldau_term_id`` in dic 68, ``oblast_term_id`` in dic 67; empty = unknown).

Adding an indicator is adding a row to ``indicators.csv`` (see ``docs/taldau.md``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.sources.taldau.archive import TaldauError

HERE = Path(__file__).resolve().parent
INDICATORS_CSV = HERE / "indicators.csv"
TOWNS_CSV = HERE / "towns.csv"

TERRITORY_DICS = {67: "oblast", 68: "district"}
ROOT_TERM = 741880  # РЕСПУБЛИКА КАЗАХСТАН, root of dic 67 and dic 68


class TaldauRegistryError(TaldauError):
    """A registry row is malformed, or lacks what a fetch needs (e.g. an unknown term id)."""


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a pandas row
        return ""
    return str(value).strip()


def _int(row: Mapping[str, Any], key: str, *, required: bool, where: str) -> int | None:
    text = _text(row, key)
    if not text:
        if required:
            raise TaldauRegistryError(f"{where}: column {key!r} is required")
        return None
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not number.is_integer():  # NaN is not an integer either
        raise TaldauRegistryError(f"{where}: column {key!r} is not an integer: {text!r}")
    return int(number)


def _bool(row: Mapping[str, Any], key: str, *, where: str) -> bool:
    value = row.get(key)
    if isinstance(value, bool):
        return value
    text = _text(row, key).lower()
    if text in ("yes", "true", "1", "y"):
        return True
    if text in ("no", "false", "0", "n", ""):
        return False
    raise TaldauRegistryError(f"{where}: column {key!r} must be yes/no, got {text!r}")


def _ints(text: str, *, where: str, key: str) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        return tuple(int(p) for p in text.replace("+", ",").split(",") if p.strip())
    except ValueError as exc:
        raise TaldauRegistryError(f"{where}: column {key!r} must be ids joined by ','") from exc


def _as_mapping(row: Any) -> Mapping[str, Any]:
    if isinstance(row, Mapping):
        return row
    if hasattr(row, "to_dict"):  # pandas Series / namedtuple-like
        return row.to_dict()
    if hasattr(row, "_asdict"):
        return row._asdict()
    raise TypeError(f"expected a mapping (CSV row), got {type(row).__name__}")


@dataclass(frozen=True)
class Indicator:
    """One row of ``indicators.csv``."""

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

    @property
    def territory_level(self) -> str:
        return TERRITORY_DICS[self.territory_dic]

    @classmethod
    def from_row(cls, row: Any) -> Indicator:
        row = _as_mapping(row)
        iid = _text(row, "indicator_id")
        where = f"indicators.csv row {iid or '?'}"
        if not iid:
            raise TaldauRegistryError(f"{where}: indicator_id is required")
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
        return cls(
            indicator_id=iid,
            taldau_index_id=_int(row, "taldau_index_id", required=True, where=where),  # type: ignore[arg-type]
            period_id=_int(row, "period_id", required=True, where=where),  # type: ignore[arg-type]
            territory_dic=territory_dic,  # type: ignore[arg-type]
            dics=dics,
            measure_id=_int(row, "measure_id", required=False, where=where) or 1,
            unit=_text(row, "unit"),
            taldau_unit=_text(row, "taldau_unit"),
            scale=scale,
            name_ru=_text(row, "name_ru"),
            topic=_text(row, "topic"),
            confirmed=_bool(row, "confirmed", where=where),
            verified_live=_bool(row, "verified_live", where=where),
            source=_text(row, "source"),
            notes=_text(row, "notes"),
        )

    @classmethod
    def coerce(cls, obj: Any) -> Indicator:
        return obj if isinstance(obj, cls) else cls.from_row(obj)


@dataclass(frozen=True)
class Town:
    """One row of ``towns.csv``."""

    town_id: str
    name_en: str = ""
    name_ru: str = ""
    region: str = ""
    kato_code: str = ""
    taldau_term_id: int | None = None
    taldau_term_level: str = ""
    taldau_term_kato: str = ""
    taldau_term_confirmed: bool = False
    oblast_term_id: int | None = None
    oblast_term_confirmed: bool = False
    status: str = ""
    source: str = ""
    notes: str = ""

    def territory_term(self, territory_dic: int) -> int | None:
        """The Taldau term standing for this town in dictionary 68 (district) or 67 (oblast)."""
        if territory_dic == 68:
            return self.taldau_term_id
        if territory_dic == 67:
            return self.oblast_term_id
        raise TaldauRegistryError(f"unsupported territory dictionary {territory_dic}")

    def territory_note(self, territory_dic: int) -> str:
        """Human note on what the value stands for (goes to the observation's ``note``)."""
        term = self.territory_term(territory_dic)
        if territory_dic == 67:
            return (
                f"oblast-level value ({self.region or 'oblast'}; Taldau dic 67 term {term}) "
                "used as a proxy for the town"
            )
        level = self.taldau_term_level or "territory"
        kato = f", KATO {self.taldau_term_kato}" if self.taldau_term_kato else ""
        extra = "; the whole district, not only the town" if level == "district" else ""
        return f"{level}-level value (Taldau dic 68 term {term}{kato}{extra})"

    @classmethod
    def from_row(cls, row: Any) -> Town:
        row = _as_mapping(row)
        tid = _text(row, "town_id")
        where = f"towns.csv row {tid or '?'}"
        if not tid:
            raise TaldauRegistryError(f"{where}: town_id is required")
        return cls(
            town_id=tid,
            name_en=_text(row, "name_en"),
            name_ru=_text(row, "name_ru"),
            region=_text(row, "region"),
            kato_code=_text(row, "kato_code").removesuffix(".0"),
            taldau_term_id=_int(row, "taldau_term_id", required=False, where=where),
            taldau_term_level=_text(row, "taldau_term_level"),
            taldau_term_kato=_text(row, "taldau_term_kato").removesuffix(".0"),
            taldau_term_confirmed=_bool(row, "taldau_term_confirmed", where=where),
            oblast_term_id=_int(row, "oblast_term_id", required=False, where=where),
            oblast_term_confirmed=_bool(row, "oblast_term_confirmed", where=where),
            status=_text(row, "status"),
            source=_text(row, "source"),
            notes=_text(row, "notes"),
        )

    @classmethod
    def coerce(cls, obj: Any) -> Town:
        return obj if isinstance(obj, cls) else cls.from_row(obj)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _unique(items: Iterable[Any], attr: str, path: Path) -> None:
    seen: set[str] = set()
    for item in items:
        key = getattr(item, attr)
        if key in seen:
            raise TaldauRegistryError(f"{path}: duplicate {attr} {key!r}")
        seen.add(key)


def load_indicators(path: str | Path | None = None) -> list[Indicator]:
    """Read ``indicators.csv`` (default: the bundled registry)."""
    path = Path(path) if path else INDICATORS_CSV
    items = [Indicator.from_row(r) for r in _read_csv(path)]
    _unique(items, "indicator_id", path)
    return items


def load_towns(path: str | Path | None = None) -> list[Town]:
    """Read ``towns.csv`` (default: the bundled registry)."""
    path = Path(path) if path else TOWNS_CSV
    items = [Town.from_row(r) for r in _read_csv(path)]
    _unique(items, "town_id", path)
    return items


def get_indicator(indicator_id: str, path: str | Path | None = None) -> Indicator:
    for ind in load_indicators(path):
        if ind.indicator_id == indicator_id:
            return ind
    raise TaldauRegistryError(f"indicator {indicator_id!r} is not in the Taldau registry")


def get_town(town_id: str, path: str | Path | None = None) -> Town:
    for town in load_towns(path):
        if town.town_id == town_id:
            return town
    raise TaldauRegistryError(f"town {town_id!r} is not in the Taldau registry")
