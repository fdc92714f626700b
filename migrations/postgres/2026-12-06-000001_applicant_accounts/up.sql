-- A borrower's own sign-in to the applicant portal. It signs nobody in until its email
-- is confirmed through the link mailed there; confirming ties it to the registered
-- member with that email, and moves the lead it was opened from (if any) to them.
CREATE TABLE applicant_accounts (
    id BIGSERIAL PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    email TEXT NOT NULL,
    name TEXT,
    password_hash TEXT NOT NULL,
    member_id BIGINT REFERENCES members (id),
    verified_at TIMESTAMP,
    verify_token_hash TEXT UNIQUE,
    verify_expires_at TIMESTAMP,
    pending_lead_id BIGINT REFERENCES leads (id),
    reset_token_hash TEXT UNIQUE,
    reset_expires_at TIMESTAMP,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (institution_id, email)
);
CREATE INDEX applicant_accounts_member ON applicant_accounts (member_id);

-- How the institution's online banking proves who its signed-in members are: the public
-- key its tokens are signed with, and the issuer they name.
CREATE TABLE online_banking_keys (
    institution_id BIGINT PRIMARY KEY REFERENCES institutions (id),
    algorithm TEXT NOT NULL CHECK (algorithm IN ('RS256', 'ES256')),
    public_key TEXT NOT NULL,
    issuer TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);


-- Online banking's hand-overs already used, by their `jti`, kept until they expire so
-- that none signs anyone in twice.
CREATE TABLE online_banking_handovers (
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    jti TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (institution_id, jti)
);
CREATE INDEX online_banking_handovers_expiry ON online_banking_handovers (expires_at);
