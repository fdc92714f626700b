//! The tables, as diesel sees them. Both dialects' migrations create exactly these.

diesel::table! {
    institutions (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    roles (id) {
        id -> BigInt,
        institution_id -> BigInt,
        name -> Text,
        builtin -> Bool,
    }
}

diesel::table! {
    role_permissions (role_id, permission) {
        institution_id -> BigInt,
        role_id -> BigInt,
        permission -> Text,
    }
}

diesel::table! {
    staff_users (id) {
        id -> BigInt,
        institution_id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role_id -> BigInt,
        active -> Bool,
        failed_sign_ins -> Integer,
        locked_until -> Nullable<Timestamp>,
        sessions_valid_after -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        institution_id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    members (id) {
        id -> BigInt,
        institution_id -> BigInt,
        member_number -> Text,
        name -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        address -> Nullable<Text>,
        ssn_encrypted -> Nullable<Text>,
        ssn_last4 -> Nullable<Text>,
        registered -> Bool,
        has_login -> Bool,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catalog_items (id) {
        id -> BigInt,
        institution_id -> BigInt,
        slug -> Text,
        name -> Text,
        kind -> Text,
        product_type -> Nullable<Text>,
        description -> Text,
        form -> Text,
        active -> Bool,
        position -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    leads (id) {
        id -> BigInt,
        institution_id -> BigInt,
        reference -> Text,
        member_id -> BigInt,
        catalog_item_id -> BigInt,
        status -> Text,
        archived -> Bool,
        registered -> Bool,
        assignee_id -> Nullable<BigInt>,
        channel -> Text,
        created_by_user_id -> Nullable<BigInt>,
        amount_cents -> Nullable<BigInt>,
        amount_sort -> BigInt,
        term_months -> Nullable<Integer>,
        applicant_name -> Nullable<Text>,
        sort_name -> Text,
        applicant_email -> Nullable<Text>,
        applicant_phone -> Nullable<Text>,
        identity -> Text,
        ssn_encrypted -> Nullable<Text>,
        ssn_last4 -> Nullable<Text>,
        answers -> Text,
        progress_step -> Nullable<Text>,
        progress_percent -> SmallInt,
        last_activity_at -> Timestamp,
        external_id -> Nullable<Text>,
        decision -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        search_text -> Text,
        waiting_since -> Nullable<Timestamp>,
        submitted_order -> Timestamp,
        waiting_order -> Timestamp,
    }
}

diesel::table! {
    held_products (id) {
        id -> BigInt,
        institution_id -> BigInt,
        member_id -> BigInt,
        lead_id -> Nullable<BigInt>,
        product_type -> Text,
        amount_cents -> Nullable<BigInt>,
        rate_bps -> Nullable<Integer>,
        term_months -> Nullable<Integer>,
        opened_on -> Date,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        institution_id -> BigInt,
        at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        action -> Text,
        lead_id -> Nullable<BigInt>,
        detail -> Text,
    }
}

diesel::table! {
    lead_activities (id) {
        id -> BigInt,
        institution_id -> BigInt,
        lead_id -> BigInt,
        actor_kind -> Text,
        actor_user_id -> Nullable<BigInt>,
        action -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    lead_requests (id) {
        id -> BigInt,
        institution_id -> BigInt,
        lead_id -> BigInt,
        title -> Text,
        description -> Text,
        upload_prompt -> Nullable<Text>,
        due_on -> Nullable<Date>,
        status -> Text,
        token_hash -> Nullable<Text>,
        token_expires_at -> Nullable<Timestamp>,
        answer -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        created_by_user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        institution_id -> BigInt,
        lead_id -> BigInt,
        request_id -> Nullable<BigInt>,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        uploaded_by -> Text,
        uploaded_by_user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        institution_id -> BigInt,
        lead_id -> Nullable<BigInt>,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    saved_views (id) {
        id -> BigInt,
        institution_id -> BigInt,
        owner_user_id -> BigInt,
        name -> Text,
        query -> Text,
        shared -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    embed_origins (id) {
        id -> BigInt,
        institution_id -> BigInt,
        origin -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    applicant_accounts (id) {
        id -> BigInt,
        institution_id -> BigInt,
        email -> Text,
        name -> Nullable<Text>,
        password_hash -> Text,
        member_id -> Nullable<BigInt>,
        verified_at -> Nullable<Timestamp>,
        verify_token_hash -> Nullable<Text>,
        verify_expires_at -> Nullable<Timestamp>,
        pending_lead_id -> Nullable<BigInt>,
        reset_token_hash -> Nullable<Text>,
        reset_expires_at -> Nullable<Timestamp>,
        failed_sign_ins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    online_banking_keys (institution_id) {
        institution_id -> BigInt,
        algorithm -> Text,
        public_key -> Text,
        issuer -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    online_banking_handovers (institution_id, jti) {
        institution_id -> BigInt,
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(roles -> institutions (institution_id));
diesel::joinable!(staff_users -> roles (role_id));
diesel::joinable!(leads -> members (member_id));
diesel::joinable!(leads -> catalog_items (catalog_item_id));
diesel::joinable!(held_products -> members (member_id));
diesel::joinable!(lead_activities -> leads (lead_id));

diesel::allow_tables_to_appear_in_same_query!(
    institutions,
    roles,
    role_permissions,
    staff_users,
    refresh_tokens,
    members,
    audit_events,
    catalog_items,
    leads,
    held_products,
    lead_activities,
    lead_requests,
    documents,
    email_outbox,
    saved_views,
    embed_origins,
    applicant_accounts,
    online_banking_keys,
    online_banking_handovers,
);
