//! Staff authentication: passwords, access tokens and refresh tokens, and the extractor
//! that turns a Bearer token into the caller's identity and permissions.

pub mod applicant;
pub mod banking;
pub mod borrower;
pub mod password;
pub mod staff;
pub mod tokens;

pub use staff::Staff;
