-- Every table carries institution_id, so data can be partitioned or distributed by tenant.

CREATE TABLE institutions (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    name TEXT NOT NULL,
    builtin BOOLEAN NOT NULL,
    UNIQUE (institution_id, name)
);

CREATE TABLE role_permissions (
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    role_id BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE staff_users (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role_id BIGINT NOT NULL REFERENCES roles (id),
    active BOOLEAN NOT NULL,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    sessions_valid_after TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_users_institution ON staff_users (institution_id);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    user_id BIGINT NOT NULL REFERENCES staff_users (id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    member_number TEXT NOT NULL,
    name TEXT,
    email TEXT,
    phone TEXT,
    date_of_birth DATE,
    address TEXT,
    ssn_encrypted TEXT,
    ssn_last4 TEXT,
    registered BOOLEAN NOT NULL,
    has_login BOOLEAN NOT NULL,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (institution_id, member_number)
);
-- One registered member per email within an institution, and at most one unverified
-- one beside it: an unverified walk-in is never attached to a verified member.
CREATE UNIQUE INDEX members_registered_email ON members (institution_id, email) WHERE registered;
CREATE UNIQUE INDEX members_unverified_email ON members (institution_id, email) WHERE NOT registered;
CREATE INDEX members_order ON members (institution_id, id);

CREATE TABLE catalog_items (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('product', 'service')),
    product_type TEXT,
    description TEXT NOT NULL,
    form TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (institution_id, slug)
);

CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    reference TEXT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members (id),
    catalog_item_id BIGINT NOT NULL REFERENCES catalog_items (id),
    status TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted', 'approved', 'declined', 'converted', 'closed')),
    archived BOOLEAN NOT NULL,
    registered BOOLEAN NOT NULL,
    assignee_id BIGINT REFERENCES staff_users (id),
    channel TEXT NOT NULL,
    created_by_user_id BIGINT REFERENCES staff_users (id),
    amount_cents BIGINT,
    amount_sort BIGINT NOT NULL,
    term_months INTEGER,
    applicant_name TEXT,
    sort_name TEXT NOT NULL,
    applicant_email TEXT,
    applicant_phone TEXT,
    identity TEXT NOT NULL,
    ssn_encrypted TEXT,
    ssn_last4 TEXT,
    answers TEXT NOT NULL,
    progress_step TEXT,
    progress_percent SMALLINT NOT NULL,
    last_activity_at TIMESTAMP NOT NULL,
    external_id TEXT,
    decision TEXT,
    submitted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL,
    search_text TEXT NOT NULL
);
CREATE UNIQUE INDEX leads_reference ON leads (institution_id, reference);
CREATE UNIQUE INDEX leads_external_id ON leads (institution_id, external_id);
CREATE INDEX leads_member ON leads (member_id, created_at);
CREATE INDEX leads_by_updated ON leads (institution_id, registered, archived, updated_at, id);
CREATE INDEX leads_by_created ON leads (institution_id, registered, archived, created_at, id);
CREATE INDEX leads_by_name ON leads (institution_id, registered, archived, sort_name, id);
CREATE INDEX leads_by_amount ON leads (institution_id, registered, archived, amount_sort, id);
CREATE INDEX leads_by_status_item ON leads (institution_id, status, catalog_item_id, updated_at, id);
CREATE INDEX leads_by_assignee ON leads (institution_id, assignee_id, updated_at, id);

CREATE TABLE held_products (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    lead_id BIGINT UNIQUE REFERENCES leads (id),
    product_type TEXT NOT NULL,
    amount_cents BIGINT,
    rate_bps INTEGER,
    term_months INTEGER,
    opened_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX held_products_member ON held_products (member_id);

CREATE TABLE lead_activities (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    lead_id BIGINT NOT NULL REFERENCES leads (id),
    actor_kind TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES staff_users (id),
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX lead_activities_lead ON lead_activities (lead_id, id);

-- Everything auditors ask about, across the institution: every change of a lead, SSN
-- reveals, exports, sign-ins and failed sign-ins. Rows are only ever added.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    at TIMESTAMP NOT NULL,
    actor_user_id BIGINT REFERENCES staff_users (id),
    action TEXT NOT NULL,
    lead_id BIGINT REFERENCES leads (id),
    detail TEXT NOT NULL
);
CREATE INDEX audit_events_recent ON audit_events (institution_id, id);
CREATE INDEX audit_events_of_lead ON audit_events (lead_id, id);

-- Substring search of name, email, phone and reference through trigram full-text
-- indexes that triggers keep in step with their tables. The tenant column holds the
-- institution id as one three-character token (CJK code points nobody searches for),
-- so that the index itself narrows a search to one institution.
CREATE VIRTUAL TABLE leads_fts USING fts5 (search_text, tenant, tokenize = 'trigram');
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts (rowid, search_text, tenant) VALUES (
        new.id,
        new.search_text,
        char(19968 + (new.institution_id / 20992) % 20992, 19968 + new.institution_id % 20992, 19968)
    );
END;
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    DELETE FROM leads_fts WHERE rowid = old.id;
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF search_text ON leads BEGIN
    UPDATE leads_fts SET search_text = new.search_text WHERE rowid = new.id;
END;

CREATE VIRTUAL TABLE members_fts USING fts5 (search_text, tenant, tokenize = 'trigram');
CREATE TRIGGER members_fts_insert AFTER INSERT ON members BEGIN
    INSERT INTO members_fts (rowid, search_text, tenant) VALUES (
        new.id,
        new.search_text,
        char(19968 + (new.institution_id / 20992) % 20992, 19968 + new.institution_id % 20992, 19968)
    );
END;
CREATE TRIGGER members_fts_delete AFTER DELETE ON members BEGIN
    DELETE FROM members_fts WHERE rowid = old.id;
END;
CREATE TRIGGER members_fts_update AFTER UPDATE OF search_text ON members BEGIN
    UPDATE members_fts SET search_text = new.search_text WHERE rowid = new.id;
END;
