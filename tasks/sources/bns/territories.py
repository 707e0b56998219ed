"""Territory names in the bureau's workbooks -> registry territories.

:func:`resolve_territories` adds ``territory_id`` and ``territory_kind`` to the cell frame of
:func:`tasks.sources.bns.read.read_workbook` from each row's ``territory_label`` (a profile's sheet
name, or a table's row label), ``sheet_title``, ``file``, ``year`` and the publication's oblast.

The rules (names are data, these are code):

* **kind** from the words around the name: "моногород", "моног.", "(моногород)" in the label, a
  profile title "… по моногороду X …", a table titled "… в моногородах" / "Моноқалаларда", a row
  "из них г.X" / "одаң: X қаласы", or the sheet that ``towns.csv`` ``bns_monotown_sheet`` names
  -> the town itself (``town_<town_id>``); "г.а.", "қ.ә.", "Г.А." -> a city administration;
  "г.", "город", "қ.", "қаласы" -> a city administration or a city of republican significance;
  "район", "ауданы" or a Russian masculine adjective ("Аккольский") -> a district;
  "область", "облысы" or a feminine adjective ("Карагандинская") -> an oblast. A bare name
  ("Глубокое", "Риддер") takes its kind from a profile's title ("… г.а. Риддер …"), else may be
  any kind but a town or a city of republican significance, and is never a territory that the
  same table names elsewhere with a kind word (a bare "Қостанай" below "Қостанай облысы" and
  "Қостанай қаласы" is the district); a bare name left between the publication's own oblast
  and another territory is the oblast (the "Абай" head row of the Abay labour table).
* **name** folded (:mod:`tasks.sources.bns.names`: case, ё/е, Kazakh letters, punctuation,
  footnote markers, adjective endings) and matched against every name of the registry
  (``name_ru``, ``name_kk``, ``tasks/sources/bns/territory_aliases.csv``; a town's Russian,
  Kazakh and English names and node aliases).
* **oblast and year**: a district or г.а. matches only in a publication of its oblast or of the
  oblast a reform moved it from (``former_parent_territory_id`` in ``territories.csv``:
  Kurchatov is East Kazakhstan's until 2021 and Abay's from 2022, one territory in either file);
  it must exist in the year (``valid_from``/``valid_to``; a moved territory exists across its
  move). A reformed oblast's own name before its reform year is its predecessor
  (``oblasts.csv``: the Turkistan files' "Туркестанская" row of 2014-2017 is South
  Kazakhstan's; "город Шымкент" before 2018 the city administration of South Kazakhstan).
  The population bulletin (oblast ``Kazakhstan``) is read in row order: an oblast row opens the
  block its districts belong to.

No match, or more than one, is an :class:`~tasks.parse.Issue` naming file, sheet, row, label and
years; the rows keep ``territory_id`` None for the caller to quarantine. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from tasks.parse import Issue
from tasks.sources.bns.names import label_keys
from tasks.sources.bns.territory_index import (
    OBLASTS_CSV,
    REPUBLIC,
    SOURCE,
    BnsTerritoryError,
    Oblast,
    Resolution,
    TerritoryIndex,
    default_index,
    load_oblasts,
    oblast_of_file,
)

__all__ = [
    "BnsTerritoryError",
    "Resolution",
    "TerritoryIndex",
    "oblast_of_file",
    "resolve_names",
    "resolve_territories",
]


def _year(value: object) -> int | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _frame_resolutions(
    cells: pd.DataFrame, oblast: Oblast, index: TerritoryIndex
) -> list[Resolution]:
    """One resolution per row of ``cells`` (each distinct name and year resolved once)."""
    titles = cells["sheet_title"] if "sheet_title" in cells else pd.Series(None, index=cells.index)
    years = cells["year"] if "year" in cells else pd.Series(None, index=cells.index)
    rows = cells["row"] if "row" in cells else pd.Series(None, index=cells.index)
    frame = pd.DataFrame(
        {
            "file": cells["file"].astype(str),
            "sheet": cells["sheet"].astype(str),
            "row": rows,
            "label": cells["territory_label"],
            "title": titles,
            "year": years.map(_year),
        },
        index=cells.index,
    )
    context: dict[tuple, str | None] = {}
    if oblast.oblast == REPUBLIC:
        # the population bulletin: an oblast row opens its block (rows in sheet order)
        order = frame.drop_duplicates(["file", "sheet", "row"]).sort_values(
            ["file", "sheet", "row"]
        )
        current: dict[tuple, str | None] = {}
        for r in order.itertuples(index=False):
            block = (r.file, r.sheet)
            res = index.resolve(str(r.label), oblast=oblast, year=r.year, title=None)
            if res.kind in ("oblast", "republic"):
                current[block] = res.territory_id
            context[(r.file, r.sheet, r.row)] = current.get(block)
    memo: dict[tuple, Resolution] = {}
    named: dict[tuple[str, str], frozenset[str]] = {}
    # first the labels with a kind word, then the bare ones (which exclude what the first named)
    marked = frame["label"].map(lambda x: isinstance(x, str) and label_keys(x)[1] is not None)
    first = _resolve_rows(frame[marked], oblast, index, context, memo, named)
    sheets = zip(frame.loc[marked, "file"], frame.loc[marked, "sheet"], strict=True)
    for (f, s), res in zip(sheets, first, strict=True):
        if res.territory_id:
            named[(f, s)] = named.get((f, s), frozenset()) | {res.territory_id}
    second = _resolve_rows(frame[~marked], oblast, index, context, memo, named)
    by_index = dict(zip(frame.index[marked], first, strict=True))
    by_index.update(zip(frame.index[~marked], second, strict=True))
    return [by_index[i] for i in frame.index]


def _resolve_rows(
    frame: pd.DataFrame,
    oblast: Oblast,
    index: TerritoryIndex,
    context: dict[tuple, str | None],
    memo: dict[tuple, Resolution],
    named: dict[tuple[str, str], frozenset[str]],
) -> list[Resolution]:
    out = []
    for r in frame.itertuples(index=False):
        label = r.label
        if label is None or (isinstance(label, float) and label != label) or not str(label).strip():
            out.append(Resolution(None, None, "empty territory label"))
            continue
        ctx = context.get((r.file, r.sheet, r.row))
        title = None if r.title is None or r.title != r.title else str(r.title)
        # a profile's territory is its sheet: the label is the sheet name
        profile = str(label).strip() == r.sheet.strip()
        town = index.monotown_sheet(r.file, r.sheet) if profile else None
        others = named.get((r.file, r.sheet), frozenset())
        key = (str(label), title, r.year, ctx, profile, town, others)
        if key not in memo:
            memo[key] = index.resolve(
                str(label),
                oblast=oblast,
                year=r.year,
                title=title,
                context=ctx,
                profile=profile,
                monotown_sheet=town,
                named=others,
            )
        out.append(memo[key])
    return out


def resolve_territories(
    cells: pd.DataFrame, *, oblast: str, index: TerritoryIndex | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Add ``territory_id`` and ``territory_kind`` to ``cells`` (see the module docstring).

    Parameters
    ----------
    cells
        The cell frame of ``read_workbook``: ``file``, ``sheet``, ``row``, ``territory_label``,
        ``sheet_title``, ``year`` (other columns are kept as they are).
    oblast
        The publication's oblast as in ``publications.csv`` (``Karagandy``, ``Kazakhstan`` for
        the population bulletin); see :func:`oblast_of_file`.
    index
        The registry index (default: the shipped registry).

    Returns
    -------
    The frame with ``territory_id`` / ``territory_kind`` (None where unresolved; no row is
    dropped), and one warning :class:`~tasks.parse.Issue` per unresolved (file, sheet, row,
    label, reason) naming the years concerned.
    """
    obl = load_oblasts().get(oblast)
    if obl is None:
        raise BnsTerritoryError(
            f"publication oblast {oblast!r} is not in {OBLASTS_CSV.name} "
            f"(known: {', '.join(sorted(load_oblasts()))})"
        )
    index = index or default_index()
    out = cells.copy()
    if cells.empty:
        out["territory_id"] = pd.Series(dtype="object")
        out["territory_kind"] = pd.Series(dtype="object")
        return out, []
    results = _frame_resolutions(cells, obl, index)
    out["territory_id"] = pd.Series(
        [r.territory_id for r in results], index=out.index, dtype=object
    )
    out["territory_kind"] = pd.Series([r.kind for r in results], index=out.index, dtype=object)
    return out, _issues(out, results)


def _issues(cells: pd.DataFrame, results: Sequence[Resolution]) -> list[Issue]:
    grouped: dict[tuple, set[int]] = {}
    for (_, c), res in zip(cells.iterrows(), results, strict=True):
        if res.territory_id is not None:
            continue
        row = c.get("row")
        row = None if row is None or row != row else int(row)
        key = (str(c["file"]), str(c["sheet"]), row, str(c["territory_label"]), res.reason)
        year = _year(c.get("year"))
        grouped.setdefault(key, set())
        if year is not None:
            grouped[key].add(year)
    issues = []
    for (file, sheet, row, label, reason), years in grouped.items():
        span = f" ({_span(years)})" if years else ""
        where = f"{file}!'{sheet}'" + (f" row {row}" if row is not None else "")
        issues.append(
            Issue(
                source=SOURCE,
                table_name="core.observation",
                check_name="territory_unresolved",
                severity="warning",
                message=(
                    f"{where}: territory {label!r}{span} matches no single registry territory: "
                    f"{reason}; its values are not loaded"
                ),
                file=file,
                file_row=row,
                row_key=f"{file}!'{sheet}'",
                column_name="territory_label",
                observed=label,
            )
        )
    return issues


def _span(years: set[int]) -> str:
    ys = sorted(years)
    return f"{ys[0]}" if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


def resolve_names(
    rows: Iterable[object],
    index: TerritoryIndex | None = None,
    years: Sequence[int] = (2023, 2015),
) -> list[Resolution]:
    """Resolve :class:`~tasks.sources.bns.territories_extract.NameRow` items for the extract
    script and the tests: a name resolves if it does in one of ``years`` (after both reforms,
    or before them: the labour tables hold 2014–2024), the first year that works wins."""
    rows = list(rows)
    index = index or default_index()
    out: list[Resolution | None] = [None] * len(rows)
    for year in years:
        frame = pd.DataFrame(
            {
                "file": [r.file for r in rows],
                "sheet": [r.sheet for r in rows],
                "row": [r.row for r in rows],
                "territory_label": [r.label for r in rows],
                "sheet_title": [r.title for r in rows],
                "year": [year] * len(rows),
            }
        )
        for file, part in frame.groupby("file", sort=False):
            obl = load_oblasts()[oblast_of_file(str(file))]
            for i, res in zip(part.index, _frame_resolutions(part, obl, index), strict=True):
                if out[i] is None or (out[i].territory_id is None and res.territory_id):
                    out[i] = res
    return [r or Resolution(None, None, "not resolved") for r in out]
