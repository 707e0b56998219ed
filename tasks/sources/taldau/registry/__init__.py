"""The Taldau registry, kept as data: ``territories.csv``, ``towns.csv`` and ``indicators.csv``
in ``tasks/sources/taldau/`` (see ``docs/taldau.md``).

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
* ``indicators.csv``: one row per indicator Taldau carries, mapping a Taldau index onto an id of
  the indicator catalogue (``tasks/catalogue/indicators.yaml``, which says what the indicator
  is); ``levels`` lists where it exists (``oblast``, ``district``, ``town``).

:func:`load_registry` reads and cross-checks all three (every parent exists, every town's
territories exist and have the right kind, ids and term ids unique); a bad row raises
:class:`TaldauRegistryError` naming the file, line, column and value. :func:`load_towns` returns
:class:`Town` rows resolved against the territories, shaped as before (``taldau_term_id`` = the
containing district/administration, ``oblast_term_id`` = the current oblast).

Modules (each importable on its own; this package re-exports their public names):

* ``base.py``: the file paths, vocabularies (kinds, levels, statuses, reforms) and the error;
* ``_rows.py``: CSV reading and the cell parsers with their error messages;
* ``indicators.py``, ``territories.py``, ``towns.py``: one row type and its loader per file;
* ``model.py``: :class:`Registry` and :func:`load_registry`;
* ``plan.py``: :func:`plan_territory_pairs`, :class:`TerritoryPair`, :class:`SkippedPair`.
"""

from __future__ import annotations

from tasks.sources.taldau.registry.base import (
    CONFIDENCES,
    DATA_DIR,
    INDICATORS_CSV,
    KINDS,
    LEVEL_OF_KIND,
    LEVELS,
    LEVELS_OF_DIC,
    PARENT_KINDS,
    REFORM_2018,
    REFORM_2022,
    ROOT_TERM,
    TERRITORIES_CSV,
    TERRITORY_DICS,
    TOWN_STATUSES,
    TOWN_TERRITORY_PREFIX,
    TOWNS_CSV,
    TaldauRegistryError,
    town_territory_id,
)
from tasks.sources.taldau.registry.indicators import Indicator, get_indicator, load_indicators
from tasks.sources.taldau.registry.model import Registry, load_registry
from tasks.sources.taldau.registry.plan import (
    SkippedPair,
    TerritoryPair,
    TownUse,
    plan_territory_pairs,
)
from tasks.sources.taldau.registry.territories import Territory, load_territories
from tasks.sources.taldau.registry.towns import Town, get_town, load_towns

__all__ = [
    "CONFIDENCES",
    "DATA_DIR",
    "INDICATORS_CSV",
    "KINDS",
    "LEVELS",
    "LEVELS_OF_DIC",
    "LEVEL_OF_KIND",
    "PARENT_KINDS",
    "REFORM_2018",
    "REFORM_2022",
    "ROOT_TERM",
    "TERRITORIES_CSV",
    "TERRITORY_DICS",
    "TOWNS_CSV",
    "TOWN_STATUSES",
    "TOWN_TERRITORY_PREFIX",
    "Indicator",
    "Registry",
    "SkippedPair",
    "TaldauRegistryError",
    "Territory",
    "TerritoryPair",
    "Town",
    "TownUse",
    "get_indicator",
    "get_town",
    "load_indicators",
    "load_registry",
    "load_territories",
    "load_towns",
    "plan_territory_pairs",
    "town_territory_id",
]
