-- An index no query needs, which every message the intake stores had to
-- update, at a place its sender's address makes random: most of its pages
-- were written to the log again at every commit. The one query it served,
-- the senders' spellings of a person's address (privacy), is followed by
-- a read of every stored message anyway.
DROP INDEX messages_from;
