//! The vocabulary of Leads: identifiers, validated values, the lead's statuses and
//! channels, permissions, and the JSON types that cross the wire.
//!
//! Nothing here performs I/O, so the crate builds for `wasm32-unknown-unknown` and the
//! browser portal shares these types with the server.

pub mod days;
pub mod email;
pub mod form_definition;
pub mod forms;
pub mod ids;
pub mod lead_query;
pub mod money;
pub mod permissions;
pub mod phone;
pub mod problem;
pub mod ssn;
pub mod status;
pub mod text;
pub mod wire;

pub use email::Email;
pub use ids::{CatalogItemId, InstitutionId, LeadId, MemberId, UserId};
pub use money::Money;
pub use permissions::{BuiltinRole, Permission};
pub use phone::Phone;
pub use problem::{FieldError, Problem};
pub use ssn::Ssn;
pub use status::{CatalogKind, Channel, LeadStatus};
