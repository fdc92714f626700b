//! The Leads server: the actix-web application, its configuration and start-up.

pub mod admin;
pub mod auth;
pub mod client_address;
pub mod config;
pub mod embed;
pub mod errors;
pub mod extract;
pub mod import;
pub mod keys;
pub mod logging;
pub mod mail;
pub mod openapi;
pub mod portal;
pub mod routes;
pub mod server;
pub mod services;
pub mod state;
pub mod storage;
pub mod throttle;
pub mod upload;
pub mod views;

pub use config::Config;
pub use server::{build_app, openapi_document, start};
pub use state::AppState;
