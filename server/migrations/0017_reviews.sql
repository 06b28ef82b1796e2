-- Product reviews by the people who bought the product. A review belongs to the order that
-- bought it (written from the order page, behind the order's access key, once the order has
-- been delivered): one per order and product, so every review is a verified purchase and
-- nobody reviews twice with one order. The name shown is what the reviewer typed; no email is
-- kept here. Staff hide a review (`hidden_at`) rather than delete it.
CREATE TABLE reviews (
    id           TEXT PRIMARY KEY,
    stem         TEXT NOT NULL REFERENCES products (stem),
    order_number TEXT NOT NULL REFERENCES orders (number),
    rating       BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    author       TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    hidden_at    BIGINT,
    UNIQUE (order_number, stem)
);
CREATE INDEX reviews_stem ON reviews (stem, created_at);
