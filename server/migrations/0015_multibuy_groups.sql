-- Multi-buys that mix SKUs ("any 3 of these for £10"). An offer is a quantity and a price; the
-- SKUs it takes are its members, and a SKU belongs to at most one offer, so a cart line is
-- counted towards one offer only. The one-SKU offers of 0013 become offers of one member (their
-- id is the SKU they were on); the arithmetic is the shared `vitrine::cart::promo_totals`.
CREATE TABLE multibuy_offers (
    id          TEXT PRIMARY KEY,
    quantity    BIGINT NOT NULL CHECK (quantity >= 2),
    price_minor BIGINT NOT NULL CHECK (price_minor > 0),
    created_at  BIGINT NOT NULL
);

CREATE TABLE multibuy_skus (
    sku      TEXT PRIMARY KEY REFERENCES variants (sku),
    offer_id TEXT NOT NULL REFERENCES multibuy_offers (id)
);

CREATE INDEX multibuy_skus_offer ON multibuy_skus (offer_id);

INSERT INTO multibuy_offers (id, quantity, price_minor, created_at)
SELECT sku, quantity, price_minor, created_at FROM multibuys;

INSERT INTO multibuy_skus (sku, offer_id) SELECT sku, sku FROM multibuys;

DROP TABLE multibuys;
