"""Pandera schemas for every input file, split by severity.

Each input has a column spec (name -> type; the reader converts text cells with locale rules and
reports cells it cannot convert), a natural key, an ``errors`` schema (a failure blocks the run)
and a ``warnings`` schema (a failure loads and is recorded in ``meta.quality_issue``).
Check names are stable identifiers; :data:`RULES` explains each in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

MIN_YEAR = 1991  # independence; no series in scope starts earlier
ANSWERS = (
    "improved_significantly",
    "improved_somewhat",
    "unchanged",
    "worsened_somewhat",
    "worsened_significantly",
)
#: The change scale's scores: 5 = improved significantly ... 1 = worsened significantly.
ANSWER_SCORE = {a: 5 - i for i, a in enumerate(ANSWERS)}
# Tolerances of the labour-market consistency rules (stated in docs/inputs.md, "Validation rules"):
# the study prints thousands to 0.1 (+-50 persons each), so active - employed is known to +-100.
UNEMPLOYED_TOLERANCE_PERSONS = 100.0
# rate printed to 0.1 (+-0.05 pp); active to 0.1 thousand adds < 0.02 pp at rates below 6 %.
RATE_TOLERANCE_PP = 0.1

# Frame-level checks and the column each one judges (for messages and quality rows).
CHECK_COLUMN: dict[str, str] = {"value_missing": "value", "rate_at_most_100": "value"}

# The one observation shape: every source's parsed rows take it before validation and loading
# (core.observation stores all but ``row_ref`` and adds the run_id). ``territory_id`` is the
# territory the value was published for (core.territory: ``town_khromtau``, ``district_khromtau``,
# ``oblast_aktobe``); an input file names it as ``town_id`` + ``territory_kind``. ``vintage`` is
# the fetched-at time of the payload a row came from; ``row_ref`` says where in that payload (a
# Taldau response row and period; None for a file row, whose number the issues already name).
OBSERVATION_COLUMNS: tuple[str, ...] = (
    "territory_id",
    "indicator_id",
    "year",
    "value",
    "value_status",
    "raw_value",
    "unit",
    "source",
    "source_ref",
    "vintage",
    "payload_hash",
    "note",
    "row_ref",
)
#: pandas dtypes of a parsed observation frame (text columns as ``str``).
OBSERVATION_DTYPES: dict[str, str] = {
    **{c: "str" for c in OBSERVATION_COLUMNS},
    "year": "int64",
    "value": "float64",
}
VALUE_STATUSES = ("ok", "suppressed", "missing", "unparseable")

# Labour-market indicators judged together (one row per town and year), by their wide column.
LABOUR: dict[str, str] = {
    "labour_active": "active",
    "labour_employed": "employed",
    "labour_unemployed": "unemployed",
    "labour_unemployment_rate": "rate",
}


def empty_observations() -> pd.DataFrame:
    """An empty observation frame with the right columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in OBSERVATION_DTYPES.items()})


def labour_wide(obs: pd.DataFrame, unit: str = "town_id") -> pd.DataFrame:
    """One row per (``unit``, year) with active, employed, unemployed, rate columns
    (``unit``: ``town_id`` for a town's own series, ``territory_id`` for any territory)."""
    sub = obs[obs["indicator_id"].isin(LABOUR)]
    wide = sub.pivot_table(
        index=[unit, "year"],
        columns="indicator_id",
        values="value",
        aggfunc="first",
        dropna=False,
    )
    wide = wide.rename(columns=LABOUR).reset_index()
    for col in LABOUR.values():
        if col not in wide.columns:
            wide[col] = np.nan
    return wide[[unit, "year", *LABOUR.values()]]


RULES: dict[str, str] = {
    "type:number": "must be a number (decimal comma or point; spaces only as thousands groups)",
    "type:int": "must be a whole number",
    "type:bool": "must be true/false (also yes/no, 1/0, да/нет)",
    "required": "must not be empty",
    "unique_key": "natural key must be unique within the file",
    "year_range": f"year must be between {MIN_YEAR} and the current year",
    "non_negative": "must not be negative",
    "rate_at_most_100": "a percentage must not exceed 100",
    "answer_category": "must be one of " + ", ".join(ANSWERS),
    "score_1_10": "score must be a whole number from 1 to 10",
    "known_town": "town_id must be listed in towns.csv (or the registry's town list)",
    "known_territory": (
        "territory_kind must be a territory the registry has for the town: town (the town "
        "proper), its district or city_administration, oblast, republic"
    ),
    "known_indicator": "indicator_id must be listed in indicators.csv (or the bundled list)",
    "known_survey": "survey_id must be listed in surveys.csv",
    "value_missing": "value is missing",
    "value_as_printed": "the printed text was not read as a plain number; see note",
    "employed_le_active": "employed must not exceed the economically active population",
    "unemployed_matches": (
        "unemployed should equal 1000 x (active - employed) within "
        f"{UNEMPLOYED_TOLERANCE_PERSONS:g} persons (rounding of the thousands)"
    ),
    "rate_matches": (
        "unemployment rate should equal 100 x unemployed / (1000 x active) within "
        f"{RATE_TOLERANCE_PP:g} percentage points"
    ),
    "counts_exceed_respondents": "answer counts of an item add up to more than the respondents",
    "counts_below_respondents": "answer counts of an item add up to fewer than the respondents",
    "categories_sum": "respondent categories should add up to the number of respondents",
    "unknown_file": "file name is not one of the known inputs; it was archived and ignored",
    "duplicate_input": "the same input is given twice (CSV and XLSX); neither is loaded",
}


@dataclass(frozen=True)
class InputSpec:
    """What one input file holds."""

    name: str
    columns: dict[str, str]  # column -> str | int | number | bool
    required: tuple[str, ...]
    key: tuple[str, ...]
    description: str
    optional: tuple[str, ...] = ()
    errors: pa.DataFrameSchema | None = field(default=None, compare=False)
    warnings: pa.DataFrameSchema | None = field(default=None, compare=False)


def named_check(fn, name: str) -> pa.Check:
    """A check whose failure cases carry our rule name (built-in checks report their own)."""
    return pa.Check(fn, name=name, error=name)


def _non_negative() -> pa.Check:
    return named_check(lambda s: s >= 0, "non_negative")


def _year_col(max_year: int) -> pa.Column:
    return pa.Column(int, named_check(lambda s: s.between(MIN_YEAR, max_year), "year_range"))


def _count_col() -> pa.Column:
    return pa.Column(int, _non_negative(), nullable=False)


#: natural key of an observations input file (``territory_kind`` normalised, default town)
OBSERVATION_FILE_UNIQUE = ["town_id", "indicator_id", "year", "territory_kind"]
#: natural key of parsed observations (a source's rows, already against their territory)
OBSERVATION_UNIQUE = ["territory_id", "indicator_id", "year"]


def observations_schemas(
    max_year: int, unique: list[str] | None = None
) -> tuple[pa.DataFrameSchema, pa.DataFrameSchema]:
    """Error and warning schemas for ``observations`` (``unique``: the key columns, by default
    those of an input file)."""
    errors = pa.DataFrameSchema(
        {
            "year": _year_col(max_year),
            "value": pa.Column(float, _non_negative(), nullable=True),
        },
        checks=[
            pa.Check(
                lambda df: ~(df["unit"].eq("%") & (df["value"] > 100)),
                name="rate_at_most_100",
            )
        ],
        unique=list(unique or OBSERVATION_FILE_UNIQUE),
        report_duplicates="all",
    )
    warnings = pa.DataFrameSchema(
        checks=[pa.Check(lambda df: df["value"].notna(), name="value_missing")]
    )
    return errors, warnings


def labour_market_schemas() -> tuple[pa.DataFrameSchema, pa.DataFrameSchema]:
    """Cross-column rules on the wide labour-market frame (one row per town and year).

    Columns: ``active`` and ``employed`` (thousand persons), ``unemployed`` (persons),
    ``rate`` (%). A rule only judges rows where all its inputs are present.
    """

    def ok_or_missing(mask: pd.Series, *cols: pd.Series) -> pd.Series:
        present = pd.concat(cols, axis=1).notna().all(axis=1)
        return mask | ~present

    errors = pa.DataFrameSchema(
        checks=[
            pa.Check(
                lambda df: ok_or_missing(
                    df["employed"] <= df["active"], df["employed"], df["active"]
                ),
                name="employed_le_active",
            )
        ]
    )
    warnings = pa.DataFrameSchema(
        checks=[
            pa.Check(
                lambda df: ok_or_missing(
                    (1000 * (df["active"] - df["employed"]) - df["unemployed"]).abs()
                    <= UNEMPLOYED_TOLERANCE_PERSONS + 1e-9,
                    df["active"],
                    df["employed"],
                    df["unemployed"],
                ),
                name="unemployed_matches",
            ),
            pa.Check(
                lambda df: ok_or_missing(
                    (100 * df["unemployed"] / (1000 * df["active"]) - df["rate"]).abs()
                    <= RATE_TOLERANCE_PP + 1e-9,
                    df["unemployed"],
                    df["active"],
                    df["rate"],
                ),
                name="rate_matches",
            ),
        ]
    )
    return errors, warnings


def answer_col() -> pa.Column:
    return pa.Column(str, named_check(lambda s: s.isin(ANSWERS), "answer_category"))


def input_specs(today: date | None = None) -> dict[str, InputSpec]:
    """All input specs, with date-dependent rules evaluated for ``today``."""
    max_year = (today or date.today()).year
    obs_err, obs_warn = observations_schemas(max_year)
    return {
        "towns": InputSpec(
            "towns",
            {
                "town_id": "str",
                "name_en": "str",
                "name_ru": "str",
                "name_kk": "str",
                "region": "str",
                "kato_code": "str",
                "town_forming_enterprise": "str",
                "confirmed": "bool",
                "status": "str",
                "source": "str",
            },
            required=("town_id", "name_en", "confirmed"),
            key=("town_id",),
            optional=(
                "name_ru",
                "name_kk",
                "region",
                "kato_code",
                "town_forming_enterprise",
                "status",
                "source",
            ),
            description="Monotowns: id, names, region, KATO code, town-forming enterprise, "
            "whether a source confirms monotown status.",
            errors=pa.DataFrameSchema(unique=["town_id"], report_duplicates="all"),
        ),
        "indicators": InputSpec(
            "indicators",
            {
                "indicator_id": "str",
                "name": "str",
                "unit": "str",
                "topic": "str",
                "description": "str",
            },
            required=("indicator_id", "name", "unit"),
            key=("indicator_id",),
            optional=("topic", "description"),
            description="Indicators: id, name, unit.",
            errors=pa.DataFrameSchema(unique=["indicator_id"], report_duplicates="all"),
        ),
        "observations": InputSpec(
            "observations",
            {
                "town_id": "str",
                "indicator_id": "str",
                "year": "int",
                "value": "number",
                "printed": "str",
                "unit": "str",
                "source_table": "str",
                "note": "str",
                "territory_kind": "str",
            },
            required=("town_id", "indicator_id", "year"),
            key=("town_id", "indicator_id", "year"),
            optional=("value", "printed", "unit", "source_table", "note", "territory_kind"),
            description="Yearly values per town, territory kind (default: the town proper) and "
            "indicator (long format).",
            errors=obs_err,
            warnings=obs_warn,
        ),
        "surveys": InputSpec(
            "surveys",
            {
                "survey_id": "str",
                "town_id": "str",
                "respondents": "int",
                "population": "str",
                "mode": "str",
                "synthetic": "bool",
                "description": "str",
                "source": "str",
            },
            required=("survey_id", "town_id", "respondents"),
            key=("survey_id",),
            optional=("population", "mode", "synthetic", "description", "source"),
            description="Surveys (waves): id, town, number of respondents.",
            errors=pa.DataFrameSchema(
                {"respondents": _count_col()}, unique=["survey_id"], report_duplicates="all"
            ),
        ),
        "survey_respondents": InputSpec(
            "survey_respondents",
            {
                "survey_id": "str",
                "category": "str",
                "respondents": "int",
                "source_table": "str",
                "note": "str",
            },
            required=("survey_id", "category", "respondents"),
            key=("survey_id", "category"),
            optional=("source_table", "note"),
            description="Respondents per category (study Table 3).",
            errors=pa.DataFrameSchema(
                {"respondents": _count_col()},
                unique=["survey_id", "category"],
                report_duplicates="all",
            ),
        ),
        "survey_perception": InputSpec(
            "survey_perception",
            {
                "survey_id": "str",
                "area": "str",
                "area_label": "str",
                "answer": "str",
                "respondents": "int",
                "source_table": "str",
                "note": "str",
            },
            required=("survey_id", "area", "answer", "respondents"),
            key=("survey_id", "area", "answer"),
            optional=("area_label", "source_table", "note"),
            description="Answer counts per area on the 5-point change scale (study Table 4).",
            errors=pa.DataFrameSchema(
                {"answer": answer_col(), "respondents": _count_col()},
                unique=["survey_id", "area", "answer"],
                report_duplicates="all",
            ),
        ),
        "survey_support_scores": InputSpec(
            "survey_support_scores",
            {
                "survey_id": "str",
                "measure": "str",
                "measure_label": "str",
                "score": "int",
                "respondents": "int",
                "source_table": "str",
                "note": "str",
            },
            required=("survey_id", "measure", "score", "respondents"),
            key=("survey_id", "measure", "score"),
            optional=("measure_label", "source_table", "note"),
            description="Score distribution 1-10 per support measure (study Table 7).",
            errors=pa.DataFrameSchema(
                {
                    "score": pa.Column(int, named_check(lambda s: s.between(1, 10), "score_1_10")),
                    "respondents": _count_col(),
                },
                unique=["survey_id", "measure", "score"],
                report_duplicates="all",
            ),
        ),
    }


#: The generic inputs (studies add theirs: :func:`tasks.studies.input_specs`).
INPUTS: dict[str, InputSpec] = input_specs()
