-- Published recommendation models. `vitrine train` adds a row only when its best candidate beat
-- popularity on the most recent window; every replica loads the highest version at start.
--
-- One schema for SQLite and PostgreSQL (TEXT and BIGINT only). The version is a natural key
-- the publisher computes (the previous maximum plus one, inside its write transaction) rather
-- than an engine-specific auto-increment.
CREATE TABLE model_versions (
    version    BIGINT PRIMARY KEY,
    -- Unix seconds.
    created_at BIGINT NOT NULL,
    -- 'ease', 'ials' or 'popularity'.
    algorithm  TEXT NOT NULL,
    -- The evaluation rows (JSON array, the shape of `vitrine evaluate --json`) that justified
    -- publishing, so an operator can see why this version went live.
    metrics    TEXT NOT NULL,
    -- The model file's name inside the models folder: replicas may mount that folder at
    -- different places.
    path       TEXT NOT NULL
);
