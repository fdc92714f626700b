-- Staff asking the applicant for information or documents. Each request is part of the
-- lead's formal record: it is answered, never removed. An unregistered applicant reaches
-- it through a short-lived link; only the link's hash is kept.
CREATE TABLE lead_requests (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    lead_id BIGINT NOT NULL REFERENCES leads (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    upload_prompt TEXT,
    due_on DATE,
    status TEXT NOT NULL CHECK (status IN ('open', 'answered')),
    token_hash TEXT UNIQUE,
    token_expires_at TIMESTAMP,
    answer TEXT,
    answered_at TIMESTAMP,
    created_by_user_id BIGINT NOT NULL REFERENCES staff_users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX lead_requests_lead ON lead_requests (lead_id, id);

-- Files given by applicants or staff. The bytes live in the document store under
-- storage_key; a row exists only once its file is stored.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    lead_id BIGINT NOT NULL REFERENCES leads (id),
    request_id BIGINT REFERENCES lead_requests (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by TEXT NOT NULL CHECK (uploaded_by IN ('applicant', 'staff')),
    uploaded_by_user_id BIGINT REFERENCES staff_users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_lead ON documents (lead_id, id);

-- Mail waiting to go, written in the same transaction as the change that causes it.
-- The mailer sends what is due, and a failure stays here with its error and a later
-- attempt.
CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    lead_id BIGINT REFERENCES leads (id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_recent ON email_outbox (institution_id, id);

-- A named filter and sort of the leads table, the owner's own or shared with the
-- institution.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    owner_user_id BIGINT NOT NULL REFERENCES staff_users (id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    shared BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (owner_user_id, name)
);
CREATE INDEX saved_views_institution ON saved_views (institution_id, shared);

-- Since when the applicant has owed an answer: the oldest open request, or nothing.
-- The two aging orders of the table need values that are never null, so a lead that is
-- not submitted, or owes nothing, sorts as if it were so at the end of time.
ALTER TABLE leads ADD COLUMN waiting_since TIMESTAMP;
ALTER TABLE leads ADD COLUMN submitted_order TIMESTAMP NOT NULL DEFAULT '9999-12-31 00:00:00';
ALTER TABLE leads ADD COLUMN waiting_order TIMESTAMP NOT NULL DEFAULT '9999-12-31 00:00:00';
UPDATE leads SET submitted_order = submitted_at WHERE submitted_at IS NOT NULL;
CREATE INDEX leads_by_submitted ON leads (institution_id, registered, archived, submitted_order, id);
CREATE INDEX leads_by_waiting ON leads (institution_id, registered, archived, waiting_order, id);

-- The web origins allowed to embed an institution's application pages (and to call the
-- public API from a browser), such as `https://www.example-cu.org`.
CREATE TABLE embed_origins (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    origin TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (institution_id, origin)
);
