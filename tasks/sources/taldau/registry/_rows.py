"""Reading the registry CSV files: rows numbered for error messages, and the cell parsers.

Every parser takes the row, the column and ``where`` (file, line and id, from
:func:`_numbered_rows`) and raises :class:`TaldauRegistryError` naming all of them and the
value when a cell is malformed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tasks.sources.taldau.registry.base import TaldauRegistryError

# ---------------------------------------------------------------------------------------------
# files and rows


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _numbered_rows(path: Path, id_column: str) -> Iterable[tuple[str, dict[str, str]]]:
    """``(where, row)`` per data row; ``where`` names the file, line and id."""
    for n, row in enumerate(_read_csv(path), start=2):  # line 1 is the header
        yield f"{path.name} line {n} ({id_column} {_text(row, id_column)!r})", row


def _unique(items: Iterable[Any], attr: str, path: Path) -> None:
    seen: set[str] = set()
    for item in items:
        key = getattr(item, attr)
        if key in seen:
            raise TaldauRegistryError(f"{path}: duplicate {attr} {key!r}")
        seen.add(key)


def _unique_rows(items: Sequence[tuple[str, Any]], attr: str) -> None:
    seen: dict[Any, str] = {}
    for where, item in items:
        key = getattr(item, attr)
        if key is None:
            continue
        if key in seen:
            raise TaldauRegistryError(
                f"{where}: column {attr!r} = {key!r} is a duplicate (first at {seen[key]})"
            )
        seen[key] = where


# ---------------------------------------------------------------------------------------------
# cells


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a pandas row
        return ""
    return str(value).strip()


def _int(row: Mapping[str, Any], key: str, *, required: bool, where: str) -> int | None:
    text = _text(row, key)
    if not text:
        if required:
            raise TaldauRegistryError(f"{where}: column {key!r} is required")
        return None
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not number.is_integer():  # NaN is not an integer either
        raise TaldauRegistryError(f"{where}: column {key!r} is not an integer: {text!r}")
    return int(number)


def _bool(row: Mapping[str, Any], key: str, *, where: str) -> bool:
    value = row.get(key)
    if isinstance(value, bool):
        return value
    text = _text(row, key).lower()
    if text in ("yes", "true", "1", "y"):
        return True
    if text in ("no", "false", "0", "n", ""):
        return False
    raise TaldauRegistryError(f"{where}: column {key!r} must be yes/no, got {text!r}")


def _ints(text: str, *, where: str, key: str) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        return tuple(int(p) for p in text.replace("+", ",").split(",") if p.strip())
    except ValueError as exc:
        raise TaldauRegistryError(f"{where}: column {key!r} must be ids joined by ','") from exc


def _choice(row: Mapping[str, Any], key: str, allowed: Sequence[str], *, where: str) -> str:
    text = _text(row, key)
    if text not in allowed:
        raise TaldauRegistryError(
            f"{where}: column {key!r} = {text!r} is not one of {', '.join(allowed)}"
        )
    return text


def _kato(row: Mapping[str, Any], key: str, *, where: str) -> str:
    text = _text(row, key).removesuffix(".0")
    if text and not re.fullmatch(r"\d{9}", text):
        raise TaldauRegistryError(f"{where}: column {key!r} = {text!r} is not a 9-digit KATO code")
    return text


def _as_mapping(row: Any) -> Mapping[str, Any]:
    if isinstance(row, Mapping):
        return row
    if hasattr(row, "to_dict"):  # pandas Series / namedtuple-like
        return row.to_dict()
    if hasattr(row, "_asdict"):
        return row._asdict()
    raise TypeError(f"expected a mapping (CSV row), got {type(row).__name__}")
