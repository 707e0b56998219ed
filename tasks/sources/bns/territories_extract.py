"""List the territory names the bureau's workbooks show, so the registry can be checked.

``python -m tasks.sources.bns.territories_extract [BNS_DIR] [--unresolved]`` prints one line per
name: file, sheet, row, label (the sheet name for regional profiles, with its title), and, with
``--unresolved``, only the names :func:`tasks.sources.bns.territories.resolve_territories` does
not resolve, with the reason. The registry rows (``tasks/sources/taldau/territories.csv``) are
committed data reviewed by hand; this script only lists what the files say.

Which rows are territory rows is found here with a deliberately simple rule (a text in column A
followed by number-like cells), enough to list names; the cell reader
(``tasks/sources/bns/read.py``) is what the source uses.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_NUMBERLIKE = re.compile(r"^[-–…xх.\s]+$|^[\d\s\xa0,.]*\d[\d\s\xa0,.]*(\d\))?$")
#: first words of rows that are not territories (headers, indicator titles, totals)
_NOT_TERRITORY = re.compile(
    r"^(наименование|барлығы|всего|итого|республика казахстан|қазақстан республикасы)", re.I
)


@dataclass(frozen=True)
class NameRow:
    """One territory name as a workbook shows it."""

    file: str  # relative to the bns folder, e.g. "labour-by-district/Aktobe.xlsx"
    sheet: str
    row: int | None  # 1-based; None for a profile's sheet name
    label: str
    title: str | None = None


def _open(path: Path):
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path))


def _is_value(cell: object) -> bool:
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float):
        return True
    text = str(cell).strip()
    return bool(text) and bool(_NUMBERLIKE.match(text))


def profile_sheets(path: Path, file: str) -> Iterator[NameRow]:
    """Each sheet of a regional profile workbook, with the first text on it (its title)."""
    wb = _open(path)
    for sheet in wb.sheet_names:
        title = None
        for row in wb.get_sheet_by_name(sheet).to_python()[:6]:
            texts = [str(c).strip() for c in row if isinstance(c, str) and str(c).strip()]
            if texts:
                title = texts[0]
                break
        yield NameRow(file, sheet, None, sheet, title)


def table_rows(path: Path, file: str, sheets: list[str] | None = None) -> Iterator[NameRow]:
    """Rows of a territory-by-column table: text in column A and a number-like cell after it."""
    wb = _open(path)
    for sheet in sheets or wb.sheet_names:
        for n, row in enumerate(wb.get_sheet_by_name(sheet).to_python(), start=1):
            if not row:
                continue
            label = str(row[0]).strip()
            if not label or _is_value(label) or _NOT_TERRITORY.match(label):
                continue
            if any(_is_value(c) for c in row[1:]):
                yield NameRow(file, sheet, n, label)


def investment_rows(path: Path, file: str) -> Iterator[NameRow]:
    """Territory rows of an investment bulletin: on each sheet, the rows from the oblast's total
    row ("Ақтөбе облысы", "Костанайская область") to the next empty label, with the sheet's
    first text as title ("… в моногорода": the rows are towns)."""
    from tasks.sources.bns.names import parse_name

    wb = _open(path)
    for sheet in wb.sheet_names:
        title = None
        inside = False
        for n, row in enumerate(wb.get_sheet_by_name(sheet).to_python(), start=1):
            label = str(row[0]).strip() if row else ""
            if title is None and label:
                title = label
            if not label:
                inside = False
                continue
            parsed = parse_name(label)
            if parsed.marker == "oblast" and len(parsed.key.split()) <= 2:  # not "в области"
                inside = True
            if inside and any(_is_value(c) for c in row[1:]):
                yield NameRow(file, sheet, n, label, title)


def population_rows(path: Path, file: str) -> Iterator[NameRow]:
    """District-level rows of the population bulletin (sheet ``02``: oblasts, г.а., districts)."""
    yield from table_rows(path, file, sheets=["02"])


def all_names(root: Path) -> Iterator[NameRow]:
    """Every territory name in the reference workbooks under ``root``."""
    for path in sorted((root / "regional-profiles").glob("*_All.xls*")):
        yield from profile_sheets(path, f"regional-profiles/{path.name}")
    for path in sorted((root / "labour-by-district").glob("*.xls*")):
        yield from table_rows(path, f"labour-by-district/{path.name}")
    for path in sorted((root / "investment-by-district").glob("*/*.xls*")):
        yield from investment_rows(path, f"investment-by-district/{path.parent.name}/{path.name}")
    pop = root / "population" / "population_2023-01-01.xlsx"
    if pop.exists():
        yield from population_rows(pop, "population/population_2023-01-01.xlsx")


def main(argv: list[str] | None = None) -> int:
    """Print the names (and, with ``--unresolved``, only those that do not resolve)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "bns"
    parser.add_argument("root", nargs="?", type=Path, default=default)
    parser.add_argument("--unresolved", action="store_true")
    args = parser.parse_args(argv)
    rows = list(all_names(args.root))
    if not args.unresolved:
        for r in rows:
            title = f"\t{r.title}" if r.title else ""
            print(f"{r.file}\t{r.sheet}\t{r.row or ''}\t{r.label}{title}")
        return 0
    from tasks.sources.bns.territories import resolve_names

    bad = 0
    for r, res in zip(rows, resolve_names(rows), strict=True):
        if res.territory_id is None:
            bad += 1
            print(f"{r.file}\t{r.sheet}\t{r.row or ''}\t{r.label}\t{res.reason}")
    print(f"{bad} of {len(rows)} names do not resolve", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
