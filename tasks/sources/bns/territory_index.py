"""The registry's territories and towns by folded name, and the rule that picks one for a label
(kind words, the publication's oblast and year, the 2018 and 2022 reforms): see
:mod:`tasks.sources.bns.territories` for the rules in words."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from tasks.sources.bns.names import fold, label_keys, name_keys, parse_name, title_marker
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
    "settlement": (),  # villages and settlements are no registry territories
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
    """One row of ``oblasts.csv``: a publication's oblast and what it was before its reform (an
    oblast, or for Shymkent its city administration of South Kazakhstan)."""

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
        #: aliases whose words would mislead ("Г.Мусрепова" is a district, not a city): a label
        #: spelled exactly so is taken as it is
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
            if parse_name(alias).marker is not None:  # "Г.Мусрепова" is no city
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
        # a town proper exists as long as its container (Kentau's administration moved in 2018)
        t = self.town_container.get(tid) or self.territories[tid]
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
        if marker == "settlement":
            return Resolution(
                None, None, "a village or settlement (а./к./с./а.ә.), no registry territory"
            )
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
        if marker == "city" and oblast.oblast == REPUBLIC:
            # the population bulletin writes г.а. as "қ.ә." (its legend): "Балқаш қаласы",
            # "Құлсары қ." are the towns proper (and "Астана қаласы" the city)
            kinds = ("town", "oblast")
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
                None,
                None,
                f"{', '.join(sorted(cands))}: not a territory of a {oblast.oblast} publication",
            )
        # the publication's own oblast before its reform is its predecessor: the Turkistan files'
        # "Туркестанская" row of 2014-2017 is South Kazakhstan's total
        placed = [self._before_reform(tid, oblast, year) for tid in placed]
        alive = [tid for tid in placed if self.exists_in(tid, year)]
        if not alive:
            spans = ", ".join(f"{tid} {self._span(tid)}" for tid in sorted(placed))
            return Resolution(None, None, f"does not exist that year ({spans})")
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

    def _span(self, tid: str) -> str:
        t = self.town_container.get(tid) or self.territories[tid]
        first = "" if t.valid_from is None or t.former_parent_territory_id else t.valid_from
        return f"{first}–{t.valid_to or ''}"

    def _before_reform(self, tid: str, oblast: Oblast, year: int | None) -> str:
        if (
            tid == oblast.territory_id
            and oblast.predecessor_territory_id
            and year is not None
            and oblast.reform_year is not None
            and year < oblast.reform_year
        ):
            return oblast.predecessor_territory_id
        return tid

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
        # a district or г.а. of the publication's oblast, before or after a reform: the Almaty
        # file still shows Tekeli in 2022, the Zhetisu file from 2022 (one territory, two
        # publications, kept apart by the caller); a same-named one of another oblast never
        container = self.town_container.get(tid) or t
        parents = {container.parent_territory_id, container.former_parent_territory_id}
        return bool(parents & oblast.covers(None))


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
