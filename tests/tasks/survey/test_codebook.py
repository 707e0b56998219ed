"""The codebook format, the bundled Khromtau codebook, templates and the synthetic example."""

import pandas as pd
import pytest
from openpyxl import load_workbook

from schemas.inputs import ANSWERS
from tasks.sources.bundled import bundled_dir
from tasks.survey import make_synthetic
from tasks.survey.codebook import CodebookError, normalize, parse_codebook, write_templates


def test_change_scale_codes_follow_the_answers_reversed(codebook):
    scale = codebook.scales["change5"]
    assert [a.key for a in scale.answers] == list(ANSWERS)
    assert [a.code for a in scale.answers] == [5, 4, 3, 2, 1]  # 5 = improved significantly


def test_items_use_the_bundled_area_measure_and_category_codes(codebook):
    data = bundled_dir()
    areas = set(pd.read_csv(data / "survey_perception.csv")["area"])
    measures = set(pd.read_csv(data / "survey_support_scores.csv")["measure"])
    cats = set(pd.read_csv(data / "survey_respondents.csv")["category"])
    assert {i.id for i in codebook.items if i.role == "perception"} == areas
    assert {i.id for i in codebook.items if i.role == "support"} == measures
    assert {a.key for a in codebook.category_item().scale.answers} == cats
    assert {c.id: len(c.items) for c in codebook.composites} == {"perception": 9, "support": 6}
    # the ten questions of the study
    assert len({i.question for i in codebook.items}) == 10


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("  ситуация   ЗНАЧИТЕЛЬНО улучшилась. ", 5),
        ("Ситуация несколько улучшилась", 4),
        ("без изменений", 3),
        ("The situation has worsened somewhat", 2),
        ("WORSENED_SIGNIFICANTLY", 1),
        ("Значительно ухудшилась", 1),
        ("3", 3),
    ],
)
def test_answer_labels_match_case_and_space_insensitively(codebook, text, code):
    assert codebook.scales["change5"].lookup[normalize(text)] == code


def test_headers_accept_ids_labels_and_question_texts(codebook):
    look = codebook.header_lookup
    assert look[normalize("Работа")] == "job"
    assert look[normalize("Water supply (cold water)")] == "water_supply"
    assert look[normalize("Ваш пол?")] == "gender"  # one-item question: its text
    assert look[normalize("ID респондента")] == "respondent_id"
    assert look[normalize("Отметка времени")] == ""  # form timestamp: ignored


def _doc(**over):
    doc = {
        "codebook": "t",
        "scales": {"s": {"type": "ordinal", "answers": [{"code": 1, "key": "a", "en": "A"}]}},
        "questions": [{"id": "q1", "items": [{"item": "x", "scale": "s"}]}],
    }
    doc.update(over)
    return doc


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        (_doc(scales={"s": {"type": "weird", "answers": []}}), "type must be one of"),
        (_doc(questions=[{"id": "q1", "items": [{"item": "x", "scale": "nope"}]}]), "unknown"),
        (
            _doc(
                scales={
                    "s": {
                        "type": "nominal",
                        "answers": [
                            {"code": 1, "key": "a", "en": "Same"},
                            {"code": 2, "key": "b", "en": "same"},
                        ],
                    }
                }
            ),
            "is given for codes 1 and 2",
        ),
        (_doc(composites={"c": {"items": ["y"]}}), "unknown item 'y'"),
        (_doc(questions=[{"id": "q1", "items": [{"item": "Bad Id", "scale": "s"}]}]), "snake"),
    ],
)
def test_malformed_codebooks_are_refused_with_the_place(doc, needle):
    with pytest.raises(CodebookError, match=needle):
        parse_codebook(doc, name="t.yaml")


def test_committed_templates_are_what_the_generator_writes(codebook, tmp_path, survey_dir):
    csv_path, xlsx_path = write_templates(codebook, tmp_path)
    committed = survey_dir / "templates"
    assert csv_path.read_bytes() == (committed / csv_path.name).read_bytes()
    header = csv_path.read_text(encoding="utf-8-sig").strip().split(",")
    assert header == codebook.columns
    for path in (xlsx_path, committed / xlsx_path.name):
        wb = load_workbook(path)
        assert wb.sheetnames[0] == "responses"
        assert [c.value for c in wb["responses"][1]] == codebook.columns
        assert wb["codebook"].max_row == len(codebook.columns) + 1


def test_synthetic_example_is_reproducible_and_marked(tmp_path, example):
    written = make_synthetic.write(tmp_path / "ex", tmp_path / "tpl")
    assert written[0].read_bytes() == example.read_bytes()  # fixed seed: same file
    meta = (example.parent / "khromtau_synthetic_wave.meta.json").read_text(encoding="utf-8")
    assert '"synthetic": true' in meta
    frame = pd.read_csv(example, dtype=str)
    assert frame["respondent_id"].str.startswith("SYN-").all()
    assert len(frame) == 50
