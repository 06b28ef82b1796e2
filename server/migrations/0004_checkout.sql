-- What a shopper typed on the checkout page, per cart, so the form sent back with an error (or
-- reloaded) keeps their input. Never card details. Deleted in the transaction that places the
-- order; `error` is the reason the last attempt failed, shown once on the page it redirects to.
CREATE TABLE checkout_drafts (
    cart_id    TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL,
    line1      TEXT NOT NULL,
    line2      TEXT NOT NULL,
    city       TEXT NOT NULL,
    postcode   TEXT NOT NULL,
    country    TEXT NOT NULL,
    shipping   TEXT NOT NULL,
    error      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The order lookup (number + email) and the CLI's list by email.
CREATE INDEX order_details_email ON order_details (email);
