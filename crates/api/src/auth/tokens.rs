//! Access tokens (JWT, HS256) and refresh tokens (random, stored hashed).

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The audiences tokens are bound to; one kind never opens another's routes.
pub const STAFF_AUDIENCE: &str = "staff";
pub const APPLICANT_AUDIENCE: &str = "applicant";

/// What an applicant's token opens: one lead, the one their application is (`sub`).
pub type ApplicantClaims = Claims;

pub fn issue_applicant(
    secret: &[u8],
    issuer: &str,
    lead_id: i64,
    institution_id: i64,
    ttl: Duration,
) -> anyhow::Result<String> {
    sign(
        secret,
        &claims(issuer, APPLICANT_AUDIENCE, lead_id, institution_id, ttl),
    )
}

/// Checks an applicant's token as `verify_staff` checks a staff one.
pub fn verify_applicant(secret: &[u8], issuer: &str, token: &str) -> Option<ApplicantClaims> {
    verify(secret, issuer, APPLICANT_AUDIENCE, token)
}

/// The subject of a signed-in borrower's token: their member, never a lead.
const MEMBER_SUBJECT: &str = "member:";

/// What a signed-in borrower's token carries: their member (`sub` is `member:{id}`),
/// their institution, and how they signed in (`password` or `online_banking`). It has
/// the applicant audience, but it opens no single application's routes: its subject is
/// not a lead.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BorrowerClaims {
    pub sub: String,
    pub inst: i64,
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    pub via: String,
}

impl BorrowerClaims {
    /// The member the token is for.
    pub fn member_id(&self) -> Option<i64> {
        self.sub.strip_prefix(MEMBER_SUBJECT)?.parse().ok()
    }
}

pub fn issue_borrower(
    secret: &[u8],
    issuer: &str,
    member_id: i64,
    institution_id: i64,
    via: &str,
    ttl: Duration,
) -> anyhow::Result<String> {
    let base = claims(issuer, APPLICANT_AUDIENCE, member_id, institution_id, ttl);
    sign(
        secret,
        &BorrowerClaims {
            sub: format!("{MEMBER_SUBJECT}{member_id}"),
            inst: base.inst,
            aud: base.aud,
            iss: base.iss,
            iat: base.iat,
            exp: base.exp,
            via: via.into(),
        },
    )
}

/// Checks a borrower's token as `verify_staff` checks a staff one.
pub fn verify_borrower(secret: &[u8], issuer: &str, token: &str) -> Option<BorrowerClaims> {
    verify::<BorrowerClaims>(secret, issuer, APPLICANT_AUDIENCE, token)
        .filter(|claims| claims.member_id().is_some())
}

/// What a staff token carries: the user (`sub`) and their institution.
pub type StaffClaims = Claims;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The staff user's id, or the lead's for an applicant.
    pub sub: String,
    /// The institution's id.
    pub inst: i64,
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

pub fn issue_staff(
    secret: &[u8],
    issuer: &str,
    user_id: i64,
    institution_id: i64,
    ttl: Duration,
) -> anyhow::Result<String> {
    sign(
        secret,
        &claims(issuer, STAFF_AUDIENCE, user_id, institution_id, ttl),
    )
}

/// The claims of a token for `subject` of `institution_id`, valid for `ttl` from now.
fn claims(
    issuer: &str,
    audience: &str,
    subject: i64,
    institution_id: i64,
    ttl: Duration,
) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: subject.to_string(),
        inst: institution_id,
        aud: audience.into(),
        iss: issuer.into(),
        iat: now,
        exp: now + ttl.as_secs() as i64,
    }
}

pub fn sign<T: Serialize>(secret: &[u8], claims: &T) -> anyhow::Result<String> {
    Ok(encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret)?,
    )?)
}

/// Checks the signature, expiry, audience and issuer; all four claims are required.
pub fn verify_staff(secret: &[u8], issuer: &str, token: &str) -> Option<StaffClaims> {
    verify(secret, issuer, STAFF_AUDIENCE, token)
}

fn verify<T: serde::de::DeserializeOwned>(
    secret: &[u8],
    issuer: &str,
    audience: &str,
    token: &str,
) -> Option<T> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    validation.leeway = 5;
    validation.validate_nbf = true;
    let key = DecodingKey::from_secret(secret).ok()?;
    decode::<T>(token, &key, &validation)
        .ok()
        .map(|data| data.claims)
}

/// A new refresh token: what the client keeps, and the hash the database keeps.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_token_verifies_with_its_key_and_issuer_only() -> anyhow::Result<()> {
        let token = issue_staff(SECRET, "leads", 7, 1, Duration::from_secs(60))?;

        assert_eq!(
            verify_staff(SECRET, "leads", &token).map(|c| c.sub),
            Some("7".into())
        );
        assert!(verify_staff(b"another key, also thirty-two bytes", "leads", &token).is_none());
        assert!(verify_staff(SECRET, "someone-else", &token).is_none());
        Ok(())
    }

    #[test]
    fn staff_and_applicant_tokens_never_open_each_other() -> anyhow::Result<()> {
        let staff = issue_staff(SECRET, "leads", 7, 1, Duration::from_secs(60))?;
        let applicant = issue_applicant(SECRET, "leads", 9, 1, Duration::from_secs(60))?;

        assert!(verify_applicant(SECRET, "leads", &staff).is_none());
        assert!(verify_staff(SECRET, "leads", &applicant).is_none());
        assert_eq!(
            verify_applicant(SECRET, "leads", &applicant).map(|c| c.sub),
            Some("9".into())
        );
        Ok(())
    }

    #[test]
    fn a_borrower_token_is_neither_a_lead_token_nor_a_staff_one() -> anyhow::Result<()> {
        let borrower = issue_borrower(SECRET, "leads", 5, 1, "password", Duration::from_secs(60))?;
        let applicant = issue_applicant(SECRET, "leads", 9, 1, Duration::from_secs(60))?;

        let claims = verify_borrower(SECRET, "leads", &borrower);
        assert_eq!(claims.and_then(|c| c.member_id()), Some(5));
        assert!(verify_borrower(SECRET, "leads", &applicant).is_none());
        assert!(verify_staff(SECRET, "leads", &borrower).is_none());
        let as_lead = verify_applicant(SECRET, "leads", &borrower);
        assert!(as_lead.is_none_or(|c| c.sub.parse::<i64>().is_err()));
        Ok(())
    }
}
