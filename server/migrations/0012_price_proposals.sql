-- The pricing engine's proposals, each variant's pricing settings, and the global kill switch
-- (issue 5). One schema for SQLite and PostgreSQL: BIGINT unix seconds and 0/1 flags.

-- One proposed price for one variant, from `vitrine price propose`. A person approves or
-- rejects it (console or `vitrine price approve|reject <id>`), or the variant's auto-approve
-- applies it at once. A newer run supersedes the variant's open proposal. `id` is small and
-- typed by people, so it is a number the application assigns (MAX + 1 in the writing
-- transaction) rather than a random text id. Elasticity and its 95% interval are kept as the
-- engine computed them, so an approval can be judged on what was shown at the time.
-- Status: proposed -> approved -> applied (approval applies at once), or proposed -> rejected
-- | superseded. `approved` exists for an approval whose application is refused after the fact.
CREATE TABLE price_proposals (
    id                           BIGINT PRIMARY KEY,
    sku                          TEXT NOT NULL REFERENCES variants (sku),
    created_at                   BIGINT NOT NULL,
    current_minor                BIGINT NOT NULL CHECK (current_minor > 0),
    proposed_minor               BIGINT NOT NULL CHECK (proposed_minor > 0),
    expected_profit_change_minor BIGINT NOT NULL,
    elasticity                   DOUBLE PRECISION NOT NULL,
    elasticity_low               DOUBLE PRECISION NOT NULL,
    elasticity_high              DOUBLE PRECISION NOT NULL,
    reason                       TEXT NOT NULL,
    status                       TEXT NOT NULL
        CHECK (status IN ('proposed', 'approved', 'rejected', 'superseded', 'applied')),
    decided_by                   TEXT,
    decided_at                   BIGINT
);
CREATE INDEX price_proposals_sku ON price_proposals (sku, status);
CREATE INDEX price_proposals_status ON price_proposals (status, created_at);

-- Per-variant settings; a variant without a row has the defaults: no auto-approve, ceiling
-- 2x the import's list price (its first `price_history` row), minimum margin from
-- `vitrine_pricing::optimise::GuardrailsParams` (10% over cost).
CREATE TABLE pricing_settings (
    sku           TEXT PRIMARY KEY REFERENCES variants (sku),
    auto_approve  BIGINT NOT NULL DEFAULT 0 CHECK (auto_approve IN (0, 1)),
    ceiling_minor BIGINT CHECK (ceiling_minor > 0),
    updated_at    BIGINT NOT NULL
);

-- Store-wide switches, one row each. `pricing.kill_switch` = '1' stops every automated price
-- change: `price propose` writes nothing and approvals are refused while it is on.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO settings (key, value, updated_at) VALUES ('pricing.kill_switch', '0', 0);
