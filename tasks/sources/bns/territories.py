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
  block its districts belong to; there "қ.ә." is the г.а. and "қ." / "қаласы" the town proper
  (its legend), while villages ("а."), settlements ("к.") and rural districts ("а.ә.") are no
  registry territory.

No match, or more than one, is an :class:`~tasks.parse.Issue` naming file, sheet, row, label and
years; the rows keep ``territory_id`` None for the caller to quarantine. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
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


def _by_value(series: pd.Series, func) -> pd.Series:
    """``series.map(func)`` computed once per distinct value."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = np.array([func(v) for v in uniques] + [func(None)], dtype=object)
    return pd.Series(values[codes], index=series.index, dtype=object)  # code -1: missing


def _text_or_none(series: pd.Series) -> pd.Series:
    """Strings as they are; None for missing cells (NaN, None, empty)."""
    return _by_value(
        series, lambda x: None if x is None or x != x or not str(x).strip() else str(x)
    )


def _frame_resolutions(
    cells: pd.DataFrame, oblast: Oblast, index: TerritoryIndex
) -> list[Resolution]:
    """One resolution per row of ``cells``; each distinct (sheet, label, title, year) is
    resolved once (a workbook has few territories and many cells)."""
    none = pd.Series(None, index=cells.index, dtype=object)
    frame = pd.DataFrame(
        {
            "file": cells["file"].astype(str),
            "sheet": cells["sheet"].astype(str),
            "row": cells.get("row", none),
            "label": _text_or_none(cells["territory_label"]),
            "title": _text_or_none(cells["sheet_title"]) if "sheet_title" in cells else none,
            "year": _by_value(cells.get("year", none), _year),
            "shape": cells.get("shape", none),
        },
        index=cells.index,
    )
    frame["ctx"] = _population_context(frame, oblast, index) if oblast.oblast == REPUBLIC else None
    cols = ["file", "sheet", "label", "title", "year", "ctx", "shape"]
    group = frame.groupby(cols, dropna=False, sort=False).ngroup().to_numpy()
    firsts = frame.iloc[pd.Series(range(len(frame))).groupby(group).first().to_numpy()]
    # first the labels with a kind word, then the bare ones (which exclude what the first named)
    marked = firsts["label"].map(lambda x: x is not None and label_keys(x)[1] is not None)
    named: dict[tuple[str, str], frozenset[str]] = {}
    first = _resolve_rows(firsts[marked], oblast, index, named)
    for f, s, res in zip(
        firsts.loc[marked, "file"], firsts.loc[marked, "sheet"], first, strict=True
    ):
        if res.territory_id:
            named[(f, s)] = named.get((f, s), frozenset()) | {res.territory_id}
    second = _resolve_rows(firsts[~marked], oblast, index, named)
    by_label = dict(zip(firsts.index[marked], first, strict=True))
    by_label.update(zip(firsts.index[~marked], second, strict=True))
    per_group = [by_label[i] for i in firsts.index]  # groups are numbered in order of first row
    return [per_group[g] for g in group]


def _population_context(frame: pd.DataFrame, oblast: Oblast, index: TerritoryIndex) -> pd.Series:
    """The population bulletin: the oblast whose block each row is in (an oblast row opens it;
    rows in sheet order)."""
    order = frame.drop_duplicates(["file", "sheet", "row"]).sort_values(["file", "sheet", "row"])
    current: dict[tuple, str | None] = {}
    context: dict[tuple, str | None] = {}
    for r in order.itertuples(index=False):
        block = (r.file, r.sheet)
        if r.label is not None:
            res = index.resolve(r.label, oblast=oblast, year=r.year, title=None)
            if res.kind in ("oblast", "republic"):
                current[block] = res.territory_id
        context[(r.file, r.sheet, r.row)] = current.get(block)
    keys = zip(frame["file"], frame["sheet"], frame["row"], strict=True)
    return pd.Series([context.get(k) for k in keys], index=frame.index, dtype=object)


def _resolve_rows(
    frame: pd.DataFrame,
    oblast: Oblast,
    index: TerritoryIndex,
    named: dict[tuple[str, str], frozenset[str]],
) -> list[Resolution]:
    out = []
    for r in frame.itertuples(index=False):
        if r.label is None:
            out.append(Resolution(None, None, "empty territory label"))
            continue
        # a profile's territory is its sheet: the label is the sheet name
        profile = r.shape == "profile" or r.label.strip() == r.sheet.strip()
        town = index.monotown_sheet(r.file, r.sheet) if profile else None
        year = None if r.year is None or r.year != r.year else int(r.year)
        out.append(
            index.resolve(
                r.label,
                oblast=oblast,
                year=year,
                title=r.title,
                context=r.ctx,
                profile=profile,
                monotown_sheet=town,
                named=named.get((r.file, r.sheet), frozenset()),
            )
        )
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
    bad = [i for i, res in enumerate(results) if res.territory_id is None]
    if not bad:
        return []
    sub = cells.iloc[bad]
    rows = sub["row"] if "row" in sub else pd.Series(None, index=sub.index, dtype=object)
    years = sub["year"] if "year" in sub else pd.Series(None, index=sub.index, dtype=object)
    grouped: dict[tuple, set[int]] = {}
    keys = zip(sub["file"], sub["sheet"], rows, sub["territory_label"], years, strict=True)
    for (file, sheet, row, label, year), i in zip(keys, bad, strict=True):
        row = None if row is None or row != row else int(row)
        key = (str(file), str(sheet), row, str(label), results[i].reason)
        grouped.setdefault(key, set())
        if _year(year) is not None:
            grouped[key].add(_year(year))
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
