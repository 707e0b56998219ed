-- 003: results of the study's own analyses (Table 7 per support measure).
-- Replaced as a whole by each successful run; columns are a public interface.

-- One row per (survey, support measure) of the study's Table 7 score distributions (1..10).
CREATE TABLE results.support_measure (
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
