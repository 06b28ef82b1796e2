-- Orders placed in the store. The `orders` and `order_lines` tables of 0001 hold them beside
-- the imported history (source = 'web'); these tables hold what only a web order has.

-- Contact, delivery and the idempotency key the checkout form carries: the UNIQUE key is what
-- makes a double-submitted "Place order" produce exactly one order.
CREATE TABLE order_details (
    order_number    TEXT PRIMARY KEY REFERENCES orders (number),
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    line1           TEXT NOT NULL,
    line2           TEXT NOT NULL,
    city            TEXT NOT NULL,
    postcode        TEXT NOT NULL,
    country         TEXT NOT NULL,
    shipping_method TEXT NOT NULL,
    subtotal_minor  BIGINT NOT NULL,
    shipping_minor  BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    -- The secret in the order page's link (/orders/NUMBER?key=...): the number alone, which
    -- is printed on parcels, must not show someone's address.
    access_token    TEXT NOT NULL
);

-- The status timeline: placed, paid, packed, shipped, delivered, cancelled, returned.
CREATE TABLE order_events (
    order_number TEXT NOT NULL REFERENCES orders (number),
    seq          BIGINT NOT NULL,
    status       TEXT NOT NULL,
    at           BIGINT NOT NULL,
    note         TEXT NOT NULL,
    PRIMARY KEY (order_number, seq)
);

-- What the payment provider authorised. Never a card number: the provider's reference and the
-- last four digits only.
CREATE TABLE payments (
    order_number TEXT PRIMARY KEY REFERENCES orders (number),
    provider     TEXT NOT NULL,
    reference    TEXT NOT NULL,
    card_last4   TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- Messages to send (order confirmations): a mail worker reads and marks them; nothing is sent
-- from the request path.
CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at    BIGINT
);
