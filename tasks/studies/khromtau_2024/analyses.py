"""The Khromtau study's analyses as the flow runs them: ``f(warehouse_path) -> {table: frame}``."""

from __future__ import annotations

import pandas as pd

from tasks.analyses.common import read
from tasks.studies.khromtau_2024 import hypotheses, reproduction, study


def study_inputs(path: str) -> dict[str, pd.DataFrame]:
    """The core tables the study's analyses, the audit and the hypotheses read."""
    return {
        "table5": read(path, "SELECT * FROM core.survey_table5"),
        "perception": read(path, "SELECT * FROM core.survey_perception_count"),
        "scores": read(path, "SELECT * FROM core.survey_support_score_count"),
        "paired": read(path, "SELECT * FROM core.survey_paired_value"),
        # the study's analyses and the audit use the bundled town-level series only (the study
        # presents its figures for the town)
        "observations": read(
            path,
            "SELECT * FROM core.v_town_series WHERE source = 'bundled' AND territory_kind = 'town'",
        ),
    }


def run_study(path: str) -> dict[str, pd.DataFrame]:
    """The study's correlations (Tables 5-9, GRP vs unemployment) and Table 7 per measure."""
    inp = study_inputs(path)
    return {
        "results.correlation": study.study_correlations(**inp),
        "results.support_measure": study.support_measures(inp["scores"]),
    }


def run_reproduction(path: str) -> dict[str, pd.DataFrame]:
    """Recompute every published number (core.published_number) from the inputs."""
    published = read(path, "SELECT * FROM core.published_number")
    nums = reproduction.study_numbers(**study_inputs(path))
    return {"results.paper_reproduction": reproduction.paper_reproduction(published, nums)}


def run_hypotheses(path: str) -> dict[str, pd.DataFrame]:
    """H1-H4 with Holm-adjusted p-values and verdicts."""
    inp = study_inputs(path)
    return {
        "results.hypothesis": hypotheses.hypothesis_tests(
            inp["perception"], inp["scores"], inp["table5"], inp["observations"]
        )
    }


ANALYSES = {
    "study": run_study,
    "reproduction": run_reproduction,
    "hypotheses": run_hypotheses,
}
