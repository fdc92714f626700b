//! The OpenAPI document. Paths are collected from the registered handlers; this adds
//! what belongs to the whole API.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Leads API",
        description = "Loan and service applications of a credit union, from the first \
                       keystroke to the product. Errors are RFC 9457 problem documents.",
        license(name = "MIT")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Staff sign-in and tokens"),
        (name = "leads", description = "The leads table and lead detail"),
        (name = "lead actions", description = "What staff do to a lead: assign, note, request, decide, convert, archive, add documents"),
        (name = "members", description = "Members and their profiles"),
        (name = "catalog", description = "Products and services"),
        (name = "audit", description = "The institution's audit trail"),
        (name = "applicant", description = "What borrowers reach without a staff account: what an institution offers, their application, and requests sent to them"),
        (name = "applicant portal", description = "Registered borrowers: applicant-portal accounts, signing in with a password or through online banking, their applications and the requests waiting for them"),
        (name = "mail", description = "The outbox of mail to applicants"),
        (name = "views", description = "Saved views of the leads table"),
        (name = "reports", description = "Reports on the institution's leads"),
        (name = "embedding", description = "Which web sites may embed the application pages, and the key online banking signs its members in with"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
