//! Where documents' bytes live, behind an interface so that object storage can take the
//! place of the data directory. Keys are opaque names the server makes; nothing a
//! client sends becomes part of a path.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub trait DocumentStore: Send + Sync {
    /// Stores `bytes` under `key` whole, or not at all.
    fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
    /// Removes what `put` stored, for a document whose record could not be written.
    fn remove(&self, key: &str) -> std::io::Result<()>;
}

/// Documents as files under a directory.
pub struct DirectoryStore {
    root: PathBuf,
}

impl DirectoryStore {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        let safe = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !safe {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a document key",
            ));
        }
        Ok(self.root.join(key))
    }
}

impl DocumentStore for DirectoryStore {
    fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(key)?;
        std::fs::create_dir_all(&self.root)?;
        let partial = self.root.join(format!(".{key}.partial"));
        let written = (|| {
            let mut file = std::fs::File::create(&partial)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&partial, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        written
    }

    fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(key)?)
    }

    fn remove(&self, key: &str) -> std::io::Result<()> {
        std::fs::remove_file(self.path(key)?)
    }
}

/// The types documents may have, told by their first bytes, never by their name.
pub fn detect_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some("image/png");
    }
    // ISO base media: a box size, then `ftyp` and a HEIF brand.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        let heif: [&[u8]; 6] = [b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1"];
        if heif.contains(&brand) {
            return Some("image/heic");
        }
    }
    None
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Longest file name kept, in characters.
const MAX_NAME: usize = 120;

/// A file name fit to show: the last path part, without control, invisible or
/// direction-changing characters, shortened to 120 characters keeping its extension.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = last
        .chars()
        .filter(|c| !c.is_control() && !leads_domain::text::is_invisible(*c) && *c != '"')
        .collect();
    let kept = kept.trim();
    if kept.is_empty() || kept == "." || kept == ".." {
        return "document".into();
    }
    if kept.chars().count() <= MAX_NAME {
        return kept.to_string();
    }
    let (stem, extension) = match kept.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => (stem, Some(ext)),
        _ => (kept, None),
    };
    let room = MAX_NAME - extension.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    match extension {
        Some(ext) => format!("{}.{ext}", stem.trim_end()),
        None => stem,
    }
}

/// `name` with an extension that says what the file is, so that a saved download opens
/// as what it was found to be: `scan.html` of a PDF becomes `scan.html.pdf`.
pub fn named_for(name: &str, content_type: &str) -> String {
    let fitting: &[&str] = match content_type {
        "application/pdf" => &["pdf"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/png" => &["png"],
        "image/heic" => &["heic", "heif"],
        _ => &[],
    };
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match (fitting.first(), extension) {
        (Some(_), Some(e)) if fitting.contains(&e.as_str()) => name.to_string(),
        (Some(first), _) => format!("{name}.{first}"),
        (None, _) => name.to_string(),
    }
}

/// A `Content-Disposition` that always downloads, with the name in plain ASCII and, for
/// names that are not, in RFC 8187 form as well.
pub fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| !matches!(c, '"' | '\\'))
        .collect();
    if ascii == name {
        return format!("attachment; filename=\"{ascii}\"");
    }
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_by_content() {
        assert_eq!(detect_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(detect_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(
            detect_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some("image/png")
        );
        assert_eq!(
            detect_type(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Some("image/heic")
        );
        assert_eq!(detect_type(b"\0\0\0\x18ftypisom\0\0\0\0"), None);
        assert_eq!(detect_type(b"<html>%PDF-"), None);
        assert_eq!(detect_type(b""), None);
    }

    #[test]
    fn file_names_lose_paths_and_controls() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_file_name("C:\\docs\\pay\"stub\r\n.pdf"),
            "paystub.pdf"
        );
        assert_eq!(clean_file_name(".."), "document");
        assert_eq!(clean_file_name(""), "document");
    }

    #[test]
    fn hidden_characters_go_and_long_names_keep_their_extension() {
        assert_eq!(clean_file_name("\u{202e} fdp.exe"), "fdp.exe");
        assert_eq!(clean_file_name("pay\u{200b}stub.pdf"), "paystub.pdf");
        let long = format!("{}.pdf", "a".repeat(300));
        let kept = clean_file_name(&long);
        assert_eq!(kept.chars().count(), 120);
        assert!(kept.ends_with(".pdf"));
    }

    #[test]
    fn names_say_what_the_file_is() {
        assert_eq!(named_for("x.html", "application/pdf"), "x.html.pdf");
        assert_eq!(named_for("stub.PDF", "application/pdf"), "stub.PDF");
        assert_eq!(named_for("photo.jpeg", "image/jpeg"), "photo.jpeg");
        assert_eq!(named_for("document", "image/png"), "document.png");
    }

    #[test]
    fn attachments_name_files_in_ascii_and_in_full() {
        assert_eq!(attachment("stub.pdf"), "attachment; filename=\"stub.pdf\"");
        assert_eq!(
            attachment("résumé.pdf"),
            "attachment; filename=\"r_sum_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"
        );
    }

    #[test]
    fn keys_cannot_leave_the_directory() {
        let dir = tempfile::tempdir().expect("a directory");
        let store = DirectoryStore::new(dir.path());
        assert!(store.put("../escape", b"x").is_err());
        assert!(store.put("", b"x").is_err());
        store.put("abc-1", b"bytes").expect("stored");
        assert_eq!(store.get("abc-1").expect("read"), b"bytes");
        store.remove("abc-1").expect("removed");
        assert!(store.get("abc-1").is_err());
    }
}
