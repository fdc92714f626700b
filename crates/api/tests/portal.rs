//! How the server serves the built portal: deep links, caching, compression and the
//! security headers, with the API's own answers unchanged beside it.

mod support;

use std::io::Read;

use reqwest::header;
use support::TestApp;

const INDEX: &str = "<!doctype html><html><head>\
<link rel=\"stylesheet\" href=\"/style-0123456789abcdef.css\">\
<script type=\"module\">import init from '/app-0123456789abcdef.js'; await init();</script>\
</head><body></body></html>";

fn built_portal() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a folder");
    let write = |name: &str, body: &[u8]| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, body).expect("a file");
    };
    write("index.html", INDEX.as_bytes());
    write(
        "app-0123456789abcdef.js",
        "export default async function init() {}\n"
            .repeat(200)
            .as_bytes(),
    );
    write(
        "app-0123456789abcdef_bg.wasm",
        &[0, 97, 115, 109, 1, 0, 0, 0].repeat(400),
    );
    write(
        "style-0123456789abcdef.css",
        "body { margin: 0 }\n".repeat(100).as_bytes(),
    );
    write("fonts/inter.woff2", b"wOF2 not really a font");
    dir
}

fn http() -> reqwest::Client {
    // No automatic decompression: the test reads what was sent.
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

#[actix_web::test]
async fn deep_links_answer_the_page_with_a_strict_policy() -> anyhow::Result<()> {
    let dir = built_portal();
    let app = TestApp::spawn_with_portal(dir.path()).await;

    for path in ["/", "/leads/42", "/members?q=smith", "/some/deep/page"] {
        let response = http().get(format!("{}{path}", app.base)).send().await?;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        let policy = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()?
            .to_string();
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(
            policy.contains("'sha256-"),
            "the start-up script is allowed by hash: {policy}"
        );
        assert_eq!(response.text().await?, INDEX);
    }
    Ok(())
}

#[actix_web::test]
async fn hashed_assets_are_cached_for_good_and_sent_compressed() -> anyhow::Result<()> {
    let dir = built_portal();
    let app = TestApp::spawn_with_portal(dir.path()).await;
    let url = format!("{}/app-0123456789abcdef_bg.wasm", app.base);
    let original = std::fs::read(dir.path().join("app-0123456789abcdef_bg.wasm"))?;

    let brotli = http()
        .get(&url)
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .send()
        .await?;
    assert_eq!(brotli.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(brotli.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(
        brotli.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let etag = brotli.headers()[header::ETAG].clone();
    let sent = brotli.bytes().await?;
    assert!(
        sent.len() < original.len() / 4,
        "{} of {}",
        sent.len(),
        original.len()
    );
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(&sent[..], 4096).read_to_end(&mut unpacked)?;
    assert_eq!(unpacked, original);

    let gzip = http()
        .get(&url)
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await?;
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&gzip.bytes().await?[..]).read_to_end(&mut unpacked)?;
    assert_eq!(unpacked, original);

    let plain = http().get(&url).send().await?;
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await?.to_vec(), original);

    let again = http()
        .get(&url)
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await?;
    assert_eq!(again.status(), 304);

    let font = http()
        .get(format!("{}/fonts/inter.woff2", app.base))
        .send()
        .await?;
    assert_eq!(font.headers()[header::CONTENT_TYPE], "font/woff2");
    assert_eq!(
        font.headers()[header::CACHE_CONTROL],
        "public, max-age=3600"
    );
    Ok(())
}

#[actix_web::test]
async fn missing_files_and_the_api_keep_their_own_answers() -> anyhow::Result<()> {
    let dir = built_portal();
    let app = TestApp::spawn_with_portal(dir.path()).await;

    let missing = http()
        .get(format!("{}/app-ffffffffffffffff.js", app.base))
        .send()
        .await?;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );

    for path in ["/api/v1/nothing-here", "/api"] {
        let api = http().get(format!("{}{path}", app.base)).send().await?;
        assert_eq!(api.status(), 404, "{path}");
        assert_eq!(
            api.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{path}"
        );
    }

    let unsigned = http()
        .get(format!("{}/api/v1/leads", app.base))
        .send()
        .await?;
    assert_eq!(unsigned.status(), 401);

    let posted = http().post(format!("{}/leads/42", app.base)).send().await?;
    assert_eq!(posted.status(), 404, "pages are only read");
    Ok(())
}

#[actix_web::test]
async fn application_pages_may_be_framed_only_by_allowed_origins() -> anyhow::Result<()> {
    let dir = built_portal();
    let borrower = built_portal();
    let app = TestApp::spawn_with_pages(dir.path(), Some(borrower.path())).await;
    app.institution("acme");
    app.staff("acme", "owner@acme.org", "owner").await;
    app.staff("acme", "manager@acme.org", "manager").await;

    let policy = |path: &'static str| {
        let base = app.base.clone();
        async move {
            let response = http()
                .get(format!("{base}{path}"))
                .send()
                .await
                .expect("an answer");
            let headers = response.headers().clone();
            (
                headers
                    .get(header::CONTENT_SECURITY_POLICY)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string(),
                headers.contains_key("x-frame-options"),
            )
        }
    };
    let (csp, denied) = policy("/apply/acme/personal-loan").await;
    assert!(csp.contains("frame-ancestors 'none'") && denied, "{csp}");

    let origins =
        serde_json::json!({ "origins": ["https://Bank.Example.org", "http://127.0.0.1:9"] });
    let (status, _) = app
        .raw_put("manager@acme.org", "/api/v1/embed-origins", &origins)
        .await;
    assert_eq!(status, 403, "a manager does not decide who embeds");
    for bad in [
        serde_json::json!({ "origins": ["https://bank.example.org/path"] }),
        serde_json::json!({ "origins": ["https://x.org; script-src *"] }),
        serde_json::json!({ "origins": "https://x.org" }),
    ] {
        let (status, _) = app
            .raw_put("owner@acme.org", "/api/v1/embed-origins", &bad)
            .await;
        assert_eq!(status, 422, "{bad}");
    }
    let (status, body) = app
        .raw_put("owner@acme.org", "/api/v1/embed-origins", &origins)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("https://bank.example.org"), "{body}");

    let (csp, denied) = policy("/apply/acme/personal-loan").await;
    assert!(
        csp.contains("frame-ancestors 'self' http://127.0.0.1:9 https://bank.example.org"),
        "{csp}"
    );
    assert!(!denied);
    let (csp, denied) = policy("/leads").await;
    assert!(
        csp.contains("frame-ancestors 'none'") && denied,
        "the portal is never framed"
    );
    let (csp, _) = policy("/apply/other-cu").await;
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");

    // CORS on the public API, for allowed origins only.
    let cors = |origin: &'static str, method: reqwest::Method, path: &'static str| {
        let base = app.base.clone();
        async move {
            let response = http()
                .request(method, format!("{base}{path}"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .send()
                .await
                .expect("an answer");
            (
                response.status().as_u16(),
                response
                    .headers()
                    .get("access-control-allow-origin")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
            )
        }
    };
    let public = "/api/v1/public/institutions/acme";
    assert_eq!(
        cors("https://bank.example.org", reqwest::Method::GET, public).await,
        (200, Some("https://bank.example.org".into()))
    );
    let (status, allowed) = cors(
        "https://bank.example.org",
        reqwest::Method::OPTIONS,
        "/api/v1/public/applications",
    )
    .await;
    assert_eq!(
        (status, allowed.as_deref()),
        (204, Some("https://bank.example.org"))
    );
    assert_eq!(
        cors("https://evil.example", reqwest::Method::GET, public)
            .await
            .1,
        None
    );
    assert_eq!(
        cors(
            "https://bank.example.org",
            reqwest::Method::GET,
            "/api/v1/catalog"
        )
        .await
        .1,
        None,
        "staff routes answer no CORS"
    );

    let widget = http().get(format!("{}/widget.js", app.base)).send().await?;
    assert_eq!(widget.status(), 200);
    assert!(widget.headers()[header::CONTENT_TYPE]
        .to_str()?
        .starts_with("text/javascript"));
    assert!(widget.text().await?.contains("data-institution"));
    Ok(())
}

#[actix_web::test]
async fn the_borrower_pages_come_from_their_own_build() -> anyhow::Result<()> {
    let staff = built_portal();
    let borrower = tempfile::tempdir()?;
    std::fs::write(
        borrower.path().join("index.html"),
        "<!doctype html><html><head><title>Apply</title>\
         <script type=\"module\">import init from '/app-fedcba9876543210.js';</script>\
         </head><body></body></html>",
    )?;
    std::fs::write(
        borrower.path().join("app-fedcba9876543210.js"),
        "export default function init() {}",
    )?;
    let app = TestApp::spawn_with_pages(staff.path(), Some(borrower.path())).await;
    let page = |path: &'static str| {
        let base = app.base.clone();
        async move {
            let response = http()
                .get(format!("{base}{path}"))
                .send()
                .await
                .expect("an answer");
            (
                response.status().as_u16(),
                response.text().await.unwrap_or_default(),
            )
        }
    };
    for path in [
        "/apply/acme",
        "/apply/acme/auto-loan",
        "/respond/some-token",
        "/applicant/acme",
        "/applicant/acme/confirm",
    ] {
        let (status, body) = page(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("<title>Apply</title>"), "{path}: {body}");
    }
    let (status, body) = page("/leads/7").await;
    assert_eq!(status, 200);
    assert!(
        !body.contains("<title>Apply</title>"),
        "staff pages from the portal"
    );
    let (status, _) = page("/app-fedcba9876543210.js").await;
    assert_eq!(status, 200, "the borrower build's files are found too");
    let (status, _) = page("/app-0123456789abcdef.js").await;
    assert_eq!(status, 200);
    let (status, _) = page("/neither-0000000000000000.js").await;
    assert_eq!(status, 404);
    Ok(())
}
