//! Accepting documents: the type is told from the content, the bytes are stored before
//! the record is written, and removed again when the record cannot be.

use leads_persistence::documents::{self, DocumentRow, NewDocument};
use leads_persistence::DbConnection;

use crate::errors::ApiError;
use crate::storage::{self, DocumentStore};

/// A file as it arrived.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A file in the store, not yet recorded.
pub struct Stored {
    pub key: String,
    pub file_name: String,
    pub content_type: &'static str,
    pub sha256: String,
    pub size: i64,
}

/// Who gave a document.
#[derive(Debug, Clone, Copy)]
pub enum Uploader {
    Applicant,
    Staff(i64),
}

/// Checks and stores each upload; on any refusal, what was stored is removed again.
pub fn store_all(store: &dyn DocumentStore, uploads: &[Upload]) -> Result<Vec<Stored>, ApiError> {
    let mut stored = Vec::with_capacity(uploads.len());
    for upload in uploads {
        match store_one(store, upload) {
            Ok(one) => stored.push(one),
            Err(error) => {
                discard(store, &stored);
                return Err(error);
            }
        }
    }
    Ok(stored)
}

fn store_one(store: &dyn DocumentStore, upload: &Upload) -> Result<Stored, ApiError> {
    if upload.bytes.is_empty() {
        return Err(ApiError::invalid("file", "is empty"));
    }
    let content_type = storage::detect_type(&upload.bytes)
        .ok_or_else(|| ApiError::invalid("file", "must be a PDF, JPEG, PNG or HEIC file"))?;
    let key = format!(
        "d{}-{}",
        chrono::Utc::now().format("%Y%m%d"),
        leads_persistence::leads::random_code("").to_lowercase()
            + &leads_persistence::leads::random_code("").to_lowercase()
    );
    store.put(&key, &upload.bytes).map_err(ApiError::internal)?;
    Ok(Stored {
        key,
        file_name: storage::named_for(&storage::clean_file_name(&upload.file_name), content_type),
        content_type,
        sha256: storage::sha256_hex(&upload.bytes),
        size: i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX),
    })
}

/// Removes stored files whose records were not written.
pub fn discard(store: &dyn DocumentStore, stored: &[Stored]) {
    for file in stored {
        if let Err(error) = store.remove(&file.key) {
            tracing::warn!(key = %file.key, error = %error, "an unrecorded document was not removed");
        }
    }
}

/// Writes the record of a stored file.
pub fn record(
    conn: &mut DbConnection,
    file: &Stored,
    institution_id: i64,
    lead_id: i64,
    request_id: Option<i64>,
    by: Uploader,
) -> Result<DocumentRow, ApiError> {
    let (uploaded_by, user) = match by {
        Uploader::Applicant => ("applicant", None),
        Uploader::Staff(id) => ("staff", Some(id)),
    };
    Ok(documents::insert(
        conn,
        &NewDocument {
            institution_id,
            lead_id,
            request_id,
            file_name: file.file_name.clone(),
            content_type: file.content_type.into(),
            size_bytes: file.size,
            sha256: file.sha256.clone(),
            storage_key: file.key.clone(),
            uploaded_by: uploaded_by.into(),
            uploaded_by_user_id: user,
            created_at: leads_persistence::time::now(),
        },
    )?)
}
