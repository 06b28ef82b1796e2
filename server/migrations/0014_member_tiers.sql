-- Member tiers and the console's promotion actions (issue 5).
--
-- There are no shopper accounts: a customer is known by the email on their orders. A tier is a
-- name and the paid spend over the last 365 days that qualifies for it; a coupon restricted to
-- a tier is accepted at checkout only when the order's email has spent that much (decided in
-- the order's transaction, `promotions::tiers`). Tiers never change a displayed price: their
-- only benefit is a cart-level coupon the shopper types.
CREATE TABLE member_tiers (
    name            TEXT PRIMARY KEY,
    min_spend_minor BIGINT NOT NULL CHECK (min_spend_minor > 0),
    created_at      BIGINT NOT NULL
);

-- The tier a coupon is for (NULL: anyone).
ALTER TABLE coupons ADD COLUMN tier TEXT REFERENCES member_tiers (name);

-- When staff ended a coupon early (valid_until is set to the same instant): the row stays,
-- since orders reference the code, and the console can say "ended" rather than "expired".
ALTER TABLE coupons ADD COLUMN ended_at BIGINT;
