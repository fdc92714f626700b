//! Starting a lead on a borrower's behalf (staff with `leads.proxy`).

use leads_domain::permissions::Permission;
use leads_domain::status::CatalogKind;
use leads_domain::wire::{CatalogItem, LeadDetail, NewApplicant, NewLead};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api::{self, ApiError};
use crate::session::Auth;
use crate::widgets::Failure;

#[component]
pub fn NewLeadPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let navigate = use_navigate();
    let catalog = RwSignal::new(Vec::<CatalogItem>::new());
    spawn_local(async move {
        if let Ok(items) = api::get::<Vec<CatalogItem>>(auth, "/api/v1/catalog".into()).await {
            catalog.set(items.into_iter().filter(|i| i.active).collect());
        }
    });
    let item = RwSignal::new(String::new());
    // Started from a member's profile, the applicant is that member.
    let query = leptos_router::hooks::use_query_map();
    let given = move |key: &str| query.with_untracked(|q| q.get(key).unwrap_or_default());
    let name = RwSignal::new(given("name"));
    let email = RwSignal::new(given("email"));
    let phone = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let verified = RwSignal::new(true);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let is_product = move || {
        catalog.with(|c| {
            c.iter()
                .any(|i| i.slug == item.get() && i.kind == CatalogKind::Product)
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let amount_text = amount.get_untracked().replace([',', '$'], "");
        let parsed_amount = if amount_text.trim().is_empty() {
            None
        } else {
            match amount_text.trim().parse::<f64>() {
                Ok(a) => Some(a),
                Err(_) => {
                    error.set(Some(local_problem("amount", "must be a number of dollars")));
                    return;
                }
            }
        };
        let lead = NewLead {
            item: item.get_untracked(),
            applicant: NewApplicant {
                name: name.get_untracked(),
                email: email.get_untracked(),
                phone: Some(phone.get_untracked()).filter(|p| !p.trim().is_empty()),
                date_of_birth: None,
                address: None,
                ssn: None,
                authenticated: verified.get_untracked(),
            },
            amount: parsed_amount,
            term_months: None,
            answers: Default::default(),
        };
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let created = api::post::<_, LeadDetail>(auth, "/api/v1/leads".into(), &lead).await;
            busy.set(false);
            match created {
                Ok(detail) => navigate(
                    &format!("/leads/{}", detail.id.0),
                    NavigateOptions::default(),
                ),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    view! {
        <section class="page page-narrow" aria-labelledby="new-lead-title">
            <a class="back" href="/">"← Back to the table"</a>
            <h1 id="new-lead-title">"New lead"</h1>
            <Show
                when=move || auth.can(Permission::LeadsProxy)
                fallback=|| view! {
                    <p class="state state-error" role="alert">"You may not start leads for members."</p>
                }
            >
            <form class="card form" on:submit=submit.clone() novalidate>
                {move || error.get().map(|error| view! { <Failure error/> })}
                <label class="field">
                    <span>"Product or service"</span>
                    <select required aria-label="Product or service" prop:value=move || item.get()
                        on:change=move |ev| item.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {move || catalog.get().into_iter().map(|i| view! {
                            <option value=i.slug.clone()>{i.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>"Applicant's name"</span>
                    <input type="text" required autocomplete="off" maxlength="200"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>"Applicant's email"</span>
                    <input type="email" required autocomplete="off"
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>"Applicant's phone"</span>
                    <input type="tel" autocomplete="off"
                        prop:value=move || phone.get()
                        on:input=move |ev| phone.set(event_target_value(&ev))/>
                </label>
                {move || is_product().then(|| view! {
                    <label class="field">
                        <span>"Amount (USD)"</span>
                        <input type="text" inputmode="decimal"
                            prop:value=move || amount.get()
                        on:input=move |ev| amount.set(event_target_value(&ev))/>
                    </label>
                })}
                <label class="check">
                    <input type="checkbox" prop:checked=move || verified.get()
                        on:change=move |ev| verified.set(event_target_checked(&ev))/>
                    "I verified the applicant's identity"
                </label>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Starting…" } else { "Start lead" }}
                    </button>
                </div>
            </form>
            </Show>
        </section>
    }
}

fn local_problem(field: &str, reason: &str) -> ApiError {
    ApiError::Problem(leads_domain::problem::Problem {
        kind: "about:blank".into(),
        title: "Please check the form.".into(),
        status: 422,
        detail: None,
        request_id: None,
        errors: vec![leads_domain::problem::FieldError {
            field: field.into(),
            reason: reason.into(),
        }],
        current_status: None,
    })
}
