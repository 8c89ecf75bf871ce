//! The API's routes, by area. Each handler takes a [`crate::auth::Caller`], checks its
//! role, and reads through the store with the caller's access.

pub mod account;
pub mod epcis;
pub mod exercises;
pub mod incidents;
pub mod jobs;
pub mod networks;
pub mod partners;
pub mod taxii;
pub mod vendors;
pub mod vuln;
