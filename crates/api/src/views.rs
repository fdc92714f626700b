//! Conversions from database rows to the wire types of `leads-domain`.

use std::collections::{BTreeMap, HashMap};

use leads_domain::ssn::mask_last4;
use leads_domain::wire::{
    Activity, Actor, Address, Answer, ApplicantDetail, ApplicantRef, CatalogItem, Decision,
    Document, HeldProduct, ItemRef, LeadDetail, LeadRequest, LeadSummary, MemberSummary, Progress,
    UserRef,
};
use leads_domain::{
    CatalogItemId, CatalogKind, Channel, LeadId, LeadStatus, MemberId, Money, UserId,
};
use leads_persistence::activities::ActivityRow;
use leads_persistence::catalog::{self, CatalogItemRow};
use leads_persistence::documents::DocumentRow;
use leads_persistence::leads::{LeadRow, StoredIdentity};
use leads_persistence::members::MemberRow;
use leads_persistence::products::HeldProductRow;
use leads_persistence::requests::RequestRow;
use leads_persistence::time::from_db;
use leads_persistence::{users, DbConnection, StoreError};

/// Catalog items and staff names that lead rows refer to.
#[derive(Default)]
pub struct Lookups {
    pub items: HashMap<i64, CatalogItemRow>,
    pub users: HashMap<i64, String>,
}

impl Lookups {
    /// Loads what `rows` refer to, in two queries whatever the number of rows.
    pub fn load(
        conn: &mut DbConnection,
        institution_id: i64,
        rows: &[LeadRow],
        extra_users: &[i64],
    ) -> Result<Self, StoreError> {
        let mut item_ids: Vec<i64> = rows.iter().map(|r| r.catalog_item_id).collect();
        item_ids.sort_unstable();
        item_ids.dedup();
        let mut user_ids: Vec<i64> = rows
            .iter()
            .flat_map(|r| [r.assignee_id, r.created_by_user_id])
            .flatten()
            .chain(extra_users.iter().copied())
            .collect();
        user_ids.sort_unstable();
        user_ids.dedup();
        let items = if item_ids.is_empty() {
            Vec::new()
        } else {
            catalog::by_ids(conn, institution_id, &item_ids)?
        };
        Ok(Self {
            items: items.into_iter().map(|i| (i.id, i)).collect(),
            users: users::names(conn, institution_id, &user_ids)?
                .into_iter()
                .collect(),
        })
    }

    fn user(&self, id: Option<i64>) -> Option<UserRef> {
        let id = id?;
        Some(UserRef {
            id: UserId(id),
            name: self.users.get(&id).cloned().unwrap_or_default(),
        })
    }

    fn item(&self, id: i64) -> Result<ItemRef, StoreError> {
        let item = self
            .items
            .get(&id)
            .ok_or_else(|| StoreError::Corrupt(format!("lead refers to missing item {id}")))?;
        item_ref(item)
    }
}

fn status(text: &str) -> Result<LeadStatus, StoreError> {
    LeadStatus::parse(text).ok_or_else(|| StoreError::Corrupt(format!("lead status {text}")))
}

fn channel(text: &str) -> Result<Channel, StoreError> {
    Channel::parse(text).ok_or_else(|| StoreError::Corrupt(format!("lead channel {text}")))
}

fn money(cents: Option<i64>) -> Result<Option<Money>, StoreError> {
    cents
        .map(|c| Money::from_cents(c).map_err(|e| StoreError::Corrupt(format!("amount {e}"))))
        .transpose()
}

pub fn progress(row: &LeadRow) -> Progress {
    Progress {
        step: row.progress_step.clone(),
        percent: row.progress_percent,
        last_activity_at: from_db(row.last_activity_at),
    }
}

pub fn lead_summary(row: &LeadRow, lookups: &Lookups) -> Result<LeadSummary, StoreError> {
    Ok(LeadSummary {
        id: LeadId(row.id),
        reference: row.reference.clone(),
        status: status(&row.status)?,
        archived: row.archived,
        applicant: ApplicantRef {
            name: row.applicant_name.clone(),
            email: row.applicant_email.clone(),
        },
        member_id: MemberId(row.member_id),
        registered: row.registered,
        item: lookups.item(row.catalog_item_id)?,
        amount: money(row.amount_cents)?,
        channel: channel(&row.channel)?,
        assignee: lookups.user(row.assignee_id),
        progress: progress(row),
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
        submitted_at: row.submitted_at.map(from_db),
        waiting_since: row.waiting_since.map(from_db),
    })
}

/// What a lead's page shows beside the lead itself.
pub struct LeadRecord<'a> {
    pub activities: &'a [ActivityRow],
    pub product: Option<&'a HeldProductRow>,
    pub requests: &'a [RequestRow],
    pub documents: &'a [DocumentRow],
}

pub fn lead_detail(
    row: &LeadRow,
    lookups: &Lookups,
    record: &LeadRecord<'_>,
) -> Result<LeadDetail, StoreError> {
    let LeadRecord {
        activities,
        product,
        requests,
        documents,
    } = record;
    let identity: StoredIdentity = serde_json::from_str(&row.identity)?;
    let address: Option<Address> = identity.address.map(serde_json::from_value).transpose()?;
    let answers: BTreeMap<String, Answer> = serde_json::from_str(&row.answers)?;
    let decision: Option<Decision> = row
        .decision
        .as_deref()
        .map(serde_json::from_str)
        .transpose()?;
    Ok(LeadDetail {
        id: LeadId(row.id),
        reference: row.reference.clone(),
        status: status(&row.status)?,
        archived: row.archived,
        member_id: MemberId(row.member_id),
        registered: row.registered,
        applicant: ApplicantDetail {
            name: row.applicant_name.clone(),
            email: row.applicant_email.clone(),
            phone: row.applicant_phone.clone(),
            date_of_birth: identity.date_of_birth,
            address,
            ssn_masked: row.ssn_last4.as_deref().map(mask_last4),
        },
        item: lookups.item(row.catalog_item_id)?,
        amount: money(row.amount_cents)?,
        term_months: row.term_months,
        channel: channel(&row.channel)?,
        created_by: lookups.user(row.created_by_user_id),
        assignee: lookups.user(row.assignee_id),
        progress: progress(row),
        external_id: row.external_id.clone(),
        answers,
        decision,
        held_product: product.map(held_product).transpose()?,
        submitted_at: row.submitted_at.map(from_db),
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
        version: row.version,
        waiting_since: row.waiting_since.map(from_db),
        requests: requests.iter().map(|r| request(r, lookups)).collect(),
        documents: documents.iter().map(document).collect(),
        timeline: activities
            .iter()
            .map(|a| activity(a, lookups))
            .collect::<Result<_, _>>()?,
    })
}

pub fn request(row: &RequestRow, lookups: &Lookups) -> LeadRequest {
    LeadRequest {
        id: row.id,
        title: row.title.clone(),
        description: row.description.clone(),
        upload_prompt: row.upload_prompt.clone(),
        due_on: row.due_on,
        status: row.status.clone(),
        answer: row.answer.clone(),
        answered_at: row.answered_at.map(from_db),
        created_by: lookups.user(Some(row.created_by_user_id)),
        created_at: from_db(row.created_at),
        link_expires_at: row.token_expires_at.map(from_db),
    }
}

pub fn document(row: &DocumentRow) -> Document {
    Document {
        id: row.id,
        file_name: row.file_name.clone(),
        content_type: row.content_type.clone(),
        size_bytes: row.size_bytes,
        sha256: row.sha256.clone(),
        uploaded_by: row.uploaded_by.clone(),
        request_id: row.request_id,
        created_at: from_db(row.created_at),
    }
}

fn activity(row: &ActivityRow, lookups: &Lookups) -> Result<Activity, StoreError> {
    Ok(Activity {
        id: row.id,
        at: from_db(row.created_at),
        actor: Actor {
            kind: row.actor_kind.clone(),
            user: lookups.user(row.actor_user_id),
        },
        action: row.action.clone(),
        detail: serde_json::from_str(&row.detail)?,
    })
}

pub fn held_product(row: &HeldProductRow) -> Result<HeldProduct, StoreError> {
    Ok(HeldProduct {
        id: row.id,
        lead_id: row.lead_id.map(LeadId),
        product_type: row.product_type.clone(),
        amount: money(row.amount_cents)?,
        rate_percent: row.rate_bps.map(|bps| f64::from(bps) / 100.0),
        term_months: row.term_months,
        opened_on: row.opened_on,
    })
}

pub fn member_summary(row: &MemberRow) -> MemberSummary {
    MemberSummary {
        id: MemberId(row.id),
        member_number: row.member_number.clone(),
        name: row.name.clone(),
        email: row.email.clone(),
        phone: row.phone.clone(),
        registered: row.registered,
        has_login: row.has_login,
        created_at: from_db(row.created_at),
    }
}

pub fn member_address(row: &MemberRow) -> Result<Option<Address>, StoreError> {
    Ok(row
        .address
        .as_deref()
        .map(serde_json::from_str)
        .transpose()?)
}

pub fn item_ref(item: &CatalogItemRow) -> Result<ItemRef, StoreError> {
    Ok(ItemRef {
        slug: item.slug.clone(),
        name: item.name.clone(),
        kind: item.kind()?,
    })
}

pub fn catalog_item(row: &CatalogItemRow) -> Result<CatalogItem, StoreError> {
    Ok(CatalogItem {
        id: CatalogItemId(row.id),
        slug: row.slug.clone(),
        name: row.name.clone(),
        kind: row.kind()?,
        product_type: row.product_type.clone(),
        description: row.description.clone(),
        active: row.active,
        form: serde_json::from_str(&row.form)?,
    })
}

/// Whether an item is a product; services carry no amount.
pub fn is_product(row: &CatalogItemRow) -> bool {
    row.kind().ok() == Some(CatalogKind::Product)
}
