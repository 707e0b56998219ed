"""Planning fetches: the (indicator, territory) pairs the registry allows, each territory once
however many towns use it, and the pairs it cannot fetch yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tasks.sources.taldau.registry.indicators import Indicator
from tasks.sources.taldau.registry.model import Registry, load_registry
from tasks.sources.taldau.registry.territories import Territory
from tasks.sources.taldau.registry.towns import Town


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
