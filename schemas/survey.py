"""Pandera schemas for respondent-level survey files and the survey results tables.

:func:`response_schema` is built from a codebook: one column per item of the coded response
frame (one row per respondent, cells holding the answer code, ``NA`` when blank, or the text as
received when it matched no answer). Every check is an *error*: a file with any failure is
refused as a whole. Check names are stable identifiers; :data:`SURVEY_RULES` explains them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pandera.pandas as pa

SURVEY_RULES: dict[str, str] = {
    "readable": "the file must be a CSV or XLSX table",
    "respondent_column": "the file must have a respondent id column",
    "required_column": "a column for every required question must be present",
    "duplicate_column": "two columns of the file name the same item",
    "unknown_column": "column is not in the codebook; it was ignored (kept in the raw archive)",
    "respondent_id_present": "every row needs a respondent id",
    "unique_respondent": "respondent ids must be unique within the file",
    "required_answer": "a required question must be answered",
    "known_answer": "the answer matches no code, key or label of the item's scale",
    "answer_in_scale": "the code is not part of the item's scale",
    "known_town": "town_id must be listed in core.town or the bundled town list",
    "wave_is_aggregate": (
        "the wave id belongs to a survey published as aggregates (loaded by `monotowns run`)"
    ),
    "no_rows": "the file has no respondent rows",
}


def _check(fn, name: str) -> pa.Check:
    # ignore_na=False: a nullable column's checks must also see the blank cells
    return pa.Check(fn, name=name, error=name, ignore_na=False)


def _is_answer(s: pd.Series) -> pd.Series:
    """True where the cell is blank or a number (coded); False where it is unmatched text."""
    if s.dtype != object:
        return pd.Series(True, index=s.index)
    return s.isna() | pd.to_numeric(s, errors="coerce").notna()


def _in_scale(codes: frozenset[int]):
    def check(s: pd.Series) -> pd.Series:
        num = pd.to_numeric(s, errors="coerce") if s.dtype == object else s
        return num.isna() | num.isin(list(codes))

    return check


def response_schema(
    items: Iterable[tuple[str, Iterable[int], bool, bool]], respondent_column: str
) -> pa.DataFrameSchema:
    """Error schema of a coded response frame.

    Parameters
    ----------
    items : ``(column, allowed codes, required, multiple)`` per item present in the frame.
        A multiple-choice item holds a bit mask of the chosen options, so only
        ``known_answer`` and ``required_answer`` apply to it.
    respondent_column : name of the respondent id column.
    """
    columns: dict[str, pa.Column] = {
        respondent_column: pa.Column(
            nullable=True,
            checks=[
                _check(lambda s: s.notna() & s.astype(str).ne(""), "respondent_id_present"),
                _check(lambda s: s.isna() | ~s.duplicated(keep=False), "unique_respondent"),
            ],
        )
    }
    for col, codes, required, multiple in items:
        checks = []
        if required:
            checks.append(_check(lambda s: s.notna(), "required_answer"))
        checks.append(_check(_is_answer, "known_answer"))
        if not multiple:
            checks.append(_check(_in_scale(frozenset(int(c) for c in codes)), "answer_in_scale"))
        columns[col] = pa.Column(nullable=True, checks=checks)
    return pa.DataFrameSchema(columns, strict=False)


# ---------------------------------------------------------------- results tables


def _p() -> pa.Column:
    return pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=True)


def _n() -> pa.Column:
    return pa.Column("int64", pa.Check.ge(0), coerce=True)


RESULTS_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "results.survey_item_summary": pa.DataFrameSchema(
        {
            "survey_id": pa.Column(str),
            "synthetic": pa.Column(bool),
            "item": pa.Column(str),
            "n": _n(),
            "ci_level": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
        },
        unique=["survey_id", "item", "group_item", "group_value"],
    ),
    "results.survey_item_correlation": pa.DataFrameSchema(
        {
            "survey_id": pa.Column(str),
            "synthetic": pa.Column(bool),
            "method": pa.Column(str, pa.Check.isin(["spearman", "kendall"])),
            "n": _n(),
            "estimate": pa.Column(float, pa.Check.in_range(-1.0, 1.0), nullable=True),
            "p_value": _p(),
            "p_adjusted": _p(),
        },
        unique=["survey_id", "x", "y", "method"],
    ),
    "results.survey_reliability": pa.DataFrameSchema(
        {
            "survey_id": pa.Column(str),
            "synthetic": pa.Column(bool),
            "k": _n(),
            "n": _n(),
            "alpha": pa.Column(float, pa.Check.le(1.0), nullable=True),
        },
        unique=["survey_id", "composite"],
    ),
    "results.survey_association": pa.DataFrameSchema(
        {
            "survey_id": pa.Column(str),
            "synthetic": pa.Column(bool),
            "test": pa.Column(
                str,
                pa.Check.isin(["chi-square", "fisher-exact", "fisher-monte-carlo", "not computed"]),
            ),
            "p_value": _p(),
            "p_adjusted": _p(),
            "cramers_v": pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=True),
        },
        unique=["survey_id", "item", "by_item"],
    ),
    "results.survey_wave_change": pa.DataFrameSchema(
        {
            "item": pa.Column(str),
            "synthetic": pa.Column(bool),
            "p_value": _p(),
            "p_adjusted": _p(),
        },
        unique=["item", "survey_from", "survey_to"],
    ),
}
