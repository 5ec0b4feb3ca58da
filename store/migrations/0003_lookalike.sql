-- Possible duplicates are found by SIRET, phone, or a normalised
-- "first last|company" key; index them so that the check stays cheap as
-- applications accumulate. name_key is written by the store on every
-- save (rows from earlier versions get it at their next save or reparse).
ALTER TABLE applications ADD COLUMN name_key TEXT;
CREATE INDEX applications_name_key ON applications(name_key) WHERE name_key IS NOT NULL;
CREATE INDEX applications_siret ON applications(siret) WHERE siret IS NOT NULL;
CREATE INDEX applications_phone ON applications(phone) WHERE phone IS NOT NULL;
