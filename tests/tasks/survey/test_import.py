"""Importing respondent-level files: margins, labels, refusals, idempotence, CLI."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from flows.cli import main
from tasks.sources.bundled import bundled_dir
from tasks.survey import aggregates
from tasks.survey.importer import ImportRefused, code_file, import_file

WAVE = "khromtau-2024-synthetic"
CORE = (
    "core.survey",
    "core.survey_wave",
    "core.survey_item",
    "core.survey_answer",
    "core.survey_respondent",
    "core.survey_response",
)


def snapshot(wh, path, tables=CORE):
    return {t: sorted(map(str, wh.rows(path, f"SELECT * FROM {t}"))) for t in tables}


# ---------------------------------------------------------------- the synthetic example


def test_synthetic_example_reproduces_tables_3_4_7_exactly(imported, wh):
    w, result = imported
    assert result.status == "loaded" and result.respondents == 50 and result.synthetic
    data = bundled_dir()
    t3 = pd.read_csv(data / "survey_respondents.csv")[["category", "respondents"]]
    got3 = aggregates.table3_long(w, WAVE)[["category", "respondents"]]
    pd.testing.assert_frame_equal(
        got3.sort_values("category", ignore_index=True),
        t3.sort_values("category", ignore_index=True),
        check_dtype=False,
    )
    key4 = ["area", "answer"]
    t4 = pd.read_csv(data / "survey_perception.csv")[[*key4, "respondents"]]
    got4 = wh.frame(
        w,
        "SELECT area, answer, respondents FROM core.v_survey_perception_count WHERE survey_id = ?",
        [WAVE],
    )
    pd.testing.assert_frame_equal(
        got4.sort_values(key4, ignore_index=True),
        t4.sort_values(key4, ignore_index=True),
        check_dtype=False,
    )
    key7 = ["measure", "score"]
    t7 = pd.read_csv(data / "survey_support_scores.csv")[[*key7, "respondents"]]
    got7 = wh.frame(
        w,
        "SELECT measure, score, respondents FROM core.v_survey_support_score_count "
        "WHERE survey_id = ?",
        [WAVE],
    )
    pd.testing.assert_frame_equal(
        got7.sort_values(key7, ignore_index=True),
        t7.sort_values(key7, ignore_index=True),
        check_dtype=False,
    )
    # the printed layouts: Table 4's job row and Table 7's totals row
    wide4 = aggregates.table4(w, WAVE).set_index("area")
    assert wide4.loc["job", ["improved_significantly", "unchanged", "n"]].tolist() == [10, 13, 50]
    wide7 = aggregates.table7(w, WAVE).set_index("score")
    assert wide7.loc["respondents"].tolist() == [50] * 6
    assert wide7.loc["10", "information_consulting"] == 7


def test_wave_is_flagged_synthetic_everywhere(imported, wh):
    w, result = imported
    assert "file name" in result.synthetic_reason and "meta.json" in result.synthetic_reason
    [(synthetic, desc)] = wh.rows(
        w, "SELECT synthetic, description FROM core.survey WHERE survey_id = ?", [WAVE]
    )
    assert synthetic is True and desc.startswith("SYNTHETIC")
    for table in ("survey_item_summary", "survey_reliability", "survey_association"):
        flags = wh.rows(
            w, f"SELECT DISTINCT synthetic, note LIKE 'SYNTHETIC%' FROM results.{table}"
        )
        assert flags == [(True, True)], table
    # the study's aggregate tables (what paper_reproduction reads) never see the wave
    for table in ("survey_perception_count", "survey_support_score_count"):
        assert wh.rows(w, f"SELECT count(*) FROM core.{table} WHERE survey_id = ?", [WAVE]) == [
            (0,)
        ]


def test_reimport_is_idempotent(imported, wh, example, codebook):
    w, _ = imported
    tables = (*CORE, "raw.payload", "meta.quality_issue", "results.survey_item_correlation")
    before = snapshot(wh, w, tables)
    runs = wh.rows(w, "SELECT count(*) FROM meta.pipeline_run")[0][0]
    again = import_file(example, codebook=codebook, survey_id=WAVE, warehouse=w)
    assert again.status == "unchanged"
    assert snapshot(wh, w, tables) == before
    assert wh.rows(w, "SELECT count(*) FROM meta.pipeline_run")[0][0] == runs + 1


def test_the_raw_file_is_archived_and_recorded(imported, wh, example):
    w, result = imported
    assert Path(result.archive_path).read_bytes() == example.read_bytes()
    [(source, kind)] = wh.rows(
        w, "SELECT source, kind FROM raw.payload WHERE content_hash = ?", [result.payload_hash]
    )
    assert (source, kind) == ("survey", "survey_response")


# ---------------------------------------------------------------- a filled template


def ru_rows(codebook):
    """Six respondents answering in Russian (labels, variants, numbers)."""
    base = {
        "gender": "Женский",
        "age_group": "40-49 лет",
        "business_category": "Малый бизнес",
        "jobs_number": "Недостаточно",
        "infrastructure_satisfaction": "Скорее удовлетворен",
        "support_effectiveness": "Частично эффективны",
        "incentives_needed": "Льготные кредиты; Информационно-консультационная поддержка",
        "social_projects_impact": "Не влияет",
    }
    answers = ["Ситуация значительно улучшилась", "ситуация НЕ изменилась", "Без изменений"]
    out = []
    for r in range(6):
        row = {"respondent_id": f"R{r + 1}", **base}
        for it in codebook.items:
            if it.role == "perception":
                row[it.id] = answers[r % 3]
            elif it.role == "support":
                row[it.id] = str(1 + (r * 3 + it.position) % 10)
        out.append(row)
    out[1]["business_category"] = "  СРЕДНИЙ   бизнес "
    out[2]["business_category"] = "Крупный бизнес"
    out[2]["gender"] = "мужской"
    # a checkbox answer as Google Forms joins it (", "), with a comma inside one option
    out[3]["incentives_needed"] = (
        "Прямая финансовая помощь (субсидии, гранты и т.д.), Гарантирование кредитов"
    )
    out[4]["incentives_needed"] = ""
    return out


def fill_template(survey_dir, codebook, dest, rows):
    """Fill the committed XLSX template's responses sheet with ``rows``."""
    src = survey_dir / "templates" / "khromtau_2024_template.xlsx"
    shutil.copyfile(src, dest)
    wb = load_workbook(dest)
    ws = wb["responses"]
    for r in rows:
        ws.append([r.get(c, "") for c in codebook.columns])
    wb.save(dest)
    return dest


def test_filled_template_in_russian_imports_cleanly(tmp_path, codebook, survey_dir, wh):
    path = fill_template(survey_dir, codebook, tmp_path / "khromtau_2025.xlsx", ru_rows(codebook))
    w = tmp_path / "w.duckdb"
    result = import_file(
        path, codebook=codebook, survey_id="khromtau-2025", warehouse=w, analyse=False
    )
    assert result.status == "loaded" and not result.synthetic and result.errors == []
    assert result.respondents == 6
    got = dict(
        wh.rows(
            w,
            "SELECT respondent_id, answer FROM core.survey_response WHERE item = "
            "'business_category'",
        )
    )
    assert got["R1"] == "small_business" and got["R2"] == "medium_business"
    assert got["R3"] == "big_business"
    job = dict(wh.rows(w, "SELECT respondent_id, value FROM core.survey_response WHERE item='job'"))
    assert job == {"R1": 5, "R2": 3, "R3": 3, "R4": 5, "R5": 3, "R6": 3}
    chosen = wh.rows(
        w,
        "SELECT respondent_id, item FROM core.survey_response WHERE item LIKE 'incentives_needed.%'"
        " AND value = 1 ORDER BY 1, 2",
    )
    assert ("R1", "incentives_needed.preferential_loans") in chosen
    assert ("R4", "incentives_needed.direct_financial_assistance") in chosen
    assert ("R4", "incentives_needed.loan_guarantee") in chosen
    assert not [r for r in chosen if r[0] == "R5"]  # blank checkbox answer: no rows
    [(period, synthetic)] = wh.rows(w, "SELECT period, synthetic FROM core.survey_wave")
    assert (period, synthetic) == ("2025", False)


def test_csv_in_windows_1251_with_semicolons_and_form_headers(tmp_path, codebook):
    rows = ru_rows(codebook)
    headers = {c: c for c in codebook.columns}
    headers["respondent_id"] = "ID респондента"
    headers["gender"] = "Ваш пол?"  # a one-item question's text
    q4 = codebook.item["job"].question_ru
    for it in codebook.items:
        if it.role == "perception":
            headers[it.id] = f"{q4} [{it.ru}]"  # Google Forms grid header
    frame = pd.DataFrame(rows)[codebook.columns].rename(columns=headers)
    frame.insert(0, "Отметка времени", "2025-03-01 10:00")
    data = frame.to_csv(index=False, sep=";").encode("cp1251")
    coded = code_file(data, "export.csv", codebook)
    assert coded.errors == [] and coded.issues == []
    assert coded.frame["job"].tolist() == [5, 3, 3, 5, 3, 3]
    assert coded.frame["gender"].tolist() == [2, 2, 1, 2, 2, 2]


# ---------------------------------------------------------------- refusals


def damaged_rows(codebook):
    rows = ru_rows(codebook)
    rows[1]["job"] = "Отлично"  # file row 3: unknown label
    rows[3]["respondent_id"] = "R2"  # file row 5: duplicate of row 3
    rows[4]["business_category"] = ""  # file row 6: required answer missing
    rows[5]["preferential_loans"] = "11"  # file row 7: score outside 1..10
    return rows


def test_damaged_file_is_refused_row_by_row(tmp_path, codebook, survey_dir, wh):
    w = tmp_path / "w.duckdb"
    good = fill_template(survey_dir, codebook, tmp_path / "wave.xlsx", ru_rows(codebook))
    import_file(good, codebook=codebook, survey_id="khromtau-2025", warehouse=w, analyse=False)
    before = snapshot(wh, w)
    bad = fill_template(survey_dir, codebook, tmp_path / "wave_v2.xlsx", damaged_rows(codebook))
    with pytest.raises(ImportRefused) as exc:
        import_file(bad, codebook=codebook, survey_id="khromtau-2025", warehouse=w)
    found = {(i.check_name, i.file_row, i.column_name) for i in exc.value.issues}
    assert found == {
        ("known_answer", 3, "job"),
        ("unique_respondent", 3, "respondent_id"),
        ("unique_respondent", 5, "respondent_id"),
        ("required_answer", 6, "business_category"),
        ("answer_in_scale", 7, "preferential_loans"),
    }
    text = str(exc.value)
    assert "wave_v2.xlsx row 3, column 'job', respondent R2: 'Отлично'" in text
    assert "same id in row 5" in text
    assert "row 6, column 'business_category', respondent R5: (empty)" in text
    assert "row 7, column 'preferential_loans', respondent R6: '11'" in text
    assert "a whole number from 1 to 10" in text
    assert snapshot(wh, w) == before  # core unchanged
    recorded = wh.rows(
        w,
        "SELECT file, file_row, column_name, check_name FROM meta.quality_issue "
        "WHERE severity = 'error' ORDER BY file_row, check_name",
    )
    assert ("wave_v2.xlsx", 7, "preferential_loans", "answer_in_scale") in recorded
    assert len(recorded) == 5
    [(status,)] = wh.rows(
        w, "SELECT status FROM meta.pipeline_run WHERE message LIKE '%wave_v2.xlsx%'"
    )
    assert status == "failed"


def test_structural_problems_are_refused(tmp_path, codebook):
    data = b"respondent;job\nR1;3\n"
    coded = code_file(data, "short.csv", codebook)
    missing = {i.column_name for i in coded.errors if i.check_name == "required_column"}
    assert "business_category" in missing and "preferential_loans" in missing
    data = b"job;something else\n3;x\n"
    checks = {i.check_name for i in code_file(data, "x.csv", codebook).issues}
    assert {"respondent_column", "unknown_column"} <= checks
    assert code_file(b"", "empty.csv", codebook).errors[0].check_name == "readable"


def test_wave_ids_of_the_study_aggregates_and_unknown_towns_are_refused(
    tmp_path, codebook, example
):
    w = tmp_path / "w.duckdb"
    with pytest.raises(ImportRefused, match="wave_is_aggregate"):
        import_file(example, codebook=codebook, survey_id="khromtau-2024-study", warehouse=w)
    with pytest.raises(ImportRefused, match="known_town"):
        import_file(example, codebook=codebook, survey_id="x-2024", town_id="atlantis", warehouse=w)


# ---------------------------------------------------------------- the command line


def test_cli_import_refusal_and_success(tmp_path, codebook, survey_dir, example, capsys):
    w = str(tmp_path / "w.duckdb")
    bad = fill_template(survey_dir, codebook, tmp_path / "bad.xlsx", damaged_rows(codebook))
    args = ["survey", "import", str(bad), "--codebook", "khromtau_2024", "--warehouse", w]
    assert main([*args, "--wave", "khromtau-2025"]) == 1
    err = capsys.readouterr().err
    assert "import refused" in err and "bad.xlsx row 7, column 'preferential_loans'" in err
    good = ["survey", "import", str(example), "--codebook", "khromtau_2024", "--warehouse", w]
    assert main([*good, "--wave", WAVE, "--no-analyse"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "respondents: 50" in out
    assert main(["survey", "tables", "--wave", WAVE, "--warehouse", w, "--format", "csv"]) == 0
    assert "information_consulting" in capsys.readouterr().out
    assert main(["survey", "analyse", "--warehouse", w]) == 0
    assert main(["survey", "template", "--codebook", "khromtau_2024", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "khromtau_2024_template.xlsx").is_file()
    with pytest.raises(SystemExit) as usage:
        main(["survey", "import", str(example)])  # no --codebook / --wave
    assert usage.value.code == 2


def test_cli_analyse_records_its_run(tmp_path, example, wh, capsys):
    """`monotowns survey analyse` is a write session like any run: a `meta.pipeline_run` row
    with its own run id, status and the rows it wrote."""
    w = str(tmp_path / "w.duckdb")
    good = ["survey", "import", str(example), "--codebook", "khromtau_2024", "--warehouse", w]
    assert main([*good, "--wave", WAVE, "--no-analyse"]) == 0
    before = wh.rows(w, "SELECT run_id FROM meta.pipeline_run")
    assert main(["survey", "analyse", "--warehouse", w]) == 0
    printed = capsys.readouterr().out
    runs = wh.rows(
        w,
        "SELECT run_id, status, row_counts, parameters, finished_at IS NOT NULL "
        "FROM meta.pipeline_run WHERE flow = 'survey_analyse'",
    )
    [(run_id, status, counts, params, finished)] = runs
    assert (run_id,) not in before and status == "completed" and finished
    assert json.loads(params) == {"warehouse": w}
    counts = json.loads(counts)
    assert counts["results.survey_item_summary"] > 0
    for table, n in counts.items():  # what the command printed
        assert f"{table:<40} {n:>8}" in printed
    assert len(wh.rows(w, "SELECT run_id FROM meta.pipeline_run")) == len(before) + 1
