-- 011: what a refresh run read, so that a run with unchanged inputs can do no work
-- (tasks/fingerprint.py, warehouse/rerun.py; docs/reliability.md "Re-running with unchanged
-- inputs"). A run that finds nothing changed is recorded with status up_to_date.
ALTER TABLE meta.pipeline_run ADD COLUMN input_fingerprint VARCHAR;
ALTER TABLE meta.pipeline_run ADD COLUMN input_hashes JSON;

COMMENT ON COLUMN meta.pipeline_run.input_fingerprint IS 'SHA-256 over input_hashes: the inputs, registry, codebooks, studies'' data, migrations, code and parameters the run read (NULL: not known in advance, e.g. a live Taldau fetch, or another flow)';
COMMENT ON COLUMN meta.pipeline_run.input_hashes IS 'the parts of input_fingerprint (part name -> SHA-256), to say what changed since an earlier run';
COMMENT ON COLUMN meta.pipeline_run.status IS 'running | completed | partial | failed | up_to_date (a refresh that found its inputs unchanged and did no work)';
