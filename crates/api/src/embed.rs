//! Embedding the application in other sites: `widget.js`, which puts an institution's
//! application in a frame that sizes itself to its content, and CORS for the public API,
//! answered only to the web origins institutions allow.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

use crate::state::AppState;

/// The script other sites include:
/// `<script src="https://HOST/widget.js" data-institution="acme" data-item="auto-loan">`;
/// online banking adds `data-online-banking="JWT"`, its hand-over of the signed-in member.
const WIDGET: &str = r##"(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var institution = script.getAttribute("data-institution");
  if (!institution) { return; }
  var item = script.getAttribute("data-item");
  var base = new URL(script.src).origin;
  var path = "/apply/" + encodeURIComponent(institution) +
    (item ? "/" + encodeURIComponent(item) : "");
  // Online banking passes its signed-in member's hand-over; it travels in the
  // fragment, which is never sent to a server.
  var handover = script.getAttribute("data-online-banking");
  var frame = document.createElement("iframe");
  frame.src = base + path + (handover ? "#online-banking=" + encodeURIComponent(handover) : "");
  frame.title = script.getAttribute("data-title") || "Application";
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.height = "480px";
  window.addEventListener("message", function (event) {
    if (event.origin !== base || event.source !== frame.contentWindow) { return; }
    var height = event.data && event.data.leadsHeight;
    if (typeof height === "number" && height > 0 && height < 100000) {
      frame.style.height = Math.ceil(height) + "px";
    }
  });
  script.parentNode.insertBefore(frame, script.nextSibling);
})();
"##;

pub async fn widget() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(WIDGET)
}

/// A web origin as a browser sends it: `http` or `https`, a host, an optional port, and
/// nothing more. Answers it in lower case.
pub fn web_origin(raw: &str) -> Result<String, &'static str> {
    let origin = raw.trim().to_ascii_lowercase();
    let (scheme, rest, default_port) = if let Some(rest) = origin.strip_prefix("https://") {
        ("https", rest, 443)
    } else if let Some(rest) = origin.strip_prefix("http://") {
        ("http", rest, 80)
    } else {
        return Err("must start with https:// or http://");
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
        return Err("must be an origin such as https://www.example.org, without a path");
    }
    let port = match port {
        None => None,
        Some(text) => {
            let digits = !text.is_empty()
                && text.len() <= 5
                && !text.starts_with('0')
                && text.bytes().all(|b| b.is_ascii_digit());
            match text.parse::<u16>() {
                Ok(port) if digits && port != 0 => Some(port),
                _ => return Err("has a port that is not a number from 1 to 65535"),
            }
        }
    };
    // Browsers leave the default port out of an origin, and so is it kept here.
    Ok(match port {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// CORS for `/api/v1/public/`: a browser on an origin some institution allows may call
/// it; any other origin gets no CORS headers, so browsers keep its pages out.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let public = req.path().starts_with("/api/v1/public/");
    let allowed = match (&origin, public) {
        (Some(origin), true) => allows(&req, origin.clone()).await,
        _ => false,
    };
    if allowed && req.method() == Method::OPTIONS {
        let mut response = HttpResponse::NoContent();
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PATCH"))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "authorization, content-type",
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"));
        let mut answer = req.into_response(response.finish());
        allow(answer.headers_mut(), origin.as_deref());
        return Ok(answer.map_into_boxed_body());
    }
    let mut answer = next.call(req).await?.map_into_boxed_body();
    if allowed {
        allow(answer.headers_mut(), origin.as_deref());
    }
    Ok(answer)
}

fn allow(headers: &mut actix_web::http::header::HeaderMap, origin: Option<&str>) {
    if let Some(value) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After, Location"),
        );
    }
}

async fn allows(req: &ServiceRequest, origin: String) -> bool {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return false;
    };
    let Ok(origin) = web_origin(&origin) else {
        return false;
    };
    state
        .db(move |conn| Ok(leads_persistence::origins::anyone_allows(conn, &origin)?))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::web_origin;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            web_origin(" HTTPS://Bank.Example.org "),
            Ok("https://bank.example.org".into())
        );
        assert_eq!(
            web_origin("http://127.0.0.1:8081"),
            Ok("http://127.0.0.1:8081".into())
        );
        assert_eq!(
            web_origin("https://bank.example.org:443"),
            Ok("https://bank.example.org".into())
        );
        for bad in [
            "bank.example.org",
            "https://bank.example.org/apply",
            "https://bank.example.org; script-src *",
            "javascript://x",
            "https://",
            "https://a..b",
            "https://bank.example.org:0",
            "https://bank.example.org:99999",
            "https://a.org:+443",
            "https://a.org:0443",
            "https://-a.org",
            "*",
        ] {
            assert!(web_origin(bad).is_err(), "{bad}");
        }
    }
}
