//! Borrowers' own sign-ins to the applicant portal, and the keys online banking signs
//! its members in with.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{
    applicant_accounts, leads, members, online_banking_handovers, online_banking_keys,
};
use crate::time::now;
use crate::users::{LOCK_AFTER_FAILURES, LOCK_MINUTES};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applicant_accounts)]
pub struct AccountRow {
    pub id: i64,
    pub institution_id: i64,
    pub email: String,
    pub name: Option<String>,
    pub password_hash: String,
    pub member_id: Option<i64>,
    pub verified_at: Option<NaiveDateTime>,
    pub verify_token_hash: Option<String>,
    pub verify_expires_at: Option<NaiveDateTime>,
    pub pending_lead_id: Option<i64>,
    pub reset_token_hash: Option<String>,
    pub reset_expires_at: Option<NaiveDateTime>,
    pub failed_sign_ins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl AccountRow {
    pub fn is_locked(&self, at: NaiveDateTime) -> bool {
        self.locked_until.is_some_and(|until| until > at)
    }
}

/// An account waiting for its email to be confirmed.
pub struct Unconfirmed<'a> {
    pub institution_id: i64,
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub password_hash: &'a str,
    pub token_hash: &'a str,
    pub expires_at: NaiveDateTime,
    pub pending_lead_id: Option<i64>,
}

/// The account with this email in the institution, confirmed or not.
pub fn find(
    conn: &mut DbConnection,
    institution_id: i64,
    email: &str,
) -> Result<Option<AccountRow>, StoreError> {
    Ok(applicant_accounts::table
        .filter(applicant_accounts::institution_id.eq(institution_id))
        .filter(applicant_accounts::email.eq(email))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// The member's confirmed account, if they have one.
pub fn of_member(
    conn: &mut DbConnection,
    institution_id: i64,
    member_id: i64,
) -> Result<Option<AccountRow>, StoreError> {
    Ok(applicant_accounts::table
        .filter(applicant_accounts::institution_id.eq(institution_id))
        .filter(applicant_accounts::member_id.eq(member_id))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// Creates an unconfirmed account, or starts an unconfirmed one over with a new password
/// and link. Never touches a confirmed account: the caller has checked there is none.
pub fn save_unconfirmed(
    conn: &mut DbConnection,
    account: &Unconfirmed<'_>,
) -> Result<(), StoreError> {
    let existing = find(conn, account.institution_id, account.email)?;
    match existing {
        Some(row) if row.verified_at.is_some() => Err(StoreError::Conflict(
            "the account is already confirmed".into(),
        )),
        Some(row) => {
            diesel::update(applicant_accounts::table.find(row.id))
                .set((
                    applicant_accounts::name.eq(account.name),
                    applicant_accounts::password_hash.eq(account.password_hash),
                    applicant_accounts::verify_token_hash.eq(account.token_hash),
                    applicant_accounts::verify_expires_at.eq(account.expires_at),
                    applicant_accounts::pending_lead_id.eq(account.pending_lead_id),
                ))
                .execute(conn)?;
            Ok(())
        }
        None => {
            diesel::insert_into(applicant_accounts::table)
                .values((
                    applicant_accounts::institution_id.eq(account.institution_id),
                    applicant_accounts::email.eq(account.email),
                    applicant_accounts::name.eq(account.name),
                    applicant_accounts::password_hash.eq(account.password_hash),
                    applicant_accounts::verify_token_hash.eq(account.token_hash),
                    applicant_accounts::verify_expires_at.eq(account.expires_at),
                    applicant_accounts::pending_lead_id.eq(account.pending_lead_id),
                    applicant_accounts::created_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(())
        }
    }
}

/// The account a confirmation link's token hash belongs to.
pub fn by_token_hash(conn: &mut DbConnection, hash: &str) -> Result<AccountRow, StoreError> {
    Ok(applicant_accounts::table
        .filter(applicant_accounts::verify_token_hash.eq(hash))
        .select(AccountRow::as_select())
        .first(conn)?)
}

/// Marks the account confirmed and tied to `member_id`; the link stops working. False
/// when the link was used first, or the account was asked for again (a new link, a new
/// password) since `seen` was read: the password checked is then no longer its own.
pub fn confirm(
    conn: &mut DbConnection,
    seen: &AccountRow,
    member_id: i64,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let Some(token_hash) = &seen.verify_token_hash else {
        return Ok(false);
    };
    let updated = diesel::update(
        applicant_accounts::table
            .filter(applicant_accounts::id.eq(seen.id))
            .filter(applicant_accounts::verify_token_hash.eq(token_hash))
            .filter(applicant_accounts::password_hash.eq(&seen.password_hash)),
    )
    .set((
        applicant_accounts::member_id.eq(member_id),
        applicant_accounts::verified_at.eq(at),
        applicant_accounts::verify_token_hash.eq(None::<String>),
        applicant_accounts::verify_expires_at.eq(None::<NaiveDateTime>),
        applicant_accounts::pending_lead_id.eq(None::<i64>),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Starts a password reset of a confirmed account: the link's hash and its expiry. An
/// earlier reset link stops working.
pub fn start_reset(
    conn: &mut DbConnection,
    id: i64,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(applicant_accounts::table.find(id))
        .set((
            applicant_accounts::reset_token_hash.eq(token_hash),
            applicant_accounts::reset_expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The account a reset link's token hash belongs to.
pub fn by_reset_hash(conn: &mut DbConnection, hash: &str) -> Result<AccountRow, StoreError> {
    Ok(applicant_accounts::table
        .filter(applicant_accounts::reset_token_hash.eq(hash))
        .select(AccountRow::as_select())
        .first(conn)?)
}

/// Sets the new password of a reset, if `seen`'s link is still the account's; the link
/// stops working and any lock ends. False when the link was used first.
pub fn finish_reset(
    conn: &mut DbConnection,
    seen: &AccountRow,
    password_hash: &str,
) -> Result<bool, StoreError> {
    let Some(token_hash) = &seen.reset_token_hash else {
        return Ok(false);
    };
    let updated = diesel::update(
        applicant_accounts::table
            .filter(applicant_accounts::id.eq(seen.id))
            .filter(applicant_accounts::reset_token_hash.eq(token_hash)),
    )
    .set((
        applicant_accounts::password_hash.eq(password_hash),
        applicant_accounts::reset_token_hash.eq(None::<String>),
        applicant_accounts::reset_expires_at.eq(None::<NaiveDateTime>),
        applicant_accounts::failed_sign_ins.eq(0),
        applicant_accounts::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Replaces the password of `seen`, if it is still the one that was checked; any reset
/// link stops working and any lock ends. False when the password changed meanwhile.
pub fn change_password(
    conn: &mut DbConnection,
    seen: &AccountRow,
    password_hash: &str,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        applicant_accounts::table
            .filter(applicant_accounts::id.eq(seen.id))
            .filter(applicant_accounts::password_hash.eq(&seen.password_hash)),
    )
    .set((
        applicant_accounts::password_hash.eq(password_hash),
        applicant_accounts::reset_token_hash.eq(None::<String>),
        applicant_accounts::reset_expires_at.eq(None::<NaiveDateTime>),
        applicant_accounts::failed_sign_ins.eq(0),
        applicant_accounts::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Counts a password attempt before the password is checked, as
/// [`crate::users::begin_attempt`] does for staff: the tenth in a row without a success
/// locks the account for a while. False when the account is locked.
pub fn begin_attempt(conn: &mut DbConnection, id: i64) -> Result<bool, StoreError> {
    conn.write(|conn| {
        let row: AccountRow = applicant_accounts::table
            .find(id)
            .select(AccountRow::as_select())
            .first(conn)?;
        let at = now();
        if row.is_locked(at) {
            return Ok(false);
        }
        let attempts = row.failed_sign_ins + 1;
        let lock = attempts >= LOCK_AFTER_FAILURES;
        diesel::update(applicant_accounts::table.find(id))
            .set((
                applicant_accounts::failed_sign_ins.eq(if lock { 0 } else { attempts }),
                applicant_accounts::locked_until
                    .eq(lock.then(|| at + chrono::Duration::minutes(LOCK_MINUTES))),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// Clears the count of attempts, and a lock the same attempt set, after a success.
pub fn record_sign_in(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    diesel::update(applicant_accounts::table.find(id))
        .set((
            applicant_accounts::failed_sign_ins.eq(0),
            applicant_accounts::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks a member registered (their identity is established), and as having a login when
/// `has_login`; a login they already have stays.
pub fn register_member(
    conn: &mut DbConnection,
    member_id: i64,
    has_login: bool,
) -> Result<(), StoreError> {
    diesel::update(members::table.find(member_id))
        .set((members::registered.eq(true), members::updated_at.eq(now())))
        .execute(conn)?;
    if has_login {
        diesel::update(members::table.find(member_id))
            .set(members::has_login.eq(true))
            .execute(conn)?;
    }
    diesel::update(leads::table.filter(leads::member_id.eq(member_id)))
        .set(leads::registered.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Moves a lead to another member of its institution, with that member's registration.
pub fn move_lead(
    conn: &mut DbConnection,
    institution_id: i64,
    lead_id: i64,
    member_id: i64,
    registered: bool,
) -> Result<(), StoreError> {
    let at = now();
    diesel::update(
        leads::table
            .filter(leads::institution_id.eq(institution_id))
            .filter(leads::id.eq(lead_id)),
    )
    .set((
        leads::member_id.eq(member_id),
        leads::registered.eq(registered),
        leads::updated_at.eq(at),
        leads::version.eq(leads::version + 1),
    ))
    .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = online_banking_keys)]
pub struct BankingKeyRow {
    pub institution_id: i64,
    pub algorithm: String,
    pub public_key: String,
    pub issuer: String,
    pub updated_at: NaiveDateTime,
}

/// The key the institution's online banking signs with, if one is configured.
pub fn banking_key(
    conn: &mut DbConnection,
    institution_id: i64,
) -> Result<Option<BankingKeyRow>, StoreError> {
    Ok(online_banking_keys::table
        .find(institution_id)
        .select(BankingKeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets (or replaces) the key the institution's online banking signs with. Run it in
/// the caller's transaction.
pub fn set_banking_key(
    conn: &mut DbConnection,
    institution_id: i64,
    algorithm: &str,
    public_key: &str,
    issuer: &str,
) -> Result<BankingKeyRow, StoreError> {
    diesel::delete(online_banking_keys::table.find(institution_id)).execute(conn)?;
    diesel::insert_into(online_banking_keys::table)
        .values((
            online_banking_keys::institution_id.eq(institution_id),
            online_banking_keys::algorithm.eq(algorithm),
            online_banking_keys::public_key.eq(public_key),
            online_banking_keys::issuer.eq(issuer),
            online_banking_keys::updated_at.eq(now()),
        ))
        .execute(conn)?;
    banking_key(conn, institution_id)?.ok_or(StoreError::NotFound)
}

/// Records online banking's hand-over `jti` as used. False when it was used before.
pub fn use_handover(
    conn: &mut DbConnection,
    institution_id: i64,
    jti: &str,
    expires_at: NaiveDateTime,
) -> Result<bool, StoreError> {
    diesel::delete(
        online_banking_handovers::table.filter(online_banking_handovers::expires_at.lt(now())),
    )
    .execute(conn)?;
    let inserted = diesel::insert_into(online_banking_handovers::table)
        .values((
            online_banking_handovers::institution_id.eq(institution_id),
            online_banking_handovers::jti.eq(jti),
            online_banking_handovers::expires_at.eq(expires_at),
        ))
        .execute(conn);
    match inserted.map_err(StoreError::from) {
        Ok(_) => Ok(true),
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(other) => Err(other),
    }
}
