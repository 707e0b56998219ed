-- 002: results tables (replaced as a whole by each successful run; columns are a public interface).

CREATE TABLE results.grp_by_year (
    town_id                VARCHAR NOT NULL,
    year                   INTEGER NOT NULL,
    industry               DOUBLE,
    mining                 DOUBLE,
    manufacturing          DOUBLE,
    services               DOUBLE,
    total_as_study         DOUBLE,   -- industry + mining + manufacturing + services (the study's sum)
    total_industry_services DOUBLE,  -- industry + services (no double count if industry contains mining and manufacturing)
    yoy_growth_as_study    DOUBLE,   -- total_as_study / previous year - 1
    yoy_growth_industry_services DOUBLE,
    hhi_as_study           DOUBLE,   -- Herfindahl-Hirschman index over the four printed columns (0-1)
    hhi_industry_services  DOUBLE,   -- HHI over {industry, services}
    note                   VARCHAR,
    PRIMARY KEY (town_id, year)
);

CREATE TABLE results.grp_sector_share (
    town_id   VARCHAR NOT NULL,
    year      INTEGER NOT NULL,
    sector    VARCHAR NOT NULL,
    value     DOUBLE,
    share_as_study DOUBLE,           -- of total_as_study
    share_industry_services DOUBLE,  -- of industry + services (NULL for mining, manufacturing)
    PRIMARY KEY (town_id, year, sector)
);

CREATE TABLE results.labour_market (
    town_id               VARCHAR NOT NULL,
    year                  INTEGER NOT NULL,
    active_thousand       DOUBLE,
    employed_thousand     DOUBLE,
    unemployed            DOUBLE,
    self_employed         DOUBLE,
    unemployment_rate     DOUBLE,
    implied_unemployed    DOUBLE,    -- 1000 * (active - employed)
    implied_rate          DOUBLE,    -- 100 * unemployed / (1000 * active)
    employment_rate       DOUBLE,    -- 100 * employed / active
    consistent            BOOLEAN,   -- NULL when a needed value is missing
    note                  VARCHAR,
    PRIMARY KEY (town_id, year)
);

CREATE TABLE results.perception_summary (
    survey_id        VARCHAR NOT NULL,
    area             VARCHAR NOT NULL,
    n                INTEGER NOT NULL,
    improved         INTEGER,
    unchanged        INTEGER,
    worsened         INTEGER,
    share_improved   DOUBLE,
    share_unchanged  DOUBLE,
    share_worsened   DOUBLE,
    net_balance      DOUBLE,   -- share_improved - share_worsened, in percentage points
    mean_score       DOUBLE,   -- 5 = improved significantly ... 1 = worsened significantly
    sd_score         DOUBLE,
    ci_low           DOUBLE,
    ci_high          DOUBLE,
    ci_level         DOUBLE,
    median_score     DOUBLE,
    PRIMARY KEY (survey_id, area)
);

CREATE TABLE results.correlation (
    analysis  VARCHAR NOT NULL,
    x         VARCHAR NOT NULL,
    y         VARCHAR NOT NULL,
    method    VARCHAR NOT NULL,
    n         INTEGER,
    estimate  DOUBLE,
    p_value   DOUBLE,
    ci_low    DOUBLE,
    ci_high   DOUBLE,
    ci_level  DOUBLE,
    note      VARCHAR,
    PRIMARY KEY (analysis, x, y, method)
);
