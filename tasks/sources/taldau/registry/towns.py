"""``towns.csv``: one :class:`Town` per monotown, resolved against the territories.

A registry-shaped row names its territories (the district or city administration containing
the town, its oblast now and before the reforms); :func:`load_towns` checks them against
``territories.csv`` and fills the historical fields (``taldau_term_id`` = the container's term,
``oblast_term_id`` = the current oblast's). A CSV in the historical shape (direct term ids, no
``territory_id`` column) is read as it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.sources.taldau.registry._rows import (
    _as_mapping,
    _bool,
    _choice,
    _int,
    _kato,
    _numbered_rows,
    _read_csv,
    _text,
    _unique,
    _unique_rows,
)
from tasks.sources.taldau.registry.base import (
    CONFIDENCES,
    REFORM_2018,
    REFORM_2022,
    TOWN_STATUSES,
    TOWNS_CSV,
    TaldauRegistryError,
    town_territory_id,
)
from tasks.sources.taldau.registry.territories import Territory, load_territories


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
    #: where the bureau publishes a sheet for the town as a monotown ("по моногороду X"), which
    #: confirms it as one: ``<file>!'<sheet>'`` (``regional-profiles/Karagandy_All.xls!'Абай
    #: (моногород)'``); empty where no such sheet is known
    bns_monotown_sheet: str = ""

    @property
    def confirmed_monotown(self) -> bool:
        """Whether a source names the town as a monotown: the web sources of ``status``
        (current or former) or the bureau's own monotown sheet."""
        return self.status in ("current", "former") or bool(self.bns_monotown_sheet)

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
        bns_monotown_sheet=_text(row, "bns_monotown_sheet"),
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
    entries = [(w, _town_entry(r, w)) for w, r in _numbered_rows(path, "town_id")]
    _check_towns(entries, terr)
    return [_resolve_town(t, terr) for _, t in entries]


def get_town(town_id: str, path: str | Path | None = None) -> Town:
    for town in load_towns(path):
        if town.town_id == town_id:
            return town
    raise TaldauRegistryError(f"town {town_id!r} is not in the Taldau registry")
