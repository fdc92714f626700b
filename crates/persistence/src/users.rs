//! Staff users, their roles' permissions, and refresh tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use leads_domain::Permission;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{refresh_tokens, role_permissions, roles, staff_users};
use crate::time::now;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff_users)]
pub struct StaffUserRow {
    pub id: i64,
    pub institution_id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role_id: i64,
    pub active: bool,
    pub failed_sign_ins: i32,
    pub locked_until: Option<NaiveDateTime>,
    /// Access tokens issued before this time are refused (set by a new password).
    pub sessions_valid_after: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl StaffUserRow {
    pub fn is_locked(&self, at: NaiveDateTime) -> bool {
        self.locked_until.is_some_and(|until| until > at)
    }
}

/// Consecutive failed sign-ins after which an account is locked, and for how long.
///
/// Limitation: the lock is per account, so someone who knows an email can keep that
/// account locked; a limit per client address in front of the server is the remedy.
pub const LOCK_AFTER_FAILURES: i32 = 10;
pub const LOCK_MINUTES: i64 = 15;

/// Counts a sign-in attempt before its password is checked, so that guesses sent
/// together are counted together. The tenth attempt in a row without a success locks
/// the account for a while (that attempt is still checked: if its password is right,
/// the sign-in succeeds and ends the lock). False when the account is locked.
pub fn begin_attempt(conn: &mut DbConnection, user_id: i64) -> Result<bool, StoreError> {
    conn.write(|conn| {
        let (failures, locked_until): (i32, Option<NaiveDateTime>) = staff_users::table
            .find(user_id)
            .select((staff_users::failed_sign_ins, staff_users::locked_until))
            .first(conn)?;
        let at = now();
        // Attempts while locked neither count nor shorten the lock.
        if locked_until.is_some_and(|until| until > at) {
            return Ok(false);
        }
        let attempts = failures + 1;
        let lock = attempts >= LOCK_AFTER_FAILURES;
        diesel::update(staff_users::table.find(user_id))
            .set((
                staff_users::failed_sign_ins.eq(if lock { 0 } else { attempts }),
                staff_users::locked_until
                    .eq(lock.then(|| at + chrono::Duration::minutes(LOCK_MINUTES))),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// Clears the count of attempts, and a lock the same attempt set, after a success.
pub fn record_sign_in(conn: &mut DbConnection, user_id: i64) -> Result<(), StoreError> {
    diesel::update(staff_users::table.find(user_id))
        .set((
            staff_users::failed_sign_ins.eq(0),
            staff_users::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

pub struct NewStaffUser<'a> {
    pub institution_id: i64,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
}

/// Creates a staff user with one of the institution's roles. `NotFound` when the role
/// does not exist; `Conflict` when the email is taken anywhere in the deployment.
pub fn create(
    conn: &mut DbConnection,
    user: &NewStaffUser<'_>,
) -> Result<StaffUserRow, StoreError> {
    conn.write(|conn| {
        let role_id = role_id(conn, user.institution_id, user.role)?;
        diesel::insert_into(staff_users::table)
            .values((
                staff_users::institution_id.eq(user.institution_id),
                staff_users::email.eq(user.email),
                staff_users::name.eq(user.name),
                staff_users::password_hash.eq(user.password_hash),
                staff_users::role_id.eq(role_id),
                staff_users::active.eq(true),
                staff_users::created_at.eq(now()),
            ))
            .execute(conn)?;
        find_by_email(conn, user.email)
    })
}

/// Sets a new password and signs the user out of every session.
pub fn set_password(
    conn: &mut DbConnection,
    user_id: i64,
    password_hash: &str,
) -> Result<(), StoreError> {
    conn.write(|conn| {
        diesel::update(staff_users::table.find(user_id))
            .set((
                staff_users::password_hash.eq(password_hash),
                staff_users::sessions_valid_after.eq(now()),
            ))
            .execute(conn)?;
        revoke_refresh_tokens(conn, user_id)
    })
}

pub fn role_id(
    conn: &mut DbConnection,
    institution_id: i64,
    role: &str,
) -> Result<i64, StoreError> {
    Ok(roles::table
        .filter(roles::institution_id.eq(institution_id))
        .filter(roles::name.eq(role))
        .select(roles::id)
        .first(conn)?)
}

pub fn role_name(conn: &mut DbConnection, role_id: i64) -> Result<String, StoreError> {
    Ok(roles::table.find(role_id).select(roles::name).first(conn)?)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> Result<StaffUserRow, StoreError> {
    Ok(staff_users::table
        .filter(staff_users::email.eq(email))
        .select(StaffUserRow::as_select())
        .first(conn)?)
}

pub fn get(
    conn: &mut DbConnection,
    institution_id: i64,
    id: i64,
) -> Result<StaffUserRow, StoreError> {
    Ok(staff_users::table
        .filter(staff_users::institution_id.eq(institution_id))
        .filter(staff_users::id.eq(id))
        .select(StaffUserRow::as_select())
        .first(conn)?)
}

/// The institution's active users, by name: `(id, email, name, role id)`.
pub fn active(
    conn: &mut DbConnection,
    institution_id: i64,
) -> Result<Vec<(i64, String, String, i64)>, StoreError> {
    Ok(staff_users::table
        .filter(staff_users::institution_id.eq(institution_id))
        .filter(staff_users::active.eq(true))
        .order((staff_users::name.asc(), staff_users::id.asc()))
        .select((
            staff_users::id,
            staff_users::email,
            staff_users::name,
            staff_users::role_id,
        ))
        .limit(1000)
        .load(conn)?)
}

/// Names of the institution's users with the given ids.
pub fn names(
    conn: &mut DbConnection,
    institution_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(staff_users::table
        .filter(staff_users::institution_id.eq(institution_id))
        .filter(staff_users::id.eq_any(ids))
        .select((staff_users::id, staff_users::name))
        .load(conn)?)
}

/// The permissions a role grants; names no longer known are ignored.
pub fn permissions(conn: &mut DbConnection, role_id: i64) -> Result<Vec<Permission>, StoreError> {
    let names: Vec<String> = role_permissions::table
        .filter(role_permissions::role_id.eq(role_id))
        .select(role_permissions::permission)
        .load(conn)?;
    let mut permissions: Vec<Permission> =
        names.iter().filter_map(|n| Permission::parse(n)).collect();
    permissions.sort();
    Ok(permissions)
}

pub fn store_refresh_token(
    conn: &mut DbConnection,
    user: &StaffUserRow,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::institution_id.eq(user.institution_id),
            refresh_tokens::user_id.eq(user.id),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::expires_at.eq(expires_at),
            refresh_tokens::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a presented refresh token turned out to be.
pub enum Refresh {
    /// Unexpired and unused: now retired, and its user may have new tokens.
    Valid(StaffUserRow),
    /// Used before: someone replayed it, so every refresh token of the user is revoked.
    Reused(i64),
    /// Unknown or expired.
    Unknown,
}

/// Retires a refresh token. A token presented a second time revokes all of its user's
/// refresh tokens, so that a stolen token and its successors stop working.
pub fn consume_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Refresh, StoreError> {
    conn.write(|conn| {
        let at = now();
        let found: Option<(i64, i64, Option<NaiveDateTime>, NaiveDateTime)> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select((
                refresh_tokens::id,
                refresh_tokens::user_id,
                refresh_tokens::used_at,
                refresh_tokens::expires_at,
            ))
            .first(conn)
            .optional()?;
        let Some((token_id, user_id, used_at, expires_at)) = found else {
            return Ok(Refresh::Unknown);
        };
        if used_at.is_some() {
            revoke_refresh_tokens(conn, user_id)?;
            return Ok(Refresh::Reused(user_id));
        }
        if expires_at <= at {
            return Ok(Refresh::Unknown);
        }
        let updated = diesel::update(refresh_tokens::table.find(token_id))
            .filter(refresh_tokens::used_at.is_null())
            .set(refresh_tokens::used_at.eq(at))
            .execute(conn)?;
        if updated == 0 {
            return Ok(Refresh::Unknown);
        }
        let user = staff_users::table
            .find(user_id)
            .select(StaffUserRow::as_select())
            .first(conn)?;
        Ok(Refresh::Valid(user))
    })
}

/// Retires one refresh token at sign-out, so that it renews nothing afterwards.
pub fn retire_refresh_token(conn: &mut DbConnection, token_hash: &str) -> Result<(), StoreError> {
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .filter(refresh_tokens::used_at.is_null())
        .set(refresh_tokens::used_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Retires every unused refresh token of a user.
pub fn revoke_refresh_tokens(conn: &mut DbConnection, user_id: i64) -> Result<(), StoreError> {
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::used_at.is_null())
        .set(refresh_tokens::used_at.eq(now()))
        .execute(conn)?;
    Ok(())
}
