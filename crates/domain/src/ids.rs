//! Identifier newtypes, so that a member id can never be passed where a lead id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies an institution (a tenant).
    InstitutionId
);
id_type!(
    /// Identifies a staff user.
    UserId
);
id_type!(
    /// Identifies a member of an institution.
    MemberId
);
id_type!(
    /// Identifies a product or service of an institution's catalog.
    CatalogItemId
);
id_type!(
    /// Identifies a lead.
    LeadId
);
