"""The Taldau registry, kept as data: ``territories.csv``, ``towns.csv`` and ``indicators.csv``
next to this module (see ``docs/taldau.md``).

* ``territories.csv``: every territory we use, once: the republic, the 17 oblasts and 3 republican
  cities, and each monotown's district or city administration (г.а.). ``territory_id`` slug <->
  Taldau ``taldau_term_id`` (the same id in dic 67 and dic 68 for oblasts; dic 68 only below),
  ``kind`` (republic / oblast / district / city_administration / town), KATO code, parent,
  names, ``valid_from``/``valid_to`` years (2018 and 2022 reforms), ``confidence``, ``confirmed``.
* ``towns.csv``: every candidate monotown (``status`` current / former / unconfirmed): its KATO
  code, the ``territory_id`` of the district or administration containing it, its town node's
  term (``town_term_id``, empty until ``taldau discover`` finds it), the oblast now and before the
  2022 (and 2018) reforms as territory ids. A shared territory (РАЙОН АЛТАЙ for Altai and
  Serebryansk) is one row of ``territories.csv`` referenced by two towns.
* ``indicators.csv``: one row per indicator; ``levels`` lists where it exists (``oblast``,
  ``district``, ``town``).

:func:`load_registry` reads and cross-checks all three (every parent exists, every town's
territories exist and have the right kind, ids and term ids unique); a bad row raises
:class:`TaldauRegistryError` naming the file, line, column and value. :func:`load_towns` returns
:class:`Town` rows resolved against the territories, shaped as before (``taldau_term_id`` = the
containing district/administration, ``oblast_term_id`` = the current oblast).
:func:`plan_territory_pairs` lists the (indicator, territory) pairs the registry allows, each
territory once however many towns use it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.sources.taldau.archive import TaldauError

HERE = Path(__file__).resolve().parent
INDICATORS_CSV = HERE / "indicators.csv"
TOWNS_CSV = HERE / "towns.csv"
TERRITORIES_CSV = HERE / "territories.csv"

TERRITORY_DICS = {67: "oblast", 68: "district"}
ROOT_TERM = 741880  # РЕСПУБЛИКА КАЗАХСТАН, root of dic 67 and dic 68

KINDS = ("republic", "oblast", "district", "city_administration", "town")
#: the statistical level of a territory kind (a city administration sits at district level)
LEVEL_OF_KIND = {
    "republic": "republic",
    "oblast": "oblast",
    "district": "district",
    "city_administration": "district",
    "town": "town",
}
#: the kind a territory's parent must have
PARENT_KINDS = {
    "republic": (),
    "oblast": ("republic",),
    "district": ("oblast",),
    "city_administration": ("oblast",),
    "town": ("district", "city_administration"),
}
LEVELS = ("oblast", "district", "town")
#: levels an indicator may have, by the territory dictionary of its segment
LEVELS_OF_DIC = {67: ("oblast",), 68: ("oblast", "district", "town")}
TOWN_STATUSES = ("current", "former", "unconfirmed")
CONFIDENCES = ("high", "medium-high", "medium", "low-medium", "low", "unknown")
REFORM_2018 = 2018  # South Kazakhstan -> Turkestan Region + Shymkent
REFORM_2022 = 2022  # Abai, Zhetisu, Ulytau regions created


class TaldauRegistryError(TaldauError):
    """A registry row is malformed, or lacks what a fetch needs (e.g. an unknown term id)."""


TOWN_TERRITORY_PREFIX = "town_"


def town_territory_id(town_id: str) -> str:
    """The territory id of a town proper: ``town_<town_id>`` (``town_khromtau``)."""
    return f"{TOWN_TERRITORY_PREFIX}{town_id}"


# ---------------------------------------------------------------------------------------------
# cell helpers


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


def _choice(row: Mapping[str, Any], key: str, allowed: Sequence[str], *, where: str) -> str:
    text = _text(row, key)
    if text not in allowed:
        raise TaldauRegistryError(
            f"{where}: column {key!r} = {text!r} is not one of {', '.join(allowed)}"
        )
    return text


def _kato(row: Mapping[str, Any], key: str, *, where: str) -> str:
    text = _text(row, key).removesuffix(".0")
    if text and not re.fullmatch(r"\d{9}", text):
        raise TaldauRegistryError(f"{where}: column {key!r} = {text!r} is not a 9-digit KATO code")
    return text


def _as_mapping(row: Any) -> Mapping[str, Any]:
    if isinstance(row, Mapping):
        return row
    if hasattr(row, "to_dict"):  # pandas Series / namedtuple-like
        return row.to_dict()
    if hasattr(row, "_asdict"):
        return row._asdict()
    raise TypeError(f"expected a mapping (CSV row), got {type(row).__name__}")


# ---------------------------------------------------------------------------------------------
# indicators


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
            unit=_text(row, "unit"),
            taldau_unit=_text(row, "taldau_unit"),
            scale=scale,
            name_ru=_text(row, "name_ru"),
            topic=_text(row, "topic"),
            confirmed=_bool(row, "confirmed", where=where),
            verified_live=_bool(row, "verified_live", where=where),
            source=_text(row, "source"),
            notes=_text(row, "notes"),
            levels=levels,
        )

    @classmethod
    def coerce(cls, obj: Any) -> Indicator:
        return obj if isinstance(obj, cls) else cls.from_row(obj)


# ---------------------------------------------------------------------------------------------
# territories


@dataclass(frozen=True)
class Territory:
    """One row of ``territories.csv`` (or a town proper derived from ``towns.csv``)."""

    territory_id: str
    kind: str
    taldau_term_id: int | None = None
    taldau_dics: tuple[int, ...] = ()
    taldau_term_name: str = ""
    kato_code: str = ""
    parent_territory_id: str = ""
    name_ru: str = ""
    name_kk: str = ""
    name_en: str = ""
    valid_from: int | None = None
    valid_to: int | None = None
    confidence: str = ""
    confirmed: bool = False
    source: str = ""
    notes: str = ""

    @property
    def level(self) -> str:
        """``republic``, ``oblast``, ``district`` (also city administrations) or ``town``."""
        return LEVEL_OF_KIND[self.kind]

    def valid_in(self, year: int) -> bool:
        """Whether the territory exists in ``year`` (open ends are unbounded)."""
        return (self.valid_from is None or year >= self.valid_from) and (
            self.valid_to is None or year <= self.valid_to
        )

    @classmethod
    def from_row(cls, row: Any, *, where: str | None = None) -> Territory:
        row = _as_mapping(row)
        tid = _text(row, "territory_id")
        where = where or f"territories.csv row {tid or '?'}"
        if not tid:
            raise TaldauRegistryError(f"{where}: column 'territory_id' is required")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", tid):
            raise TaldauRegistryError(
                f"{where}: column 'territory_id' = {tid!r} must be a lower-case slug"
            )
        kind = _choice(row, "kind", KINDS, where=where)
        dics = _ints(_text(row, "taldau_dics"), where=where, key="taldau_dics")
        allowed_dics = {67, 68} if kind in ("republic", "oblast") else {68}
        if not set(dics) <= allowed_dics:
            raise TaldauRegistryError(
                f"{where}: column 'taldau_dics' = {_text(row, 'taldau_dics')!r}: a {kind} is in "
                f"dictionaries {sorted(allowed_dics)} only"
            )
        valid_from = _int(row, "valid_from", required=False, where=where)
        valid_to = _int(row, "valid_to", required=False, where=where)
        if valid_from is not None and valid_to is not None and valid_from > valid_to:
            raise TaldauRegistryError(
                f"{where}: column 'valid_from' = {valid_from} is after valid_to = {valid_to}"
            )
        confidence = _choice(row, "confidence", CONFIDENCES, where=where)
        confirmed = _bool(row, "confirmed", where=where)
        term = _int(row, "taldau_term_id", required=False, where=where)
        if confirmed and (confidence != "high" or term is None):
            raise TaldauRegistryError(
                f"{where}: column 'confirmed' = 'yes' needs a term id with confidence 'high' "
                f"(got term {term}, confidence {confidence!r})"
            )
        return cls(
            territory_id=tid,
            kind=kind,
            taldau_term_id=term,
            taldau_dics=dics or tuple(sorted(allowed_dics)),
            taldau_term_name=_text(row, "taldau_term_name"),
            kato_code=_kato(row, "kato_code", where=where),
            parent_territory_id=_text(row, "parent_territory_id"),
            name_ru=_text(row, "name_ru"),
            name_kk=_text(row, "name_kk"),
            name_en=_text(row, "name_en"),
            valid_from=valid_from,
            valid_to=valid_to,
            confidence=confidence,
            confirmed=confirmed,
            source=_text(row, "source"),
            notes=_text(row, "notes"),
        )


# ---------------------------------------------------------------------------------------------
# towns


@dataclass(frozen=True)
class Town:
    """One monotown, as the fetch code sees it.

    The first fields are the historical shape (``taldau_term_id`` = the dic-68 term of the
    district or city administration containing the town, ``oblast_term_id`` = its oblast now);
    :func:`load_towns` fills them from ``towns.csv`` + ``territories.csv``. The later fields are
    the ``towns.csv`` columns themselves.
    """

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
    name_kk: str = ""
    territory_id: str = ""
    town_term_id: int | None = None
    town_node_name: str = ""
    town_node_aliases: tuple[str, ...] = ()
    oblast_territory_id: str = ""
    oblast_before_2022_territory_id: str = ""
    oblast_before_2018_territory_id: str = ""
    confidence: str = ""
    confirmed: bool = False
    town_forming_enterprise: str = ""

    @property
    def town_territory_id(self) -> str:
        """The territory id of the town proper: ``town_<town_id>`` (e.g. ``town_khromtau``)."""
        return town_territory_id(self.town_id)

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
                f"oblast-level value ({self.region or 'oblast'}; Taldau dic 67 term {term}): "
                "the whole oblast, not the town"
            )
        level = self.taldau_term_level or "territory"
        kato = f", KATO {self.taldau_term_kato}" if self.taldau_term_kato else ""
        extra = {
            "district": "; the whole district, not only the town",
            "city_administration": "; the town and its subordinated villages",
        }.get(level, "")
        return f"{level}-level value (Taldau dic 68 term {term}{kato}{extra})"

    @property
    def node_names(self) -> tuple[str, ...]:
        """Names the town's node may carry below its territory (``Г.ХРОМТАУ``, aliases)."""
        return tuple(n for n in (self.town_node_name, *self.town_node_aliases) if n)

    def oblast_periods(self) -> list[tuple[str, int | None, int | None]]:
        """``(oblast territory_id, year_from, year_to)``, oldest first; open ends are ``None``."""
        out: list[tuple[str, int | None, int | None]] = []
        start: int | None = None
        if self.oblast_before_2018_territory_id:
            out.append((self.oblast_before_2018_territory_id, None, REFORM_2018 - 1))
            start = REFORM_2018
        if self.oblast_before_2022_territory_id:
            out.append((self.oblast_before_2022_territory_id, start, REFORM_2022 - 1))
            start = REFORM_2022
        if self.oblast_territory_id:
            out.append((self.oblast_territory_id, start, None))
        return out

    def oblast_in(self, year: int) -> str:
        """The town's oblast (territory_id) in ``year``."""
        for tid, first, last in self.oblast_periods():
            if (first is None or year >= first) and (last is None or year <= last):
                return tid
        return self.oblast_territory_id

    @classmethod
    def from_row(cls, row: Any, *, where: str | None = None) -> Town:
        """A row in the historical shape (direct term ids), e.g. a dict in a test."""
        row = _as_mapping(row)
        tid = _text(row, "town_id")
        where = where or f"towns.csv row {tid or '?'}"
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
            name_kk=_text(row, "name_kk"),
            town_term_id=_int(row, "town_term_id", required=False, where=where),
        )

    @classmethod
    def coerce(cls, obj: Any) -> Town:
        return obj if isinstance(obj, cls) else cls.from_row(obj)


def _town_entry(row: Mapping[str, Any], where: str) -> Town:
    """A ``towns.csv`` row (registry shape), not yet resolved against the territories."""
    tid = _text(row, "town_id")
    if not tid:
        raise TaldauRegistryError(f"{where}: column 'town_id' is required")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", tid):
        raise TaldauRegistryError(f"{where}: column 'town_id' = {tid!r} must be a lower-case slug")
    aliases = tuple(a.strip() for a in _text(row, "town_node_aliases").split(";") if a.strip())
    for key in ("territory_id", "oblast_territory_id"):
        if not _text(row, key):
            raise TaldauRegistryError(f"{where}: column {key!r} is required")
    return Town(
        town_id=tid,
        name_en=_text(row, "name_en"),
        name_ru=_text(row, "name_ru"),
        kato_code=_kato(row, "kato_code", where=where),
        status=_choice(row, "status", TOWN_STATUSES, where=where),
        source=_text(row, "source"),
        notes=_text(row, "notes"),
        name_kk=_text(row, "name_kk"),
        territory_id=_text(row, "territory_id"),
        town_term_id=_int(row, "town_term_id", required=False, where=where),
        town_node_name=_text(row, "town_node_name"),
        town_node_aliases=aliases,
        oblast_territory_id=_text(row, "oblast_territory_id"),
        oblast_before_2022_territory_id=_text(row, "oblast_before_2022_territory_id"),
        oblast_before_2018_territory_id=_text(row, "oblast_before_2018_territory_id"),
        confidence=_choice(row, "confidence", CONFIDENCES, where=where),
        confirmed=_bool(row, "confirmed", where=where),
        town_forming_enterprise=_text(row, "town_forming_enterprise"),
    )


def _resolve_town(town: Town, territories: Mapping[str, Territory]) -> Town:
    """Fill the historical fields of a registry-shaped town from its territories."""
    container = territories[town.territory_id]
    oblast = territories[town.oblast_territory_id]
    region = oblast.name_en
    before = [
        territories[t].name_en
        for t in (town.oblast_before_2022_territory_id, town.oblast_before_2018_territory_id)
        if t
    ]
    if town.oblast_before_2022_territory_id:
        region += f" ({before[0]} until {REFORM_2022 - 1})"
    elif town.oblast_before_2018_territory_id:
        region += f" ({before[0]} until {REFORM_2018 - 1})"
    return Town(
        **{
            **town.__dict__,
            "region": region,
            "taldau_term_id": container.taldau_term_id,
            "taldau_term_level": container.kind,
            "taldau_term_kato": container.kato_code,
            "taldau_term_confirmed": container.confirmed,
            "oblast_term_id": oblast.taldau_term_id,
            "oblast_term_confirmed": oblast.confirmed,
        }
    )


# ---------------------------------------------------------------------------------------------
# loading and cross-checks


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _rows(path: Path, id_column: str) -> Iterable[tuple[str, dict[str, str]]]:
    """``(where, row)`` per data row; ``where`` names the file, line and id."""
    for n, row in enumerate(_read_csv(path), start=2):  # line 1 is the header
        yield f"{path.name} line {n} ({id_column} {_text(row, id_column)!r})", row


def _unique(items: Iterable[Any], attr: str, path: Path) -> None:
    seen: set[str] = set()
    for item in items:
        key = getattr(item, attr)
        if key in seen:
            raise TaldauRegistryError(f"{path}: duplicate {attr} {key!r}")
        seen.add(key)


def _unique_rows(items: Sequence[tuple[str, Any]], attr: str) -> None:
    seen: dict[Any, str] = {}
    for where, item in items:
        key = getattr(item, attr)
        if key is None:
            continue
        if key in seen:
            raise TaldauRegistryError(
                f"{where}: column {attr!r} = {key!r} is a duplicate (first at {seen[key]})"
            )
        seen[key] = where


def _check_territories(items: Sequence[tuple[str, Territory]]) -> dict[str, Territory]:
    _unique_rows(items, "territory_id")
    _unique_rows(items, "taldau_term_id")
    by_id = {t.territory_id: t for _, t in items}
    for where, t in items:
        wanted = PARENT_KINDS[t.kind]
        if not wanted:
            if t.parent_territory_id:
                raise TaldauRegistryError(
                    f"{where}: column 'parent_territory_id' = {t.parent_territory_id!r}: "
                    "the republic has no parent"
                )
            continue
        parent = by_id.get(t.parent_territory_id)
        if parent is None:
            raise TaldauRegistryError(
                f"{where}: column 'parent_territory_id' = {t.parent_territory_id!r} is not a "
                "territory_id of territories.csv"
            )
        if parent.kind not in wanted:
            raise TaldauRegistryError(
                f"{where}: column 'parent_territory_id' = {t.parent_territory_id!r} is a "
                f"{parent.kind}; a {t.kind}'s parent must be a {' or '.join(wanted)}"
            )
    return by_id


def _check_towns(items: Sequence[tuple[str, Town]], territories: Mapping[str, Territory]) -> None:
    _unique_rows(items, "town_id")
    _unique_rows(items, "town_term_id")
    terms = {t.taldau_term_id for t in territories.values() if t.taldau_term_id is not None}
    for where, town in items:
        if town.town_territory_id in territories:
            raise TaldauRegistryError(
                f"{where}: column 'town_id' = {town.town_id!r}: {town.town_territory_id!r} is "
                "already a territory_id (a town proper takes town_<town_id> as territory id)"
            )
        if town.town_term_id is not None and town.town_term_id in terms:
            raise TaldauRegistryError(
                f"{where}: column 'town_term_id' = {town.town_term_id} is the term of a "
                "territory in territories.csv, not a town node"
            )
        checks = (
            ("territory_id", town.territory_id, ("district", "city_administration")),
            ("oblast_territory_id", town.oblast_territory_id, ("oblast",)),
            ("oblast_before_2022_territory_id", town.oblast_before_2022_territory_id, ("oblast",)),
            ("oblast_before_2018_territory_id", town.oblast_before_2018_territory_id, ("oblast",)),
        )
        for column, value, kinds in checks:
            if not value:
                continue
            target = territories.get(value)
            if target is None:
                raise TaldauRegistryError(
                    f"{where}: column {column!r} = {value!r} is not a territory_id of "
                    "territories.csv"
                )
            if target.kind not in kinds:
                raise TaldauRegistryError(
                    f"{where}: column {column!r} = {value!r} is a {target.kind}, "
                    f"not a {' or '.join(kinds)}"
                )
        container = territories[town.territory_id]
        if container.parent_territory_id != town.oblast_territory_id:
            raise TaldauRegistryError(
                f"{where}: column 'oblast_territory_id' = {town.oblast_territory_id!r} differs "
                f"from the parent {container.parent_territory_id!r} of its territory "
                f"{town.territory_id!r} in territories.csv"
            )
        if town.kato_code and container.kato_code and town.kato_code[:4] != container.kato_code[:4]:
            raise TaldauRegistryError(
                f"{where}: column 'kato_code' = {town.kato_code!r} does not lie in its "
                f"territory {town.territory_id!r} (KATO {container.kato_code})"
            )


@dataclass(frozen=True)
class Registry:
    """The three registry files, loaded and cross-checked."""

    territories: dict[str, Territory]
    towns: list[Town]
    indicators: list[Indicator]
    paths: dict[str, Path] = field(default_factory=dict)

    def territory(self, territory_id: str) -> Territory:
        try:
            return self.territories[territory_id]
        except KeyError:
            raise TaldauRegistryError(
                f"territory {territory_id!r} is not in the registry"
            ) from None

    def town(self, town_id: str) -> Town:
        for town in self.towns:
            if town.town_id == town_id:
                return town
        raise TaldauRegistryError(f"town {town_id!r} is not in the Taldau registry")

    def town_territory(self, town: Town | str) -> Territory:
        """The town proper as a territory (kind ``town``; term id from ``town_term_id``)."""
        town = self.town(town) if isinstance(town, str) else town
        container = self.territories[town.territory_id]
        return Territory(
            territory_id=town.town_territory_id,
            kind="town",
            taldau_term_id=town.town_term_id,
            taldau_dics=(68,),
            taldau_term_name=town.town_node_name,
            kato_code=town.kato_code,
            parent_territory_id=town.territory_id,
            name_ru=town.name_ru,
            name_kk=town.name_kk,
            name_en=town.name_en,
            valid_from=container.valid_from,
            valid_to=container.valid_to,
            confidence=town.confidence if town.town_term_id is not None else "unknown",
            confirmed=town.confirmed and town.town_term_id is not None,
            source=town.source,
            notes=town.notes,
        )

    def town_roles(self, town: Town | str) -> list[tuple[str, Territory, int | None, int | None]]:
        """``(role, territory, year_from, year_to)`` for the town: ``town`` (the town proper),
        ``container`` (its district or administration), then each ``oblast`` period."""
        town = self.town(town) if isinstance(town, str) else town
        container = self.territories[town.territory_id]
        out: list[tuple[str, Territory, int | None, int | None]] = [
            ("town", self.town_territory(town), container.valid_from, container.valid_to),
            ("container", container, container.valid_from, container.valid_to),
        ]
        for tid, first, last in town.oblast_periods():
            out.append(("oblast", self.territories[tid], first, last))
        return out

    def all_territories(self) -> list[Territory]:
        """``territories.csv`` followed by every town proper (for a territory dimension)."""
        return [*self.territories.values(), *(self.town_territory(t) for t in self.towns)]


def load_territories(path: str | Path | None = None) -> dict[str, Territory]:
    """Read and check ``territories.csv`` (default: the bundled one), keyed by ``territory_id``."""
    path = Path(path) if path else TERRITORIES_CSV
    items = [(w, Territory.from_row(r, where=w)) for w, r in _rows(path, "territory_id")]
    return _check_territories(items)


def _is_registry_shape(path: Path) -> bool:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    return "territory_id" in header


def load_towns(
    path: str | Path | None = None, territories: str | Path | Mapping[str, Territory] | None = None
) -> list[Town]:
    """Read ``towns.csv`` (default: the bundled registry), resolved against the territories.

    ``territories`` is a ``territories.csv`` path or loaded territories (default: the bundled
    file). A CSV in the historical shape (``taldau_term_id``/``oblast_term_id`` columns, no
    ``territory_id``) is still read as it is.
    """
    path = Path(path) if path else TOWNS_CSV
    if not _is_registry_shape(path):
        items = [Town.from_row(r) for r in _read_csv(path)]
        _unique(items, "town_id", path)
        return items
    terr = territories if isinstance(territories, Mapping) else load_territories(territories)
    entries = [(w, _town_entry(r, w)) for w, r in _rows(path, "town_id")]
    _check_towns(entries, terr)
    return [_resolve_town(t, terr) for _, t in entries]


def load_indicators(path: str | Path | None = None) -> list[Indicator]:
    """Read ``indicators.csv`` (default: the bundled registry)."""
    path = Path(path) if path else INDICATORS_CSV
    items = [Indicator.from_row(r, where=w) for w, r in _rows(path, "indicator_id")]
    _unique(items, "indicator_id", path)
    return items


def load_registry(
    towns: str | Path | None = None,
    territories: str | Path | None = None,
    indicators: str | Path | None = None,
) -> Registry:
    """Load and cross-check ``territories.csv``, ``towns.csv`` and ``indicators.csv``."""
    terr_path = Path(territories) if territories else TERRITORIES_CSV
    towns_path = Path(towns) if towns else TOWNS_CSV
    ind_path = Path(indicators) if indicators else INDICATORS_CSV
    terr = load_territories(terr_path)
    if not _is_registry_shape(towns_path):
        raise TaldauRegistryError(
            f"{towns_path}: no 'territory_id' column; the registry needs towns.csv in the "
            "territory shape (see docs/taldau.md)"
        )
    return Registry(
        territories=terr,
        towns=load_towns(towns_path, terr),
        indicators=load_indicators(ind_path),
        paths={"territories": terr_path, "towns": towns_path, "indicators": ind_path},
    )


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


# ---------------------------------------------------------------------------------------------
# planning


@dataclass(frozen=True)
class TownUse:
    """Why a territory is fetched for a town: its role and the years it stands for."""

    town_id: str
    role: str  # "town", "container" or "oblast"
    year_from: int | None = None
    year_to: int | None = None


@dataclass(frozen=True)
class TerritoryPair:
    """One (indicator, territory) fetch the registry allows, shared by every town using it."""

    indicator: Indicator
    territory: Territory
    uses: tuple[TownUse, ...]

    @property
    def term_id(self) -> int:
        assert self.territory.taldau_term_id is not None
        return self.territory.taldau_term_id

    @property
    def dic(self) -> int:
        """The territory dictionary of the segment the pair is read from."""
        return self.indicator.territory_dic

    @property
    def town_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u.town_id for u in self.uses))

    @property
    def confirmed(self) -> bool:
        return self.territory.confirmed

    def as_town(self) -> Town:
        """The pair's territory as a :class:`Town` row for today's ``fetch_indicator``: its
        ``town_id`` is the ``territory_id`` and both term fields hold the territory's term, so
        the value is stored against the territory, never against a town."""
        t = self.territory
        return Town(
            town_id=t.territory_id,
            name_en=t.name_en,
            name_ru=t.name_ru,
            region=t.name_en,
            kato_code=t.kato_code,
            taldau_term_id=self.term_id,
            taldau_term_level=t.kind,
            taldau_term_kato=t.kato_code,
            taldau_term_confirmed=t.confirmed,
            oblast_term_id=self.term_id,
            oblast_term_confirmed=t.confirmed,
            territory_id=t.territory_id,
            confidence=t.confidence,
            confirmed=t.confirmed,
        )


@dataclass(frozen=True)
class SkippedPair:
    """An (indicator, territory) pair the registry cannot fetch yet (no term id)."""

    indicator_id: str
    territory_id: str
    town_ids: tuple[str, ...]
    reason: str


_ROLE_LEVEL = {"town": "town", "container": "district", "oblast": "oblast"}


def plan_territory_pairs(
    registry: Registry | None = None,
    *,
    indicators: Sequence[Indicator] | None = None,
    towns: Sequence[Town | str] | None = None,
) -> tuple[list[TerritoryPair], list[SkippedPair]]:
    """Every (indicator, territory) pair the registry allows, each territory once.

    For each indicator and each of its ``levels``, each selected town contributes the territory
    of that level (``town``: the town node; ``district``: the district or administration;
    ``oblast``: the oblast of each period, e.g. Karaganda until 2021 and Ulytau since 2022 for
    Satpayev). Pairs are deduplicated by (indicator, territory): Altai and Serebryansk share one
    district fetch, Karaganda's oblast fetch serves every Karaganda town. A territory without a
    term id (a town node not yet discovered, South Kazakhstan before 2018) is returned in the
    skipped list, once per (indicator, territory), never fetched.
    """
    reg = registry or load_registry()
    inds = list(indicators) if indicators is not None else reg.indicators
    tws = [
        reg.town(t) if isinstance(t, str) else t for t in (reg.towns if towns is None else towns)
    ]
    pairs: dict[tuple[str, str], tuple[Indicator, Territory, list[TownUse]]] = {}
    for ind in inds:
        levels = ind.fetch_levels
        for town in tws:
            for role, terr, first, last in reg.town_roles(town):
                if _ROLE_LEVEL[role] not in levels:
                    continue
                key = (ind.indicator_id, terr.territory_id)
                entry = pairs.setdefault(key, (ind, terr, []))
                entry[2].append(TownUse(town.town_id, role, first, last))
    planned: list[TerritoryPair] = []
    skipped: list[SkippedPair] = []
    for ind, terr, uses in pairs.values():
        if terr.taldau_term_id is None:
            what = (
                "town node not yet found (run taldau discover)"
                if terr.kind == "town"
                else ("Taldau term id unknown")
            )
            skipped.append(
                SkippedPair(
                    ind.indicator_id,
                    terr.territory_id,
                    tuple(dict.fromkeys(u.town_id for u in uses)),
                    f"{terr.kind} {terr.territory_id!r} has no Taldau term id: {what}; "
                    f"{ind.indicator_id} not fetched at {terr.level} level",
                )
            )
        else:
            planned.append(TerritoryPair(ind, terr, tuple(uses)))
    return planned, skipped
