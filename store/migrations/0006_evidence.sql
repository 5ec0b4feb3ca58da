-- Where each applicant field was read (source, line, text, rule), as a
-- JSON object keyed by field name, so that show can print it. Rows from
-- earlier versions get it at their next reparse.
ALTER TABLE applications ADD COLUMN evidence TEXT NOT NULL DEFAULT '{}';
