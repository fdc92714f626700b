//! The REST API's routes. Each handler carries its OpenAPI entry beside it, and
//! [`configure`] registers both at once so that the two cannot drift apart.

pub mod actions;
pub mod audit;
pub mod auth;
pub mod banking;
pub mod borrowers;
pub mod bulk;
pub mod catalog;
pub mod export;
pub mod health;
pub mod known;
pub mod leads;
pub mod mail;
pub mod members;
pub mod origins;
pub mod proxy;
pub mod public;
pub mod reports;
pub mod requests;
pub mod views;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` route.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::me)
        .service(auth::staff_list)
        .service(catalog::list)
        .service(catalog::get)
        .service(catalog::set_form)
        .service(export::export)
        .service(bulk::bulk)
        .service(leads::list)
        .service(leads::create)
        .service(leads::get)
        .service(actions::assign)
        .service(actions::note)
        .service(actions::approve)
        .service(actions::decline)
        .service(actions::close)
        .service(actions::convert)
        .service(actions::archive)
        .service(actions::reveal_ssn)
        .service(proxy::answers)
        .service(proxy::submit)
        .service(requests::make)
        .service(requests::upload)
        .service(requests::download)
        .service(public::institution)
        .service(public::offered)
        .service(public::start)
        .service(public::get)
        .service(public::save)
        .service(public::submit)
        .service(public::upload)
        .service(public::resume_link)
        .service(public::consent)
        .service(requests::public_get)
        .service(requests::public_answer)
        .service(mail::list)
        .service(mail::retry)
        .service(views::list)
        .service(views::create)
        .service(views::delete)
        .service(members::list)
        .service(members::get)
        .service(audit::list)
        .service(reports::funnel)
        .service(origins::list)
        .service(origins::replace)
        .service(banking::get)
        .service(banking::set)
        .service(borrowers::register)
        .service(borrowers::confirm)
        .service(borrowers::ask_reset)
        .service(borrowers::reset)
        .service(borrowers::sign_in)
        .service(borrowers::online_banking)
        .service(borrowers::me)
        .service(borrowers::change_password)
        .service(borrowers::applications)
        .service(borrowers::application_token)
        .service(borrowers::requests)
        .service(borrowers::answer);
}
