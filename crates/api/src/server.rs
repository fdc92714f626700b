//! Building the application and starting the server.

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpServer};
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::errors::ApiError;
use crate::logging::log_requests;
use crate::openapi::ApiDoc;
use crate::routes;
use crate::state::AppState;

fn register(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(routes::health::healthz)
        .service(routes::health::readyz)
        .service(scope::scope("/api/v1").configure(routes::configure));
}

/// The OpenAPI document the server serves, generated from the registered routes.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(register)
        .split_for_parts();
    api
}

/// The whole application: API, documentation, error handling and request logging.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(register)
        .split_for_parts();
    let routes = std::sync::Arc::new(crate::routes::known::KnownRoutes::from_openapi(&api));
    let limit = state.config.json_limit;
    app.app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(limit))
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
        .app_data(web::Data::from(routes))
        .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", api))
        .route("/api/docs", web::get().to(to_docs))
        .route("/", web::get().to(root))
        .route("/widget.js", web::get().to(crate::embed::widget))
        .default_service(web::to(unmatched))
        .wrap(from_fn(crate::embed::cors))
        .wrap(from_fn(log_requests))
}

/// The API reference.
async fn to_docs() -> actix_web::HttpResponse {
    actix_web::HttpResponse::TemporaryRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
        .finish()
}

/// The lender portal, or the API reference where no portal was built.
async fn root(req: HttpRequest, state: web::Data<AppState>) -> actix_web::HttpResponse {
    match state
        .portal
        .as_ref()
        .and_then(|portal| portal.respond(&req))
    {
        Some(response) => response,
        None => to_docs().await,
    }
}

/// No route matched: a page or file of the portal; otherwise 405 with the allowed
/// methods when the path exists, 404 when it does not.
async fn unmatched(
    req: HttpRequest,
    state: web::Data<AppState>,
    routes: web::Data<crate::routes::known::KnownRoutes>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let api = req.path() == "/api" || req.path().starts_with("/api/");
    let page = req.method() == actix_web::http::Method::GET && !api;
    // An institution's application pages may be framed by the origins it allows.
    let framers = match req.path().strip_prefix("/apply/") {
        Some(rest) if page && (state.portal.is_some() || state.borrower.is_some()) => {
            let slug = rest.split('/').next().unwrap_or_default().to_string();
            state
                .db(move |conn| Ok(leads_persistence::origins::of_slug(conn, &slug)?))
                .await?
        }
        _ => Vec::new(),
    };
    // The borrower's pages are a build of their own; their files are found in either.
    let borrower = ["/apply/", "/applicant/", "/respond/"]
        .iter()
        .any(|prefix| req.path().starts_with(prefix));
    let (first, second) = if borrower {
        (state.borrower.as_ref(), state.portal.as_ref())
    } else {
        (state.portal.as_ref(), state.borrower.as_ref())
    };
    let file = req
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .contains('.');
    let found = first
        .filter(|_| page)
        .and_then(|pages| pages.respond_framed(&req, &framers))
        .or_else(|| {
            second
                .filter(|_| page && file)
                .and_then(|pages| pages.respond_framed(&req, &framers))
        });
    if let Some(response) = found {
        return Ok(response);
    }
    match routes.allowed_methods(req.path()) {
        Some(allowed) => Err(ApiError::MethodNotAllowed(allowed)),
        None => Err(ApiError::NotFound),
    }
}

/// Binds the server; `workers` defaults to the number of cores.
pub fn start(
    state: AppState,
    workers: Option<usize>,
) -> std::io::Result<(Server, std::net::SocketAddr)> {
    let bind = state.config.bind;
    let mut server = HttpServer::new(move || build_app(state.clone())).bind(bind)?;
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    let address = server.addrs().first().copied().unwrap_or(bind);
    Ok((server.run(), address))
}
