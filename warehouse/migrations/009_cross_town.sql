-- 009: cross-town results (issue 15): one profile row per registry town, the latest value of
-- each town x indicator x territory kind with its rank. Cross-town correlations are rows of
-- results.correlation (analysis = 'cross_town:<kind>:<year>').
-- Replaced as a whole by each successful run; columns are a public interface.
-- Computed by tasks/analyses/towns.py; territory kinds as in core.territory.kind.

CREATE TABLE results.town_profile (
    town_id                     VARCHAR NOT NULL PRIMARY KEY,
    name_en                     VARCHAR,
    name_ru                     VARCHAR,
    name_kk                     VARCHAR,
    status                      VARCHAR,
    oblast_id                   VARCHAR,
    oblast_name_en              VARCHAR,
    oblast_name_ru              VARCHAR,
    oblast_name_kk              VARCHAR,
    territories_available       VARCHAR,
    population                  DOUBLE,
    population_date             DATE,
    population_kind             VARCHAR,
    population_territory_id     VARCHAR,
    population_source           VARCHAR,
    population_source_ref       VARCHAR,
    population_prev             DOUBLE,
    population_prev_date        DATE,
    population_change           DOUBLE,
    population_change_pct       DOUBLE,
    population_change_years     INTEGER,
    population_change_per_year  DOUBLE,
    other_population            DOUBLE,
    other_population_date       DATE,
    other_population_kind       VARCHAR,
    other_population_territory_id VARCHAR,
    n_indicators                INTEGER NOT NULL,
    last_year                   INTEGER,
    n_indicators_town           INTEGER NOT NULL,
    last_year_town              INTEGER,
    note                        VARCHAR
);

CREATE TABLE results.town_indicator_latest (
    town_id         VARCHAR NOT NULL,
    indicator_id    VARCHAR NOT NULL,
    territory_kind  VARCHAR NOT NULL,
    territory_id    VARCHAR NOT NULL,
    year            INTEGER NOT NULL,
    value           DOUBLE NOT NULL,
    unit            VARCHAR,
    source          VARCHAR,
    source_ref      VARCHAR,
    rank            INTEGER NOT NULL,
    n_ranked        INTEGER NOT NULL,
    note            VARCHAR,
    PRIMARY KEY (town_id, indicator_id, territory_kind)
);

COMMENT ON TABLE results.town_profile IS 'One row per registry town (core.town), with or without data: status, oblast, territories with data, latest population and its change. Figures of different territory kinds are never compared.';
COMMENT ON COLUMN results.town_profile.town_id IS 'town (core.town)';
COMMENT ON COLUMN results.town_profile.name_en IS 'name of the town in English';
COMMENT ON COLUMN results.town_profile.name_ru IS 'name of the town in Russian';
COMMENT ON COLUMN results.town_profile.name_kk IS 'name of the town in Kazakh (NULL where the registry has none)';
COMMENT ON COLUMN results.town_profile.status IS 'registry status of the town (core.town.status)';
COMMENT ON COLUMN results.town_profile.oblast_id IS 'oblast the town belongs to today (core.territory; by core.town_territory validity)';
COMMENT ON COLUMN results.town_profile.oblast_name_en IS 'name of the oblast in English';
COMMENT ON COLUMN results.town_profile.oblast_name_ru IS 'name of the oblast in Russian';
COMMENT ON COLUMN results.town_profile.oblast_name_kk IS 'name of the oblast in Kazakh';
COMMENT ON COLUMN results.town_profile.territories_available IS 'territory kinds of the town with at least one value, most specific first, separated by "; " (e.g. town; city_administration; oblast); NULL = no data';
COMMENT ON COLUMN results.town_profile.population IS 'latest resident population (persons, 1 January) of the most specific kind with a figure: the town proper if it has one';
COMMENT ON COLUMN results.town_profile.population_date IS 'date of population (1 January of its year)';
COMMENT ON COLUMN results.town_profile.population_kind IS 'territory kind of population: town (town proper) | city_administration | district | oblast | republic';
COMMENT ON COLUMN results.town_profile.population_territory_id IS 'territory of population (core.territory)';
COMMENT ON COLUMN results.town_profile.population_source IS 'source of population: files | bundled | taldau';
COMMENT ON COLUMN results.town_profile.population_source_ref IS 'publication or API call population comes from';
COMMENT ON COLUMN results.town_profile.population_prev IS 'the figure before population of the same territory (NULL if it has only one)';
COMMENT ON COLUMN results.town_profile.population_prev_date IS 'date of population_prev (1 January of its year)';
COMMENT ON COLUMN results.town_profile.population_change IS 'population - population_prev (persons); same territory only, never across kinds';
COMMENT ON COLUMN results.town_profile.population_change_pct IS '100 * population_change / population_prev (%)';
COMMENT ON COLUMN results.town_profile.population_change_years IS 'years between population_prev_date and population_date';
COMMENT ON COLUMN results.town_profile.population_change_per_year IS 'population_change / population_change_years (persons per year)';
COMMENT ON COLUMN results.town_profile.other_population IS 'latest population figure of the next most specific other kind (e.g. Kentau''s city administration beside its town proper); not compared with population';
COMMENT ON COLUMN results.town_profile.other_population_date IS 'date of other_population (1 January of its year)';
COMMENT ON COLUMN results.town_profile.other_population_kind IS 'territory kind of other_population';
COMMENT ON COLUMN results.town_profile.other_population_territory_id IS 'territory of other_population (core.territory)';
COMMENT ON COLUMN results.town_profile.n_indicators IS 'number of indicators with at least one value for any territory of the town';
COMMENT ON COLUMN results.town_profile.last_year IS 'latest year with a value for any territory of the town (NULL = no data)';
COMMENT ON COLUMN results.town_profile.n_indicators_town IS 'number of indicators with at least one value for the town proper';
COMMENT ON COLUMN results.town_profile.last_year_town IS 'latest year with a value for the town proper (NULL = none)';
COMMENT ON COLUMN results.town_profile.note IS 'what is missing or not compared (e.g. no population figure published; figures of different kinds are not compared)';

COMMENT ON TABLE results.town_indicator_latest IS 'One row per town x indicator x territory kind with a value: the latest value and its rank among towns.';
COMMENT ON COLUMN results.town_indicator_latest.town_id IS 'town (core.town)';
COMMENT ON COLUMN results.town_indicator_latest.indicator_id IS 'indicator (core.indicator)';
COMMENT ON COLUMN results.town_indicator_latest.territory_kind IS 'kind of territory the value covers: town (town proper) | city_administration | district | oblast | republic';
COMMENT ON COLUMN results.town_indicator_latest.territory_id IS 'territory the value covers (core.territory)';
COMMENT ON COLUMN results.town_indicator_latest.year IS 'latest year with a value (population: 1 January of the year)';
COMMENT ON COLUMN results.town_indicator_latest.value IS 'the value in that year (files, else bundled, else taldau)';
COMMENT ON COLUMN results.town_indicator_latest.unit IS 'unit of the value';
COMMENT ON COLUMN results.town_indicator_latest.source IS 'source of the value: files | bundled | taldau';
COMMENT ON COLUMN results.town_indicator_latest.source_ref IS 'publication or API call the value comes from';
COMMENT ON COLUMN results.town_indicator_latest.rank IS 'rank among towns whose latest value is of the same indicator, kind and year; 1 = largest; ties share the smallest rank (R rank(-x, ties.method = "min")); towns of one oblast tie on its value';
COMMENT ON COLUMN results.town_indicator_latest.n_ranked IS 'number of towns ranked in that indicator, kind and year';
COMMENT ON COLUMN results.town_indicator_latest.note IS 'caveats of the value as loaded (e.g. which relay was kept)';

COMMENT ON COLUMN results.correlation.analysis IS 'which analysis (study table or data set) the pair belongs to; cross_town:<kind>:<year> = across the territories of one kind in one year (n >= 8)';
