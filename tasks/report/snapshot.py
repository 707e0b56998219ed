"""One read of the warehouse: the frames every report section draws from.

:func:`read_snapshot` opens the published warehouse read-only once, runs :data:`QUERIES` and
closes the connection before anything is drawn; the :class:`Snapshot` it returns is frozen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import duckdb
import pandas as pd

from tasks.report.i18n import current_language
from warehouse.sql import qualified

# What the generic report reads: table -> SQL (None = SELECT *). Missing tables are skipped.
# A study's part adds the queries of its own tables (tasks.report.parts.ReportPart.queries).
QUERIES: dict[str, str | None] = {
    "core.town": None,
    "core.indicator": None,
    "core.survey": None,
    "core.survey_perception_count": None,
    "core.survey_support_score_count": None,
    "core.observation": (
        "SELECT indicator_id, source, source_ref, vintage, count(*) AS n_rows, "
        "count(*) FILTER (WHERE value_status <> 'ok') AS n_not_ok "
        "FROM core.observation GROUP BY ALL ORDER BY indicator_id, source, vintage"
    ),
    "core.v_town_series": (
        "SELECT * FROM core.v_town_series ORDER BY town_id, indicator_id, territory_kind, year"
    ),
    "results.town_profile": "SELECT * FROM results.town_profile ORDER BY town_id",
    "results.coverage": None,
    "results.grp_by_year": "SELECT * FROM results.grp_by_year ORDER BY town_id, year",
    "results.grp_sector_share": None,
    "results.labour_market": "SELECT * FROM results.labour_market ORDER BY town_id, year",
    "results.perception_summary": None,
    "results.correlation": None,
    "meta.quality_issue": (
        "SELECT * FROM meta.quality_issue ORDER BY severity, table_name, check_name, row_key"
    ),
    "meta.pipeline_run": "SELECT * FROM meta.pipeline_run ORDER BY started_at DESC",
    "raw.payload": (
        "SELECT content_hash, source, kind, uri, fetched_at, size_bytes, first_run_id "
        "FROM raw.payload ORDER BY fetched_at DESC, kind"
    ),
}


class WarehouseMissing(FileNotFoundError):
    """No warehouse file at the given path."""


@dataclass(frozen=True)
class Snapshot:
    """The tables the report needs, read in one go from a read-only connection."""

    warehouse: str
    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frames", MappingProxyType(dict(self.frames)))

    def has(self, table: str) -> bool:
        """The table exists and has rows."""
        return table in self.frames and not self.frames[table].empty

    def get(self, table: str) -> pd.DataFrame:
        """The table's rows (an empty frame if the table is missing)."""
        return self.frames.get(table, pd.DataFrame())

    @property
    def latest_run(self) -> dict | None:
        """The most recent ``meta.pipeline_run`` row (completed ones first)."""
        runs = self.get("meta.pipeline_run")
        if runs.empty:
            return None
        done = runs[runs["status"] == "completed"]
        return (done if not done.empty else runs).iloc[0].to_dict()

    def town_name(self, town_id: str, lang: str | None = None) -> str:
        """The town's registry name in ``lang`` (default: the report's language).

        ``name_<lang>`` of ``core.town`` (``name_en``, ``name_ru``, ``name_kk``), else the
        English name, else the id.
        """
        lang = lang or current_language()
        towns = self.get("core.town")
        for col in dict.fromkeys([f"name_{lang}", "name_en"]):
            if not towns.empty and col in towns.columns:
                hit = towns.loc[towns["town_id"] == town_id, col]
                if len(hit) and pd.notna(hit.iloc[0]) and str(hit.iloc[0]).strip():
                    return str(hit.iloc[0])
        return str(town_id)

    def town_name_kk(self, town_id: str) -> str | None:
        """The town's Kazakh name from the registry (None where it has none)."""
        towns = self.get("core.town")
        if towns.empty or "name_kk" not in towns.columns:
            return None
        hit = towns.loc[towns["town_id"] == town_id, "name_kk"]
        return str(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else None


def read_snapshot(
    warehouse: str | Path, queries: Mapping[str, str | None] | None = None
) -> Snapshot:
    """Read what the report needs from ``warehouse`` (read-only; missing tables are skipped):
    ``queries`` (table -> SQL, None = ``SELECT *``; default :data:`QUERIES`)."""
    path = Path(warehouse)
    if not path.is_file():
        raise WarehouseMissing(
            f"no warehouse at {path}: run `monotowns run --warehouse {path}` first"
        )
    frames: dict[str, pd.DataFrame] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        existing = {
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
        for table, sql in (QUERIES if queries is None else queries).items():
            if table in existing:
                frames[table] = con.execute(sql or f"SELECT * FROM {qualified(table)}").df()
    return Snapshot(warehouse=str(path), frames=frames)
