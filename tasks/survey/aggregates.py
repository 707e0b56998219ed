"""The study's Tables 3, 4 and 7 recomputed from respondent-level data, in SQL.

The SQL lives in views of migration ``004_survey.sql`` over ``core.survey_response``:

* ``core.v_survey_respondent_category`` -- Table 3 (respondents per business category);
* ``core.v_survey_perception_count`` -- Table 4 (answer counts per area, zeros included; same
  keys as ``core.survey_perception_count``);
* ``core.v_survey_support_score_count`` -- Table 7 (score counts per measure, as
  ``core.survey_support_score_count``);
* ``core.v_survey_answer_count`` -- every item's answer counts.

The functions below read those views and lay them out as the study prints them. They take a
warehouse path or an open DuckDB connection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd

from schemas.inputs import ANSWERS


@contextlib.contextmanager
def _connection(target) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(target, duckdb.DuckDBPyConnection):
        yield target
    else:
        with duckdb.connect(str(Path(target))) as con:
            yield con


def _query(target, sql: str, params: list) -> pd.DataFrame:
    with _connection(target) as con:
        return con.execute(sql, params).df()


def table3_long(target, survey_id: str) -> pd.DataFrame:
    """Respondents per category: ``survey_id, category, category_label, respondents``."""
    return _query(
        target,
        "SELECT survey_id, category, category_label, respondents "
        "FROM core.v_survey_respondent_category WHERE survey_id = ? ORDER BY code",
        [survey_id],
    )


def table4_long(target, survey_id: str) -> pd.DataFrame:
    """Answer counts per area, shaped like ``core.survey_perception_count``."""
    return _query(
        target,
        "SELECT p.survey_id, p.area, p.area_label, p.answer, p.respondents "
        "FROM core.v_survey_perception_count p JOIN core.survey_item i "
        "ON i.survey_id = p.survey_id AND i.item = p.area "
        "WHERE p.survey_id = ? ORDER BY i.position, p.score DESC",
        [survey_id],
    )


def table7_long(target, survey_id: str) -> pd.DataFrame:
    """Score counts per support measure, shaped like ``core.survey_support_score_count``."""
    return _query(
        target,
        "SELECT s.survey_id, s.measure, s.measure_label, s.score, s.respondents "
        "FROM core.v_survey_support_score_count s JOIN core.survey_item i "
        "ON i.survey_id = s.survey_id AND i.item = s.measure "
        "WHERE s.survey_id = ? ORDER BY i.position, s.score",
        [survey_id],
    )


def table3(target, survey_id: str) -> pd.DataFrame:
    """Table 3 as printed: ``category`` (label), ``number_of_people``."""
    t = table3_long(target, survey_id)
    return pd.DataFrame(
        {"category": t["category_label"], "number_of_people": t["respondents"].astype(int)}
    )


def table4(target, survey_id: str) -> pd.DataFrame:
    """Table 4 as printed: one row per area, one column per answer (improved significantly ...
    worsened significantly), plus ``n``."""
    t = table4_long(target, survey_id)
    if t.empty:
        return pd.DataFrame(columns=["area", "area_label", *ANSWERS, "n"])
    order = list(dict.fromkeys(t["area"]))
    wide = t.pivot_table(
        index=["area", "area_label"], columns="answer", values="respondents", aggfunc="sum"
    )
    wide = wide.reindex(columns=list(ANSWERS), fill_value=0).fillna(0).astype(int)
    wide = wide.reset_index()
    wide["n"] = wide[list(ANSWERS)].sum(axis=1)
    wide["area"] = pd.Categorical(wide["area"], categories=order, ordered=True)
    wide = wide.sort_values("area", ignore_index=True)
    wide["area"] = wide["area"].astype(str)
    wide.columns.name = None
    return wide


def table7(target, survey_id: str) -> pd.DataFrame:
    """Table 7 as printed: one row per score 1..10, one column per measure; a last row
    ``respondents`` ("Number of people involved")."""
    t = table7_long(target, survey_id)
    if t.empty:
        return pd.DataFrame(columns=["score"])
    order = list(dict.fromkeys(t["measure"]))
    wide = t.pivot_table(index="score", columns="measure", values="respondents", aggfunc="sum")
    wide = wide.reindex(columns=order).fillna(0).astype(int)
    wide.columns.name = None
    wide = wide.reset_index()
    wide["score"] = wide["score"].astype(str)
    total = {"score": "respondents", **{m: int(wide[m].sum()) for m in order}}
    return pd.concat([wide, pd.DataFrame([total])], ignore_index=True)
