//! The Vitrine server: owns the database, the import of the real catalogue, the HTTP surface
//! (server-rendered pages, sitemap, images, the hydrate bundle) and, in later work, the
//! learning engines.
//!
//! `main.rs` only calls [`cli::main`]; everything here is library code that the integration
//! tests drive through [`startup::Application`].

pub mod admin;
pub mod cart;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod events;
pub mod experiments;
pub mod http;
pub mod ids;
pub mod images;
pub mod import;
pub mod importer;
pub mod mail;
pub mod orders;
pub mod payments;
pub mod pricing;
pub mod promotions;
pub mod recs;
pub mod reviews;
pub mod staff;
pub mod startup;
pub mod telemetry;
