//! The lead's statuses, the channels a lead begins through, and the kinds of catalog item.

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    (
        $(#[$doc:meta])*
        $name:ident {
            $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The accepted spellings, for error messages.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// Where a lead is in its life.
    LeadStatus {
        /// Started by the borrower, not yet submitted.
        InProgress => "in_progress",
        /// Submitted for a decision.
        Submitted => "submitted",
        /// Approved; waiting to be converted into a product.
        Approved => "approved",
        /// Declined with adverse-action reasons.
        Declined => "declined",
        /// Converted into a product the member holds.
        Converted => "converted",
        /// Closed without a product (withdrawn, abandoned, incomplete, ...).
        Closed => "closed",
    }
);

string_enum!(
    /// How a lead began.
    Channel {
        /// A splash page or a direct link.
        PublicLink => "public_link",
        /// The institution's online banking, with a signed-in member.
        OnlineBanking => "online_banking",
        /// Staff applied on the member's behalf.
        LenderProxy => "lender_proxy",
        /// An API client of the institution.
        Integration => "integration",
        /// An automated process, such as an import.
        Automation => "automation",
    }
);

string_enum!(
    /// Whether a catalog item is a product (a loan, a card, a deposit) or a service.
    CatalogKind {
        Product => "product",
        Service => "service",
    }
);

string_enum!(
    /// The adverse-action reasons a decline may carry.
    DeclineReason {
        DebtToIncome => "debt_to_income",
        EmploymentHistory => "employment_history",
        CreditHistory => "credit_history",
        Collateral => "collateral",
        InsufficientCash => "insufficient_cash",
        UnverifiableInformation => "unverifiable_information",
        IncompleteApplication => "incomplete_application",
        MortgageInsuranceDenied => "mortgage_insurance_denied",
        Other => "other",
    }
);

string_enum!(
    /// Why a lead was closed without a product.
    CloseReason {
        Withdrawn => "withdrawn",
        Abandoned => "abandoned",
        Incomplete => "incomplete",
        Duplicate => "duplicate",
        NotAccepted => "not_accepted",
        Other => "other",
    }
);

#[cfg(test)]
mod tests {
    use super::{Channel, LeadStatus};

    #[test]
    fn every_status_reads_back_from_its_spelling() {
        for status in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(LeadStatus::parse("unsubmitted"), None);
    }

    #[test]
    fn channels_use_snake_case_on_the_wire() -> Result<(), serde_json::Error> {
        let json = serde_json::to_string(&Channel::LenderProxy)?;

        assert_eq!(json, "\"lender_proxy\"");
        Ok(())
    }
}
