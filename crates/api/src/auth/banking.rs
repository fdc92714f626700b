//! Online banking's hand-over: a JWT its server signs with the institution's own key
//! (RS256 or ES256), naming the member it has signed in.

use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use leads_domain::text::person_name;
use leads_domain::{Email, FieldError, Phone};
use leads_persistence::accounts::BankingKeyRow;
use serde::Deserialize;

use crate::errors::ApiError;
use crate::services::accounts::Handed;

/// The furthest ahead a hand-over may expire: it is made for one sign-in, now.
const MAX_LIFETIME_SECONDS: i64 = 15 * 60;
/// Clock difference allowed between online banking's server and this one.
const LEEWAY_SECONDS: u64 = 30;

/// The decoding key of a configured public key, or why it is not one.
pub fn decoding_key(algorithm: &str, pem: &str) -> Result<(Algorithm, DecodingKey), &'static str> {
    // One public key, and nothing else: a private key pasted by mistake is refused, not
    // kept.
    let pem = pem.trim();
    let single = pem.matches("-----BEGIN ").count() == 1;
    let public = pem.starts_with("-----BEGIN PUBLIC KEY-----")
        || pem.starts_with("-----BEGIN RSA PUBLIC KEY-----");
    if !single || !public || pem.contains("PRIVATE") {
        return Err("must be one public key in PEM (BEGIN PUBLIC KEY)");
    }
    match algorithm {
        "RS256" => DecodingKey::from_rsa_pem(pem.as_bytes())
            .map(|key| (Algorithm::RS256, key))
            .map_err(|_| "must be an RSA public key in PEM"),
        "ES256" => DecodingKey::from_ec_pem(pem.as_bytes())
            .map(|key| (Algorithm::ES256, key))
            .map_err(|_| "must be a P-256 public key in PEM"),
        _ => Err("must be RS256 or ES256"),
    }
}

#[derive(Deserialize)]
struct HandOver {
    sub: String,
    exp: i64,
    jti: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

/// Checks a hand-over against the institution's key: signature, algorithm, issuer,
/// audience (`audience`: this product and the institution, such as `leads:acme`, so
/// that a hand-over for one institution signs nobody in at another that shares online
/// banking's key), a near expiry, no use before `nbf`, and a `jti` to use it once by;
/// and the member details it carries.
pub fn verify(key: &BankingKeyRow, audience: &str, assertion: &str) -> Result<Handed, ApiError> {
    let refused = || ApiError::Unauthorized("Online banking's sign-in could not be verified.");
    let (algorithm, decoding) =
        decoding_key(&key.algorithm, &key.public_key).map_err(|_| refused())?;
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[&key.issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "jti"]);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    let claims = decode::<HandOver>(assertion, &decoding, &validation)
        .map_err(|_| refused())?
        .claims;
    if claims.exp > chrono::Utc::now().timestamp() + MAX_LIFETIME_SECONDS + LEEWAY_SECONDS as i64 {
        return Err(ApiError::Unauthorized(
            "Online banking's sign-in lasts too long; it may last 15 minutes.",
        ));
    }
    let mut errors = Vec::new();
    let jti = claims.jti.trim();
    if jti.is_empty() || jti.len() > 200 {
        errors.push(FieldError::new(
            "assertion.jti",
            "must be 1 to 200 characters",
        ));
    }
    let number = claims.sub.trim();
    let number_ok = !number.is_empty()
        && number.len() <= 32
        && number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !number_ok {
        errors.push(FieldError::new(
            "assertion.sub",
            "must be a member number of 1 to 32 letters, digits or dashes",
        ));
    }
    let name = claims
        .name
        .as_deref()
        .map(person_name)
        .transpose()
        .map_err(|r| errors.push(FieldError::new("assertion.name", r)))
        .ok()
        .flatten();
    let email = claims
        .email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(|r| errors.push(FieldError::new("assertion.email", r)))
        .ok()
        .flatten();
    let phone = claims
        .phone
        .as_deref()
        .map(Phone::parse)
        .transpose()
        .map_err(|r| errors.push(FieldError::new("assertion.phone", r)))
        .ok()
        .flatten();
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let expires_at = chrono::DateTime::from_timestamp(claims.exp, 0)
        .map(|at| at.naive_utc())
        .ok_or_else(refused)?;
    Ok(Handed {
        jti: jti.to_string(),
        expires_at,
        member_number: number.to_string(),
        name,
        email,
        phone,
    })
}
