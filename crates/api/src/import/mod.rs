//! Imports of application records from other systems.

pub mod hmda;
pub mod identities;
