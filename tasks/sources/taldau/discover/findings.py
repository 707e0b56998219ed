"""The findings of a discovery run: one row per finding, gathered in a :class:`Discovery`, and
the CSV they are written to."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.sources.base import Payload

FINDING_COLUMNS = (
    "town_id",
    "indicator_id",
    "term_id",
    "term_name",
    "dic",
    "period_id",
    "available",
    "checked_at",
    "finding",
    "territory_id",
    "parent_term_id",
    "note",
)


@dataclass
class Discovery:
    """What a discovery run found: rows (one per finding), errors, and the payloads received."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    payloads: list[Payload] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, **values: Any) -> None:
        row = {c: "" for c in FINDING_COLUMNS}
        row.update({k: "" if v is None else v for k, v in values.items()})
        self.rows.append(row)

    def extend(self, other: Discovery) -> None:
        self.rows += other.rows
        self.errors += other.errors
        self.payloads += other.payloads

    def town_nodes(self) -> dict[str, list[dict]]:
        """``{town_id: [town_node rows with available == 'yes']}``."""
        out: dict[str, list[dict]] = {}
        for r in self.rows:
            if r["finding"] == "town_node" and r["available"] == "yes":
                out.setdefault(r["town_id"], []).append(r)
        return out


def write_findings(rows: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write the finding rows as CSV (columns :data:`FINDING_COLUMNS`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FINDING_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in FINDING_COLUMNS})
    return path


def read_findings(path: str | Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
