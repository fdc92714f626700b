//! Reading `multipart/form-data` bodies: files in parts named `file`, and the few text
//! parts a route names. Sizes are counted as the body arrives, so an oversized body is
//! refused without being held in memory whole.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use crate::errors::ApiError;
use crate::services::documents::Upload;

/// Most files in one body.
pub const MAX_FILES: usize = 10;
/// Longest text part, in bytes.
const MAX_TEXT: usize = 64 * 1024;

pub struct Form {
    pub files: Vec<Upload>,
    pub texts: BTreeMap<String, String>,
}

/// Reads the body: files up to `limit` bytes in all, and the text parts `text_names`.
pub async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    text_names: &[&str],
) -> Result<Form, ApiError> {
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return Err(ApiError::UnsupportedMediaType);
    }
    let mut parts = Multipart::new(req.headers(), payload);
    let mut form = Form {
        files: Vec::new(),
        texts: BTreeMap::new(),
    };
    let mut file_bytes = 0usize;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(malformed)?;
        let name = part.name().unwrap_or_default().to_string();
        let is_file = name == "file";
        if !is_file && !text_names.contains(&name.as_str()) {
            return Err(ApiError::invalid(&name, "is not a part this request takes"));
        }
        if is_file && form.files.len() == MAX_FILES {
            return Err(ApiError::invalid(
                "file",
                format!("at most {MAX_FILES} files at once"),
            ));
        }
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("document")
            .to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(malformed)?;
            bytes.extend_from_slice(&chunk);
            if is_file {
                if file_bytes + bytes.len() > limit {
                    return Err(ApiError::PayloadTooLarge);
                }
            } else if bytes.len() > MAX_TEXT {
                return Err(ApiError::invalid(&name, "is too long"));
            }
        }
        if is_file {
            file_bytes += bytes.len();
            form.files.push(Upload { file_name, bytes });
        } else {
            let text = String::from_utf8(bytes)
                .map_err(|_| ApiError::invalid(&name, "must be UTF-8 text"))?;
            if form.texts.insert(name.clone(), text).is_some() {
                return Err(ApiError::invalid(&name, "is given twice"));
            }
        }
    }
    Ok(form)
}

fn malformed(error: actix_multipart::MultipartError) -> ApiError {
    ApiError::BadRequest(format!("The multipart body cannot be read: {error}."))
}
