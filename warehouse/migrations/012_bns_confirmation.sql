-- 012: a town for which the statistics bureau publishes a monotown sheet ("Основные
-- социально-экономические показатели по моногороду X") is confirmed as a monotown by that
-- publication; core.town cites the workbook and sheet (towns.csv column bns_monotown_sheet).
ALTER TABLE core.town ADD COLUMN bns_monotown_sheet VARCHAR;

COMMENT ON COLUMN core.town.bns_monotown_sheet IS 'the bureau''s (BNS) monotown sheet that confirms the town as a monotown: <file>!''<sheet>'' of shared/reference/bns (NULL: no such sheet known)';
COMMENT ON COLUMN core.town.confirmed IS 'a source names the town a monotown (status current or former, or the bureau publishes a monotown sheet for it: bns_monotown_sheet)';
