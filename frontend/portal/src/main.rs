//! The lender portal: staff sign in, work the leads table, open leads and members.

mod actions;
mod api;
mod app;
mod apply;
mod bulk;
mod format;
mod lead;
mod leads;
mod member;
mod members;
mod new_lead;
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
    leptos::mount::mount_to_body(app::App);
}
