-- Guest carts, keyed by a random id in an HttpOnly cookie. In the database (not in memory or a
-- cookie) so that any replica serves the same cart and prices are always re-read from variants.
CREATE TABLE carts (
    id         TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE cart_lines (
    cart_id          TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    sku              TEXT NOT NULL REFERENCES variants (sku),
    quantity         BIGINT NOT NULL CHECK (quantity > 0),
    -- The unit price when the shopper added the line: a later change is shown old and new.
    price_seen_minor BIGINT NOT NULL,
    added_at         BIGINT NOT NULL,
    PRIMARY KEY (cart_id, sku)
);
