-- 003: once the Khromtau study's results table (Table 7 per support measure). Study tables
-- now live in their study's own migrations (tasks/studies/<study>/migrations/, applied by
-- warehouse.db.migrate after these and recorded in meta.study_migration); this number stays
-- so that warehouses that applied it keep their history.
SELECT 1;
