"""How a cell's text is cleaned: stripped as Python's ``str.strip()`` strips it."""

from __future__ import annotations

from tasks.numbers_sql import _SPACE_CLASS
from warehouse.sql import literal

# characters Python's str.strip() removes: cells are stripped as read_table strips them
STRIP_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)


def clean_name(cell: str | None) -> str:
    """A header cell as a column name: BOM and surrounding whitespace removed."""
    return (cell or "").lstrip("\ufeff").strip(STRIP_CHARS)


def strip_cell(expr: str) -> str:
    """SQL: a cell stripped as Python's ``str.strip()``, NULL read as ``''``.

    ``trim`` with a character list is slow; most cells have nothing to strip, and an anchored
    regex finds the few that do.
    """
    cell = f"coalesce({expr}, '')"
    edge = literal(f"^{_SPACE_CLASS}|{_SPACE_CLASS}$")
    return (
        f"CASE WHEN regexp_matches({cell}, {edge}) THEN trim({cell}, {literal(STRIP_CHARS)}) "
        f"ELSE {cell} END"
    )
