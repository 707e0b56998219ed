"""The :class:`Registry` aggregate: the three files loaded and cross-checked together, and the
territories each town stands for (the town proper, its container, its oblast in each period)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tasks.sources.taldau.registry.base import (
    INDICATORS_CSV,
    TERRITORIES_CSV,
    TOWNS_CSV,
    TaldauRegistryError,
)
from tasks.sources.taldau.registry.indicators import Indicator, load_indicators
from tasks.sources.taldau.registry.territories import Territory, load_territories
from tasks.sources.taldau.registry.towns import Town, _is_registry_shape, load_towns


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
