//! The lender portal: staff sign in, work the leads table, open leads and members.
//! Built with the `borrower` feature, the same crate is instead the borrower's pages
//! (an institution's offers, the application, answers to requests); each build leaves
//! out, at link time, the code only the other reaches.

#![cfg_attr(feature = "borrower", allow(dead_code))]

mod actions;
mod api;
mod app;
mod applicant;
mod applicant_access;
mod apply;
mod bulk;
mod fields;
mod format;
mod lead;
mod leads;
mod leads_rows;
mod member;
mod members;
mod new_lead;
mod offers;
mod proxy_form;
mod respond;
mod session;
mod sign_in;
mod summary;
mod timing;
mod views;
mod widgets;

fn main() {
    console_error_panic_hook::set_once();
    #[cfg(feature = "borrower")]
    leptos::mount::mount_to_body(app::BorrowerApp);
    #[cfg(not(feature = "borrower"))]
    leptos::mount::mount_to_body(app::App);
}
