"""Pandera schemas for every input file, split by severity.

Each input has a column spec (name -> type; the reader converts text cells with locale rules and
reports cells it cannot convert), a natural key, an ``errors`` schema (a failure blocks the run)
and a ``warnings`` schema (a failure loads and is recorded in ``meta.quality_issue``).
Check names are stable identifiers; :data:`RULES` explains each in plain words.

The schemas are pandera's Ibis schemas (``pandera.ibis``): they run inside DuckDB on the typed
input table (:mod:`tasks.stage`), and only failing rows come back to Python. Uniqueness of the
natural key is declared here (:func:`unique_key_check`): a file with a duplicate key never
reaches the warehouse, which is what lets ``core.observation`` go without a key index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import ibis.expr.datatypes as dt
import numpy as np
import pandas as pd
import pandera.ibis as pa

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
#: The natural key of ``core.observation`` (and ``core.observation_history``): what the loader's
#: set-wise upsert joins on. Unique within a file (rule ``unique_key``), so unique in the table.
OBSERVATION_KEY: tuple[str, ...] = ("territory_id", "indicator_id", "year", "source")
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
    "known_indicator": (
        "indicator_id must be in the indicator catalogue (tasks/catalogue/indicators.yaml) or "
        "the folder's indicators.csv"
    ),
    "catalogued_indicator": (
        "is defined by the indicator catalogue (tasks/catalogue/indicators.yaml); the folder's "
        "row is not used"
    ),
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
    """A check whose failure cases carry our rule name (built-in checks report their own).

    ``fn`` takes an Ibis column (or, for a frame-level check, the Ibis table) and returns a
    boolean column; a NULL cell passes (a missing value is its own rule, ``value_missing``).
    """

    def check(data: pa.IbisData):
        target = data.table if data.key is None else data.table[data.key]
        return fn(target).fill_null(True)

    return pa.Check(check, name=name, error=name)


def _non_negative() -> pa.Check:
    return named_check(lambda s: s >= 0, "non_negative")


def _year_col(max_year: int) -> pa.Column:
    return pa.Column(
        dt.int64,
        named_check(lambda s: s.between(MIN_YEAR, max_year), "year_range"),
        description=f"calendar year, {MIN_YEAR}..{max_year}",
    )


def _count_col() -> pa.Column:
    return pa.Column(
        dt.int64, _non_negative(), nullable=False, description="number of respondents (>= 0)"
    )


#: natural key of an observations input file (``territory_kind`` normalised, default town)
OBSERVATION_FILE_UNIQUE = ["town_id", "indicator_id", "year", "territory_kind"]
#: natural key of parsed observations (a source's rows, already against their territory)
OBSERVATION_UNIQUE = ["territory_id", "indicator_id", "year"]


def observations_schemas(
    max_year: int, unique: list[str] | None = None
) -> tuple[pa.DataFrameSchema, pa.DataFrameSchema]:
    """Error and warning schemas for ``observations`` (``unique``: the key columns, by default
    those of an input file)."""
    key = list(unique or OBSERVATION_FILE_UNIQUE)
    where = (  # an input file names a town (and a territory kind); parsed rows their territory
        {
            "town_id": pa.Column(dt.string, description="town (towns.csv or the registry)"),
            "territory_kind": pa.Column(
                dt.string,
                description="town (default) | city_administration | district | oblast | republic",
            ),
        }
        if "town_id" in key
        else {"territory_id": pa.Column(dt.string, description="territory (core.territory)")}
    )
    errors = pa.DataFrameSchema(
        {
            **where,
            "indicator_id": pa.Column(
                dt.string, description="indicator (the catalogue, or indicators.csv)"
            ),
            "year": _year_col(max_year),
            "value": pa.Column(
                dt.float64,
                _non_negative(),
                nullable=True,
                description="the value; empty = missing (a warning, never 0)",
            ),
            "unit": pa.Column(dt.string, description="unit; empty = the indicator's unit"),
        },
        checks=[
            unique_key_check(key),
            named_check(lambda t: ~((t["unit"] == "%") & (t["value"] > 100)), "rate_at_most_100"),
        ],
        description="observations: one value per territory (a town and territory kind in a "
        "file), indicator and year",
    )
    warnings = pa.DataFrameSchema(
        checks=[pa.Check(lambda d: d.table["value"].notnull(), name="value_missing")]
    )
    return errors, warnings


def labour_market_schemas() -> tuple[pa.DataFrameSchema, pa.DataFrameSchema]:
    """Cross-column rules on the wide labour-market table (one row per town and year).

    Columns: ``active`` and ``employed`` (thousand persons), ``unemployed`` (persons),
    ``rate`` (%). A rule only judges rows where all its inputs are present (a NULL result
    passes).
    """
    cols = {
        "active": pa.Column(dt.float64, nullable=True, description="thousand persons"),
        "employed": pa.Column(dt.float64, nullable=True, description="thousand persons"),
        "unemployed": pa.Column(dt.float64, nullable=True, description="persons"),
        "rate": pa.Column(dt.float64, nullable=True, description="unemployment rate, %"),
    }
    errors = pa.DataFrameSchema(
        cols,
        checks=[named_check(lambda t: t["employed"] <= t["active"], "employed_le_active")],
    )
    warnings = pa.DataFrameSchema(
        checks=[
            named_check(
                lambda t: (
                    (1000 * (t["active"] - t["employed"]) - t["unemployed"]).abs()
                    <= UNEMPLOYED_TOLERANCE_PERSONS + 1e-9
                ),
                "unemployed_matches",
            ),
            named_check(
                lambda t: (
                    (100 * t["unemployed"] / (1000 * t["active"]) - t["rate"]).abs()
                    <= RATE_TOLERANCE_PP + 1e-9
                ),
                "rate_matches",
            ),
        ]
    )
    return errors, warnings


def answer_col() -> pa.Column:
    return pa.Column(
        dt.string,
        named_check(lambda s: s.isin(ANSWERS), "answer_category"),
        description="one of " + ", ".join(ANSWERS),
    )


def _key_text(table, key: list[str]):
    """One text per row of ``key``'s columns (unit-separator joined), for a semi-join."""
    parts = [table[k].cast("string") for k in key]
    out = parts[0]
    for part in parts[1:]:
        out = out.concat("\x1f", part)
    return out


def unique_key_check(key: list[str]) -> pa.Check:
    """The natural key is unique: rows whose key occurs more than once fail (all of them).

    A named check rather than pandera's ``unique=``: the Ibis backend implements that as a
    window count over every row (a partition of the whole table in memory); here it is a
    ``GROUP BY key HAVING count(*) > 1`` and a semi-join against its (usually empty) result.
    """

    def check(data: pa.IbisData):
        t = data.table
        dupes = t.group_by(key).aggregate(_n=t.count()).filter(lambda d: d._n > 1)
        return ~_key_text(t, key).isin(_key_text(dupes, key))

    return pa.Check(check, name="unique_key", error="unique_key")


def unique_schema(key: list[str], columns: dict | None = None) -> pa.DataFrameSchema:
    """A schema whose rules are the natural key's uniqueness and ``columns``' checks."""
    return pa.DataFrameSchema(columns or {}, checks=[unique_key_check(key)])


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
            errors=unique_schema(["town_id"]),
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
            errors=unique_schema(["indicator_id"]),
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
            errors=unique_schema(["survey_id"], {"respondents": _count_col()}),
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
            errors=unique_schema(["survey_id", "category"], {"respondents": _count_col()}),
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
            errors=unique_schema(
                ["survey_id", "area", "answer"],
                {"answer": answer_col(), "respondents": _count_col()},
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
            errors=unique_schema(
                ["survey_id", "measure", "score"],
                {
                    "score": pa.Column(
                        dt.int64,
                        named_check(lambda s: s.between(1, 10), "score_1_10"),
                        description="score 1..10",
                    ),
                    "respondents": _count_col(),
                },
            ),
        ),
    }


#: The generic inputs (studies add theirs: :func:`tasks.studies.input_specs`).
INPUTS: dict[str, InputSpec] = input_specs()
