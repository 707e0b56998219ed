"""Territory names in the bureau's workbooks -> registry territories.

:func:`resolve_territories` adds ``territory_id`` and ``territory_kind`` to the cell frame of
:func:`tasks.sources.bns.read.read_workbook` from each row's ``territory_label`` (a profile's sheet
name, or a table's row label), ``sheet_title``, ``file``, ``year`` and the publication's oblast.

The rules (names are data, these are code):

* **kind** from the words around the name: "моногород", "моног.", "по моногороду" (in the label
  or a profile's title) -> the town itself (``town_<town_id>``); "г.а.", "қ.ә.", "г.", "город",
  "қ.", "қаласы" -> a city administration (or a city of republican significance);
  "район", "ауданы" or a Russian adjective ("Аккольский") -> a district; "область", "облысы" -> an
  oblast. A bare name ("Глубокое", "Риддер") takes the kind from a profile's title
  ("… г.а. Риддер …"), else may be any kind but a town.
* **name** folded (:mod:`tasks.sources.bns.names`) and matched against every name of the registry
  (``name_ru``, ``name_kk``, ``tasks/sources/bns/territory_aliases.csv``; a town's Russian,
  Kazakh and English names and node aliases).
* **oblast and year**: a territory matches only in a publication of its oblast in that year,
  or of the oblast it was moved from before the reform (Kurchatov: East Kazakhstan until 2021,
  Abay from 2022); a publication of a reformed oblast covers its predecessor before the reform
  (the Turkistan files hold South Kazakhstan's rows until 2017, their oblast total included).
  The population bulletin (oblast ``Kazakhstan``) is read in row order: an oblast row opens the
  block its districts belong to.

No match, or more than one, is an :class:`~tasks.parse.Issue` naming file, sheet, row, label and
years; the rows keep ``territory_id`` None for the caller to quarantine. Nothing is guessed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

import pandas as pd

from tasks.parse import Issue
from tasks.sources.bns.names import fold, label_keys, name_keys, title_marker
from tasks.sources.taldau.registry import Registry, Territory, load_registry, town_territory_id

HERE = Path(__file__).resolve().parent
OBLASTS_CSV = HERE / "oblasts.csv"
ALIASES_CSV = HERE / "territory_aliases.csv"
SOURCE = "bns"
REPUBLIC = "Kazakhstan"
#: territory ids of the cities of republican significance (kind oblast, named as cities)
CITY_PREFIX = "city_"

#: kinds a marker allows ("city" also allows the cities of republican significance)
_KINDS_OF_MARKER = {
    "town": ("town",),
    "part": ("town",),
    "ca": ("city_administration",),
    "city": ("city_administration", "oblast"),
    "district": ("district",),
    "oblast": ("oblast",),
    None: ("republic", "oblast", "city_administration", "district"),
}


_MARKER_OF_KIND = {
    "town": "town",
    "city_administration": "ca",
    "district": "district",
    "oblast": "oblast",
    "republic": None,
}


class BnsTerritoryError(ValueError):
    """A publication oblast or file name the bns data files do not know."""


@dataclass(frozen=True)
class Oblast:
    """One row of ``oblasts.csv``: a publication's oblast and its predecessor before a reform."""

    oblast: str
    territory_id: str
    predecessor_territory_id: str = ""
    reform_year: int | None = None

    def covers(self, year: int | None) -> set[str]:
        """The oblast territories whose rows a publication of this oblast holds in ``year``."""
        out = {self.territory_id}
        if self.predecessor_territory_id and (year is None or year < (self.reform_year or 0)):
            out.add(self.predecessor_territory_id)
        return out


@dataclass(frozen=True)
class Resolution:
    """What one name resolved to, or why not."""

    territory_id: str | None
    kind: str | None
    reason: str | None = None


@lru_cache(maxsize=1)
def load_oblasts(path: str | Path = OBLASTS_CSV) -> dict[str, Oblast]:
    """``oblasts.csv`` keyed by the publication oblast (``Karagandy``, ``Astana-city``, …)."""
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["oblast"]: Oblast(
            r["oblast"],
            r["territory_id"],
            r["predecessor_territory_id"],
            int(r["reform_year"]) if r["reform_year"] else None,
        )
        for r in rows
    }


def oblast_of_file(file: str) -> str:
    """The publication oblast of a workbook path, as in ``publications.csv``.

    ``regional-profiles/Karagandy_All.xls`` -> ``Karagandy``;
    ``labour-by-district/East-Kazakhstan.xlsx`` -> ``East-Kazakhstan``;
    ``investment-by-district/Aktobe/2019_Investments.xls`` -> ``Aktobe``;
    ``population/population_2023-01-01.xlsx`` -> ``Kazakhstan`` (every oblast).
    """
    path = PurePosixPath(str(file).replace("\\", "/"))
    parts = path.parts
    known = load_oblasts()
    if "population" in parts or path.name.startswith("population_"):
        return REPUBLIC
    candidates = []
    if "investment-by-district" in parts:
        idx = parts.index("investment-by-district")
        if idx + 1 < len(parts) - 1:
            candidates.append(parts[idx + 1])
    stem = path.name.split(".")[0]
    candidates += [stem, stem.split("_")[0]]
    for c in candidates:
        if c in known:
            return c
    raise BnsTerritoryError(
        f"{file}: no publication oblast in the file name (expected one of "
        f"{', '.join(sorted(known))}, e.g. 'regional-profiles/Karagandy_All.xls')"
    )


class TerritoryIndex:
    """Every registry territory and town under each key its names fold to."""

    def __init__(self, reg: Registry, aliases: Iterable[tuple[str, str]] = ()) -> None:
        self.reg = reg
        self.territories: dict[str, Territory] = dict(reg.territories)
        self.town_container: dict[str, Territory] = {}
        self.by_key: dict[str, set[str]] = {}
        #: whole labels spelled out in the aliases file ("У-ка", "Г.Мусрепова"): taken as they are
        self.exact: dict[str, str] = {}
        #: (workbook name, sheet) -> town territory, from towns.csv ``bns_monotown_sheet``
        self.monotown_sheets: dict[tuple[str, str], str] = {}
        for t in reg.territories.values():
            for name in (t.name_ru, t.name_kk):
                self._add(name, t.territory_id)
        for town in reg.towns:
            tid = town_territory_id(town.town_id)
            self.territories[tid] = reg.town_territory(town)
            self.town_container[tid] = reg.territories[town.territory_id]
            for name in (town.name_ru, town.name_kk, *town.town_node_aliases):
                self._add(name, tid)
            self._add(town.name_en.split(" (")[0], tid)
            if town.bns_monotown_sheet:
                self.monotown_sheets[_sheet_key(town.bns_monotown_sheet)] = tid
        for tid, alias in aliases:
            if tid not in self.territories:
                raise BnsTerritoryError(
                    f"{ALIASES_CSV.name}: territory_id {tid!r} (alias {alias!r}) is not in the "
                    "registry"
                )
            self._add(alias, tid)
            self.exact[fold(alias)] = tid

    def monotown_sheet(self, file: str, sheet: str) -> str | None:
        """The town whose monotown sheet this is (towns.csv ``bns_monotown_sheet``), if any."""
        return self.monotown_sheets.get((PurePosixPath(str(file)).name, str(sheet)))

    def _add(self, name: str, tid: str) -> None:
        for key in name_keys(name) if name else ():
            self.by_key.setdefault(key, set()).add(tid)

    def parent_in(self, tid: str, year: int | None) -> str:
        """The oblast a territory belongs to in ``year`` (a town: its container's)."""
        t = self.town_container.get(tid) or self.territories[tid]
        return t.parent_in(year) if year is not None else t.parent_territory_id

    def exists_in(self, tid: str, year: int | None) -> bool:
        """Whether the territory exists in ``year``; a moved territory (with a former parent)
        exists on both sides of its reform."""
        t = self.territories[tid]
        if year is None:
            return True
        if t.former_parent_territory_id:
            return t.valid_to is None or year <= t.valid_to
        return t.valid_in(year)

    def resolve(
        self,
        label: str,
        *,
        oblast: Oblast,
        year: int | None,
        title: str | None = None,
        context: str | None = None,
        profile: bool = False,
        monotown_sheet: str | None = None,
        named: frozenset[str] = frozenset(),
    ) -> Resolution:
        """One label in one year.

        ``profile``: the label is a profile's sheet name, whose title may say the kind
        ("… Абайского района …"); in other tables only a title about monotowns counts (a
        "г. Хромтау" row under "Инвестиции … в моногорода" is the town). ``monotown_sheet``:
        the town territory whose ``bns_monotown_sheet`` (towns.csv) is this sheet.
        ``named``: territories the same table names elsewhere with a kind word ("Қостанай
        облысы", "Қостанай қаласы"): a bare "Қостанай" in it is neither (each territory is
        one row of a table).
        """
        keys, marker = label_keys(label)
        from_title = title_marker(title)
        if not profile and from_title != "town":
            from_title = None
        if monotown_sheet:
            from_title = "town"
        if from_title == "town" and marker in (None, "city"):
            marker = "town"
        elif marker is None:
            marker = from_title
        exact = self.exact.get(fold(label))
        if exact is not None and marker != "town":
            keys, marker = set(), _MARKER_OF_KIND[self.territories[exact].kind]
            found = {exact}
        elif not keys:
            return Resolution(None, None, "no name in the label")
        else:
            found = set().union(*(self.by_key.get(k, set()) for k in keys))
        if not found:
            return Resolution(None, None, "no registry territory has this name")
        if monotown_sheet:
            found &= {monotown_sheet}
        kinds = _KINDS_OF_MARKER[marker]
        cands = [tid for tid in found if self.territories[tid].kind in kinds]
        # a city of republican significance (kind oblast) is named as a city, never bare
        is_city = {tid for tid in cands if tid.startswith(CITY_PREFIX)}
        if marker == "city":
            cands = [
                tid for tid in cands if self.territories[tid].kind != "oblast" or tid in is_city
            ]
        else:
            cands = [tid for tid in cands if tid not in is_city]
        if not cands:
            what = ", ".join(sorted(found))
            return Resolution(None, None, f"the label says {marker or 'no kind'}; names {what}")
        placed = [tid for tid in cands if self._in_publication(tid, oblast, year, context)]
        if not placed:
            return Resolution(
                None, None, f"{', '.join(sorted(cands))}: not in {oblast.oblast} in {year}"
            )
        alive = [tid for tid in placed if self.exists_in(tid, year)]
        if not alive:
            return Resolution(None, None, f"{', '.join(sorted(placed))}: not valid in {year}")
        if marker is None and named:
            alive = [tid for tid in alive if tid not in named] or alive
        if len(alive) > 1 and marker is None:
            # a bare name that is the publication's own oblast (or, in the population
            # bulletin, any oblast) is the oblast: "Абай" heads the Abay labour table
            own = [
                tid
                for tid in alive
                if tid in oblast.covers(year)
                or (oblast.oblast == REPUBLIC and self.territories[tid].kind == "oblast")
            ]
            alive = own or alive
        if len(alive) > 1:
            return Resolution(None, None, f"ambiguous: {', '.join(sorted(alive))}")
        tid = alive[0]
        return Resolution(tid, self.territories[tid].kind)

    def _in_publication(
        self, tid: str, oblast: Oblast, year: int | None, context: str | None
    ) -> bool:
        t = self.territories[tid]
        if t.kind == "republic":
            return True
        if oblast.oblast == REPUBLIC:
            if t.kind == "oblast":
                return True
            return context is not None and self.parent_in(tid, year) == context
        if t.kind == "oblast":
            return tid in oblast.covers(year)
        return self.parent_in(tid, year) in oblast.covers(year)


def _sheet_key(ref: str) -> tuple[str, str]:
    """``regional-profiles/Abay_All.xls!'моног.Курчатов'`` ->
    ``("Abay_All.xls", "моног.Курчатов")``."""
    file, _, sheet = ref.partition("!")
    return PurePosixPath(file).name, sheet.strip().removeprefix("'").removesuffix("'")


def load_aliases(path: str | Path = ALIASES_CSV) -> list[tuple[str, str]]:
    """``territory_aliases.csv``: other spellings the workbooks use for a territory."""
    with open(path, encoding="utf-8") as fh:
        return [(r["territory_id"].strip(), r["alias"].strip()) for r in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def default_index() -> TerritoryIndex:
    """The index over the shipped registry and aliases (built once per process)."""
    return TerritoryIndex(load_registry(), load_aliases())


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
    out["territory_id"] = [r.territory_id for r in results]
    out["territory_kind"] = [r.kind for r in results]
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
