-- A/B experiments on page slots, what each visitor was shown, and what a shipped variant made
-- the default. One schema for SQLite and PostgreSQL (TEXT ids, BIGINT unix seconds).

-- An experiment varies one slot. `id` is also the assignment key hashed with the visitor id
-- (`vitrine::experiments::assign`), so it never changes once the experiment has started.
-- Status: draft -> running <-> paused -> stopped (stopping, or shipping a variant, is final).
CREATE TABLE experiments (
    id              TEXT PRIMARY KEY,
    slot            TEXT NOT NULL CHECK (slot IN ('home_hero', 'product_layout', 'recs_algorithm')),
    name            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'running', 'paused', 'stopped')),
    created_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL,
    started_at      BIGINT,
    stopped_at      BIGINT,
    -- The variant shipped when the experiment ended by "ship variant" (its position).
    shipped_variant BIGINT
);
-- At most one running experiment per slot (a partial unique index: both engines have them).
CREATE UNIQUE INDEX experiments_one_running_per_slot ON experiments (slot) WHERE status = 'running';

-- The variants; position 0 is the control. `content` is the slot's JSON (for `home_hero`:
-- {"headline", "copy", "cta_label", "cta_href"}; for `product_layout`: {"recs": "above"|"below"};
-- for `recs_algorithm`: {"algorithm": "model"|"co-purchases"}).
CREATE TABLE experiment_variants (
    experiment_id TEXT NOT NULL REFERENCES experiments (id),
    position      BIGINT NOT NULL,
    name          TEXT NOT NULL,
    weight        BIGINT NOT NULL CHECK (weight >= 0),
    content       TEXT NOT NULL,
    PRIMARY KEY (experiment_id, position)
);

-- A visitor's first exposure to an experiment: recorded when the server renders the assigned
-- variant for a visitor who may be profiled (never crawlers, `Sec-GPC: 1` or the off switch:
-- they see the variant but are not counted). Conversions are that visitor's `events` (cart,
-- purchase) at or after `first_at`.
CREATE TABLE exposures (
    experiment_id TEXT NOT NULL REFERENCES experiments (id),
    visitor_id    TEXT NOT NULL,
    variant       BIGINT NOT NULL,
    first_at      BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, visitor_id)
);
CREATE INDEX exposures_by_time ON exposures (experiment_id, first_at);
CREATE INDEX events_kind_visitor ON events (visitor_id, kind, at);

-- What a slot shows outside experiments: the content of the last shipped variant. A slot
-- without a row shows the built-in default.
CREATE TABLE slot_defaults (
    slot          TEXT PRIMARY KEY,
    content       TEXT NOT NULL,
    experiment_id TEXT REFERENCES experiments (id),
    updated_at    BIGINT NOT NULL
);
