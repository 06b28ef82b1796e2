//! Integration tests: the real server on port 0 against a fresh database (SQLite by default,
//! PostgreSQL when VITRINE_TEST_DATABASE_URL is set), driven over HTTP.

mod admin;
mod admin_staff;
mod cart;
mod checkout;
mod crash;
mod dashboard;
mod events;
mod experiments;
mod helpers;
mod import;
mod mail;
mod member_tiers;
mod multibuys;
mod orders;
mod orders_console;
mod page_cache;
mod pages;
mod prices;
mod pricing_engine;
mod promotions;
mod promotions_console;
mod reviews;
mod reviews_console;
mod seo;
mod stock_console;
mod suggestions;
mod variants;
