//! Permissions and the built-in roles that bundle them.

use serde::{Deserialize, Serialize};

/// One thing a staff user may do. Routes check permissions, never role names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Permission {
    #[serde(rename = "leads.read")]
    LeadsRead,
    #[serde(rename = "leads.work")]
    LeadsWork,
    #[serde(rename = "leads.decide")]
    LeadsDecide,
    #[serde(rename = "leads.export")]
    LeadsExport,
    #[serde(rename = "leads.proxy")]
    LeadsProxy,
    #[serde(rename = "members.read")]
    MembersRead,
    #[serde(rename = "pii.reveal")]
    PiiReveal,
    #[serde(rename = "catalog.manage")]
    CatalogManage,
    #[serde(rename = "users.manage")]
    UsersManage,
    #[serde(rename = "integrations.manage")]
    IntegrationsManage,
    #[serde(rename = "audit.read")]
    AuditRead,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::LeadsRead,
        Permission::LeadsWork,
        Permission::LeadsDecide,
        Permission::LeadsExport,
        Permission::LeadsProxy,
        Permission::MembersRead,
        Permission::PiiReveal,
        Permission::CatalogManage,
        Permission::UsersManage,
        Permission::IntegrationsManage,
        Permission::AuditRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::LeadsRead => "leads.read",
            Permission::LeadsWork => "leads.work",
            Permission::LeadsDecide => "leads.decide",
            Permission::LeadsExport => "leads.export",
            Permission::LeadsProxy => "leads.proxy",
            Permission::MembersRead => "members.read",
            Permission::PiiReveal => "pii.reveal",
            Permission::CatalogManage => "catalog.manage",
            Permission::UsersManage => "users.manage",
            Permission::IntegrationsManage => "integrations.manage",
            Permission::AuditRead => "audit.read",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == text)
    }
}

/// The roles every institution starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinRole {
    Owner,
    Manager,
    Viewer,
}

impl BuiltinRole {
    pub const ALL: &'static [BuiltinRole] = &[
        BuiltinRole::Owner,
        BuiltinRole::Manager,
        BuiltinRole::Viewer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "owner",
            BuiltinRole::Manager => "manager",
            BuiltinRole::Viewer => "viewer",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// A viewer reads; a manager works, decides and exports; an owner may do everything.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            BuiltinRole::Owner => Permission::ALL,
            BuiltinRole::Manager => &[
                LeadsRead,
                LeadsWork,
                LeadsDecide,
                LeadsExport,
                LeadsProxy,
                MembersRead,
            ],
            BuiltinRole::Viewer => &[LeadsRead, MembersRead],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BuiltinRole, Permission};

    #[test]
    fn permissions_read_back_from_their_names() {
        for permission in Permission::ALL {
            assert_eq!(Permission::parse(permission.as_str()), Some(*permission));
        }
    }

    #[test]
    fn a_viewer_cannot_work_or_decide() {
        let viewer = BuiltinRole::Viewer.permissions();

        assert!(viewer.contains(&Permission::LeadsRead));
        assert!(!viewer.contains(&Permission::LeadsWork));
        assert!(!viewer.contains(&Permission::LeadsDecide));
        assert!(!viewer.contains(&Permission::LeadsProxy));
    }
}
