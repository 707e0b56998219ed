"""The bad-input corpus: every case is a folder of input files and the outcome it must get.

Most cases go through ``monotowns validate DIR`` (the CLI's ``main``, in-process: no Prefect, a
few milliseconds a case); two go through the installed console script, and two through a real
``monotowns run --source files`` (blocked batch: exit 1, core/results unchanged, raw payloads
archived under ``<warehouse dir>/raw/files/<sha256>``, quality rows in ``meta.quality_issue``).

Refused means: exit 1 and an ``ERROR`` line naming the file, the row and column where there is
one, and the rule. Accepted means exit 0, no ``ERROR`` line, and, where the case is about
reading (encodings, delimiters, number formats), the values read exactly as meant. The table is
reproduced in docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flows.cli import main
from tasks.sources import bundled, files
from tasks.sources.base import sha256_bytes
from tasks.validate import validate_payloads
from tests.reliability.helpers import copy_warehouse, dump, integrity, monotowns, say
from warehouse import db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
OBS = "town_id,indicator_id,year,value\n"


def study(name: str) -> str:
    """A bundled study file as text (the analyst's format)."""
    return (bundled.bundled_dir() / name).read_text(encoding="utf-8")


def edited(name: str, old: str, new: str) -> str:
    text = study(name)
    assert old in text, f"{name}: {old!r} not found"
    return text.replace(old, new, 1)


def large_folder() -> dict[str, str]:
    """207,000 observations (1,000 towns x 9 indicators x 23 years), semicolon + decimal comma."""
    towns = "town_id,name_en,confirmed\n" + "".join(
        f"t{i:04d},Town {i},true\n" for i in range(1000)
    )
    # the study's indicators (catalogue ids), in the order its observations.csv first names them
    inds = list(
        dict.fromkeys(line.split(",")[1] for line in study("observations.csv").splitlines()[1:])
    )
    lines = ["town_id;indicator_id;year;value"]
    for i in range(1000):
        active = 10 + i % 7
        values = {
            "labour_active": active,
            "labour_employed": active - 0.5,
            "labour_unemployed": 500,
            "labour_unemployment_rate": round(50 / active, 1),
        }
        for y in range(2001, 2024):
            for ind in inds:
                value = str(values.get(ind, 1234.5)).replace(".", ",")
                lines.append(f"t{i:04d};{ind};{y};{value}")
    return {"towns.csv": towns, "observations.csv": "\n".join(lines) + "\n"}


@dataclass(frozen=True)
class Case:
    id: str
    input: str  # what is wrong (or unusual) with it, for the docs table
    files: dict[str, str | bytes] | Callable[[], dict[str, str | bytes]]
    outcome: str  # refused | accepted
    expect: tuple[str, ...] = ()  # on one ERROR line (refused) or WARNING line (accepted)
    values: dict[tuple[str, str, int], float] = field(default_factory=dict)  # read as meant
    check: Callable | None = None  # further checks on the validated batch


def _cp1251_towns(batch) -> None:
    row = batch.frames["towns"].iloc[0]
    assert (row["name_ru"], row["region"], bool(row["confirmed"])) == (
        "Жезказган",
        "Улытауская область",
        True,
    )


def _notes_intact(batch) -> None:
    assert list(batch.frames["observations"]["note"]) == ['revised; see "Table 2", p. 5']


def _no_cr(batch) -> None:
    assert all("\r" not in n for n in batch.frames["observations"]["note"].fillna(""))


def _one_row(batch) -> None:
    assert len(batch.frames["observations"]) == 1


def _bom_columns(batch) -> None:
    # town_id read as the first column despite the BOM (mapped to the town proper's territory)
    assert list(batch.frames["observations"]["territory_id"]) == ["town_khromtau"]


def _large(batch) -> None:
    assert len(batch.frames["observations"]) == 207_000


K = ("khromtau",)
CASES = [
    # ---- read correctly (accepted)
    Case("cp1251", "towns.csv in Windows-1251 (Excel, Russian locale), `;`, да/нет booleans",
         {"towns.csv": "town_id;name_en;name_ru;region;confirmed\n"
                       "zhezkazgan;Zhezkazgan;Жезказган;Улытауская область;да\n"
                       .encode("cp1251"),
          "observations.csv": OBS + "zhezkazgan,labour_active,2020,10.5\n"},
         "accepted", values={("zhezkazgan", "labour_active", 2020): 10.5}, check=_cp1251_towns),
    Case("utf8-bom", "UTF-8 with BOM", {"observations.csv": "\ufeff" + OBS +
                                         "khromtau,labour_active,2020,13.8\n"},
         "accepted", values={(*K, "labour_active", 2020): 13.8}, check=_bom_columns),
    Case("semicolon-decimal-comma", "`;` delimiter, decimal comma, space thousands",
         {"observations.csv": "town_id;indicator_id;year;value\n"
                              "khromtau;labour_active;2020;13,8\n"
                              "khromtau;grp_services;2021;7 760,6\n"
                              "khromtau;labour_self_employed;2023;1 395\n"},
         "accepted", values={(*K, "labour_active", 2020): 13.8,
                             (*K, "grp_services", 2021): 7760.6,
                             (*K, "labour_self_employed", 2023): 1395.0}),
    Case("tab-delimited", "tab delimiter, decimal comma",
         {"observations.csv": OBS.replace(",", "\t") + "khromtau\tlabour_active\t2020\t13,8\n"},
         "accepted", values={(*K, "labour_active", 2020): 13.8}),
    Case("quoted-delimiters", "quoted cells holding `,` `;` and `\"\"`",
         {"observations.csv": "town_id,indicator_id,year,value,note\n"
                              'khromtau,labour_active,2020,"13,8","revised; see ""Table 2"", '
                              'p. 5"\n'},
         "accepted", values={(*K, "labour_active", 2020): 13.8}, check=_notes_intact),
    Case("crlf", "Windows CRLF line endings",
         {"observations.csv": "town_id,indicator_id,year,value,note\r\n"
                              "khromtau,labour_active,2020,13.8,last column\r\n"},
         "accepted", values={(*K, "labour_active", 2020): 13.8}, check=_no_cr),
    Case("trailing-empty-lines", "trailing blank lines and empty `,,,` rows",
         {"observations.csv": OBS + "khromtau,labour_active,2020,13.8\n\n\n,,,\n\n"},
         "accepted", values={(*K, "labour_active", 2020): 13.8}, check=_one_row),
    Case("nbsp-thousands", "non-breaking (and narrow) spaces as thousands separators",
         {"observations.csv": OBS + "khromtau,labour_self_employed,2023,1\u00a0395\n"
                                    'khromtau,grp_services,2021,"4\u202f567,5"\n'},
         "accepted", values={(*K, "labour_self_employed", 2023): 1395.0,
                             (*K, "grp_services", 2021): 4567.5}),
    Case("decimal-comma-3-digits", "`0,125` and `13,800` (decimal comma, not thousands)",
         {"observations.csv": OBS + 'khromtau,labour_unemployment_rate,2020,"0,125"\n'
                                    'khromtau,labour_active,2019,"13,800"\n'},
         "accepted", values={(*K, "labour_unemployment_rate", 2020): 0.125,
                             (*K, "labour_active", 2019): 13.8}),
    Case("english-notation", "`1,234.5` and `7,760,600` (English thousands)",
         {"observations.csv": OBS + 'khromtau,grp_services,2021,"1,234.5"\n'
                                    'khromtau,grp_industry,2021,"7,760,600"\n'},
         "accepted", values={(*K, "grp_services", 2021): 1234.5,
                             (*K, "grp_industry", 2021): 7760600.0}),
    Case("xlsx-ok", "a good XLSX (numeric and text cells, a blank row)",
         lambda: {"observations.xlsx": (FIXTURES / "observations.xlsx").read_bytes()},
         "accepted", values={(*K, "labour_active", 2020): 13.8,
                             (*K, "labour_employed", 2020): 13.3,
                             (*K, "grp_services", 2021): 4567.5}),
    Case("header-only", "header, no data rows", {"observations.csv": OBS},
         "accepted", ("observations.csv: has a header but no data rows",)),
    Case("extra-column", "an unknown column",
         {"observations.csv": "town_id,indicator_id,year,value,comment\n"
                              "khromtau,labour_active,2020,13.8,checked\n"},
         "accepted", ("observations.csv: unknown column(s) comment ignored",),
         values={(*K, "labour_active", 2020): 13.8}),
    Case("unknown-extra-file", "an extra file the pipeline does not know",
         {"observations.csv": OBS + "khromtau,labour_active,2020,13.8\n",
          "notes.txt": "call Aigerim about 2021"},
         "accepted", ("notes.txt: file name is not one of the known inputs",)),
    Case("large-200k", "207,000 rows, 7 MB (1,000 towns)", large_folder, "accepted",
         check=_large),
    # ---- unreadable (refused)
    Case("empty-file", "0 bytes", {"observations.csv": ""}, "refused",
         ("observations.csv: file is empty",)),
    Case("whitespace-only", "blank lines only", {"observations.csv": "  \n\n"}, "refused",
         ("observations.csv: file is empty",)),
    Case("html-error-page", "an HTML error page saved as .csv",
         {"observations.csv": "\n<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title>"
                              "</head><body>nginx</body></html>\n"},
         "refused", ("observations.csv: looks like HTML/JSON, not a CSV table",)),
    Case("json-as-csv", "a JSON API answer saved as .csv",
         {"observations.csv": '{"error": "Not found", "data": []}'},
         "refused", ("observations.csv: looks like HTML/JSON, not a CSV table",)),
    Case("xlsx-truncated", "an XLSX cut off halfway (interrupted download)",
         lambda: {"observations.xlsx": (FIXTURES / "observations_truncated.xlsx").read_bytes()},
         "refused", ("observations.xlsx: not a readable XLSX workbook",)),
    Case("binary", "binary garbage named .csv",
         {"observations.csv": b"\x00\x01\x02\xff\xfe\x00garbage"}, "refused",
         ("observations.csv: contains NUL bytes",)),
    Case("utf16", "UTF-16 text (Excel 'Unicode text')",
         {"observations.csv": (OBS + "khromtau,labour_active,2020,13.8\n").encode("utf-16")},
         "refused", ("observations.csv: contains NUL bytes",)),
    Case("ragged-row", "a row with more cells than the header (unquoted delimiter)",
         {"observations.csv": OBS + "khromtau,labour_active,2019,13.5\n"
                                    "khromtau,labour_active,2020,13,8,note\n"},
         "refused", ("observations.csv row 3: 6 cells, but the header has 4",)),
    Case("duplicate-column", "the same column twice",
         {"observations.csv": "town_id,indicator_id,year,value,value\n"
                              "khromtau,labour_active,2020,13.8,13.9\n"},
         "refused", ("observations.csv: column(s) value appear more than once",)),
    Case("no-known-file", "only unknown files in the folder", {"notes.txt": "hello"},
         "refused", ("no known input file in",)),
    # ---- structure and types (refused)
    Case("missing-column", "a required column missing",
         {"observations.csv": "town_id,year,value\nkhromtau,2020,13.8\n"}, "refused",
         ("observations.csv: missing required column(s) indicator_id",)),
    Case("empty-required", "an empty required cell",
         {"observations.csv": OBS + ",labour_active,2020,13.8\n"}, "refused",
         ("observations.csv row 2, column town_id: must not be empty",)),
    Case("text-in-number", "text where a number belongs",
         {"observations.csv": OBS + "khromtau,labour_active,2020,abc\n"}, "refused",
         ("observations.csv row 2, column value: 'abc' must be a number",)),
    Case("garbled-number", "`105 6` (a space inside a number)",
         {"observations.csv": OBS + "khromtau,labour_self_employed,2015,105 6\n"}, "refused",
         ("observations.csv row 2, column value: '105 6' must be a number",)),
    Case("scientific-notation", "`1e3`",
         {"observations.csv": OBS + "khromtau,grp_mining,2020,1e3\n"}, "refused",
         ("observations.csv row 2, column value: '1e3' must be a number",)),
    Case("year-fraction", "year `2020.5`",
         {"observations.csv": OBS + "khromtau,labour_active,2020.5,13.8\n"}, "refused",
         ("observations.csv row 2, column year: '2020.5' must be a whole number",)),
    Case("bad-boolean", "towns.csv confirmed = `maybe`",
         {"towns.csv": "town_id,name_en,confirmed\nkhromtau,Khromtau,maybe\n"}, "refused",
         ("towns.csv row 2, column confirmed: 'maybe' must be true/false",)),
    Case("blank-row-numbering", "a blank row before a bad row (row numbers as Excel shows)",
         {"observations.csv": OBS + "khromtau,labour_active,2019,13.5\n\n"
                                    "khromtau,labour_active,2020,abc\n"},
         "refused", ("observations.csv row 4, column value: 'abc'",)),
    # ---- values and keys (refused)
    Case("duplicate-key", "the same town, indicator, year twice",
         {"observations.csv": OBS + "khromtau,labour_active,2020,13.8\n"
                                    "khromtau,labour_active,2020,13.9\n"},
         "refused", ("observations.csv row 3, column town_id, indicator_id, year",
                     "[unique_key]")),
    Case("duplicate-town", "towns.csv lists a town twice",
         {"towns.csv": "town_id,name_en,confirmed\nkhromtau,Khromtau,true\n"
                       "khromtau,Khromtau 2,true\n"},
         "refused", ("towns.csv row 3, column town_id", "[unique_key]")),
    Case("negative-value", "a negative count of persons",
         {"observations.csv": OBS + "khromtau,labour_unemployed,2020,-5\n"}, "refused",
         ("observations.csv row 2, column value", "[non_negative]")),
    Case("negative-survey-count", "a negative answer count",
         {"surveys.csv": study("surveys.csv"),
          "survey_perception.csv": edited("survey_perception.csv", ",10,Table 4,",
                                          ",-3,Table 4,")},
         "refused", ("survey_perception.csv row 2, column respondents", "[non_negative]")),
    Case("future-year", "year 2099", {"observations.csv": OBS + "khromtau,labour_active,2099,13\n"},
         "refused", ("observations.csv row 2, column year", "2099", "[year_range]")),
    Case("year-before-1991", "year 1985",
         {"observations.csv": OBS + "khromtau,labour_active,1985,13\n"}, "refused",
         ("observations.csv row 2, column year", "[year_range]")),
    Case("unknown-town", "a town not in towns.csv or the bundled list",
         {"observations.csv": OBS + "atlantis,labour_active,2020,13.8\n"}, "refused",
         ("observations.csv row 2, column town_id: 'atlantis'", "[known_town]")),
    Case("unknown-territory-kind", "territory_kind `city_administration` for a town that lies in "
         "a district (no such territory in the registry)",
         lambda: {"observations.csv":
                  (FIXTURES / "observations_unknown_territory.csv").read_bytes()},
         "refused", ("observations.csv row 3, column territory_kind", "'city_administration'",
                     "[known_territory]")),
    Case("territory-kind-district", "a figure for the district containing the town "
         "(`territory_kind` = district, spelled `District containing the town`)",
         {"observations.csv": "town_id,indicator_id,year,territory_kind,value\n"
                              "kulsary,population,2023,District containing the town,86367\n"},
         "accepted", values={("district_zhylyoi", "population", 2023): 86367.0}),
    Case("unknown-indicator", "an indicator not in the catalogue or the folder's indicators.csv",
         {"observations.csv": OBS + "khromtau,gdp_per_capita,2020,13.8\n"}, "refused",
         ("observations.csv row 2, column indicator_id: 'gdp_per_capita'",
          "[known_indicator]")),
    Case("rate-over-100", "unemployment rate 130 %",
         {"observations.csv": OBS + "khromtau,labour_unemployment_rate,2020,130\n"}, "refused",
         ("observations.csv row 2, column value", "130", "[rate_at_most_100]")),
    Case("employed-gt-active", "employed 14.0 > economically active 13.0 (thousand)",
         {"observations.csv": OBS + "khromtau,labour_active,2020,13\n"
                                    "khromtau,labour_employed,2020,14\n"},
         "refused", ("observations.csv: labour market khromtau|2020", "employed=14.0",
                     "[employed_le_active]")),
    Case("survey-counts-exceed", "answer counts adding up to more than the respondents",
         {"surveys.csv": study("surveys.csv"),
          "survey_perception.csv": edited("survey_perception.csv", ",10,Table 4,",
                                          ",110,Table 4,")},
         "refused", ("survey_perception.csv", "counts add up to 150, respondents 50",
                     "[counts_exceed_respondents]")),
    Case("invalid-answer", "answer `very_good` (not one of the 5 categories)",
         {"surveys.csv": study("surveys.csv"),
          "survey_perception.csv": edited("survey_perception.csv", "improved_significantly",
                                          "very_good")},
         "refused", ("survey_perception.csv row 2, column answer", "[answer_category]")),
    Case("score-11", "a support score of 11",
         {"surveys.csv": study("surveys.csv"),
          "survey_support_scores.csv": edited("survey_support_scores.csv",
                                              "Special preferential loans,1,3,",
                                              "Special preferential loans,11,3,")},
         "refused", ("survey_support_scores.csv row 2, column score", "[score_1_10]")),
    Case("duplicate-input", "observations.csv and observations.xlsx together",
         lambda: {"observations.csv": OBS + "khromtau,labour_active,2020,13.8\n",
                  "observations.xlsx": (FIXTURES / "observations.xlsx").read_bytes()},
         "refused", ("observations.csv, observations.xlsx:", "the same input is given twice")),
]  # fmt: skip


def _files(case: Case) -> dict[str, str | bytes]:
    return case.files() if callable(case.files) else case.files


def _write(folder: Path, case: Case) -> Path:
    folder.mkdir(parents=True)
    for name, content in _files(case).items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


@dataclass
class Result:
    code: int
    lines: list[str]
    seconds: float
    batch: object = None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Result]:
    """Every case through ``monotowns validate`` (the CLI's main, in-process)."""
    base = tmp_path_factory.mktemp("corpus")
    out = {}
    for case in CASES:
        folder = _write(base / case.id, case)
        buf = io.StringIO()
        t0 = time.monotonic()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            code = main(["validate", str(folder)])
        seconds = time.monotonic() - t0
        batch = None
        if code == 0 and (case.values or case.check):
            batch = validate_payloads(files.read_folder(folder), reference=bundled.read_bundled())
        out[case.id] = Result(code, buf.getvalue().splitlines(), seconds, batch)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(corpus, case):
    res = corpus[case.id]
    errors = [line for line in res.lines if line.startswith(("ERROR", "monotowns validate:"))]
    if case.outcome == "refused":
        assert res.code == 1, "\n".join(res.lines)
        assert any(all(f in line for f in case.expect) for line in errors), "\n".join(res.lines)
        return
    assert res.code == 0 and not errors, "\n".join(res.lines)
    if case.expect:
        warnings = [line for line in res.lines if line.startswith("WARNING")]
        assert any(all(f in w for f in case.expect) for w in warnings), "\n".join(res.lines)
    if case.values:
        obs = res.batch.frames["observations"]
        # keyed by territory: a town proper (town_<id>) by its town id, others by territory id
        got = {
            (r.territory_id.removeprefix("town_"), r.indicator_id, int(r.year)): r.value
            for r in obs.itertuples()
        }
        for key, value in case.values.items():
            assert got[key] == pytest.approx(value, abs=1e-12), key
    if case.check:
        case.check(res.batch)


def test_corpus_summary(corpus, capsys):
    refused = sum(r.code == 1 for r in corpus.values())
    accepted = sum(r.code == 0 for r in corpus.values())
    slowest = max(corpus, key=lambda k: corpus[k].seconds)
    say(
        capsys,
        f"cases: {len(CASES)}, refused: {refused}, accepted: {accepted} (validate, in-process; "
        f"slowest {slowest}: {corpus[slowest].seconds:.1f} s)",
    )
    assert refused + accepted == len(CASES) >= 30
    assert corpus["large-200k"].seconds < 60


def test_corpus_table_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text()
    missing = [c.id for c in CASES if f"`{c.id}`" not in doc]
    assert not missing, f"docs/reliability.md lacks corpus rows: {missing}"


def test_validate_console_script(tmp_path, plain_env):
    """The installed script gives the same exit codes and messages as the in-process main."""
    by_id = {c.id: c for c in CASES}
    for case_id, code in (("html-error-page", 1),):
        folder = _write(tmp_path / case_id, by_id[case_id])
        r = monotowns("validate", folder, env=plain_env)
        assert r.returncode == code, r.stdout + r.stderr
        assert all(f in r.stdout for f in by_id[case_id].expect)


# ------------------------------------------------------------------ blocked runs, end to end


def _blocked_run(run_env, base_run, tmp_path, folder: Path):
    w = copy_warehouse(base_run.warehouse, tmp_path / "wh")
    r = monotowns("run", "--warehouse", w, "--source", "files", "--input", folder, env=run_env)
    assert r.returncode == 1, r.stdout + r.stderr
    # the CLI's own message (Prefect also logs the flow's exception above it)
    assert "monotowns run failed: " in r.stderr
    assert "error(s) blocked the run; nothing was loaded into core or results" in r.stderr
    assert dump(w) == base_run.dump  # core and results unchanged
    integrity(w)
    for p in folder.iterdir():  # every file archived as received, even unreadable ones
        data = p.read_bytes()
        archived = w.parent / "raw" / "files" / sha256_bytes(data)
        assert archived.read_bytes() == data, p.name
    with db.connect_readonly(w) as con:
        issues = con.execute(
            "SELECT file, check_name, severity FROM meta.quality_issue WHERE last_run_id = "
            "(SELECT run_id FROM meta.pipeline_run ORDER BY started_at DESC LIMIT 1)"
        ).fetchall()
        [(status, message)] = con.execute(
            "SELECT status, message FROM meta.pipeline_run ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
        payloads = {h for (h,) in con.execute("SELECT content_hash FROM raw.payload").fetchall()}
    assert status == "failed" and "blocked the run" in message
    assert {sha256_bytes(p.read_bytes()) for p in folder.iterdir()} <= payloads
    return r, set(issues)


@pytest.mark.slow
def test_blocked_run_several_bad_files(run_env, base_run, tmp_path, capsys):
    by_id = {c.id: c for c in CASES}
    folder = tmp_path / "in"
    folder.mkdir()
    for case_id in ("html-error-page", "score-11", "unknown-extra-file"):
        for name, content in _files(by_id[case_id]).items():
            if name == "observations.csv" and case_id != "html-error-page":
                continue
            data = content.encode("utf-8") if isinstance(content, str) else content
            (folder / name).write_bytes(data)
    r, issues = _blocked_run(run_env, base_run, tmp_path, folder)
    assert "observations.csv: looks like HTML/JSON" in r.stderr
    assert "survey_support_scores.csv row 2, column score" in r.stderr
    assert {
        ("observations.csv", "readable", "error"),
        ("survey_support_scores.csv", "score_1_10", "error"),
        ("notes.txt", "unknown_file", "warning"),
    } <= issues
    say(capsys, f"blocked run: exit 1, {len(issues)} quality rows: {sorted(issues)}")


@pytest.mark.slow
def test_blocked_run_truncated_xlsx(run_env, base_run, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "observations.xlsx").write_bytes(
        (FIXTURES / "observations_truncated.xlsx").read_bytes()
    )
    r, issues = _blocked_run(run_env, base_run, tmp_path, folder)
    assert "observations.xlsx: not a readable XLSX workbook" in r.stderr
    assert ("observations.xlsx", "readable", "error") in issues
