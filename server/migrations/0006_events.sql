-- What shoppers do, as the recommendation engine and the experiment results read it: a product
-- viewed, put in the cart, bought. Keyed by the first-party visitor id, never by a person.
-- Crawlers, visitors who switched personalisation off and browsers sending `Sec-GPC: 1` are
-- never recorded. The imported order history needs no rows here: orders are purchases.
CREATE TABLE events (
    visitor_id TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('view', 'cart', 'purchase')),
    stem       TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX events_visitor ON events (visitor_id, at);
CREATE INDEX events_at ON events (at);
