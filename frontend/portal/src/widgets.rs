//! Small pieces every page uses.

use leads_domain::status::LeadStatus;
use leads_domain::wire::Progress;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::format;

#[component]
pub fn Loading(#[prop(into)] what: String) -> impl IntoView {
    view! {
        <p class="state state-loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            {format!("Loading {what}…")}
        </p>
    }
}

/// A failed request, said plainly; nothing when the session ended (the sign-in page shows).
#[component]
pub fn Failure(error: ApiError) -> impl IntoView {
    let (heading, text) = match error.status() {
        Some(404) => (
            "Not found. ",
            "It does not exist, or not at this credit union. Check the address.".to_string(),
        ),
        Some(422) => ("This cannot be shown: ", error.message()),
        None => ("", error.message()),
        Some(_) => ("Something went wrong. ", error.message()),
    };
    (error != ApiError::SignedOut).then(|| {
        view! {
            <div class="state state-error" role="alert">
                <strong>{heading}</strong>
                {text}
            </div>
        }
    })
}

#[component]
pub fn StatusBadge(status: LeadStatus) -> impl IntoView {
    view! { <span class=format::status_class(status)>{format::status_label(status)}</span> }
}

#[component]
pub fn ProgressBar(progress: Progress) -> impl IntoView {
    let percent = progress.percent.clamp(0, 100);
    let label = match &progress.step {
        Some(step) => format!("{percent}% complete, at {step}"),
        None => format!("{percent}% complete"),
    };
    view! {
        <span class="progress" title=label.clone()>
            <progress max="100" value=percent.to_string() aria-label=label.clone()></progress>
            <span class="progress-figure">{format!("{percent}%")}</span>
        </span>
    }
}
