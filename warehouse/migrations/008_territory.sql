-- 008: territories. A value belongs to the territory it was published for (town proper, city
-- administration, district, oblast, republic); core.observation and core.observation_history key
-- on territory_id instead of town_id. core.territory, core.town and core.town_territory are
-- reloaded from the one registry (tasks/sources/taldau/*.csv) on every run; this migration moves
-- the rows already loaded: the files' and the study's figures to the town proper (town_<town_id>),
-- Taldau rows to the territory whose term id their note names (249978 -> district_khromtau,
-- oblast terms -> the oblast). DuckDB cannot alter a primary key: create, copy, drop, rename.

CREATE TABLE core.territory (
    territory_id        VARCHAR PRIMARY KEY,
    kind                VARCHAR NOT NULL,  -- republic | oblast | district | city_administration | town
    name_en             VARCHAR,
    name_ru             VARCHAR,
    name_kk             VARCHAR,
    parent_territory_id VARCHAR,
    kato_code           VARCHAR,
    taldau_term_id      BIGINT,
    taldau_dics         VARCHAR,
    valid_from          DATE,
    valid_to            DATE,
    confidence          VARCHAR,
    confirmed           BOOLEAN NOT NULL,
    source              VARCHAR,
    note                VARCHAR
);

CREATE TABLE core.town_territory (
    town_id      VARCHAR NOT NULL,
    territory_id VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    valid_from   DATE,
    valid_to     DATE,
    PRIMARY KEY (town_id, territory_id)
);

ALTER TABLE core.town ADD COLUMN confidence VARCHAR;
ALTER TABLE core.town ADD COLUMN territory_id VARCHAR;
ALTER TABLE core.town ADD COLUMN oblast_territory_id VARCHAR;
ALTER TABLE core.town ADD COLUMN territory_confirmed BOOLEAN;

CREATE TEMP TABLE _term_territory (term BIGINT, territory_id VARCHAR);
INSERT INTO _term_territory VALUES
    (741880, 'kazakhstan'),
    (247783, 'oblast_akmola'),
    (248875, 'oblast_aktobe'),
    (250502, 'oblast_almaty'),
    (252311, 'oblast_atyrau'),
    (253160, 'oblast_west_kazakhstan'),
    (255577, 'oblast_zhambyl'),
    (256619, 'oblast_karaganda'),
    (258742, 'oblast_kostanay'),
    (260099, 'oblast_kyzylorda'),
    (260907, 'oblast_mangystau'),
    (263009, 'oblast_pavlodar'),
    (264023, 'oblast_north_kazakhstan'),
    (264990, 'oblast_east_kazakhstan'),
    (20243032, 'oblast_turkestan'),
    (77208139, 'oblast_zhetisu'),
    (77208140, 'oblast_ulytau'),
    (77208141, 'oblast_abai'),
    (268012, 'city_astana'),
    (268020, 'city_almaty'),
    (20242100, 'city_shymkent'),
    (249978, 'district_khromtau'),
    (256704, 'ca_satpayev'),
    (256636, 'ca_zhezkazgan'),
    (256694, 'ca_karazhal'),
    (256627, 'ca_balkhash'),
    (256709, 'ca_temirtau'),
    (256700, 'ca_saran'),
    (256713, 'ca_shakhtinsk'),
    (256698, 'ca_priozersk'),
    (256721, 'district_abai_karaganda'),
    (252371, 'district_zhylyoi'),
    (260912, 'ca_zhanaozen'),
    (253495, 'district_burlin'),
    (256365, 'district_sarysu'),
    (256442, 'district_talas'),
    (265011, 'ca_ridder'),
    (266711, 'district_altai'),
    (265009, 'ca_kurchatov'),
    (258745, 'ca_arkalyk'),
    (258875, 'ca_lisakovsk'),
    (258881, 'ca_rudny'),
    (259303, 'district_zhitikara'),
    (247791, 'ca_stepnogorsk'),
    (20243145, 'ca_kentau'),
    (263024, 'ca_aksu'),
    (263088, 'ca_ekibastuz'),
    (250538, 'ca_tekeli');

CREATE TABLE core.observation_v8 (
    territory_id  VARCHAR NOT NULL,
    indicator_id  VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    value         DOUBLE,
    value_status  VARCHAR NOT NULL,
    raw_value     VARCHAR,
    unit          VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    source_ref    VARCHAR,
    vintage       TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL,
    payload_hash  VARCHAR,
    note          VARCHAR,
    PRIMARY KEY (territory_id, indicator_id, year, source)
);
INSERT INTO core.observation_v8
SELECT CASE
         WHEN o.source <> 'taldau' THEN 'town_' || o.town_id
         ELSE coalesce(t.territory_id, 'unresolved_' || o.town_id)
       END,
       indicator_id, year, value, value_status, raw_value, unit, source, source_ref, vintage, run_id, payload_hash, note
FROM core.observation o
LEFT JOIN _term_territory t
  ON t.term = TRY_CAST(regexp_extract(o.note, 'dic 6[78] term ([0-9]+)', 1) AS BIGINT);

CREATE TABLE core.observation_history_v8 (
    territory_id  VARCHAR NOT NULL,
    indicator_id  VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    value         DOUBLE,
    value_status  VARCHAR NOT NULL,
    raw_value     VARCHAR,
    unit          VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    source_ref    VARCHAR,
    vintage       TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL,
    payload_hash  VARCHAR,
    note          VARCHAR,
    superseded_at TIMESTAMPTZ NOT NULL,
    superseded_by_run VARCHAR NOT NULL
);
INSERT INTO core.observation_history_v8
SELECT CASE
         WHEN o.source <> 'taldau' THEN 'town_' || o.town_id
         ELSE coalesce(t.territory_id, 'unresolved_' || o.town_id)
       END,
       indicator_id, year, value, value_status, raw_value, unit, source, source_ref, vintage, run_id, payload_hash, note, superseded_at, superseded_by_run
FROM core.observation_history o
LEFT JOIN _term_territory t
  ON t.term = TRY_CAST(regexp_extract(o.note, 'dic 6[78] term ([0-9]+)', 1) AS BIGINT);

DROP TABLE core.observation;
DROP TABLE core.observation_history;
ALTER TABLE core.observation_v8 RENAME TO observation;
ALTER TABLE core.observation_history_v8 RENAME TO observation_history;
DROP TABLE _term_territory;

-- One row per (town, territory, indicator, year, source): a town's own series (territory_kind
-- 'town') beside its administration's or district's and its oblast's, each labelled; an oblast
-- row only for the years the town lay in that oblast.
CREATE VIEW core.v_town_series AS
SELECT tt.town_id, o.indicator_id, o.year, o.value, o.value_status, o.unit,
       o.territory_id, t.kind AS territory_kind, t.name_en AS territory_name,
       t.name_ru AS territory_name_ru, o.source, o.source_ref,
       t.confirmed AS territory_confirmed, o.note
FROM core.observation o
JOIN core.town_territory tt ON tt.territory_id = o.territory_id
JOIN core.territory t ON t.territory_id = o.territory_id
WHERE (tt.valid_from IS NULL OR o.year >= year(tt.valid_from))
  AND (tt.valid_to IS NULL OR o.year <= year(tt.valid_to));

-- What a run obtained: one row per town x indicator x year x territory kind.
CREATE TABLE results.coverage (
    town_id        VARCHAR NOT NULL,
    indicator_id   VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    territory_kind VARCHAR NOT NULL,
    territory_id   VARCHAR,
    status         VARCHAR NOT NULL,  -- ok | suppressed | missing | failed | not_configured
    source         VARCHAR,
    territory_confirmed BOOLEAN,
    note           VARCHAR,
    PRIMARY KEY (town_id, indicator_id, year, territory_kind)
);

-- comments (the tables rebuilt above lost theirs)

COMMENT ON TABLE core.territory IS 'One row per territory a value can describe: the republic, oblasts (and the 3 republican cities), districts, city administrations and towns proper. Reloaded from the registry (tasks/sources/taldau/territories.csv + towns.csv) on every run.';
COMMENT ON COLUMN core.territory.territory_id IS 'territory id (slug: kazakhstan, oblast_aktobe, district_khromtau, ca_satpayev; a town proper is town_<town_id>, e.g. town_khromtau)';
COMMENT ON COLUMN core.territory.kind IS 'republic | oblast | district | city_administration | town (town = the town proper, without its villages)';
COMMENT ON COLUMN core.territory.name_en IS 'English name';
COMMENT ON COLUMN core.territory.name_ru IS 'Russian name';
COMMENT ON COLUMN core.territory.name_kk IS 'Kazakh name (where a source gives it)';
COMMENT ON COLUMN core.territory.parent_territory_id IS 'the territory containing it now (core.territory); districts were re-parented by the 2022 reform';
COMMENT ON COLUMN core.territory.kato_code IS '9-digit KATO code (for districts and administrations derived from the town''s code)';
COMMENT ON COLUMN core.territory.taldau_term_id IS 'Taldau term id of the territory (NULL = unknown, never fetched; town nodes until taldau discover finds them)';
COMMENT ON COLUMN core.territory.taldau_dics IS 'Taldau dictionaries the term id is valid in (67,68 for the republic and oblasts; 68 below)';
COMMENT ON COLUMN core.territory.valid_from IS 'first day the territory exists (1 January of the registry''s valid_from year; NULL = open)';
COMMENT ON COLUMN core.territory.valid_to IS 'last day the territory exists (31 December of valid_to; NULL = open)';
COMMENT ON COLUMN core.territory.confidence IS 'confidence in the Taldau term id: high | medium-high | medium | low-medium | low | unknown';
COMMENT ON COLUMN core.territory.confirmed IS 'true only for term ids two independent sources agree on; false = used, but unconfirmed until verified live (show it beside any value of this territory)';
COMMENT ON COLUMN core.territory.source IS 'where the registry row comes from';
COMMENT ON COLUMN core.territory.note IS 'caveats (e.g. a district is larger than the town)';

COMMENT ON TABLE core.town_territory IS 'One row per town x territory x validity: its town proper, the district or city administration containing it, and its oblast in each period (Satpayev: Karaganda until 2021-12-31, Ulytau from 2022-01-01).';
COMMENT ON COLUMN core.town_territory.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.town_territory.territory_id IS 'territory (core.territory)';
COMMENT ON COLUMN core.town_territory.kind IS 'kind of the territory: town | district | city_administration | oblast';
COMMENT ON COLUMN core.town_territory.valid_from IS 'first day the town lies in the territory (NULL = open)';
COMMENT ON COLUMN core.town_territory.valid_to IS 'last day the town lies in the territory (NULL = open)';

COMMENT ON TABLE core.town IS 'One row per registry town (tasks/sources/taldau/towns.csv: all 28 candidate monotowns), reloaded on every run; an input towns.csv adds towns the registry lacks.';
COMMENT ON COLUMN core.town.status IS 'monotown status: current | former | unconfirmed (no source names it a monotown)';
COMMENT ON COLUMN core.town.confirmed IS 'a source names the town a monotown (status current or former)';
COMMENT ON COLUMN core.town.confidence IS 'confidence in the town''s Taldau territory ids (registry towns.csv)';
COMMENT ON COLUMN core.town.territory_id IS 'the district or city administration containing the town (core.territory)';
COMMENT ON COLUMN core.town.oblast_territory_id IS 'the town''s oblast now (core.territory)';
COMMENT ON COLUMN core.town.territory_confirmed IS 'whether the Taldau id of the town''s district or administration is confirmed (false = used, unconfirmed)';

COMMENT ON TABLE core.observation IS 'One row per territory x indicator x year x source: the current value (older vintages in core.observation_history). A town''s series: core.v_town_series.';
COMMENT ON COLUMN core.observation.territory_id IS 'territory the value was published for (core.territory): a town proper, a city administration, a district, an oblast';
COMMENT ON COLUMN core.observation.indicator_id IS 'indicator (core.indicator)';
COMMENT ON COLUMN core.observation.year IS 'calendar year (population: at 1 January of the year)';
COMMENT ON COLUMN core.observation.value IS 'the value (NULL unless value_status is ok)';
COMMENT ON COLUMN core.observation.value_status IS 'ok | missing | suppressed | unparseable';
COMMENT ON COLUMN core.observation.raw_value IS 'the value as received or printed (text)';
COMMENT ON COLUMN core.observation.unit IS 'unit of the value';
COMMENT ON COLUMN core.observation.source IS 'source of the value: bundled | files | taldau';
COMMENT ON COLUMN core.observation.source_ref IS 'study table, publication or API call the value comes from';
COMMENT ON COLUMN core.observation.vintage IS 'fetched-at of the payload this value first came from';
COMMENT ON COLUMN core.observation.run_id IS 'run that loaded this value (meta.pipeline_run)';
COMMENT ON COLUMN core.observation.payload_hash IS 'raw.payload content_hash of the payload it came from';
COMMENT ON COLUMN core.observation.note IS 'caveats of the value (e.g. garbled in the study; which relay was kept)';

COMMENT ON TABLE core.observation_history IS 'One row per superseded value of core.observation.';
COMMENT ON COLUMN core.observation_history.territory_id IS 'territory the value was published for (core.territory)';
COMMENT ON COLUMN core.observation_history.indicator_id IS 'indicator (core.indicator)';
COMMENT ON COLUMN core.observation_history.year IS 'calendar year';
COMMENT ON COLUMN core.observation_history.value IS 'the value (NULL unless value_status is ok)';
COMMENT ON COLUMN core.observation_history.value_status IS 'ok | missing | suppressed | unparseable';
COMMENT ON COLUMN core.observation_history.raw_value IS 'the value as received or printed (text)';
COMMENT ON COLUMN core.observation_history.unit IS 'unit of the value';
COMMENT ON COLUMN core.observation_history.source IS 'source of the value: bundled | files | taldau';
COMMENT ON COLUMN core.observation_history.source_ref IS 'study table, publication or API call the value comes from';
COMMENT ON COLUMN core.observation_history.vintage IS 'fetched-at of the payload this value first came from';
COMMENT ON COLUMN core.observation_history.run_id IS 'run that loaded this value (meta.pipeline_run)';
COMMENT ON COLUMN core.observation_history.payload_hash IS 'raw.payload content_hash of the payload it came from';
COMMENT ON COLUMN core.observation_history.note IS 'caveats of the value';
COMMENT ON COLUMN core.observation_history.superseded_at IS 'when a newer value replaced it';
COMMENT ON COLUMN core.observation_history.superseded_by_run IS 'run that replaced it (meta.pipeline_run)';

COMMENT ON VIEW core.v_town_series IS 'One row per town x territory x indicator x year x source: the town''s own series (territory_kind = town) beside its administration''s or district''s and its oblast''s (only for the years the town lay in that oblast), each labelled. Never read a district or oblast value as the town''s.';
COMMENT ON COLUMN core.v_town_series.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.v_town_series.indicator_id IS 'indicator (core.indicator)';
COMMENT ON COLUMN core.v_town_series.year IS 'calendar year';
COMMENT ON COLUMN core.v_town_series.value IS 'the value (NULL unless value_status is ok)';
COMMENT ON COLUMN core.v_town_series.value_status IS 'ok | missing | suppressed | unparseable';
COMMENT ON COLUMN core.v_town_series.unit IS 'unit of the value';
COMMENT ON COLUMN core.v_town_series.territory_id IS 'territory the value was published for (core.territory)';
COMMENT ON COLUMN core.v_town_series.territory_kind IS 'what the value covers: town (the town proper) | city_administration (town + its villages) | district | oblast | republic';
COMMENT ON COLUMN core.v_town_series.territory_name IS 'English name of the territory';
COMMENT ON COLUMN core.v_town_series.territory_name_ru IS 'Russian name of the territory';
COMMENT ON COLUMN core.v_town_series.source IS 'source of the value: bundled | files | taldau';
COMMENT ON COLUMN core.v_town_series.source_ref IS 'study table, publication or API call the value comes from';
COMMENT ON COLUMN core.v_town_series.territory_confirmed IS 'false = the territory''s Taldau id is used but not yet confirmed (mark such values as unconfirmed)';
COMMENT ON COLUMN core.v_town_series.note IS 'caveats of the value';

COMMENT ON TABLE results.coverage IS 'What the warehouse holds after the run: one row per registry town x indicator x year x territory kind (years: the span any source covers for the indicator).';
COMMENT ON COLUMN results.coverage.town_id IS 'town (core.town)';
COMMENT ON COLUMN results.coverage.indicator_id IS 'indicator (core.indicator)';
COMMENT ON COLUMN results.coverage.year IS 'calendar year';
COMMENT ON COLUMN results.coverage.territory_kind IS 'town | district | city_administration | oblast: which of the town''s territories the cell is about';
COMMENT ON COLUMN results.coverage.territory_id IS 'the town''s territory of that kind in that year (core.territory)';
COMMENT ON COLUMN results.coverage.status IS 'ok (a value) | suppressed (published as confidential) | missing (configured or published elsewhere, no value for this year) | failed (the fetch failed after retries in the last run) | not_configured (no source provides the indicator for this kind of territory, or its id is unknown)';
COMMENT ON COLUMN results.coverage.source IS 'source(s) of the values: bundled | files | taldau, joined by +';
COMMENT ON COLUMN results.coverage.territory_confirmed IS 'false = the territory''s Taldau id is used but unconfirmed';
COMMENT ON COLUMN results.coverage.note IS 'why a cell is failed or not_configured';
