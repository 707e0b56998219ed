-- khromtau_2024 001: the study's own tables, with what each column holds.
-- Applied by warehouse.db.migrate after the generic migrations and recorded in
-- meta.study_migration (study = 'khromtau_2024'). A warehouse built before the study had its
-- own migrations already has these tables (generic migrations 001-003 and 006 created them):
-- CREATE TABLE IF NOT EXISTS leaves them as they are, the comments are the same.

-- core: the study's inputs beyond the generic ones (tasks/studies/khromtau_2024/inputs.py).

CREATE TABLE IF NOT EXISTS core.survey_table5 (                -- study Table 5, as printed
    survey_id   VARCHAR NOT NULL,
    answer      VARCHAR NOT NULL,
    job         DOUBLE,
    entrepreneurship DOUBLE,
    rank_job    DOUBLE,
    rank_entrepreneurship DOUBLE,
    source_table VARCHAR,
    note        VARCHAR,
    PRIMARY KEY (survey_id, answer)
);

CREATE TABLE IF NOT EXISTS core.survey_paired_value (          -- study Table 8, as printed
    survey_id   VARCHAR NOT NULL,
    "row"       INTEGER NOT NULL,
    x           DOUBLE,
    y           DOUBLE,
    rank_x      DOUBLE,
    rank_y      DOUBLE,
    source_table VARCHAR,
    note        VARCHAR,
    PRIMARY KEY (survey_id, "row")
);

CREATE TABLE IF NOT EXISTS core.published_number (             -- numbers the study prints (the audit's "published")
    source_table    VARCHAR NOT NULL,
    statistic       VARCHAR NOT NULL,
    published       VARCHAR NOT NULL,  -- text as printed
    published_value DOUBLE,
    printed_formula VARCHAR,
    note            VARCHAR,
    PRIMARY KEY (source_table, statistic)
);

-- results: the study's analyses (replaced as a whole by each successful run; columns are a
-- public interface).

CREATE TABLE IF NOT EXISTS results.support_measure (
    survey_id              VARCHAR NOT NULL,
    measure                VARCHAR NOT NULL,
    measure_label          VARCHAR,
    n                      INTEGER NOT NULL,  -- respondents who scored the measure
    mean_score             DOUBLE,            -- mean of the 1..10 scores
    sd_score               DOUBLE,            -- sample SD (n-1)
    ci_low                 DOUBLE,            -- Student-t CI of the mean
    ci_high                DOUBLE,
    ci_level               DOUBLE,
    median_score           DOUBLE,
    share_8_plus           DOUBLE,            -- share of respondents scoring 8, 9 or 10
    rank_by_mean           INTEGER,           -- 1 = highest mean score (ties share the best rank)
    importance_coefficient DOUBLE,            -- the study's "importance": Pearson r of score (1..10) vs respondents per score
    importance_rank        INTEGER,           -- 1 = highest importance_coefficient
    sk_aggregate           DOUBLE,            -- the study's SK: mean of the measures' importance coefficients (same on every row of a survey)
    note                   VARCHAR,
    PRIMARY KEY (survey_id, measure)
);

CREATE TABLE IF NOT EXISTS results.paper_reproduction (
    source_table VARCHAR NOT NULL,
    statistic    VARCHAR NOT NULL,
    published    VARCHAR NOT NULL,
    published_value DOUBLE,
    recomputed   DOUBLE,
    status       VARCHAR NOT NULL,   -- reproduced | discrepancy | not_reproducible
    explanation  VARCHAR NOT NULL,
    PRIMARY KEY (source_table, statistic)
);

CREATE TABLE IF NOT EXISTS results.hypothesis (
    hypothesis   VARCHAR PRIMARY KEY,
    statement    VARCHAR NOT NULL,
    evidence     VARCHAR NOT NULL,
    statistic    VARCHAR,
    value        DOUBLE,
    p_value      DOUBLE,
    p_adjusted   DOUBLE,
    decision_rule VARCHAR NOT NULL,
    verdict      VARCHAR NOT NULL,   -- supported | not supported | insufficient evidence
    note         VARCHAR
);

-- What every table and column holds (docs/warehouse.md, the XLSX About sheet).

COMMENT ON TABLE core.published_number IS 'One row per number the study prints (the audit''s published values).';
COMMENT ON COLUMN core.published_number.source_table IS 'where the study prints it (e.g. Table 7)';
COMMENT ON COLUMN core.published_number.statistic IS 'which number';
COMMENT ON COLUMN core.published_number.published IS 'the number as printed (text)';
COMMENT ON COLUMN core.published_number.published_value IS 'the printed number read as a number';
COMMENT ON COLUMN core.published_number.printed_formula IS 'the formula the study prints for it';
COMMENT ON COLUMN core.published_number.note IS 'caveats';

COMMENT ON TABLE core.survey_paired_value IS 'One row per printed row of study Table 8, as printed (for the audit).';
COMMENT ON COLUMN core.survey_paired_value.survey_id IS 'survey wave (core.survey)';
COMMENT ON COLUMN core.survey_paired_value."row" IS 'row number as printed';
COMMENT ON COLUMN core.survey_paired_value.x IS 'x value as printed';
COMMENT ON COLUMN core.survey_paired_value.y IS 'y value as printed';
COMMENT ON COLUMN core.survey_paired_value.rank_x IS 'rank of x as printed';
COMMENT ON COLUMN core.survey_paired_value.rank_y IS 'rank of y as printed';
COMMENT ON COLUMN core.survey_paired_value.source_table IS 'study table the row comes from';
COMMENT ON COLUMN core.survey_paired_value.note IS 'caveats';

COMMENT ON TABLE core.survey_table5 IS 'One row per printed row of study Table 5, as printed (for the audit).';
COMMENT ON COLUMN core.survey_table5.survey_id IS 'survey wave (core.survey)';
COMMENT ON COLUMN core.survey_table5.answer IS 'answer category of the row';
COMMENT ON COLUMN core.survey_table5.job IS 'count printed in the Job column';
COMMENT ON COLUMN core.survey_table5.entrepreneurship IS 'count printed in the Entrepreneurship column';
COMMENT ON COLUMN core.survey_table5.rank_job IS 'rank printed for job';
COMMENT ON COLUMN core.survey_table5.rank_entrepreneurship IS 'rank printed for entrepreneurship';
COMMENT ON COLUMN core.survey_table5.source_table IS 'study table the row comes from';
COMMENT ON COLUMN core.survey_table5.note IS 'caveats';

COMMENT ON TABLE results.hypothesis IS 'One row per hypothesis H1-H4.';
COMMENT ON COLUMN results.hypothesis.hypothesis IS 'H1 ... H4';
COMMENT ON COLUMN results.hypothesis.statement IS 'the hypothesis as the study states it';
COMMENT ON COLUMN results.hypothesis.evidence IS 'which data the test uses';
COMMENT ON COLUMN results.hypothesis.statistic IS 'the test statistic''s name';
COMMENT ON COLUMN results.hypothesis.value IS 'the test statistic''s value';
COMMENT ON COLUMN results.hypothesis.p_value IS 'p-value of the test';
COMMENT ON COLUMN results.hypothesis.p_adjusted IS 'Holm-adjusted p-value over the hypotheses';
COMMENT ON COLUMN results.hypothesis.decision_rule IS 'how the verdict follows from the test';
COMMENT ON COLUMN results.hypothesis.verdict IS 'supported | not supported | insufficient evidence';
COMMENT ON COLUMN results.hypothesis.note IS 'why the verdict is what it is';

COMMENT ON TABLE results.paper_reproduction IS 'One row per number the study publishes.';
COMMENT ON COLUMN results.paper_reproduction.source_table IS 'where the study prints it (e.g. Table 7)';
COMMENT ON COLUMN results.paper_reproduction.statistic IS 'which number';
COMMENT ON COLUMN results.paper_reproduction.published IS 'the number as printed (text)';
COMMENT ON COLUMN results.paper_reproduction.published_value IS 'the printed number read as a number';
COMMENT ON COLUMN results.paper_reproduction.recomputed IS 'the number recomputed from the study''s input tables';
COMMENT ON COLUMN results.paper_reproduction.status IS 'reproduced | discrepancy | not_reproducible';
COMMENT ON COLUMN results.paper_reproduction.explanation IS 'how it was recomputed and what explains a discrepancy';

COMMENT ON TABLE results.support_measure IS 'One row per survey x support measure (study Table 7).';
COMMENT ON COLUMN results.support_measure.survey_id IS 'survey wave (core.survey)';
COMMENT ON COLUMN results.support_measure.measure IS 'support measure';
COMMENT ON COLUMN results.support_measure.measure_label IS 'support measure as the questionnaire names it';
COMMENT ON COLUMN results.support_measure.n IS 'respondents who scored the measure';
COMMENT ON COLUMN results.support_measure.mean_score IS 'mean of the 1..10 scores';
COMMENT ON COLUMN results.support_measure.sd_score IS 'sample standard deviation (n - 1)';
COMMENT ON COLUMN results.support_measure.ci_low IS 'lower end of the Student-t interval of the mean';
COMMENT ON COLUMN results.support_measure.ci_high IS 'upper end of the Student-t interval of the mean';
COMMENT ON COLUMN results.support_measure.ci_level IS 'confidence level of the interval';
COMMENT ON COLUMN results.support_measure.median_score IS 'median score';
COMMENT ON COLUMN results.support_measure.share_8_plus IS 'share of respondents scoring 8, 9 or 10 (0-1)';
COMMENT ON COLUMN results.support_measure.rank_by_mean IS '1 = highest mean score (ties share the best rank)';
COMMENT ON COLUMN results.support_measure.importance_coefficient IS 'the study''s ''importance'': Pearson r of score (1..10) vs respondents per score';
COMMENT ON COLUMN results.support_measure.importance_rank IS '1 = highest importance_coefficient';
COMMENT ON COLUMN results.support_measure.sk_aggregate IS 'the study''s SK: mean of the measures'' importance coefficients';
COMMENT ON COLUMN results.support_measure.note IS 'caveats';
