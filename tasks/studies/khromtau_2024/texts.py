"""The study's texts (``texts.yaml``) and its printed figures (``data/published.csv``).

Notes, caveats, hypothesis statements and explanation templates are data, not code: the
analyses fill the templates' ``{placeholders}`` with ``str.format``. A figure the study prints is
read from ``published.csv`` (:func:`printed`), never repeated in a text.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import Any

import yaml

PACKAGE = "tasks.studies.khromtau_2024"


@cache
def texts() -> dict[str, Any]:
    """``texts.yaml`` as a nested dict (section -> key -> text or template)."""
    return yaml.safe_load(resources.files(PACKAGE).joinpath("texts.yaml").read_text("utf-8"))


def text(section: str, key: str, **fields: Any) -> str:
    """The text ``section.key``, its placeholders filled with ``fields`` (if any)."""
    value = texts()[section][key]
    return value.format(**fields) if fields else value


@cache
def _published() -> dict[tuple[str, str], dict[str, str]]:
    path = resources.files(PACKAGE).joinpath("data", "published.csv")
    with path.open(encoding="utf-8", newline="") as f:
        return {(r["source_table"], r["statistic"]): r for r in csv.DictReader(f)}


def printed(source_table: str, statistic: str, column: str = "published") -> str:
    """A figure (or its ``printed_formula``) as the study prints it, from ``published.csv``."""
    return _published()[(source_table, statistic)][column]
