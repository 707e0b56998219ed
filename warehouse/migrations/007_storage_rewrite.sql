-- 007: a record of each time a warehouse file was rewritten into the storage format that every
-- supported DuckDB client reads (warehouse.db.STORAGE_VERSION); see docs/reliability.md.
CREATE TABLE meta.storage_rewrite (
    rewritten_at    TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR,           -- the write session that rewrote it (meta.pipeline_run)
    from_version    VARCHAR NOT NULL,  -- storage version before, as DuckDB tags it (v2.0.0+)
    to_version      VARCHAR NOT NULL,  -- storage version after (v1.4.0+)
    duckdb_version  VARCHAR NOT NULL   -- the DuckDB library that rewrote it
);

COMMENT ON TABLE meta.storage_rewrite IS 'Each rewrite of the warehouse file into the storage format every supported DuckDB client reads';
COMMENT ON COLUMN meta.storage_rewrite.rewritten_at IS 'When the file was rewritten (UTC)';
COMMENT ON COLUMN meta.storage_rewrite.run_id IS 'The write session that rewrote it (meta.pipeline_run.run_id)';
COMMENT ON COLUMN meta.storage_rewrite.from_version IS 'Storage version before the rewrite, as DuckDB tags it (e.g. v2.0.0+)';
COMMENT ON COLUMN meta.storage_rewrite.to_version IS 'Storage version after the rewrite (e.g. v1.4.0+)';
COMMENT ON COLUMN meta.storage_rewrite.duckdb_version IS 'Version of the DuckDB library that rewrote it';
