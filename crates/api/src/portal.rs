//! Serving the built lender portal: its files from memory, compressed once in the
//! background after start (a file is sent uncompressed until its turn has come, so no
//! request ever waits for compression), hashed assets cached for a year, and
//! `index.html` for every other page path
//! so that a deep link reloads into the right page.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// One file of the built portal.
struct Asset {
    bytes: Vec<u8>,
    content_type: &'static str,
    /// Named after its content: the name changes whenever the content does.
    hashed: bool,
    etag: String,
    gzip: OnceLock<Vec<u8>>,
    brotli: OnceLock<Vec<u8>>,
}

impl Asset {
    fn new(name: &str, bytes: Vec<u8>) -> Self {
        let digest = Sha256::digest(&bytes);
        let etag = format!(
            "\"{}\"",
            digest
                .iter()
                .take(12)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Self {
            content_type: content_type(name),
            hashed: is_hashed(name),
            etag,
            bytes,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    fn compressible(&self) -> bool {
        self.bytes.len() > 512 && !self.content_type.starts_with("font/")
    }

    fn gzip(&self) -> &[u8] {
        self.gzip.get_or_init(|| {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            // Writing into a vector cannot fail.
            let _ = encoder.write_all(&self.bytes);
            encoder.finish().unwrap_or_default()
        })
    }

    fn brotli(&self) -> &[u8] {
        self.brotli.get_or_init(|| {
            let mut out = Vec::new();
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
                let _ = writer.write_all(&self.bytes);
            }
            out
        })
    }
}

/// The built portal, read into memory at start.
#[derive(Clone)]
pub struct Portal {
    files: Arc<HashMap<String, Asset>>,
    csp: Arc<String>,
    compressing: Arc<std::sync::Mutex<Option<std::thread::JoinHandle<()>>>>,
}

/// Encodings a client accepts, in the order the server prefers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Portal {
    /// Reads the built portal from `dir`; `None` when it holds no `index.html`.
    pub fn load(dir: &Path) -> std::io::Result<Option<Self>> {
        if !dir.join("index.html").is_file() {
            return Ok(None);
        }
        let mut files = HashMap::new();
        let mut pending: Vec<PathBuf> = vec![dir.to_path_buf()];
        while let Some(folder) = pending.pop() {
            for entry in std::fs::read_dir(&folder)? {
                let path = entry?.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let Ok(relative) = path.strip_prefix(dir) else {
                    continue;
                };
                let name = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                let bytes = std::fs::read(&path)?;
                files.insert(name.clone(), Asset::new(&name, bytes));
            }
        }
        let index = files
            .get("index.html")
            .map(|asset| String::from_utf8_lossy(&asset.bytes).into_owned())
            .unwrap_or_default();
        let files = Arc::new(files);
        let background = Arc::clone(&files);
        let compressing = std::thread::Builder::new()
            .name("portal-compress".into())
            .spawn(move || {
                for asset in background.values().filter(|a| a.compressible()) {
                    asset.gzip();
                    asset.brotli();
                }
            })?;
        Ok(Some(Self {
            csp: Arc::new(content_security_policy(&index)),
            files,
            compressing: Arc::new(std::sync::Mutex::new(Some(compressing))),
        }))
    }

    /// Waits until every file is compressed (for tests and benchmarks).
    pub fn wait_compressed(&self) {
        let handle = self.compressing.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }

    /// The answer to a GET of `path`: the file, or `index.html` for a page path.
    /// `None` for paths that look like a missing file, so they get a plain 404. No page
    /// may be framed.
    pub fn respond(&self, req: &HttpRequest) -> Option<HttpResponse> {
        self.respond_framed(req, &[])
    }

    /// Like `respond`, for pages that the web origins `framers` (checked origins such as
    /// `https://www.example.org`) may show in a frame, besides this server itself.
    pub fn respond_framed(&self, req: &HttpRequest, framers: &[String]) -> Option<HttpResponse> {
        let wanted = req.path().trim_start_matches('/');
        let (name, asset) = match self.files.get_key_value(wanted) {
            Some((name, asset)) if !wanted.is_empty() => (name.as_str(), asset),
            _ => {
                let last = wanted.rsplit('/').next().unwrap_or_default();
                if last.contains('.') {
                    return None;
                }
                self.files
                    .get_key_value("index.html")
                    .map(|(n, a)| (n.as_str(), a))?
            }
        };
        let mut response = HttpResponse::Ok();
        response.insert_header((header::CONTENT_TYPE, asset.content_type));
        response.insert_header((header::ETAG, asset.etag.as_str()));
        response.insert_header((header::VARY, "Accept-Encoding"));
        let cache = if asset.hashed {
            "public, max-age=31536000, immutable"
        } else if name == "index.html" {
            "no-cache"
        } else {
            "public, max-age=3600"
        };
        response.insert_header((header::CACHE_CONTROL, cache));
        if asset.content_type.starts_with("text/html") {
            if framers.is_empty() {
                response.insert_header((header::CONTENT_SECURITY_POLICY, self.csp.as_str()));
                response.insert_header((header::X_FRAME_OPTIONS, "DENY"));
            } else {
                let allowed = format!("frame-ancestors 'self' {}", framers.join(" "));
                let policy = self.csp.replace("frame-ancestors 'none'", &allowed);
                response.insert_header((header::CONTENT_SECURITY_POLICY, policy));
            }
        }
        response.insert_header((header::REFERRER_POLICY, "same-origin"));

        let not_modified = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tags| tags.split(',').any(|t| t.trim() == asset.etag));
        if not_modified {
            return Some(
                response
                    .status(actix_web::http::StatusCode::NOT_MODIFIED)
                    .finish(),
            );
        }

        let encoding = if asset.compressible() {
            accepted(req.headers().get(header::ACCEPT_ENCODING))
        } else {
            Encoding::Identity
        };
        // Only what is compressed already is sent compressed.
        let brotli = asset.brotli.get().filter(|_| encoding == Encoding::Brotli);
        let gzip = asset
            .gzip
            .get()
            .filter(|_| matches!(encoding, Encoding::Brotli | Encoding::Gzip));
        let body = if let Some(bytes) = brotli {
            response.insert_header((header::CONTENT_ENCODING, "br"));
            bytes.clone()
        } else if let Some(bytes) = gzip {
            response.insert_header((header::CONTENT_ENCODING, "gzip"));
            bytes.clone()
        } else {
            asset.bytes.clone()
        };
        Some(response.body(body))
    }
}

/// The client's preferred encoding among those the server makes, from `Accept-Encoding`.
fn accepted(header: Option<&HeaderValue>) -> Encoding {
    let Some(text) = header.and_then(|v| v.to_str().ok()) else {
        return Encoding::Identity;
    };
    let mut brotli = false;
    let mut gzip = false;
    for part in text.split(',') {
        let mut pieces = part.split(';');
        let coding = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let refused = pieces.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if refused {
            continue;
        }
        match coding.as_str() {
            "br" => brotli = true,
            "gzip" => gzip = true,
            _ => {}
        }
    }
    if brotli {
        Encoding::Brotli
    } else if gzip {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// A policy allowing only the portal's own files, plus the inline start-up scripts the
/// build writes into `index.html`, each allowed by its hash rather than by
/// `unsafe-inline`.
fn content_security_policy(index: &str) -> String {
    let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
    for body in inline_scripts(index) {
        let digest = Sha256::digest(body.as_bytes());
        scripts.push_str(&format!(" 'sha256-{}'", STANDARD.encode(digest)));
    }
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The text of every `<script>` element without a `src`.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            found.push(&after[body_start..body_start + close]);
        }
        rest = &after[body_start + close..];
    }
    found
}

/// Whether a file name carries a content hash, as the build names them
/// (`name-0123456789abcdef.ext` or `name-0123456789abcdef_bg.wasm`).
fn is_hashed(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file.split('.').next().unwrap_or(file);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_told_from_plain_ones() {
        assert!(is_hashed("leads-portal-0a1b2c3d4e5f6789_bg.wasm"));
        assert!(is_hashed("style-0a1b2c3d4e5f6789.css"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("fonts/inter-latin-400.woff2"));
        assert!(!is_hashed("leads-portal-0a1b2c3d.js"));
    }

    #[test]
    fn the_policy_allows_each_inline_script_by_hash_and_nothing_inline_else() {
        let html = "<script type=\"module\">start()</script><script src=\"/a.js\"></script>";
        let policy = content_security_policy(html);
        let expected = STANDARD.encode(Sha256::digest(b"start()"));
        assert!(policy.contains(&format!("'sha256-{expected}'")));
        assert!(!policy.contains("unsafe-inline"));
        assert_eq!(policy.matches("'sha256-").count(), 1);
    }

    #[test]
    fn encodings_follow_accept_encoding() {
        let value = |s: &'static str| HeaderValue::from_static(s);
        assert_eq!(
            accepted(Some(&value("gzip, deflate, br"))),
            Encoding::Brotli
        );
        assert_eq!(accepted(Some(&value("gzip"))), Encoding::Gzip);
        assert_eq!(accepted(Some(&value("br;q=0, gzip"))), Encoding::Gzip);
        assert_eq!(accepted(None), Encoding::Identity);
    }
}
