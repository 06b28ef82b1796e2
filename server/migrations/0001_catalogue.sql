-- The catalogue, customers and the historical orders imported from the UCI Online Retail data.
--
-- One schema for SQLite and PostgreSQL: only types both understand (TEXT, BIGINT), natural keys
-- (stock codes, slugs, invoice numbers) instead of engine-specific auto-increment, timestamps as
-- BIGINT unix seconds. Money is always a BIGINT of minor units beside a currency code.

-- Inferred from product descriptions by the import's keyword table.
CREATE TABLE categories (
    slug        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    position    BIGINT NOT NULL
);

-- A product groups the stock codes that share a numeric stem (85123A, 85123B -> 85123).
CREATE TABLE products (
    stem          TEXT PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    category_slug TEXT NOT NULL REFERENCES categories (slug),
    -- Net units sold: the "popular" sort and the home page read it without scanning orders.
    units_sold    BIGINT NOT NULL DEFAULT 0,
    first_seen    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX products_category ON products (category_slug, units_sold);
CREATE INDEX products_popular ON products (units_sold);

-- Slugs a product used to have: a request for one answers 301 to the current slug.
CREATE TABLE product_slug_history (
    old_slug TEXT PRIMARY KEY,
    stem     TEXT NOT NULL REFERENCES products (stem)
);

-- Facet values found in the data (today: colour words).
CREATE TABLE product_attributes (
    stem  TEXT NOT NULL REFERENCES products (stem),
    name  TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (stem, name, value)
);

-- A sellable stock code. The price here is the current one; price_history holds every one.
CREATE TABLE variants (
    sku         TEXT PRIMARY KEY,
    stem        TEXT NOT NULL REFERENCES products (stem),
    label       TEXT NOT NULL,
    title       TEXT NOT NULL,
    price_minor BIGINT NOT NULL CHECK (price_minor > 0),
    currency    TEXT NOT NULL,
    cost_minor  BIGINT NOT NULL CHECK (cost_minor >= 0),
    -- The guard that makes overselling impossible: stock can never go below zero.
    stock       BIGINT NOT NULL CHECK (stock >= 0),
    units_sold  BIGINT NOT NULL DEFAULT 0,
    first_seen  BIGINT NOT NULL
);
CREATE INDEX variants_stem ON variants (stem);

-- Every price a variant ever had, when it started and who or what set it.
CREATE TABLE price_history (
    sku         TEXT NOT NULL REFERENCES variants (sku),
    valid_from  BIGINT NOT NULL,
    price_minor BIGINT NOT NULL CHECK (price_minor > 0),
    currency    TEXT NOT NULL,
    source      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (sku, valid_from)
);

-- Customers of the imported history: an id and a country, no personal data.
CREATE TABLE customers (
    id      BIGINT PRIMARY KEY,
    country TEXT NOT NULL
);

CREATE TABLE orders (
    number      TEXT PRIMARY KEY,
    customer_id BIGINT REFERENCES customers (id),
    country     TEXT NOT NULL,
    placed_at   BIGINT NOT NULL,
    status      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    total_minor BIGINT NOT NULL,
    -- 'import' for the historical invoices, 'web' for orders placed in the store.
    source      TEXT NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, placed_at);
CREATE INDEX orders_placed ON orders (placed_at);

CREATE TABLE order_lines (
    order_number     TEXT NOT NULL REFERENCES orders (number),
    line_no          BIGINT NOT NULL,
    sku              TEXT NOT NULL REFERENCES variants (sku),
    quantity         BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_minor BIGINT NOT NULL,
    PRIMARY KEY (order_number, line_no)
);
CREATE INDEX order_lines_sku ON order_lines (sku);

-- One row per successful import run, for operators.
CREATE TABLE imports (
    started_at  BIGINT NOT NULL,
    source_name TEXT NOT NULL,
    summary     TEXT NOT NULL
);
