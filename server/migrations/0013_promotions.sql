-- Promotions (issue 5): coupons, spend-X-save-Y thresholds, multi-buys and flash prices. The
-- arithmetic that stacks them is `vitrine::cart::promo_totals`; these tables say which offers
-- exist and when. Money is integer minor units in the store's currency.

-- A coupon code, stored upper case (shoppers type it in any case). Exactly one of percent_off
-- and amount_off_minor. The window is [valid_from, valid_until) on the server's clock, NULL
-- meaning open. times_used is incremented inside the order's transaction with a guard
-- (times_used < usage_limit), so concurrent orders cannot exceed the limit.
CREATE TABLE coupons (
    code             TEXT PRIMARY KEY,
    percent_off      BIGINT CHECK (percent_off BETWEEN 1 AND 100),
    amount_off_minor BIGINT CHECK (amount_off_minor > 0),
    min_spend_minor  BIGINT NOT NULL DEFAULT 0 CHECK (min_spend_minor >= 0),
    valid_from       BIGINT,
    valid_until      BIGINT,
    usage_limit      BIGINT CHECK (usage_limit > 0),
    times_used       BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    CHECK ((percent_off IS NULL) <> (amount_off_minor IS NULL)),
    CHECK (usage_limit IS NULL OR times_used <= usage_limit)
);

-- Spend X, save Y: the highest threshold a cart's spend reaches applies.
CREATE TABLE spend_thresholds (
    spend_minor BIGINT PRIMARY KEY CHECK (spend_minor > 0),
    save_minor  BIGINT NOT NULL CHECK (save_minor > 0),
    created_at  BIGINT NOT NULL,
    CHECK (save_minor <= spend_minor)
);

-- "quantity for price_minor" on one variant; one offer per SKU.
CREATE TABLE multibuys (
    sku         TEXT PRIMARY KEY REFERENCES variants (sku),
    quantity    BIGINT NOT NULL CHECK (quantity >= 2),
    price_minor BIGINT NOT NULL CHECK (price_minor > 0),
    created_at  BIGINT NOT NULL
);

-- A variant at price_minor from starts_at until ends_at (exclusive). Both price changes are in
-- price_history when the sale is created (future-dated rows: source 'promotion' for the start,
-- 'promotion-end' for the restore), so the history is the record; `started`/`ended` say which of
-- them `variants.price_minor` has caught up with (see `pricing::current`).
CREATE TABLE flash_sales (
    id               TEXT PRIMARY KEY,
    sku              TEXT NOT NULL REFERENCES variants (sku),
    price_minor      BIGINT NOT NULL CHECK (price_minor > 0),
    list_price_minor BIGINT NOT NULL CHECK (list_price_minor > 0),
    starts_at        BIGINT NOT NULL,
    ends_at          BIGINT NOT NULL,
    started          BIGINT NOT NULL DEFAULT 0,
    ended            BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX flash_sales_pending ON flash_sales (ended, starts_at);
CREATE INDEX flash_sales_sku ON flash_sales (sku, ends_at);

-- What an order saved: the coupon it used (upper case) and the total of every promotion
-- saving (multi-buy, threshold, coupon), so the order page can show it.
ALTER TABLE order_details ADD COLUMN coupon_code TEXT;
ALTER TABLE order_details ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;

-- The coupon code the shopper typed on the checkout page, kept with the rest of the draft.
ALTER TABLE checkout_drafts ADD COLUMN coupon TEXT NOT NULL DEFAULT '';
