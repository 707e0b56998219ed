"""Each cross-input rule on a tiny batch, called directly: ``rule(batch) -> list[Issue]``."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.inputs import RULES as TEXT
from tasks import studies, territories
from tasks.parse import Issue
from tasks.sources.base import Batch, Payload
from tasks.validate import rules
from tasks.validate.rules import KEY_RULES, RULES, VALUE_RULES, cross_checks
from tasks.validate.rules.batch import RuleBatch
from tasks.validate.rules.labour import labour_consistency
from tasks.validate.rules.printed import printed_values
from tasks.validate.rules.referential import (
    known_indicators,
    known_survey_towns,
    known_surveys,
    known_territories,
    known_towns,
    town_territories,
)
from tasks.validate.rules.surveys import survey_sums

REG = territories.default_registry()
SURVEY = "s1"


def obs(*rows, **extra) -> pd.DataFrame:
    """Input-file observations: (town_id, indicator_id, year, value) rows, kind ``town``."""
    frame = pd.DataFrame(rows, columns=["town_id", "indicator_id", "year", "value"])
    frame.insert(1, "territory_kind", "town")
    for col, values in extra.items():
        frame[col] = values
    return frame


def batch(**frames: pd.DataFrame) -> RuleBatch:
    """A batch of ``frames`` (each as if read from ``<name>.csv``), the shipped registry's
    towns, the indicators the observations name unless given."""
    frames.setdefault("towns", pd.DataFrame({"town_id": ["khromtau", "satpayev"]}))
    if "observations" in frames and "indicators" not in frames:
        named = sorted(set(frames["observations"]["indicator_id"]))
        frames["indicators"] = pd.DataFrame({"indicator_id": named})
    return RuleBatch(
        frames=frames,
        files={name: f"{name}.csv" for name in frames},
        payload_of={n: Payload.from_bytes("files", n, f"{n}.csv", b"") for n in frames},
        registry=REG,
    )


def checks(found: list[Issue]) -> list[tuple]:
    return [(i.check_name, i.severity, i.file_row, i.observed) for i in found]


def test_the_rules_in_order():
    assert (*KEY_RULES, *VALUE_RULES) == RULES
    assert [r.__name__ for r in RULES] == [
        "known_towns",
        "known_territories",
        "known_indicators",
        "town_territories",
        "known_survey_towns",
        "known_surveys",
        "labour_consistency",
        "printed_values",
        "survey_sums",
        "study_rules",
    ]


def test_known_towns():
    b = batch(
        observations=obs(
            ("khromtau", "population", 2020, 1.0), ("atlantis", "population", 2020, 2.0)
        )
    )
    [issue] = known_towns(b)
    assert checks([issue]) == [("known_town", "error", 3, "atlantis")]
    assert issue.message == (
        f"observations.csv row 3, column town_id: 'atlantis' - {TEXT['known_town']} [known_town]"
    )


def test_known_territories_of_parsed_rows():
    parsed = pd.DataFrame({"territory_id": ["town_khromtau", "nowhere", "nowhere"]})
    b = batch(
        observations=parsed,
        territories=pd.DataFrame({"territory_id": ["town_khromtau"]}),
        indicators=pd.DataFrame({"indicator_id": []}),
    )
    [issue] = known_territories(b)  # one per unknown territory
    assert (
        issue.message
        == "observations.csv: territory 'nowhere' is not in the registry [known_territory]"
    )
    assert known_territories(batch(observations=obs(("x", "y", 2020, 1.0)))) == []  # file rows


def test_known_indicators():
    b = batch(
        observations=obs(("khromtau", "population", 2020, 1.0), ("khromtau", "gdp", 2020, 2.0)),
        indicators=pd.DataFrame({"indicator_id": ["population"]}),
    )
    assert checks(known_indicators(b)) == [("known_indicator", "error", 3, "gdp")]


def test_town_territories():
    rows = obs(
        ("khromtau", "population", 2023, 1.0),
        ("khromtau", "population", 2023, 2.0),
        ("atlantis", "population", 2023, 3.0),
    )
    rows.loc[1, "territory_kind"] = "city_administration"
    b = batch(observations=rows)
    [issue] = town_territories(b)  # an unknown town is known_town's finding, not this one's
    assert checks([issue]) == [("known_territory", "error", 3, "city_administration")]
    assert issue.message.endswith(
        f"{TEXT['known_territory']}; khromtau has: town, district, oblast [known_territory]"
    )
    assert issue.row_key == "khromtau|population|2023"
    stage = b.obs_stage
    assert stage.con.execute(
        "SELECT town_id, territory_kind, territory_id FROM territory_map ORDER BY ALL"
    ).fetchall() == [
        ("atlantis", "town", None),
        ("khromtau", "city_administration", None),
        ("khromtau", "town", "town_khromtau"),
    ]


def test_town_territories_wait_for_the_observations_keys():
    rows = obs(("khromtau", "population", 2023, 1.0))
    rows["territory_kind"] = "city_administration"
    b = batch(observations=rows)
    b.found = [Issue("files", "observations", "known_indicator", "error", "x")]
    assert town_territories(b) == []


def test_known_survey_towns_and_surveys():
    b = batch(
        surveys=pd.DataFrame({"survey_id": [SURVEY], "town_id": ["atlantis"], "respondents": [3]}),
        survey_perception=pd.DataFrame(
            {"survey_id": [SURVEY, "s2"], "area": ["job", "job"], "respondents": [3, 1]}
        ),
    )
    assert checks(known_survey_towns(b)) == [("known_town", "error", 2, "atlantis")]
    [issue] = known_surveys(b)
    assert (issue.table_name, issue.file_row, issue.observed) == ("survey_perception", 3, "s2")


@pytest.mark.parametrize(
    ("active", "employed", "unemployed", "rate", "found"),
    [
        (13.8, 13.3, 500, 3.6, []),
        (13.0, 14.0, None, None, [("employed_le_active", "error")]),
        (13.8, 13.3, 900, 3.6, [("unemployed_matches", "warning"), ("rate_matches", "warning")]),
        (13.8, 13.3, 500, 9.9, [("rate_matches", "warning")]),
    ],
)
def test_labour_consistency(active, employed, unemployed, rate, found):
    values = {
        "labour_active": active,
        "labour_employed": employed,
        "labour_unemployed": unemployed,
        "labour_unemployment_rate": rate,
    }
    rows = obs(*[("khromtau", k, 2020, v) for k, v in values.items() if v is not None])
    issues = labour_consistency(batch(observations=rows))
    assert [(i.check_name, i.severity) for i in issues] == found
    for i in issues:
        assert i.table_name == "labour_market" and i.row_key == "khromtau|2020"
        assert i.message.startswith(
            f"observations.csv: labour market khromtau|2020: active={active}"
        )


def test_labour_consistency_per_territory_kind():
    rows = obs(
        ("khromtau", "labour_active", 2020, 13.0),
        ("khromtau", "labour_employed", 2020, 12.0),
        ("khromtau", "labour_active", 2020, 10.0),
        ("khromtau", "labour_employed", 2020, 11.0),
    )
    rows.loc[[2, 3], "territory_kind"] = "district"
    [issue] = labour_consistency(batch(observations=rows))
    assert issue.row_key == "khromtau (district)|2020"


def test_printed_values():
    rows = obs(
        ("khromtau", "population", 2020, 13.8),
        ("khromtau", "population", 2021, 1395.0),
        ("khromtau", "population", 2022, 7.0),
        ("khromtau", "population", 2023, 5.0),
        ("khromtau", "population", 2024, 1395.0),
        printed=["13,8", "1395", "7 (est.)", "", "1 395"],
        note=["", "", "estimate", "", "grouped"],
    )
    found = printed_values(batch(observations=rows))
    # a plain number as printed passes; text around it, or spaces inside it, is worth a look
    assert checks(found) == [
        ("value_as_printed", "warning", 4, "7 (est.)"),
        ("value_as_printed", "warning", 6, "1 395"),
    ]
    assert found[0].message == (
        "observations.csv row 4, column value (khromtau|population|2022): printed '7 (est.)', "
        f"loaded 7.0 - {TEXT['value_as_printed']}: estimate"
    )
    assert printed_values(batch(observations=obs(("khromtau", "population", 2020, 1.0)))) == []


def test_survey_sums():
    b = batch(
        surveys=pd.DataFrame({"survey_id": [SURVEY], "town_id": ["khromtau"], "respondents": [10]}),
        survey_perception=pd.DataFrame(
            {"survey_id": [SURVEY] * 3, "area": ["job", "job", "home"], "respondents": [6, 6, 4]}
        ),
        survey_respondents=pd.DataFrame({"survey_id": [SURVEY] * 2, "respondents": [5, 5]}),
    )
    found = survey_sums(b)
    assert [(i.table_name, i.check_name, i.severity, i.row_key) for i in found] == [
        ("survey_perception", "counts_below_respondents", "warning", "s1|home"),
        ("survey_perception", "counts_exceed_respondents", "error", "s1|job"),
    ]  # the categories add up: no categories_sum
    assert found[1].message == (
        f"survey_perception.csv: s1|job: counts add up to 12, respondents 10 - "
        f"{TEXT['counts_exceed_respondents']} [counts_exceed_respondents]"
    )
    b.frames["survey_respondents"]["respondents"] = [5, 4]
    [issue] = [i for i in survey_sums(b) if i.table_name == "survey_respondents"]
    assert (issue.check_name, issue.severity) == ("categories_sum", "warning")
    assert issue.message.endswith(f"{TEXT['categories_sum']} [categories_sum]")


def test_study_rules_are_the_registered_studies():
    b = batch(observations=obs(("khromtau", "population", 2020, 1.0)))
    assert rules.study_rules(b) == studies.checks(b) == []


def test_value_rules_wait_for_every_key():
    rows = obs(
        ("khromtau", "labour_active", 2020, 13.0), ("khromtau", "labour_employed", 2020, 14.0)
    )
    clean = batch(observations=rows)
    assert [i.check_name for i in cross_checks(clean, REG)] == ["employed_le_active"]
    dirty = batch(observations=rows, indicators=pd.DataFrame({"indicator_id": ["labour_active"]}))
    assert [i.check_name for i in cross_checks(dirty, REG)] == ["known_indicator"]


def test_cross_checks_views_a_plain_batch():
    rows = obs(("khromtau", "population", 2020, 1.0), ("atlantis", "population", 2020, 1.0))
    view = batch(observations=rows)
    plain = Batch(frames=view.frames, files=view.files, payload_of=view.payload_of)
    assert [i.check_name for i in cross_checks(plain)] == ["known_town"]
    assert plain.issues == []  # the caller adds what the rules found
