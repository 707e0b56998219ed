-- 012: study packages bring their own tables (tasks/studies/<study>/migrations/NNN_*.sql);
-- warehouse.db.migrate applies them after the generic migrations and records each here, so a
-- study's numbers never collide with the generic ones or another study's.
CREATE TABLE meta.study_migration (
    study       VARCHAR NOT NULL,     -- the study package (tasks/studies/<study>/)
    version     INTEGER NOT NULL,     -- the number of the study's migration
    name        VARCHAR NOT NULL,     -- its file name
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (study, version)
);

COMMENT ON TABLE meta.study_migration IS 'One row per applied migration of a study package (tasks/studies/<study>/migrations/).';
COMMENT ON COLUMN meta.study_migration.study IS 'the study package (e.g. khromtau_2024)';
COMMENT ON COLUMN meta.study_migration.version IS 'migration number within the study';
COMMENT ON COLUMN meta.study_migration.name IS 'migration file name';
COMMENT ON COLUMN meta.study_migration.applied_at IS 'when it was applied';
