"""The Khromtau study's own inputs: Tables 5 and 8 as printed and the numbers it publishes.

Each is an :class:`~schemas.inputs.InputSpec` like the generic inputs (same reader, same pandera
severities); :data:`CORE_TABLES` says where each is loaded and :data:`RULES` explains the study's
own checks (:mod:`.checks`).
"""

from __future__ import annotations

from datetime import date

from schemas.inputs import InputSpec, answer_col, unique_schema

RULES: dict[str, str] = {
    "matches_table4": "a Table 5 count should equal the same cell of Table 4",
    "rank_recomputed": "a printed rank should equal the rank recomputed from the values",
}

# input name -> core table (the study's migrations/001_study_tables.sql declares its columns and
# key); see RENAMES
CORE_TABLES: dict[str, str] = {
    "survey_table5": "core.survey_table5",
    "survey_paired_values": "core.survey_paired_value",
    "published": "core.published_number",
}
# input name -> {input column: core column} where the names differ
RENAMES: dict[str, dict[str, str]] = {"published": {"value": "published_value"}}


def input_specs(today: date | None = None) -> dict[str, InputSpec]:
    """The study's input specs (no date-dependent rule: ``today`` is accepted for the protocol)."""
    del today
    return {
        "survey_table5": InputSpec(
            "survey_table5",
            {
                "survey_id": "str",
                "answer": "str",
                "job": "number",
                "entrepreneurship": "number",
                "rank_job": "number",
                "rank_entrepreneurship": "number",
                "source_table": "str",
                "note": "str",
            },
            required=("survey_id", "answer"),
            key=("survey_id", "answer"),
            optional=(
                "job",
                "entrepreneurship",
                "rank_job",
                "rank_entrepreneurship",
                "source_table",
                "note",
            ),
            description="Study Table 5 as printed: Job and entrepreneurship counts and ranks.",
            errors=unique_schema(["survey_id", "answer"], {"answer": answer_col()}),
        ),
        "survey_paired_values": InputSpec(
            "survey_paired_values",
            {
                "survey_id": "str",
                "row": "int",
                "x": "number",
                "y": "number",
                "rank_x": "number",
                "rank_y": "number",
                "source_table": "str",
                "note": "str",
            },
            required=("survey_id", "row"),
            key=("survey_id", "row"),
            optional=("x", "y", "rank_x", "rank_y", "source_table", "note"),
            description="Study Table 8 as printed: paired values and their printed ranks.",
            errors=unique_schema(["survey_id", "row"]),
        ),
        "published": InputSpec(
            "published",
            {
                "source_table": "str",
                "statistic": "str",
                "published": "str",
                "value": "number",
                "printed_formula": "str",
                "note": "str",
            },
            required=("source_table", "statistic", "published"),
            key=("source_table", "statistic"),
            optional=("value", "printed_formula", "note"),
            description="Numbers the study publishes, as printed, for the reproduction audit.",
            errors=unique_schema(["source_table", "statistic"]),
        ),
    }
