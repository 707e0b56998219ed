-- 001: the four schemas and the tables users rely on (see README "Warehouse tables").
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS results;
CREATE SCHEMA IF NOT EXISTS meta;

-- raw: every payload as received, keyed by content hash (bytes also in the file archive).
CREATE TABLE raw.payload (
    content_hash  VARCHAR PRIMARY KEY,
    source        VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    uri           VARCHAR NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    size_bytes    BIGINT NOT NULL,
    archive_path  VARCHAR,
    meta          JSON,
    content       BLOB,            -- NULL when larger than the inline limit; see archive_path
    first_run_id  VARCHAR NOT NULL
);

-- core: typed, conformed data.
CREATE TABLE core.town (
    town_id                 VARCHAR PRIMARY KEY,
    name_en                 VARCHAR NOT NULL,
    name_ru                 VARCHAR,
    name_kk                 VARCHAR,
    region                  VARCHAR,
    kato_code               VARCHAR,
    town_forming_enterprise VARCHAR,
    confirmed               BOOLEAN NOT NULL,
    status                  VARCHAR,
    source                  VARCHAR
);

CREATE TABLE core.indicator (
    indicator_id VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    unit         VARCHAR NOT NULL,
    topic        VARCHAR,
    description  VARCHAR
);

-- Current value per (town, indicator, year, source). Older vintages live in core.observation_history.
CREATE TABLE core.observation (
    town_id       VARCHAR NOT NULL,
    indicator_id  VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    value         DOUBLE,
    value_status  VARCHAR NOT NULL,   -- ok | missing | suppressed | unparseable
    raw_value     VARCHAR,
    unit          VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    source_ref    VARCHAR,
    vintage       TIMESTAMPTZ NOT NULL, -- fetched-at of the payload this value first came from
    run_id        VARCHAR NOT NULL,     -- run that loaded this value
    payload_hash  VARCHAR,
    note          VARCHAR,
    PRIMARY KEY (town_id, indicator_id, year, source)
);

CREATE TABLE core.observation_history (
    town_id       VARCHAR NOT NULL,
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

CREATE TABLE core.survey (
    survey_id   VARCHAR PRIMARY KEY,
    town_id     VARCHAR NOT NULL,
    respondents INTEGER NOT NULL,
    population  VARCHAR,
    mode        VARCHAR,
    synthetic   BOOLEAN NOT NULL,
    description VARCHAR,
    source      VARCHAR
);

CREATE TABLE core.survey_respondent_category (   -- study Table 3
    survey_id   VARCHAR NOT NULL,
    category    VARCHAR NOT NULL,
    respondents INTEGER NOT NULL,
    source_table VARCHAR,
    note        VARCHAR,
    PRIMARY KEY (survey_id, category)
);

CREATE TABLE core.survey_perception_count (      -- study Table 4
    survey_id   VARCHAR NOT NULL,
    area        VARCHAR NOT NULL,
    area_label  VARCHAR,
    answer      VARCHAR NOT NULL,
    respondents INTEGER NOT NULL,
    source_table VARCHAR,
    note        VARCHAR,
    PRIMARY KEY (survey_id, area, answer)
);

CREATE TABLE core.survey_support_score_count (   -- study Table 7
    survey_id   VARCHAR NOT NULL,
    measure     VARCHAR NOT NULL,
    measure_label VARCHAR,
    score       INTEGER NOT NULL,
    respondents INTEGER NOT NULL,
    source_table VARCHAR,
    note        VARCHAR,
    PRIMARY KEY (survey_id, measure, score)
);

-- meta: runs and data quality.
CREATE TABLE meta.pipeline_run (
    run_id       VARCHAR PRIMARY KEY,
    flow         VARCHAR NOT NULL,
    parameters   JSON,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       VARCHAR NOT NULL,    -- completed | failed
    message      VARCHAR,
    row_counts   JSON,
    versions     JSON
);

CREATE TABLE meta.quality_issue (
    issue_id      VARCHAR PRIMARY KEY,  -- hash of the natural key below
    source        VARCHAR NOT NULL,
    table_name    VARCHAR NOT NULL,
    file          VARCHAR,
    file_row      INTEGER,
    row_key       VARCHAR,
    column_name   VARCHAR,
    check_name    VARCHAR NOT NULL,
    severity      VARCHAR NOT NULL,     -- error | warning
    observed      VARCHAR,
    message       VARCHAR NOT NULL,
    first_run_id  VARCHAR NOT NULL,
    last_run_id   VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL
);
