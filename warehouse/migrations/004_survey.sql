-- 004: respondent-level survey data (`monotowns survey import`), its Table 3/4/7 views and the
-- survey results tables. Columns are a public interface (docs/survey.md).

-- One row per imported wave (a wave is also a row of core.survey, with synthetic flag).
CREATE TABLE core.survey_wave (
    survey_id        VARCHAR PRIMARY KEY,
    town_id          VARCHAR NOT NULL,
    period           VARCHAR,              -- e.g. 2025; orders waves for change over time
    codebook_id      VARCHAR NOT NULL,
    codebook_version VARCHAR,
    codebook_sha256  VARCHAR,
    file             VARCHAR NOT NULL,     -- file name as imported
    payload_hash     VARCHAR NOT NULL,     -- raw.payload content_hash of that file
    synthetic        BOOLEAN NOT NULL,
    synthetic_reason VARCHAR,              -- why it is flagged synthetic (file name, metadata, ...)
    respondents      INTEGER NOT NULL,
    responses        BIGINT NOT NULL,      -- rows in core.survey_response
    run_id           VARCHAR NOT NULL,     -- import run that loaded this version
    imported_at      TIMESTAMPTZ NOT NULL
);

-- The codebook items as used by each wave (so waves with different codebooks stay readable).
CREATE TABLE core.survey_item (
    survey_id    VARCHAR NOT NULL,
    item         VARCHAR NOT NULL,         -- column of the file; <item>.<option> for checkboxes
    parent_item  VARCHAR,                  -- the multiple-choice item of an option item
    question_id  VARCHAR NOT NULL,
    question_en  VARCHAR,
    question_ru  VARCHAR,
    role         VARCHAR NOT NULL,         -- category | perception | support | demographic | assessment | other
    scale        VARCHAR NOT NULL,
    scale_type   VARCHAR NOT NULL,         -- ordinal | score | nominal | binary
    label_en     VARCHAR,
    label_ru     VARCHAR,
    required     BOOLEAN NOT NULL,
    position     INTEGER NOT NULL,
    composite    VARCHAR,                  -- multi-item scale the item belongs to (for alpha)
    PRIMARY KEY (survey_id, item)
);

-- Every answer an item accepts, with its code (zero counts come from here).
CREATE TABLE core.survey_answer (
    survey_id VARCHAR NOT NULL,
    item      VARCHAR NOT NULL,
    value     INTEGER NOT NULL,
    answer    VARCHAR NOT NULL,            -- key, e.g. improved_significantly, small_business, 7
    label_en  VARCHAR,
    label_ru  VARCHAR,
    PRIMARY KEY (survey_id, item, value)
);

CREATE TABLE core.survey_respondent (
    survey_id     VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL,
    town_id       VARCHAR NOT NULL,
    file_row      INTEGER NOT NULL,        -- row in the imported file (header = row 1)
    PRIMARY KEY (survey_id, respondent_id)
);

-- Long format: one row per respondent x answered item. Natural key (survey_id, respondent_id,
-- item) is enforced by the importer (validated unique before loading; a wave is replaced as a
-- whole), not by an index: a primary key on 10^7+ rows would cost more than the table.
CREATE TABLE core.survey_response (
    survey_id     VARCHAR NOT NULL,
    town_id       VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL,
    item          VARCHAR NOT NULL,
    value         INTEGER NOT NULL,        -- the answer's code (see core.survey_answer)
    answer        VARCHAR NOT NULL,        -- the answer's key
    label         VARCHAR                  -- the answer's English label
);

-- Answer counts of every item, zeros included.
CREATE VIEW core.v_survey_answer_count AS
SELECT a.survey_id, w.town_id, w.synthetic, a.item, i.role, i.label_en AS item_label,
       a.value, a.answer, a.label_en AS answer_label,
       COALESCE(c.respondents, 0)::INTEGER AS respondents
FROM core.survey_answer a
JOIN core.survey_item i USING (survey_id, item)
JOIN core.survey_wave w USING (survey_id)
LEFT JOIN (
    SELECT survey_id, item, value, count(*) AS respondents
    FROM core.survey_response GROUP BY survey_id, item, value
) c USING (survey_id, item, value);

-- Study Table 3 from microdata: respondents per category.
CREATE VIEW core.v_survey_respondent_category AS
SELECT survey_id, town_id, synthetic, answer AS category, answer_label AS category_label,
       value AS code, respondents
FROM core.v_survey_answer_count WHERE role = 'category';

-- Study Table 4 from microdata: answer counts per area (same keys as core.survey_perception_count).
CREATE VIEW core.v_survey_perception_count AS
SELECT survey_id, town_id, synthetic, item AS area, item_label AS area_label, answer,
       value AS score, respondents
FROM core.v_survey_answer_count WHERE role = 'perception';

-- Study Table 7 from microdata: score counts per support measure (as core.survey_support_score_count).
CREATE VIEW core.v_survey_support_score_count AS
SELECT survey_id, town_id, synthetic, item AS measure, item_label AS measure_label,
       value AS score, respondents
FROM core.v_survey_answer_count WHERE role = 'support';

-- Results (replaced as a whole by each refresh or import; synthetic waves are flagged).

CREATE TABLE results.survey_item_summary (
    survey_id    VARCHAR NOT NULL,
    synthetic    BOOLEAN NOT NULL,
    item         VARCHAR NOT NULL,
    role         VARCHAR,
    scale_type   VARCHAR,
    group_item   VARCHAR NOT NULL,         -- '' for all respondents, else the category item
    group_value  VARCHAR NOT NULL,         -- '' for all respondents, else the category key
    n            INTEGER NOT NULL,
    mean         DOUBLE,
    sd           DOUBLE,
    ci_low       DOUBLE,                   -- Student-t interval of the mean
    ci_high      DOUBLE,
    ci_level     DOUBLE NOT NULL,
    median       DOUBLE,
    note         VARCHAR,
    PRIMARY KEY (survey_id, item, group_item, group_value)
);

CREATE TABLE results.survey_item_correlation (
    survey_id  VARCHAR NOT NULL,
    synthetic  BOOLEAN NOT NULL,
    analysis   VARCHAR NOT NULL,
    x          VARCHAR NOT NULL,
    y          VARCHAR NOT NULL,
    method     VARCHAR NOT NULL,           -- spearman | kendall (tau-b)
    n          INTEGER,
    estimate   DOUBLE,
    p_value    DOUBLE,
    p_adjusted DOUBLE,                     -- Holm, within survey x method
    ci_low     DOUBLE,
    ci_high    DOUBLE,
    ci_level   DOUBLE,
    note       VARCHAR,
    PRIMARY KEY (survey_id, x, y, method)
);

CREATE TABLE results.survey_reliability (
    survey_id     VARCHAR NOT NULL,
    synthetic     BOOLEAN NOT NULL,
    composite     VARCHAR NOT NULL,        -- e.g. perception (Table 4 items), support (Table 7)
    items         VARCHAR NOT NULL,        -- comma-separated item ids
    k             INTEGER NOT NULL,
    n             INTEGER NOT NULL,        -- respondents with every item answered (listwise)
    alpha         DOUBLE,                  -- Cronbach's alpha (raw)
    alpha_standardized DOUBLE,             -- from the mean inter-item Pearson r
    mean_inter_item_r  DOUBLE,
    ci_low        DOUBLE,                  -- Feldt (1965) F-based interval
    ci_high       DOUBLE,
    ci_level      DOUBLE NOT NULL,
    ci_method     VARCHAR,
    note          VARCHAR,
    PRIMARY KEY (survey_id, composite)
);

CREATE TABLE results.survey_association (
    survey_id      VARCHAR NOT NULL,
    synthetic      BOOLEAN NOT NULL,
    item           VARCHAR NOT NULL,       -- answer item (rows of the table: its answers)
    by_item        VARCHAR NOT NULL,       -- the category item (columns: its categories)
    n              INTEGER NOT NULL,
    n_rows         INTEGER,                -- non-empty answer levels
    n_cols         INTEGER,                -- non-empty categories
    test           VARCHAR NOT NULL,       -- chi-square | fisher-exact | fisher-monte-carlo | not computed
    statistic      DOUBLE,                 -- Pearson chi-square (also reported when Fisher is used)
    df             INTEGER,
    p_value        DOUBLE,                 -- of the test named in `test`
    p_adjusted     DOUBLE,                 -- Holm, within survey x by_item
    cramers_v      DOUBLE,
    min_expected   DOUBLE,
    share_expected_below_5 DOUBLE,
    note           VARCHAR,
    PRIMARY KEY (survey_id, item, by_item)
);

CREATE TABLE results.survey_wave_change (
    town_id      VARCHAR NOT NULL,
    item         VARCHAR NOT NULL,
    survey_from  VARCHAR NOT NULL,
    survey_to    VARCHAR NOT NULL,
    synthetic    BOOLEAN NOT NULL,         -- true when either wave is synthetic
    n_from       INTEGER,
    n_to         INTEGER,
    mean_from    DOUBLE,
    mean_to      DOUBLE,
    difference   DOUBLE,                   -- mean_to - mean_from
    ci_low       DOUBLE,                   -- Welch interval of the difference
    ci_high      DOUBLE,
    ci_level     DOUBLE NOT NULL,
    t_statistic  DOUBLE,
    df           DOUBLE,                   -- Welch-Satterthwaite
    p_value      DOUBLE,
    p_adjusted   DOUBLE,                   -- Holm, within town x wave pair
    note         VARCHAR,
    PRIMARY KEY (item, survey_from, survey_to)
);
