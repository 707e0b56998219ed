"""What every registry module shares: the paths of the three CSV files, their vocabularies
(territory kinds and levels, town statuses, confidences, the 2018 and 2022 reforms) and
:class:`TaldauRegistryError`."""

from __future__ import annotations

from pathlib import Path

from tasks.sources.taldau.archive import TaldauError

#: the folder holding the registry files (``tasks/sources/taldau/``)
DATA_DIR = Path(__file__).resolve().parents[1]
INDICATORS_CSV = DATA_DIR / "indicators.csv"
TOWNS_CSV = DATA_DIR / "towns.csv"
TERRITORIES_CSV = DATA_DIR / "territories.csv"

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
