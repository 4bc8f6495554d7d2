-- Version 10: the size and modification time of an input file when it was
-- read, so that an unchanged file is recognised without hashing it again
-- (as git's index does); NULL for standard input.
ALTER TABLE inputs ADD COLUMN size INTEGER;
ALTER TABLE inputs ADD COLUMN modified_ns INTEGER;
