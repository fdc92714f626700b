//! One log line per request: method, route pattern, status, latency and request id.
//! Never the query string, a header or a body, which may hold personal data or tokens.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use rand::Rng;
use tracing::Instrument;

use crate::errors::PROBLEM_JSON;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn new_request_id() -> String {
    let bits: u64 = rand::thread_rng().gen();
    format!("{bits:016x}")
}

/// Logs the request and gives every answer an `X-Request-Id`; a 500 answer is replaced by
/// a fixed problem document that carries only that id.
pub async fn log_requests(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = new_request_id();
    let method = req.method().to_string();
    // HEAD is answered by the GET route; the HTTP layer leaves out the body.
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let is_api = req.path().starts_with("/api/v1/");
    let started = Instant::now();
    let span = tracing::info_span!("request", request.id = %request_id);

    let response = next.call(req).instrument(span.clone()).await?;
    let status = response.status();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".into());
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        tracing::info!(
            http.method = %method,
            http.route = %route,
            http.status = status.as_u16(),
            latency_ms = format!("{latency_ms:.2}"),
            "request"
        );
    });

    let mut response = if status == StatusCode::INTERNAL_SERVER_ERROR {
        let (request, _) = response.into_parts();
        let problem = leads_domain::Problem {
            kind: "about:blank".into(),
            title: "Something went wrong on our side".into(),
            status: 500,
            detail: Some("The error was logged; quote the request id when you report it.".into()),
            request_id: Some(request_id.clone()),
            errors: Vec::new(),
            current_status: None,
        };
        let body = HttpResponse::InternalServerError()
            .insert_header((CONTENT_TYPE, PROBLEM_JSON))
            .json(problem);
        ServiceResponse::new(request, body)
    } else {
        response.map_into_boxed_body()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID, value);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Answers of the API carry tokens and personal data: no cache may keep them.
    if is_api && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}
