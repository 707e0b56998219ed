-- 006: what every table and column of the warehouse holds, as DuckDB comments (COMMENT ON).
-- The one place these descriptions live: the XLSX export's About sheet and docs/warehouse.md
-- (python -m tasks.report.tabledocs) read them from duckdb_tables() / duckdb_columns().
-- A migration that adds a table or column adds its comments too (tests/tasks/report/test_table_docs.py).

-- raw

COMMENT ON TABLE raw.payload IS 'One row per payload received (by content hash): the bytes as received, with provenance.';
COMMENT ON COLUMN raw.payload.content_hash IS 'SHA-256 of the bytes (hex); the key';
COMMENT ON COLUMN raw.payload.source IS 'source that delivered it: bundled | files | taldau | survey';
COMMENT ON COLUMN raw.payload.kind IS 'input name (e.g. observations) or API endpoint';
COMMENT ON COLUMN raw.payload.uri IS 'file path or URL it was read from';
COMMENT ON COLUMN raw.payload.fetched_at IS 'when it was read or fetched (the vintage of the values it carries)';
COMMENT ON COLUMN raw.payload.size_bytes IS 'size of the payload in bytes';
COMMENT ON COLUMN raw.payload.archive_path IS 'path of its copy in the raw archive';
COMMENT ON COLUMN raw.payload.meta IS 'provenance details (JSON)';
COMMENT ON COLUMN raw.payload.content IS 'the bytes, up to 16 MiB (NULL when larger; see archive_path)';
COMMENT ON COLUMN raw.payload.first_run_id IS 'run that first received it (meta.pipeline_run)';

-- core

COMMENT ON TABLE core.indicator IS 'One row per indicator.';
COMMENT ON COLUMN core.indicator.indicator_id IS 'indicator id (e.g. grp_industry, labour_unemployed)';
COMMENT ON COLUMN core.indicator.name IS 'name of the indicator';
COMMENT ON COLUMN core.indicator.unit IS 'unit of its values';
COMMENT ON COLUMN core.indicator.topic IS 'topic it belongs to';
COMMENT ON COLUMN core.indicator.description IS 'what it measures';

COMMENT ON TABLE core.observation IS 'One row per town x indicator x year x source: the current value (older vintages in core.observation_history).';
COMMENT ON COLUMN core.observation.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.observation.indicator_id IS 'indicator (core.indicator)';
COMMENT ON COLUMN core.observation.year IS 'calendar year';
COMMENT ON COLUMN core.observation.value IS 'the value (NULL unless value_status is ok)';
COMMENT ON COLUMN core.observation.value_status IS 'ok | missing | suppressed | unparseable';
COMMENT ON COLUMN core.observation.raw_value IS 'the value as received or printed (text)';
COMMENT ON COLUMN core.observation.unit IS 'unit of the value';
COMMENT ON COLUMN core.observation.source IS 'source of the value: bundled | files | taldau';
COMMENT ON COLUMN core.observation.source_ref IS 'study table or API call the value comes from';
COMMENT ON COLUMN core.observation.vintage IS 'fetched-at of the payload this value first came from';
COMMENT ON COLUMN core.observation.run_id IS 'run that loaded this value (meta.pipeline_run)';
COMMENT ON COLUMN core.observation.payload_hash IS 'raw.payload content_hash of the payload it came from';
COMMENT ON COLUMN core.observation.note IS 'caveats of the value (e.g. garbled in the study)';

COMMENT ON TABLE core.observation_history IS 'One row per superseded value of core.observation.';
COMMENT ON COLUMN core.observation_history.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.observation_history.indicator_id IS 'indicator (core.indicator)';
COMMENT ON COLUMN core.observation_history.year IS 'calendar year';
COMMENT ON COLUMN core.observation_history.value IS 'the value (NULL unless value_status is ok)';
COMMENT ON COLUMN core.observation_history.value_status IS 'ok | missing | suppressed | unparseable';
COMMENT ON COLUMN core.observation_history.raw_value IS 'the value as received or printed (text)';
COMMENT ON COLUMN core.observation_history.unit IS 'unit of the value';
COMMENT ON COLUMN core.observation_history.source IS 'source of the value: bundled | files | taldau';
COMMENT ON COLUMN core.observation_history.source_ref IS 'study table or API call the value comes from';
COMMENT ON COLUMN core.observation_history.vintage IS 'fetched-at of the payload this value first came from';
COMMENT ON COLUMN core.observation_history.run_id IS 'run that loaded this value (meta.pipeline_run)';
COMMENT ON COLUMN core.observation_history.payload_hash IS 'raw.payload content_hash of the payload it came from';
COMMENT ON COLUMN core.observation_history.note IS 'caveats of the value';
COMMENT ON COLUMN core.observation_history.superseded_at IS 'when a newer value replaced it';
COMMENT ON COLUMN core.observation_history.superseded_by_run IS 'run that replaced it (meta.pipeline_run)';

COMMENT ON TABLE core.survey IS 'One row per survey wave.';
COMMENT ON COLUMN core.survey.survey_id IS 'survey wave id (e.g. khromtau-2024)';
COMMENT ON COLUMN core.survey.town_id IS 'town surveyed (core.town)';
COMMENT ON COLUMN core.survey.respondents IS 'number of respondents';
COMMENT ON COLUMN core.survey.population IS 'who was surveyed';
COMMENT ON COLUMN core.survey.mode IS 'how the survey was run (e.g. online form)';
COMMENT ON COLUMN core.survey.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN core.survey.description IS 'what the survey is';
COMMENT ON COLUMN core.survey.source IS 'where the wave comes from';

COMMENT ON TABLE core.survey_answer IS 'One row per wave x item x answer code the item accepts (zero counts come from here).';
COMMENT ON COLUMN core.survey_answer.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN core.survey_answer.item IS 'questionnaire item (core.survey_item)';
COMMENT ON COLUMN core.survey_answer.value IS 'the answer''s code';
COMMENT ON COLUMN core.survey_answer.answer IS 'the answer''s key, e.g. improved_significantly, small_business, 7';
COMMENT ON COLUMN core.survey_answer.label_en IS 'the answer''s label, English';
COMMENT ON COLUMN core.survey_answer.label_ru IS 'the answer''s label, Russian';

COMMENT ON TABLE core.survey_item IS 'One row per wave x questionnaire item, as the wave''s codebook defines it.';
COMMENT ON COLUMN core.survey_item.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN core.survey_item.item IS 'column of the file; <item>.<option> for checkbox options';
COMMENT ON COLUMN core.survey_item.parent_item IS 'the multiple-choice item of an option item';
COMMENT ON COLUMN core.survey_item.question_id IS 'question the item belongs to';
COMMENT ON COLUMN core.survey_item.question_en IS 'question text, English';
COMMENT ON COLUMN core.survey_item.question_ru IS 'question text, Russian';
COMMENT ON COLUMN core.survey_item.role IS 'category | perception | support | demographic | assessment | other';
COMMENT ON COLUMN core.survey_item.scale IS 'answer scale of the item (codebook scale id)';
COMMENT ON COLUMN core.survey_item.scale_type IS 'ordinal | score | nominal | binary';
COMMENT ON COLUMN core.survey_item.label_en IS 'item label, English';
COMMENT ON COLUMN core.survey_item.label_ru IS 'item label, Russian';
COMMENT ON COLUMN core.survey_item.required IS 'an answer is required';
COMMENT ON COLUMN core.survey_item.position IS 'order of the item in the codebook (1 = first)';
COMMENT ON COLUMN core.survey_item.composite IS 'multi-item scale the item belongs to (for alpha)';

COMMENT ON TABLE core.survey_perception_count IS 'One row per survey x area x answer (study Table 4).';
COMMENT ON COLUMN core.survey_perception_count.survey_id IS 'survey wave (core.survey)';
COMMENT ON COLUMN core.survey_perception_count.area IS 'area of life asked about';
COMMENT ON COLUMN core.survey_perception_count.area_label IS 'the area as the study names it';
COMMENT ON COLUMN core.survey_perception_count.answer IS 'improved_significantly | improved_somewhat | unchanged | worsened_somewhat | worsened_significantly';
COMMENT ON COLUMN core.survey_perception_count.respondents IS 'respondents giving the answer';
COMMENT ON COLUMN core.survey_perception_count.source_table IS 'study table the row comes from';
COMMENT ON COLUMN core.survey_perception_count.note IS 'caveats';

COMMENT ON TABLE core.survey_respondent IS 'One row per wave x respondent.';
COMMENT ON COLUMN core.survey_respondent.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN core.survey_respondent.respondent_id IS 'respondent id as in the file';
COMMENT ON COLUMN core.survey_respondent.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.survey_respondent.file_row IS 'row in the imported file (header = row 1)';

COMMENT ON TABLE core.survey_respondent_category IS 'One row per survey x respondent category (study Table 3).';
COMMENT ON COLUMN core.survey_respondent_category.survey_id IS 'survey wave (core.survey)';
COMMENT ON COLUMN core.survey_respondent_category.category IS 'respondent category (e.g. small_business)';
COMMENT ON COLUMN core.survey_respondent_category.respondents IS 'respondents in the category';
COMMENT ON COLUMN core.survey_respondent_category.source_table IS 'study table the row comes from';
COMMENT ON COLUMN core.survey_respondent_category.note IS 'caveats';

COMMENT ON TABLE core.survey_response IS 'One row per wave x respondent x answered item (long format).';
COMMENT ON COLUMN core.survey_response.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN core.survey_response.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.survey_response.respondent_id IS 'respondent (core.survey_respondent)';
COMMENT ON COLUMN core.survey_response.item IS 'questionnaire item (core.survey_item)';
COMMENT ON COLUMN core.survey_response.value IS 'the answer''s code (see core.survey_answer)';
COMMENT ON COLUMN core.survey_response.answer IS 'the answer''s key';
COMMENT ON COLUMN core.survey_response.label IS 'the answer''s English label';

COMMENT ON TABLE core.survey_support_score_count IS 'One row per survey x support measure x score (study Table 7).';
COMMENT ON COLUMN core.survey_support_score_count.survey_id IS 'survey wave (core.survey)';
COMMENT ON COLUMN core.survey_support_score_count.measure IS 'support measure';
COMMENT ON COLUMN core.survey_support_score_count.measure_label IS 'support measure as the questionnaire names it';
COMMENT ON COLUMN core.survey_support_score_count.score IS 'score 1..10';
COMMENT ON COLUMN core.survey_support_score_count.respondents IS 'respondents giving the score';
COMMENT ON COLUMN core.survey_support_score_count.source_table IS 'study table the row comes from';
COMMENT ON COLUMN core.survey_support_score_count.note IS 'caveats';

COMMENT ON TABLE core.survey_wave IS 'One row per imported survey wave (monotowns survey import).';
COMMENT ON COLUMN core.survey_wave.survey_id IS 'survey wave (also a row of core.survey)';
COMMENT ON COLUMN core.survey_wave.town_id IS 'town surveyed (core.town)';
COMMENT ON COLUMN core.survey_wave.period IS 'period of the wave (e.g. 2025); orders waves for change over time';
COMMENT ON COLUMN core.survey_wave.codebook_id IS 'codebook the file was coded with';
COMMENT ON COLUMN core.survey_wave.codebook_version IS 'version of that codebook';
COMMENT ON COLUMN core.survey_wave.codebook_sha256 IS 'SHA-256 of the codebook file';
COMMENT ON COLUMN core.survey_wave.file IS 'file name as imported';
COMMENT ON COLUMN core.survey_wave.payload_hash IS 'raw.payload content_hash of that file';
COMMENT ON COLUMN core.survey_wave.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN core.survey_wave.synthetic_reason IS 'why it is flagged synthetic (file name, metadata, ...)';
COMMENT ON COLUMN core.survey_wave.respondents IS 'respondents in the wave';
COMMENT ON COLUMN core.survey_wave.responses IS 'rows in core.survey_response';
COMMENT ON COLUMN core.survey_wave.run_id IS 'import run that loaded this version (meta.pipeline_run)';
COMMENT ON COLUMN core.survey_wave.imported_at IS 'when the wave was imported';

COMMENT ON TABLE core.town IS 'One row per town of the registry.';
COMMENT ON COLUMN core.town.town_id IS 'town id (lower-case, e.g. khromtau)';
COMMENT ON COLUMN core.town.name_en IS 'English name';
COMMENT ON COLUMN core.town.name_ru IS 'Russian name';
COMMENT ON COLUMN core.town.name_kk IS 'Kazakh name';
COMMENT ON COLUMN core.town.region IS 'region (oblast)';
COMMENT ON COLUMN core.town.kato_code IS 'KATO code of the territory';
COMMENT ON COLUMN core.town.town_forming_enterprise IS 'the town-forming enterprise';
COMMENT ON COLUMN core.town.confirmed IS 'a source confirms the town''s monotown status';
COMMENT ON COLUMN core.town.status IS 'monotown status: current | former | unknown';
COMMENT ON COLUMN core.town.source IS 'sources of the registry row (monotown status, KATO code)';

COMMENT ON VIEW core.v_survey_answer_count IS 'One row per wave x item x answer code: answer counts of every imported item, zeros included (view).';
COMMENT ON COLUMN core.v_survey_answer_count.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN core.v_survey_answer_count.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.v_survey_answer_count.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN core.v_survey_answer_count.item IS 'questionnaire item';
COMMENT ON COLUMN core.v_survey_answer_count.role IS 'role of the item (core.survey_item)';
COMMENT ON COLUMN core.v_survey_answer_count.item_label IS 'item label, English';
COMMENT ON COLUMN core.v_survey_answer_count.value IS 'the answer''s code';
COMMENT ON COLUMN core.v_survey_answer_count.answer IS 'the answer''s key';
COMMENT ON COLUMN core.v_survey_answer_count.answer_label IS 'the answer''s label, English';
COMMENT ON COLUMN core.v_survey_answer_count.respondents IS 'respondents giving the answer (0 if none)';

COMMENT ON VIEW core.v_survey_perception_count IS 'One row per wave x area x answer: study Table 4 from microdata, keys as core.survey_perception_count (view).';
COMMENT ON COLUMN core.v_survey_perception_count.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN core.v_survey_perception_count.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.v_survey_perception_count.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN core.v_survey_perception_count.area IS 'area of life asked about (perception item)';
COMMENT ON COLUMN core.v_survey_perception_count.area_label IS 'the area''s label, English';
COMMENT ON COLUMN core.v_survey_perception_count.answer IS 'the answer''s key';
COMMENT ON COLUMN core.v_survey_perception_count.score IS 'the answer''s code (5 = improved significantly ... 1 = worsened significantly)';
COMMENT ON COLUMN core.v_survey_perception_count.respondents IS 'respondents giving the answer';

COMMENT ON VIEW core.v_survey_respondent_category IS 'One row per wave x category: study Table 3 from microdata (view).';
COMMENT ON COLUMN core.v_survey_respondent_category.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN core.v_survey_respondent_category.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.v_survey_respondent_category.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN core.v_survey_respondent_category.category IS 'respondent category (answer key of the category item)';
COMMENT ON COLUMN core.v_survey_respondent_category.category_label IS 'the category''s label, English';
COMMENT ON COLUMN core.v_survey_respondent_category.code IS 'the category''s code';
COMMENT ON COLUMN core.v_survey_respondent_category.respondents IS 'respondents in the category';

COMMENT ON VIEW core.v_survey_support_score_count IS 'One row per wave x measure x score: study Table 7 from microdata, as core.survey_support_score_count (view).';
COMMENT ON COLUMN core.v_survey_support_score_count.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN core.v_survey_support_score_count.town_id IS 'town (core.town)';
COMMENT ON COLUMN core.v_survey_support_score_count.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN core.v_survey_support_score_count.measure IS 'support measure (support item)';
COMMENT ON COLUMN core.v_survey_support_score_count.measure_label IS 'the measure''s label, English';
COMMENT ON COLUMN core.v_survey_support_score_count.score IS 'score 1..10';
COMMENT ON COLUMN core.v_survey_support_score_count.respondents IS 'respondents giving the score';

-- results

COMMENT ON TABLE results.correlation IS 'One row per analysed pair.';
COMMENT ON COLUMN results.correlation.analysis IS 'which analysis (study table or data set) the pair belongs to';
COMMENT ON COLUMN results.correlation.x IS 'first variable';
COMMENT ON COLUMN results.correlation.y IS 'second variable';
COMMENT ON COLUMN results.correlation.method IS 'pearson | spearman | kendall';
COMMENT ON COLUMN results.correlation.n IS 'number of pairs used';
COMMENT ON COLUMN results.correlation.estimate IS 'correlation coefficient (r, rho or tau)';
COMMENT ON COLUMN results.correlation.p_value IS 'p-value of the test of no correlation (as R cor.test, exact = FALSE)';
COMMENT ON COLUMN results.correlation.ci_low IS 'lower end of the confidence interval';
COMMENT ON COLUMN results.correlation.ci_high IS 'upper end of the confidence interval';
COMMENT ON COLUMN results.correlation.ci_level IS 'confidence level of the interval';
COMMENT ON COLUMN results.correlation.note IS 'what the coefficient can and cannot mean; method notes';

COMMENT ON TABLE results.grp_by_year IS 'One row per town x year.';
COMMENT ON COLUMN results.grp_by_year.town_id IS 'town (core.town)';
COMMENT ON COLUMN results.grp_by_year.year IS 'calendar year';
COMMENT ON COLUMN results.grp_by_year.industry IS 'GRP, industry (mln KZT), as printed in the study''s Table 1';
COMMENT ON COLUMN results.grp_by_year.mining IS 'GRP, mining (mln KZT)';
COMMENT ON COLUMN results.grp_by_year.manufacturing IS 'GRP, manufacturing (mln KZT)';
COMMENT ON COLUMN results.grp_by_year.services IS 'GRP, services (mln KZT)';
COMMENT ON COLUMN results.grp_by_year.total_as_study IS 'industry + mining + manufacturing + services: the study''s total';
COMMENT ON COLUMN results.grp_by_year.total_industry_services IS 'industry + services: no double count if industry contains mining and manufacturing';
COMMENT ON COLUMN results.grp_by_year.yoy_growth_as_study IS 'total_as_study / previous year''s - 1 (consecutive years only)';
COMMENT ON COLUMN results.grp_by_year.yoy_growth_industry_services IS 'total_industry_services / previous year''s - 1';
COMMENT ON COLUMN results.grp_by_year.hhi_as_study IS 'Herfindahl-Hirschman index over the four printed columns (0-1)';
COMMENT ON COLUMN results.grp_by_year.hhi_industry_services IS 'Herfindahl-Hirschman index over {industry, services} (0-1)';
COMMENT ON COLUMN results.grp_by_year.note IS 'caveats of the row';
COMMENT ON COLUMN results.grp_by_year.source IS 'source(s) of the row''s values (per cell: files, bundled, Taldau)';

COMMENT ON TABLE results.grp_sector_share IS 'One row per town x year x sector.';
COMMENT ON COLUMN results.grp_sector_share.town_id IS 'town (core.town)';
COMMENT ON COLUMN results.grp_sector_share.year IS 'calendar year';
COMMENT ON COLUMN results.grp_sector_share.sector IS 'industry | mining | manufacturing | services';
COMMENT ON COLUMN results.grp_sector_share.value IS 'GRP of the sector (mln KZT)';
COMMENT ON COLUMN results.grp_sector_share.share_as_study IS 'share of total_as_study (0-1)';
COMMENT ON COLUMN results.grp_sector_share.share_industry_services IS 'share of industry + services (0-1; NULL for mining and manufacturing)';
COMMENT ON COLUMN results.grp_sector_share.source IS 'source(s) of the row''s values (per cell: files, bundled, Taldau)';

COMMENT ON TABLE results.labour_market IS 'One row per town x year (missing years stay missing).';
COMMENT ON COLUMN results.labour_market.town_id IS 'town (core.town)';
COMMENT ON COLUMN results.labour_market.year IS 'calendar year';
COMMENT ON COLUMN results.labour_market.active_thousand IS 'economically active population (thousand persons)';
COMMENT ON COLUMN results.labour_market.employed_thousand IS 'employed population (thousand persons)';
COMMENT ON COLUMN results.labour_market.unemployed IS 'unemployed (persons)';
COMMENT ON COLUMN results.labour_market.self_employed IS 'self-employed (persons)';
COMMENT ON COLUMN results.labour_market.unemployment_rate IS 'unemployment rate as published (%)';
COMMENT ON COLUMN results.labour_market.implied_unemployed IS '1000 x (active - employed) (persons)';
COMMENT ON COLUMN results.labour_market.implied_rate IS '100 x unemployed / (1000 x active) (%)';
COMMENT ON COLUMN results.labour_market.employment_rate IS '100 x employed / active (%)';
COMMENT ON COLUMN results.labour_market.consistent IS 'published values agree within rounding (NULL when a value is missing)';
COMMENT ON COLUMN results.labour_market.note IS 'which consistency rule failed, or what is missing';
COMMENT ON COLUMN results.labour_market.source IS 'source(s) of the row''s values (per cell: files, bundled, Taldau)';

COMMENT ON TABLE results.perception_summary IS 'One row per survey x area (study Table 4).';
COMMENT ON COLUMN results.perception_summary.survey_id IS 'survey wave (core.survey)';
COMMENT ON COLUMN results.perception_summary.area IS 'area of life asked about';
COMMENT ON COLUMN results.perception_summary.n IS 'respondents who answered';
COMMENT ON COLUMN results.perception_summary.improved IS 'improved significantly + somewhat (respondents)';
COMMENT ON COLUMN results.perception_summary.unchanged IS 'unchanged (respondents)';
COMMENT ON COLUMN results.perception_summary.worsened IS 'worsened somewhat + significantly (respondents)';
COMMENT ON COLUMN results.perception_summary.share_improved IS 'improved / n (0-1)';
COMMENT ON COLUMN results.perception_summary.share_unchanged IS 'unchanged / n (0-1)';
COMMENT ON COLUMN results.perception_summary.share_worsened IS 'worsened / n (0-1)';
COMMENT ON COLUMN results.perception_summary.net_balance IS 'share improved - share worsened (percentage points)';
COMMENT ON COLUMN results.perception_summary.mean_score IS 'mean on 5 = improved significantly ... 1 = worsened significantly';
COMMENT ON COLUMN results.perception_summary.sd_score IS 'sample standard deviation of the score';
COMMENT ON COLUMN results.perception_summary.ci_low IS 'lower end of the t interval of the mean';
COMMENT ON COLUMN results.perception_summary.ci_high IS 'upper end of the t interval of the mean';
COMMENT ON COLUMN results.perception_summary.ci_level IS 'confidence level of the interval';
COMMENT ON COLUMN results.perception_summary.median_score IS 'median score';

COMMENT ON TABLE results.survey_association IS 'One row per imported survey wave x answer item x category item.';
COMMENT ON COLUMN results.survey_association.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN results.survey_association.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN results.survey_association.item IS 'answer item (rows of the contingency table)';
COMMENT ON COLUMN results.survey_association.by_item IS 'category item (columns of the contingency table)';
COMMENT ON COLUMN results.survey_association.n IS 'respondents in the table';
COMMENT ON COLUMN results.survey_association.n_rows IS 'non-empty answer levels';
COMMENT ON COLUMN results.survey_association.n_cols IS 'non-empty categories';
COMMENT ON COLUMN results.survey_association.test IS 'chi-square | fisher-exact | fisher-monte-carlo | not computed';
COMMENT ON COLUMN results.survey_association.statistic IS 'Pearson chi-square without continuity correction (as R chisq.test(x, correct = FALSE); also reported when Fisher is used)';
COMMENT ON COLUMN results.survey_association.df IS 'degrees of freedom of the chi-square';
COMMENT ON COLUMN results.survey_association.p_value IS 'p-value of the test named in `test`';
COMMENT ON COLUMN results.survey_association.p_adjusted IS 'Holm-adjusted p-value, within survey x by_item';
COMMENT ON COLUMN results.survey_association.cramers_v IS 'Cramer''s V (0-1)';
COMMENT ON COLUMN results.survey_association.min_expected IS 'smallest expected cell count';
COMMENT ON COLUMN results.survey_association.share_expected_below_5 IS 'share of cells with an expected count below 5';
COMMENT ON COLUMN results.survey_association.note IS 'caveats';

COMMENT ON TABLE results.survey_item_correlation IS 'One row per imported survey wave x item pair x method.';
COMMENT ON COLUMN results.survey_item_correlation.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN results.survey_item_correlation.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN results.survey_item_correlation.analysis IS 'which analysis the pair belongs to';
COMMENT ON COLUMN results.survey_item_correlation.x IS 'first item';
COMMENT ON COLUMN results.survey_item_correlation.y IS 'second item';
COMMENT ON COLUMN results.survey_item_correlation.method IS 'spearman | kendall (tau-b)';
COMMENT ON COLUMN results.survey_item_correlation.n IS 'respondents who answered both items';
COMMENT ON COLUMN results.survey_item_correlation.estimate IS 'correlation coefficient';
COMMENT ON COLUMN results.survey_item_correlation.p_value IS 'p-value of the test of no correlation';
COMMENT ON COLUMN results.survey_item_correlation.p_adjusted IS 'Holm-adjusted p-value, within survey x method';
COMMENT ON COLUMN results.survey_item_correlation.ci_low IS 'lower end of the confidence interval';
COMMENT ON COLUMN results.survey_item_correlation.ci_high IS 'upper end of the confidence interval';
COMMENT ON COLUMN results.survey_item_correlation.ci_level IS 'confidence level of the interval';
COMMENT ON COLUMN results.survey_item_correlation.note IS 'caveats';

COMMENT ON TABLE results.survey_item_summary IS 'One row per imported survey wave x item x respondent group.';
COMMENT ON COLUMN results.survey_item_summary.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN results.survey_item_summary.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN results.survey_item_summary.item IS 'questionnaire item';
COMMENT ON COLUMN results.survey_item_summary.role IS 'category | perception | support | demographic | assessment | other';
COMMENT ON COLUMN results.survey_item_summary.scale_type IS 'ordinal | score | nominal | binary';
COMMENT ON COLUMN results.survey_item_summary.group_item IS ''''' for all respondents, else the category item grouped by';
COMMENT ON COLUMN results.survey_item_summary.group_value IS ''''' for all respondents, else the category';
COMMENT ON COLUMN results.survey_item_summary.n IS 'respondents who answered';
COMMENT ON COLUMN results.survey_item_summary.mean IS 'mean of the answer codes';
COMMENT ON COLUMN results.survey_item_summary.sd IS 'sample standard deviation';
COMMENT ON COLUMN results.survey_item_summary.ci_low IS 'lower end of the Student-t interval of the mean';
COMMENT ON COLUMN results.survey_item_summary.ci_high IS 'upper end of the Student-t interval of the mean';
COMMENT ON COLUMN results.survey_item_summary.ci_level IS 'confidence level of the interval';
COMMENT ON COLUMN results.survey_item_summary.median IS 'median answer code';
COMMENT ON COLUMN results.survey_item_summary.note IS 'caveats';

COMMENT ON TABLE results.survey_reliability IS 'One row per imported survey wave x multi-item scale.';
COMMENT ON COLUMN results.survey_reliability.survey_id IS 'survey wave (core.survey_wave)';
COMMENT ON COLUMN results.survey_reliability.synthetic IS 'the wave is synthetic (test or demonstration data)';
COMMENT ON COLUMN results.survey_reliability.composite IS 'the multi-item scale, e.g. perception (Table 4 items), support (Table 7)';
COMMENT ON COLUMN results.survey_reliability.items IS 'comma-separated item ids';
COMMENT ON COLUMN results.survey_reliability.k IS 'number of items';
COMMENT ON COLUMN results.survey_reliability.n IS 'respondents with every item answered (listwise)';
COMMENT ON COLUMN results.survey_reliability.alpha IS 'Cronbach''s alpha (raw)';
COMMENT ON COLUMN results.survey_reliability.alpha_standardized IS 'standardized alpha, from the mean inter-item Pearson r';
COMMENT ON COLUMN results.survey_reliability.mean_inter_item_r IS 'mean inter-item Pearson r';
COMMENT ON COLUMN results.survey_reliability.ci_low IS 'lower end of the Feldt (1965) F-based interval of alpha';
COMMENT ON COLUMN results.survey_reliability.ci_high IS 'upper end of the interval';
COMMENT ON COLUMN results.survey_reliability.ci_level IS 'confidence level of the interval';
COMMENT ON COLUMN results.survey_reliability.ci_method IS 'how the interval was computed';
COMMENT ON COLUMN results.survey_reliability.note IS 'caveats';

COMMENT ON TABLE results.survey_wave_change IS 'One row per town x item x pair of waves.';
COMMENT ON COLUMN results.survey_wave_change.town_id IS 'town (core.town)';
COMMENT ON COLUMN results.survey_wave_change.item IS 'questionnaire item';
COMMENT ON COLUMN results.survey_wave_change.survey_from IS 'earlier wave';
COMMENT ON COLUMN results.survey_wave_change.survey_to IS 'later wave';
COMMENT ON COLUMN results.survey_wave_change.synthetic IS 'true when either wave is synthetic';
COMMENT ON COLUMN results.survey_wave_change.n_from IS 'respondents in the earlier wave';
COMMENT ON COLUMN results.survey_wave_change.n_to IS 'respondents in the later wave';
COMMENT ON COLUMN results.survey_wave_change.mean_from IS 'mean in the earlier wave';
COMMENT ON COLUMN results.survey_wave_change.mean_to IS 'mean in the later wave';
COMMENT ON COLUMN results.survey_wave_change.difference IS 'mean_to - mean_from';
COMMENT ON COLUMN results.survey_wave_change.ci_low IS 'lower end of the Welch interval of the difference';
COMMENT ON COLUMN results.survey_wave_change.ci_high IS 'upper end of the Welch interval of the difference';
COMMENT ON COLUMN results.survey_wave_change.ci_level IS 'confidence level of the interval';
COMMENT ON COLUMN results.survey_wave_change.t_statistic IS 'Welch t statistic';
COMMENT ON COLUMN results.survey_wave_change.df IS 'Welch-Satterthwaite degrees of freedom';
COMMENT ON COLUMN results.survey_wave_change.p_value IS 'p-value of the Welch test';
COMMENT ON COLUMN results.survey_wave_change.p_adjusted IS 'Holm-adjusted p-value, within town x wave pair';
COMMENT ON COLUMN results.survey_wave_change.note IS 'caveats';

-- meta

COMMENT ON TABLE meta.pipeline_run IS 'One row per run (refresh or survey import).';
COMMENT ON COLUMN meta.pipeline_run.run_id IS 'run id (UUID)';
COMMENT ON COLUMN meta.pipeline_run.flow IS 'flow or command that ran (e.g. refresh)';
COMMENT ON COLUMN meta.pipeline_run.parameters IS 'the run''s parameters (JSON)';
COMMENT ON COLUMN meta.pipeline_run.started_at IS 'when the run started';
COMMENT ON COLUMN meta.pipeline_run.finished_at IS 'when it finished (NULL while running)';
COMMENT ON COLUMN meta.pipeline_run.status IS 'running | completed | failed';
COMMENT ON COLUMN meta.pipeline_run.message IS 'summary or error message';
COMMENT ON COLUMN meta.pipeline_run.row_counts IS 'rows per table after the run (JSON)';
COMMENT ON COLUMN meta.pipeline_run.versions IS 'software versions of the run (JSON)';

COMMENT ON TABLE meta.quality_issue IS 'One row per distinct data quality finding. A re-run that sees it again updates last_run_id.';
COMMENT ON COLUMN meta.quality_issue.issue_id IS 'hash of the finding''s natural key';
COMMENT ON COLUMN meta.quality_issue.source IS 'source whose input it was found in';
COMMENT ON COLUMN meta.quality_issue.table_name IS 'input or table checked';
COMMENT ON COLUMN meta.quality_issue.file IS 'file it was found in';
COMMENT ON COLUMN meta.quality_issue.file_row IS 'row of the file (header = row 1)';
COMMENT ON COLUMN meta.quality_issue.row_key IS 'key of the row it concerns';
COMMENT ON COLUMN meta.quality_issue.column_name IS 'column it concerns';
COMMENT ON COLUMN meta.quality_issue.check_name IS 'rule id of the check';
COMMENT ON COLUMN meta.quality_issue.severity IS 'error (blocks the run) | warning (loaded and recorded)';
COMMENT ON COLUMN meta.quality_issue.observed IS 'the value found';
COMMENT ON COLUMN meta.quality_issue.message IS 'what is wrong';
COMMENT ON COLUMN meta.quality_issue.first_run_id IS 'run that first saw it';
COMMENT ON COLUMN meta.quality_issue.last_run_id IS 'latest run that saw it';
COMMENT ON COLUMN meta.quality_issue.first_seen_at IS 'when it was first seen';
COMMENT ON COLUMN meta.quality_issue.last_seen_at IS 'when it was last seen';

COMMENT ON TABLE meta.schema_migration IS 'One row per applied migration.';
COMMENT ON COLUMN meta.schema_migration.version IS 'migration number';
COMMENT ON COLUMN meta.schema_migration.name IS 'migration file name';
COMMENT ON COLUMN meta.schema_migration.applied_at IS 'when it was applied';
