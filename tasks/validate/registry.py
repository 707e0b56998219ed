"""The registry's towns, territories and town-territory links merged into a batch."""

from __future__ import annotations

import pandas as pd

from tasks import territories
from tasks.sources.base import Batch
from tasks.sources.taldau.registry import Registry

#: where the registry's frames come from when no input file gives them (messages, batch.files)
REGISTRY_LABEL = "registry"


def add_registry(batch: Batch, reg: Registry) -> None:
    """Put the registry's towns, territories and town-territory links into ``batch``.

    The registry is the one list of towns: an input ``towns.csv`` adds towns it does not know
    (each gets a town proper) and its rows are loaded after the registry's.
    """
    registry_towns = territories.town_frame(reg)
    file_towns = batch.frames.get("towns")
    extra: list[str] = []
    if file_towns is None:
        batch.frames["towns"] = registry_towns
        batch.files["towns"] = REGISTRY_LABEL
    else:
        extra = sorted(set(file_towns["town_id"]) - set(registry_towns["town_id"]))
        batch.frames["registry_towns"] = registry_towns
        batch.frames["towns"] = pd.concat(  # the file's rows first, then the registry's others
            [file_towns, registry_towns[~registry_towns["town_id"].isin(file_towns["town_id"])]],
            ignore_index=True,
        )[file_towns.columns]
    batch.frames["territories"] = territories.territory_frame(reg, extra)
    batch.frames["town_territories"] = territories.town_territory_frame(reg, extra)
    batch.extra_towns = extra
