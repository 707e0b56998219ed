"""Territory names in the bureau's workbooks -> registry territories (tasks/sources/bns).

Tiny frames in the shape of ``read_workbook``'s cells for each form and reform; then every sheet
name, row label and population row of the real workbooks in ../shared/reference/bns (skipped,
saying why, where that folder is absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tasks.sources.bns.names import fold, parse_name
from tasks.sources.bns.territories import (
    BnsTerritoryError,
    oblast_of_file,
    resolve_names,
    resolve_territories,
)
from tasks.sources.bns.territories_extract import (
    all_names,
    investment_rows,
    profile_sheets,
)
from tasks.sources.taldau.registry import load_registry, plan_territory_pairs
from tasks.territories import territory_frame

REPO = Path(__file__).resolve().parents[3]
BNS = REPO.parent / "shared" / "reference" / "bns"
needs_bns = pytest.mark.skipif(
    not BNS.is_dir(),
    reason=f"the bureau's workbooks are not here ({BNS}): a clone has no ../shared",
)


def cells(rows, file="regional-profiles/Karagandy_All.xls"):
    """A cell frame: ``(sheet, row, territory_label, sheet_title, year)`` per row."""
    return pd.DataFrame(
        [
            {
                "file": file,
                "sheet": sheet,
                "row": row,
                "territory_label": label,
                "sheet_title": title,
                "year": year,
                "value": 1.0,
            }
            for sheet, row, label, title, year in rows
        ]
    )


def one(label, *, oblast, year=2023, title=None, file=None, sheet=None):
    """Resolve one label; a profile (sheet = label) unless ``sheet`` is given."""
    file = file or f"labour-by-district/{oblast}.xlsx"
    frame = cells([(sheet or label, 5, label, title, year)], file=file)
    got, issues = resolve_territories(frame, oblast=oblast)
    return got.loc[0, "territory_id"], got.loc[0, "territory_kind"], issues


def row(label, *, oblast, year=2023, title=None):
    """Resolve a table row label (not a sheet name)."""
    return one(label, oblast=oblast, year=year, title=title, sheet="Регионы")


# ---------------------------------------------------------------------------------------------
# names


def test_fold_case_yo_kazakh_letters_spaces_and_footnotes():
    assert fold("  Балқаш  Қ.Ә. ") == fold("балкаш к а")
    assert fold("Фёдоровский") == fold("Федоровский")
    assert fold("Кокпекты14)") == fold("Кокпекты") == "кокпекты"
    assert fold("Занятое население³⁾") == "занятое население"
    assert fold("6\xa0Алгинский* ") == "6 алгинский"
    assert parse_name("Теренкөл район") == parse_name("Теренкөл район")
    assert parse_name("Теренкөл район").marker == "district"
    assert parse_name("Абай ауданы").marker == "district"
    assert parse_name("Приозер қаласы").marker == "city"
    assert parse_name("Балқаш қ.").marker == "city"
    assert parse_name("Балхаш г.а.").marker == "ca"
    assert parse_name("Семей қ.ә.").marker == "ca"
    assert parse_name("Аккольский").marker == "district"
    assert parse_name("Карагандинская ").marker == "oblast"
    assert parse_name("из них г.Кулсары").marker == "part"
    assert parse_name("Глубокое").marker is None


# ---------------------------------------------------------------------------------------------
# every form of a monotown sheet is the town itself


@pytest.mark.parametrize(
    ("sheet", "title", "oblast", "want"),
    [
        ("Темиртау (моногород)", None, "Karagandy", "town_temirtau"),
        ("моногород Степногорск", None, "Akmola", "town_stepnogorsk"),
        ("г.Аксу(моногород)", None, "Pavlodar", "town_aksu"),
        ("моног.Курчатов", None, "Abay", "town_kurchatov"),
        ("моногород. Жанаозен", None, "Mangystau", "town_zhanaozen"),
        ("Моногорода Алтай", None, "East-Kazakhstan", "town_altai"),
        (
            "Сатпаев",
            "Основные социально-экономические показатели по моногороду Сатпаев области Ұлытау",
            "Ulytau",
            "town_satpayev",
        ),
        # "г.Каражал" alone is the city administration; the title makes it the town
        (
            "г.Каражал",
            "Основные социально-экономические показатели по моногороду Каражал области Ұлытау",
            "Ulytau",
            "town_karazhal",
        ),
    ],
)
def test_a_monotown_sheet_is_the_town(sheet, title, oblast, want):
    tid, kind, issues = one(sheet, oblast=oblast, title=title, file=f"x/{oblast}_All.xls")
    assert (tid, kind, issues) == (want, "town", [])


def test_the_registry_names_the_monotown_sheet_even_without_a_title():
    # towns.csv bns_monotown_sheet: Ulytau_All.xls!'г.Сатпаев' is the town's sheet
    tid, kind, _ = one("г.Сатпаев", oblast="Ulytau", file="regional-profiles/Ulytau_All.xls")
    assert (tid, kind) == ("town_satpayev", "town")
    # the same name as a row of the labour table is the city administration
    assert row("г.Сатпаев", oblast="Ulytau")[:2] == ("ca_satpayev", "city_administration")


@pytest.mark.parametrize(
    ("label", "oblast", "want"),
    [
        ("Балхаш г.а.", "Karagandy", "ca_balkhash"),
        ("Балқаш қ.", "Karagandy", "ca_balkhash"),
        ("Приозер қаласы", "Karagandy", "ca_priozersk"),
        ("г. Приозерск", "Karagandy", "ca_priozersk"),
        ("г.а.Степногорск", "Akmola", "ca_stepnogorsk"),
        ("г.а. Степногорска", "Akmola", "ca_stepnogorsk"),
        ("Экибастуз Г.А.", "Pavlodar", "ca_ekibastuz"),
        ("Жаңаөзен қ.ә.", "Mangystau", "ca_zhanaozen"),
        ("Абай ауданы", "Karagandy", "district_abai_karaganda"),
        ("Абайский", "Karagandy", "district_abai_karaganda"),
        ("Теренкөл район", "Pavlodar", "district_terenkol"),
        ("Хромтауский", "Aktobe", "district_khromtau"),
        ("Хромтауский район", "Aktobe", "district_khromtau"),
        ("Бурлин", "West-Kazakhstan", "district_burlin"),
        ("Жылыойский район", "Atyrau", "district_zhylyoi"),
        ("Жаңаарқа ауданы", "Ulytau", "district_zhanaarka"),
        ("Жанааркинский район", "Ulytau", "district_zhanaarka"),
        ("Карагандинская ", "Karagandy", "oblast_karaganda"),
        ("Область Жетісу", "Zhetisu", "oblast_zhetisu"),
        ("г. Астана", "Astana-city", "city_astana"),
        ("район Байқоңыр", "Astana-city", "district_astana_baikonyr"),
        ("Байконыр г.а.", "Kyzylorda", "ca_baikonyr"),
        ("У-ка", "East-Kazakhstan", "ca_oskemen"),
        ("Г.Мусрепова", "North-Kazakhstan", "district_gabit_musrepov"),
    ],
)
def test_city_administrations_districts_and_oblasts_in_russian_and_kazakh(label, oblast, want):
    tid, kind, issues = row(label, oblast=oblast)
    assert tid == want and not issues
    assert kind == load_registry().territories[want].kind


def test_adjective_endings_tell_district_from_oblast_from_city():
    assert row("Павлодарский", oblast="Pavlodar")[0] == "district_pavlodar"
    assert row("Павлодарская область", oblast="Pavlodar")[0] == "oblast_pavlodar"
    assert row("Павлодар г.а.", oblast="Pavlodar")[0] == "ca_pavlodar"


def test_a_profile_title_gives_a_bare_sheet_name_its_kind():
    district = "Динамика основных показателей социально-экономического развития Абайского района"
    got = one("Абай", oblast="Abay", title=district, file="regional-profiles/Abay_All.xls")
    assert got[:2] == ("district_abai_abai", "district")
    ca = "Динамика основных показателей социально-экономического развития  г.а. Риддер"
    got = one("Риддер", oblast="East-Kazakhstan", title=ca, file="x/East-Kazakhstan_All.xls")
    assert got[:2] == ("ca_ridder", "city_administration")


def test_monotown_tables_name_towns_proper():
    title = "24. Инвестиции в основной капитал в моногорода"
    file = "investment-by-district/Aktobe/2023_Investments.xlsx"
    frame = cells(
        [
            ("24", 3, "Актюбинская область", title, 2023),
            ("24", 4, "г. Хромтау", title, 2023),
        ],
        file=file,
    )
    got, issues = resolve_territories(frame, oblast="Aktobe")
    assert list(got["territory_id"]) == ["oblast_aktobe", "town_khromtau"] and not issues
    # "из них г.Кулсары" under its district, "одаң: Арқалық қаласы" under its administration
    assert row("из них г.Кулсары", oblast="Atyrau")[0] == "town_kulsary"
    assert row("одаң: Арқалық қаласы", oblast="Kostanay")[0] == "town_arkalyk"
    # an explicit "г.а." stays a city administration, even in a monotown table: no guess
    tid, _, issues = row("Житикара г.а.", oblast="Kostanay", title="9.1. … в моногородах")
    assert tid is None and "district_zhitikara" in issues[0].message


def test_a_bare_name_is_not_a_territory_its_table_names_with_a_kind_word():
    file = "investment-by-district/Kostanay/2020_Investments.xls"
    frame = cells(
        [
            ("2.", 3, "Қостанай облысы", None, 2020),
            ("2.", 4, "Қостанай қаласы", None, 2020),
            ("2.", 17, "Қостанай", None, 2020),
        ],
        file=file,
    )
    got, issues = resolve_territories(frame, oblast="Kostanay")
    assert list(got["territory_id"]) == ["oblast_kostanay", "ca_kostanay", "district_kostanay"]
    assert not issues
    # the Abay labour table heads with the bare oblast name
    frame = cells(
        [("Регионы", 6, "Абай", None, 2023), ("Регионы", 9, "Абайский район", None, 2023)],
        file="labour-by-district/Abay.xlsx",
    )
    got, _ = resolve_territories(frame, oblast="Abay")
    assert list(got["territory_id"]) == ["oblast_abai", "district_abai_abai"]


# ---------------------------------------------------------------------------------------------
# reforms


def test_2022_reform_the_same_territory_under_its_oblast_of_each_year():
    # Kurchatov: East Kazakhstan until 2021, Abay from 2022; one territory in either file
    assert row("г.Курчатов", oblast="East-Kazakhstan", year=2021)[0] == "ca_kurchatov"
    assert row("г.Курчатов", oblast="East-Kazakhstan", year=2022)[0] == "ca_kurchatov"
    assert row("город Курчатов", oblast="Abay", year=2022)[0] == "ca_kurchatov"
    # never in a file of an oblast it never belonged to
    tid, _, issues = row("г.Курчатов", oblast="Pavlodar", year=2021)
    assert tid is None and "not a territory of a Pavlodar publication" in issues[0].message
    # Satpayev in the Karagandy labour file (Kazakh) until 2021, Ulytau's from 2022
    assert row("Сәтбаев қ.", oblast="Karagandy", year=2016)[0] == "ca_satpayev"
    assert row("Сәтбаев қ.", oblast="Karagandy", year=2022)[0] == "ca_satpayev"  # "-" there
    assert row("г.Сатпаев", oblast="Ulytau", year=2022)[0] == "ca_satpayev"
    # Tekeli: Almaty until 2021, Zhetisu from 2022
    assert row("г.а. Текели", oblast="Almaty", year=2019)[0] == "ca_tekeli"
    assert row("г.а. Текели", oblast="Almaty", year=2022)[0] == "ca_tekeli"  # 15.8 there
    assert row("Текели г.а.", oblast="Zhetisu", year=2023)[0] == "ca_tekeli"
    # a district moved to Abay: Ayagoz
    assert row("Аягозский район", oblast="East-Kazakhstan", year=2014)[0] == "district_ayagoz"
    assert row("Аягозский район", oblast="Abay", year=2023)[0] == "district_ayagoz"


def test_2018_reform_turkistan_files_hold_south_kazakhstan():
    assert row("Туркестанская", oblast="Turkistan", year=2015)[0] == "oblast_south_kazakhstan"
    assert row("Туркестанская", oblast="Turkistan", year=2019)[0] == "oblast_turkestan"
    # Kentau's administration across the reform (its Taldau term is the post-2018 one)
    assert row("г.а.Кентау", oblast="Turkistan", year=2010)[0] == "ca_kentau"
    assert row("г.а.Кентау", oblast="Turkistan", year=2023)[0] == "ca_kentau"
    # Shymkent: a city administration of South Kazakhstan until 2017, then its own city
    assert row("г.Шымкент ", oblast="Turkistan", year=2016)[0] == "ca_shymkent"
    tid, _, issues = row("г.Шымкент ", oblast="Turkistan", year=2019)
    assert tid is None and issues
    assert row("город Шымкент", oblast="Shymkent-city", year=2019)[0] == "city_shymkent"
    assert row("город Шымкент", oblast="Shymkent-city", year=2016)[0] == "ca_shymkent"


def test_population_bulletin_blocks_take_the_oblast_of_their_head_row():
    file = "population/population_2023-01-01.xlsx"
    frame = cells(
        [
            ("02", 7, "Қазақстан Республикасы", None, 2023),
            ("02", 9, "Абай", None, 2023),
            ("02", 12, "Абай ауданы", None, 2023),
            ("02", 120, "Қарағанды", None, 2023),
            ("02", 121, "Қарағанды қ.ә.", None, 2023),
            ("02", 129, "Абай ауданы", None, 2023),
            ("02", 253, "Алматы қаласы", None, 2023),
            ("02", 254, "Алмалы ауданы", None, 2023),
        ],
        file=file,
    )
    got, issues = resolve_territories(frame, oblast=oblast_of_file(file))
    assert list(got["territory_id"]) == [
        "kazakhstan",
        "oblast_abai",
        "district_abai_abai",
        "oblast_karaganda",
        "ca_karaganda",
        "district_abai_karaganda",
        "city_almaty",
        "district_almaty_almaly",
    ]
    assert not issues


# ---------------------------------------------------------------------------------------------
# issues, never guesses


def test_unknown_names_are_issues_naming_file_sheet_row_and_years_rows_kept():
    frame = cells(
        [
            ("Регионы", 7, "Атлантида ауданы", None, 2019),
            ("Регионы", 7, "Атлантида ауданы", None, 2020),
            ("Регионы", 8, "Хромтауский", None, 2020),
            ("Регионы", 9, None, None, 2020),
        ],
        file="labour-by-district/Aktobe.xlsx",
    )
    got, issues = resolve_territories(frame, oblast="Aktobe")
    assert len(got) == 4  # nothing dropped
    assert list(got["territory_id"]) == [None, None, "district_khromtau", None]
    first = issues[0]
    assert first.source == "bns" and first.check_name == "territory_unresolved"
    assert first.file == "labour-by-district/Aktobe.xlsx" and first.file_row == 7
    assert "labour-by-district/Aktobe.xlsx!'Регионы' row 7" in first.message
    assert "'Атлантида ауданы' (2019–2020)" in first.message
    assert first.observed == "Атлантида ауданы"
    assert len(issues) == 2  # one per (file, sheet, row, label, reason)
    # a name of another oblast is not taken from there
    assert row("Хромтауский", oblast="Kostanay")[0] is None


def test_oblast_of_file():
    assert oblast_of_file("regional-profiles/Karagandy_All.xls") == "Karagandy"
    assert oblast_of_file("regional-profiles/Atyrau_Production.xls") == "Atyrau"
    assert oblast_of_file("labour-by-district/East-Kazakhstan.xlsx") == "East-Kazakhstan"
    assert oblast_of_file("labour-by-district/Almaty-city.xls") == "Almaty-city"
    assert oblast_of_file("investment-by-district/Aktobe/2019_Investments.xls") == "Aktobe"
    assert oblast_of_file("population/population_2023-01-01.xlsx") == "Kazakhstan"
    assert oblast_of_file("C:\\down\\Pavlodar_All.xlsx") == "Pavlodar"
    with pytest.raises(BnsTerritoryError, match=r"Narnia_All\.xls"):
        oblast_of_file("Narnia_All.xls")
    with pytest.raises(BnsTerritoryError, match="'Narnia'"):
        resolve_territories(cells([("a", 1, "a", None, 2020)]), oblast="Narnia")


# ---------------------------------------------------------------------------------------------
# the registry grows; Taldau does not notice


def test_new_territories_have_no_taldau_term_and_taldau_never_plans_them():
    reg = load_registry()
    used = {t.territory_id for t in reg.towns}
    used |= {tid for town in reg.towns for tid, *_ in town.oblast_periods()}
    used |= {t.territory_id for t in reg.territories.values() if t.kind in ("republic", "oblast")}
    new = [t for t in reg.territories.values() if t.territory_id not in used]
    assert len(new) >= 150  # every district and г.а. of the country
    assert all(t.taldau_term_id is None and not t.confirmed for t in new)
    assert all(t.kind in ("district", "city_administration") and t.name_ru for t in new)
    pairs, skipped = plan_territory_pairs(reg)
    touched = {p.territory.territory_id for p in pairs} | {s.territory_id for s in skipped}
    assert touched <= used and not touched & {t.territory_id for t in new}


def test_core_territory_is_every_registry_territory_and_every_town_proper():
    reg = load_registry()
    frame = territory_frame(reg)
    assert len(frame) == len(reg.territories) + len(reg.towns)
    assert frame["territory_id"].is_unique
    kinds = frame["kind"].value_counts()
    assert kinds["town"] == len(reg.towns)
    districts = [t for t in reg.territories.values() if t.kind == "district"]
    assert kinds["district"] == len(districts)
    # every district and г.а. has a parent oblast, and a Kazakh name where the bulletin has one
    level = frame[frame["kind"].isin(["district", "city_administration"])]
    assert level["parent_territory_id"].notna().all()
    assert level["name_kk"].notna().mean() > 0.95


# ---------------------------------------------------------------------------------------------
# the real workbooks

#: names in the workbooks that are no territory of the registry, and why
EXPECTED_UNRESOLVED = {
    ("regional-profiles/Almaty_All.xls", "вне районов"): "'outside the districts': no territory",
    ("regional-profiles/Turkistan_All.xls", "Лист5"): "an empty sheet",
    # small towns of Aktobe (towns proper, not monotowns: not in the registry)
    **{
        ("investment-by-district/Aktobe", label): "a small town proper, not in the registry"
        for label in (
            "Алға қаласы",
            "Ембі қаласы",
            "Жем қаласы",
            "Темір қаласы",
            "Шалқар қаласы",
            "Қандыағаш қаласы",
            "г. Алга",
            "г. Емба",
            "г. Жем",
            "г.Кандыагаш",
            "г.Темир",
            "г.Шалкар",
        )
    },
    ("investment-by-district/Kostanay", "Житикара г.а."): "Zhitikara has no г.а. (a district)",
}


def _expected(r) -> bool:
    folder = r.file.rsplit("/", 1)[0]
    return (r.file, r.label) in EXPECTED_UNRESOLVED or (folder, r.label) in EXPECTED_UNRESOLVED


@needs_bns
def test_every_name_in_the_workbooks_resolves_or_is_a_known_exception():
    rows = list(all_names(BNS))
    for path in sorted((BNS / "investment-by-district").glob("*/*.xls*")):
        rows += investment_rows(path, f"investment-by-district/{path.parent.name}/{path.name}")
    got = resolve_names(rows)
    unexpected = [
        (r.file, r.sheet, r.row, r.label, g.reason)
        for r, g in zip(rows, got, strict=True)
        if g.territory_id is None and not _expected(r)
    ]
    assert not unexpected, unexpected
    # every row label of every labour file resolves
    labour = [g for r, g in zip(rows, got, strict=True) if r.file.startswith("labour")]
    assert len(labour) > 2000 and all(g.territory_id for g in labour)
    # kinds as the words say
    for r, g in zip(rows, got, strict=True):
        marker = parse_name(r.label).marker
        if g.territory_id and marker == "district":
            assert g.kind == "district", (r, g)
        if g.territory_id and marker == "ca":
            assert g.kind == "city_administration", (r, g)


@needs_bns
def test_every_profile_sheet_resolves_to_one_territory_of_its_kind():
    names = {}
    for path in sorted((BNS / "regional-profiles").glob("*_All.xls*")):
        rows = list(profile_sheets(path, f"regional-profiles/{path.name}"))
        for r, g in zip(rows, resolve_names(rows), strict=True):
            names[(path.name, r.sheet)] = g.territory_id
    assert names[("Karagandy_All.xls", "Темиртау (моногород)")] == "town_temirtau"
    assert names[("Karagandy_All.xls", "Темиртау г.а.")] == "ca_temirtau"
    assert names[("Karagandy_All.xls", "г. Приозерск")] == "ca_priozersk"
    assert names[("Ulytau_All.xls", "г.Каражал")] == "town_karazhal"
    assert names[("Ulytau_All.xls", "г.а.Каражал")] == "ca_karazhal"
    assert names[("East-Kazakhstan_All.xls", "Риддер")] == "ca_ridder"
    assert names[("East-Kazakhstan_All.xls", "Алтай")] == "district_altai"
    assert names[("Abay_All.xls", "Абай")] == "district_abai_abai"
    assert names[("Turkistan_All.xls", "г.а.Кентау")] == "ca_kentau"
    resolved = [t for t in names.values() if t]
    assert len(resolved) == len(names) - 2  # "вне районов", "Лист5"
    # one sheet per territory within a workbook
    by_book: dict[str, list[str]] = {}
    for (book, _), tid in names.items():
        if tid:
            by_book.setdefault(book, []).append(tid)
    assert all(len(v) == len(set(v)) for v in by_book.values())


@needs_bns
def test_towns_confirmed_by_a_monotown_sheet_are_those_the_workbooks_show():
    rows = []
    for path in sorted((BNS / "regional-profiles").glob("*_All.xls*")):
        rows += profile_sheets(path, f"regional-profiles/{path.name}")
    towns = {
        g.territory_id.removeprefix("town_"): f"{r.file}!'{r.sheet}'"
        for r, g in zip(rows, resolve_names(rows), strict=True)
        if g.kind == "town"
    }
    assert len(towns) == 15
    registry = {t.town_id: t.bns_monotown_sheet for t in load_registry().towns}
    assert {k: v for k, v in registry.items() if v} == towns
    confirmed = {t.town_id for t in load_registry().towns if t.confirmed_monotown}
    assert {"zhanaozen", "aksay", "kurchatov", "shakhtinsk", "abay", "karazhal"} <= confirmed
    assert {"zhezkazgan", "priozersk"}.isdisjoint(confirmed)  # no monotown sheet, no source


@needs_bns
def test_every_labour_table_value_finds_its_territory_in_its_year():
    """Each value cell of the labour tables (territory row x year column), through
    resolve_territories with its real year: 2014-2024, both reforms."""
    from python_calamine import CalamineWorkbook

    frames = []
    for path in sorted((BNS / "labour-by-district").glob("*.xls*")):
        sheet = CalamineWorkbook.from_path(str(path)).sheet_names[0]
        years: list[int | None] | None = None
        records = []
        for n, r in enumerate(
            CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(), start=1
        ):
            heads = [re.match(r"\s*(20[12]\d)(\.0)?\s*(год)?", str(c)) for c in r[1:]]
            if sum(1 for h in heads if h) >= 2:
                years = [int(h.group(1)) if h else None for h in heads]
                continue
            label = str(r[0]).strip() if r else ""
            if not label or years is None or label.startswith("Наименование"):
                continue
            for year, cell in zip(years, r[1:], strict=False):
                if year and str(cell).strip() not in ("", "-"):
                    records.append((sheet, n, label, None, year))
        got, issues = resolve_territories(
            cells(records, file=f"labour-by-district/{path.name}"), oblast=oblast_of_file(path.name)
        )
        assert not issues, [i.message for i in issues]
        frames.append(got)
    got = pd.concat(frames)
    assert len(got) > 15000 and got["territory_id"].notna().all()
    # Tekeli's г.а. in the Almaty file (2014-2022) and the Zhetisu file (2022-)
    tekeli = got[got["territory_id"].eq("ca_tekeli")]
    assert set(tekeli["file"]) == {
        "labour-by-district/Almaty.xlsx",
        "labour-by-district/Zhetisu.xlsx",
    }
    # the Turkistan total of 2014-2017 is South Kazakhstan's
    turk = got[got["file"].str.endswith("Turkistan.xls") & got["territory_kind"].eq("oblast")]
    assert set(turk.loc[turk["year"] < 2018, "territory_id"]) == {"oblast_south_kazakhstan"}
    assert set(turk.loc[turk["year"] >= 2018, "territory_id"]) == {"oblast_turkestan"}


@needs_bns
@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("Atyrau_Production.xls", {"Атырауская г.а": "ca_atyrau", "Жылыой": "district_zhylyoi"}),
        ("Atyrau_Retail.xls", {"Атырау  Г.А.": "ca_atyrau", "Кзылкогинский район": None}),
        ("Atyrau_Agriculture.xls", {"Атырау": "oblast_atyrau", "Қызылқоға": None}),
        ("Karagandy_Agriculture.xls", {"Сатпаев г.а.": "ca_satpayev", "г. Приозерск": None}),
    ],
)
def test_topic_by_district_files_name_their_districts(name, want):
    """The one-topic files (Kulsary's Zhylyoi district is in the Atyrau ones): every row that
    names a territory resolves (product rows of the production file are no territories)."""
    from tasks.sources.bns.territories_extract import table_rows

    rows = [
        r
        for r in table_rows(BNS / "regional-profiles" / name, f"regional-profiles/{name}")
        if "," not in r.label and len(r.label) < 40
    ]
    got = {r.label: g.territory_id for r, g in zip(rows, resolve_names(rows), strict=True)}
    assert got and all(got.values()), got
    assert len(set(got.values())) >= 8  # the oblast, its г.а. and its districts
    for label, tid in want.items():
        assert label in got and (tid is None or got[label] == tid)


def test_population_bulletin_cities_are_towns_proper_and_villages_no_territory():
    """The bulletin writes a г.а. as "қ.ә." and the town proper as "қ."/"қаласы" (its legend);
    villages ("а."), settlements ("к.") and rural districts ("а.ә.") are no registry territory."""
    file = "population/population_2023-01-01.xlsx"
    frame = cells(
        [
            ("03", 231, "Қарағанды", None, 2023),
            ("03", 237, "Балқаш қ.ә.", None, 2023),
            ("03", 239, "Балқаш қаласы", None, 2023),
            ("03", 240, "Саяқ к.", None, 2023),
            ("03", 241, "Приозер қ.ә.", None, 2023),
            ("03", 242, "Приозер қаласы", None, 2023),
            ("03", 300, "Атырау", None, 2023),
            ("03", 301, "Жылыой ауданы", None, 2023),
            ("03", 302, "Құлсары қ.", None, 2023),
            ("03", 303, "Аққыстау а.", None, 2023),
        ],
        file=file,
    )
    got, issues = resolve_territories(frame, oblast="Kazakhstan")
    assert list(got["territory_id"]) == [
        "oblast_karaganda",
        "ca_balkhash",
        "town_balkhash",
        None,
        "ca_priozersk",
        "town_priozersk",
        "oblast_atyrau",
        "district_zhylyoi",
        "town_kulsary",
        None,
    ]
    assert len(issues) == 2 and all("village or settlement" in i.message for i in issues)
    # elsewhere "Приозер қаласы" is the city administration (the Karagandy labour table)
    assert row("Приозер қаласы", oblast="Karagandy")[0] == "ca_priozersk"


@needs_bns
def test_population_bulletin_gives_every_registry_towns_own_row():
    from tasks.sources.bns.territories_extract import table_rows

    file = "population/population_2023-01-01.xlsx"
    rows = list(table_rows(BNS / file, file, sheets=["03"]))
    frame = cells([(r.sheet, r.row, r.label, None, 2023) for r in rows], file=file)
    got, issues = resolve_territories(frame, oblast="Kazakhstan")
    towns = set(got.loc[got["territory_kind"].eq("town"), "territory_id"])
    assert towns == {f"town_{t.town_id}" for t in load_registry().towns}
    # what stays unresolved: villages, settlements, other towns proper, the cities' districts
    for issue in issues:
        assert any(
            why in issue.message
            for why in (
                "village or settlement",
                "the label says city",
                "no registry territory has this name",
                "the label says district",
                "not a territory of a Kazakhstan publication",
            )
        ), issue.message
    assert got["territory_kind"].value_counts()["district"] > 150
