"""Towns and territories in ``core``, from the one registry (``tasks/sources/taldau/*.csv``).

Plain functions: :func:`territory_frame`, :func:`town_frame` and :func:`town_territory_frame`
are what ``core.territory``, ``core.town`` and ``core.town_territory`` hold after every run;
:func:`resolve_territories` maps an input's ``(town_id, territory_kind, year)`` to the
``territory_id`` its value belongs to. A town proper is ``town_<town_id>``; its district or city
administration and its oblast (per period: Karaganda until 2021, Ulytau from 2022 for Satpayev)
come from the registry. Nothing here ever maps a district's or an oblast's value to the town.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from tasks.sources.taldau.registry import (
    Registry,
    Territory,
    Town,
    load_registry,
    town_territory_id,
)

#: the kinds an input's ``territory_kind`` may name (contract); default ``town``
TERRITORY_KINDS = ("town", "city_administration", "district", "oblast", "republic")
#: other spellings accepted in inputs (``shared/reference/towns/population.csv``)
KIND_ALIASES = {
    "town proper": "town",
    "city administration": "city_administration",
    "district containing the town": "district",
}
DEFAULT_KIND = "town"

TERRITORY_COLUMNS = [
    "territory_id",
    "kind",
    "name_en",
    "name_ru",
    "name_kk",
    "parent_territory_id",
    "kato_code",
    "taldau_term_id",
    "taldau_dics",
    "valid_from",
    "valid_to",
    "confidence",
    "confirmed",
    "source",
    "note",
]
TOWN_COLUMNS = [
    "town_id",
    "name_en",
    "name_ru",
    "name_kk",
    "region",
    "kato_code",
    "town_forming_enterprise",
    "confirmed",
    "status",
    "source",
    "confidence",
    "territory_id",
    "oblast_territory_id",
    "territory_confirmed",
    "bns_monotown_sheet",
]
TOWN_TERRITORY_COLUMNS = ["town_id", "territory_id", "kind", "valid_from", "valid_to"]


def registry(towns: str | Path | None = None, indicators: str | Path | None = None) -> Registry:
    """The registry (default: the shipped files; ``towns``/``indicators`` replace them)."""
    return load_registry(towns=towns, indicators=indicators)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The shipped registry, loaded once per process."""
    return load_registry()


def _day(year: int | None, end: bool) -> pd.Timestamp | None:
    if year is None:
        return None
    return pd.Timestamp(year=year, month=12 if end else 1, day=31 if end else 1)


def _territory_row(t: Territory) -> dict:
    return {
        "territory_id": t.territory_id,
        "kind": t.kind,
        "name_en": t.name_en or None,
        "name_ru": t.name_ru or None,
        "name_kk": t.name_kk or None,
        "parent_territory_id": t.parent_territory_id or None,
        "kato_code": t.kato_code or None,
        "taldau_term_id": t.taldau_term_id,
        "taldau_dics": ",".join(map(str, t.taldau_dics)) or None,
        "valid_from": _day(t.valid_from, end=False),
        "valid_to": _day(t.valid_to, end=True),
        "confidence": t.confidence or None,
        "confirmed": bool(t.confirmed),
        "source": t.source or None,
        "note": t.notes or None,
    }


def _typed(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("valid_from", "valid_to"):
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col]).dt.date
    if "taldau_term_id" in frame.columns:
        frame["taldau_term_id"] = frame["taldau_term_id"].astype("Int64")
    return frame


def territory_frame(reg: Registry, extra_towns: Iterable[str] = ()) -> pd.DataFrame:
    """``core.territory``: every registry territory, every town proper, and a town proper for
    each of ``extra_towns`` (towns an input names that the registry does not know)."""
    rows = [_territory_row(t) for t in reg.all_territories()]
    known = {t.town_id for t in reg.towns}
    for town_id in sorted(set(extra_towns) - known):
        rows.append(
            _territory_row(
                Territory(
                    territory_id=town_territory_id(town_id),
                    kind="town",
                    name_en=town_id,
                    confidence="unknown",
                    source="input towns.csv (not in the registry)",
                )
            )
        )
    return _typed(rows, TERRITORY_COLUMNS)


def _town_row(town: Town, reg: Registry) -> dict:
    container = reg.territories[town.territory_id]
    return {
        "town_id": town.town_id,
        "name_en": town.name_en,
        "name_ru": town.name_ru or None,
        "name_kk": town.name_kk or None,
        "region": town.region or None,
        "kato_code": town.kato_code or None,
        "town_forming_enterprise": town.town_forming_enterprise or None,
        # core.town.confirmed: a source names the town as a monotown (the web sources of
        # ``status``, or the bureau publishing a monotown sheet for it: bns_monotown_sheet)
        "confirmed": town.confirmed_monotown,
        "status": town.status,
        "source": town.source or None,
        "confidence": town.confidence or None,
        "territory_id": town.territory_id,
        "oblast_territory_id": town.oblast_territory_id,
        "territory_confirmed": bool(container.confirmed),
        "bns_monotown_sheet": town.bns_monotown_sheet or None,
    }


def town_frame(reg: Registry) -> pd.DataFrame:
    """``core.town``: one row per registry town (all 28 candidates)."""
    return _typed([_town_row(t, reg) for t in reg.towns], TOWN_COLUMNS)


def town_territory_frame(reg: Registry, extra_towns: Iterable[str] = ()) -> pd.DataFrame:
    """``core.town_territory``: each town's town proper, its district or administration and its
    oblast per period (``valid_from``/``valid_to`` dates; NULL = open)."""
    rows = []
    for town in reg.towns:
        for role, terr, first, last in reg.town_roles(town):
            rows.append(
                {
                    "town_id": town.town_id,
                    "territory_id": terr.territory_id,
                    "kind": terr.kind,
                    "valid_from": _day(first, end=False) if role == "oblast" else None,
                    "valid_to": _day(last, end=True) if role == "oblast" else None,
                }
            )
    known = {t.town_id for t in reg.towns}
    for town_id in sorted(set(extra_towns) - known):
        rows.append(
            {
                "town_id": town_id,
                "territory_id": town_territory_id(town_id),
                "kind": "town",
                "valid_from": None,
                "valid_to": None,
            }
        )
    return _typed(rows, TOWN_TERRITORY_COLUMNS)


def normalise_kind(kinds: pd.Series) -> pd.Series:
    """Input ``territory_kind`` cells in the contract's spelling (empty = ``town``)."""
    text = kinds.fillna("").astype(str).str.strip()
    text = text.where(text.ne(""), DEFAULT_KIND)
    lowered = text.str.lower()
    return lowered.map(lambda k: KIND_ALIASES.get(k, k))


def resolve_territories(
    town_ids: pd.Series,
    kinds: pd.Series,
    years: pd.Series,
    reg: Registry,
    extra_towns: Iterable[str] = (),
) -> pd.Series:
    """The ``territory_id`` of each ``(town_id, territory_kind, year)``; NA where the registry
    has no such territory for the town (e.g. a city administration for a town in a district).

    ``town`` is always ``town_<town_id>`` for a registry town or one of ``extra_towns``;
    ``district`` / ``city_administration`` the town's container if it is of that kind;
    ``oblast`` the town's oblast in that year; ``republic`` ``kazakhstan``.
    """
    towns = {t.town_id: t for t in reg.towns}
    known_towns = set(towns) | set(extra_towns)
    kinds = normalise_kind(kinds)
    frame = pd.DataFrame(
        {"town_id": town_ids.astype(str), "kind": kinds, "year": years}, index=town_ids.index
    )
    out = pd.Series(pd.NA, index=frame.index, dtype="object")
    is_town = frame["kind"].eq("town") & frame["town_id"].isin(known_towns)
    out[is_town] = "town_" + frame.loc[is_town, "town_id"]
    republic = [t.territory_id for t in reg.territories.values() if t.kind == "republic"]
    if republic:
        is_rep = frame["kind"].eq("republic") & frame["town_id"].isin(known_towns)
        out[is_rep] = republic[0]
    rest = frame[frame["kind"].isin(("district", "city_administration", "oblast"))]
    rest = rest[rest["town_id"].isin(towns)]
    if len(rest):
        # few distinct (town, kind, year) combinations even in a large file
        combos = rest.drop_duplicates(["town_id", "kind", "year"])
        found: dict[tuple, str] = {}
        for c in combos.itertuples(index=False):
            town = towns[c.town_id]
            if c.kind == "oblast":
                found[(c.town_id, c.kind, c.year)] = town.oblast_in(int(c.year))
            elif reg.territories[town.territory_id].kind == c.kind:
                found[(c.town_id, c.kind, c.year)] = town.territory_id
        keys = list(zip(rest["town_id"], rest["kind"], rest["year"], strict=True))
        out[rest.index] = [found.get(k, pd.NA) for k in keys]
    return out.where(out.notna(), np.nan).astype("object")


def kinds_of_town(reg: Registry, town_id: str) -> list[str]:
    """The territory kinds a registry town has (``town``, its container's kind, ``oblast``)."""
    town = reg.town(town_id)
    return ["town", reg.territories[town.territory_id].kind, "oblast"]
