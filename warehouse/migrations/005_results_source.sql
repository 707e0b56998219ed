-- 005: the source(s) each results row was computed from (per cell: files, else bundled, else taldau).
ALTER TABLE results.grp_by_year ADD COLUMN source VARCHAR;
ALTER TABLE results.grp_sector_share ADD COLUMN source VARCHAR;
ALTER TABLE results.labour_market ADD COLUMN source VARCHAR;
