"""The batch as the cross-input rules see it, and where its observations are queried."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tasks.parse import Issue
from tasks.sources.base import Batch
from tasks.sources.taldau.registry import Registry
from tasks.stage.database import Stage
from tasks.stage.frames import StagedFrame


@dataclass
class RuleBatch(Batch):
    """A batch under the cross-input rules: its inputs (shared with the batch it was made
    from, :meth:`of`), the registry its towns and territories come from, what the rules run
    so far in this pass have found, and the stage its observations are queried in."""

    registry: Registry | None = None
    found: list[Issue] = field(default_factory=list)
    obs_stage: Stage | None = field(default=None, repr=False)

    @classmethod
    def of(cls, batch: Batch, registry: Registry) -> RuleBatch:
        """A view of ``batch`` (frames, files, payloads and issues are the batch's own)."""
        if isinstance(batch, RuleBatch):
            batch.registry = registry
            return batch
        return cls(
            frames=batch.frames,
            files=batch.files,
            payload_of=batch.payload_of,
            issues=batch.issues,
            extra_towns=batch.extra_towns,
            registry=registry,
        )


def obs_table(batch: RuleBatch) -> tuple[Stage, str]:
    """The stage and table holding the batch's observations (typed, with ``_row``): the one
    they were read into, or, for a source's parsed pandas frame, a new stage (file row =
    position + 2, as the frame's index)."""
    obs = batch.frames["observations"]
    if isinstance(obs, StagedFrame):
        return obs.stage, "observations"
    if batch.obs_stage is None:
        stage = Stage()
        frame = obs.reset_index(drop=True)
        frame = frame.assign(_row=np.arange(len(frame), dtype="int64") + 2)
        stage.con.register("_frame", frame)
        stage.con.execute("CREATE TABLE observations AS SELECT * FROM _frame ORDER BY _row")
        stage.con.unregister("_frame")
        batch.obs_stage = stage
    return batch.obs_stage, "observations"


def obs_columns(batch: Batch) -> set[str]:
    """Column names of the batch's observations (staged or pandas; no rows read)."""
    return set(batch.frames["observations"].columns) if "observations" in batch.frames else set()
