-- 010: core.observation without its PRIMARY KEY index (issue 16, item 2).
-- The natural key (territory, indicator, year, source; migration 008) stays unique without it:
-- validation refuses a file with a duplicate key (rule unique_key of schemas/inputs.py, run
-- before anything is loaded; tests/tasks/test_validate.py::test_duplicate_key_is_refused_before_load),
-- and the loader (tasks/load.py: load_observations) upserts by anti-joins on that key
-- (schemas/inputs.py: OBSERVATION_KEY), so a row of a later run replaces the current one instead
-- of adding a second. DuckDB kept the key as an ART index: at 1M rows it took 2.4 s of a 2.5 s
-- load and 96 of the file's 107 MiB (measured, bench/README.md). DuckDB cannot drop a key in
-- place, so the table is rebuilt (core.v_town_series reads it by name and keeps working).

CREATE TABLE core.observation_010 (
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
    note          VARCHAR
);
INSERT INTO core.observation_010 SELECT * FROM core.observation;
DROP TABLE core.observation;
ALTER TABLE core.observation_010 RENAME TO observation;

COMMENT ON TABLE core.observation IS 'One row per territory x indicator x year x source: the current value (older vintages in core.observation_history). A town''s series: core.v_town_series. The key (territory_id, indicator_id, year, source) is unique by validation (rule unique_key: a file with a duplicate key is refused before any load) and by the loader''s upsert; no index enforces it (migration 010).';
COMMENT ON COLUMN core.observation.territory_id IS 'territory the value was published for (core.territory): a town proper, a city administration, a district, an oblast; key';
COMMENT ON COLUMN core.observation.indicator_id IS 'indicator (core.indicator); key';
COMMENT ON COLUMN core.observation.year IS 'calendar year (population: at 1 January of the year); key';
COMMENT ON COLUMN core.observation.value IS 'the value (NULL unless value_status is ok)';
COMMENT ON COLUMN core.observation.value_status IS 'ok | missing | suppressed | unparseable';
COMMENT ON COLUMN core.observation.raw_value IS 'the value as received or printed (text)';
COMMENT ON COLUMN core.observation.unit IS 'unit of the value';
COMMENT ON COLUMN core.observation.source IS 'source of the value: bundled | files | taldau; key';
COMMENT ON COLUMN core.observation.source_ref IS 'study table, publication or API call the value comes from';
COMMENT ON COLUMN core.observation.vintage IS 'fetched-at of the payload this value first came from';
COMMENT ON COLUMN core.observation.run_id IS 'run that loaded this value (meta.pipeline_run)';
COMMENT ON COLUMN core.observation.payload_hash IS 'raw.payload content_hash of the payload it came from';
COMMENT ON COLUMN core.observation.note IS 'caveats of the value (e.g. garbled in the study; which relay was kept)';
