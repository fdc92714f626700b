//! Members: search, and the member profile.

use actix_web::{get, web};
use leads_domain::ssn::mask_last4;
use leads_domain::wire::{MemberPage, MemberProfile};
use leads_domain::{Permission, Problem};
use leads_persistence::{leads, members, products};
use serde::Deserialize;

use crate::auth::Staff;
use crate::errors::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;
use crate::views::{self, Lookups};

/// Parameters of the members search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MemberQuery {
    /// Case-insensitive search of name, email, phone and member number.
    pub q: Option<String>,
    /// Page size, 1 to 200; 50 by default.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Members of the institution, newest first.
#[utoipa::path(
    tag = "members",
    params(MemberQuery),
    responses(
        (status = 200, description = "One page of members", body = MemberPage),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks members.read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/members")]
pub async fn list(
    state: web::Data<AppState>,
    staff: Staff,
    QueryParams(query): QueryParams<MemberQuery>,
) -> Result<web::Json<MemberPage>, ApiError> {
    staff.require(Permission::MembersRead)?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 200"));
    }
    let before = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => Some(
            text.parse::<i64>()
                .map_err(|_| ApiError::invalid("cursor", "is not a cursor of this list"))?,
        ),
    };
    let text = query
        .q
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    if let Some(Err(reason)) = text
        .as_deref()
        .map(|q| leads_domain::text::clean_line(q, 200))
    {
        return Err(ApiError::invalid("q", reason));
    }
    let page = state
        .db(move |conn| {
            let mut rows = members::search(
                conn,
                staff.institution_id,
                text.as_deref(),
                before,
                limit + 1,
            )?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            Ok(MemberPage {
                next_cursor: rows.last().filter(|_| more).map(|m| m.id.to_string()),
                items: rows.iter().map(views::member_summary).collect(),
            })
        })
        .await?;
    Ok(web::Json(page))
}

/// A member with every lead they started (any status, archived or not) and the
/// products they hold.
#[utoipa::path(
    tag = "members",
    params(("id" = i64, Path, description = "The member's id")),
    responses(
        (status = 200, description = "The member profile", body = MemberProfile),
        (status = 401, description = "No valid staff token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user lacks members.read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No member with this id in the user's institution", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/members/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<i64>,
) -> Result<web::Json<MemberProfile>, ApiError> {
    staff.require(Permission::MembersRead)?;
    let id = path.into_inner();
    let profile = state
        .db(move |conn| {
            let inst = staff.institution_id;
            let member = members::get(conn, inst, id)?;
            let rows = leads::of_member(conn, inst, id)?;
            let lookups = Lookups::load(conn, inst, &rows, &[])?;
            let held = products::of_member(conn, inst, id)?;
            Ok(MemberProfile {
                member: views::member_summary(&member),
                date_of_birth: member.date_of_birth,
                address: views::member_address(&member)?,
                ssn_masked: member.ssn_last4.as_deref().map(mask_last4),
                leads: rows
                    .iter()
                    .map(|row| views::lead_summary(row, &lookups))
                    .collect::<Result<_, _>>()?,
                products: held
                    .iter()
                    .map(views::held_product)
                    .collect::<Result<_, _>>()?,
            })
        })
        .await?;
    Ok(web::Json(profile))
}
