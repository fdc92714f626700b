//! The application form on a lead in progress, for staff who fill it in for the member
//! (`leads.proxy`): the same fields and checks the member meets, each answer saved when
//! the field is left, and a submission on the member's behalf.

use std::collections::BTreeMap;

use leads_domain::permissions::Permission;
use leads_domain::status::{CatalogKind, LeadStatus};
use leads_domain::wire::{ApplicationUpdate, CatalogItem, LeadDetail, ProxySubmit};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::actions::Shown;
use crate::api::{self, ApiError};
use crate::fields::form_field;
use crate::session::Auth;

#[component]
pub fn ProxyForm(detail: LeadDetail, item: CatalogItem, shown: Shown) -> impl IntoView {
    let auth = expect_context::<Auth>();
    if !auth.can(Permission::LeadsProxy)
        || detail.archived
        || detail.status != LeadStatus::InProgress
    {
        return ().into_any();
    }
    let id = detail.id.0;
    let errors = RwSignal::new(BTreeMap::<String, String>::new());
    let failure = RwSignal::new(None::<String>);
    let consent = RwSignal::new(false);
    let answers: BTreeMap<String, serde_json::Value> = detail
        .answers
        .iter()
        .map(|(k, a)| (k.clone(), a.value.clone()))
        .collect();
    let save = move |update: ApplicationUpdate, _then: Option<Box<dyn FnOnce()>>| {
        spawn_local(async move {
            let path = format!("/api/v1/leads/{id}/answers");
            let keys: Vec<String> = update.answers.keys().cloned().collect();
            match api::patch::<_, LeadDetail>(auth, path, &update).await {
                Ok(_) => errors.update(|e| {
                    for key in keys {
                        e.remove(&format!("answers.{key}"));
                    }
                }),
                Err(error) => refused(error, errors, failure),
            }
        });
    };
    let submit = move |_| {
        failure.set(None);
        spawn_local(async move {
            let path = format!("/api/v1/leads/{id}/submit");
            let body = ProxySubmit {
                credit_pull_consent: consent.get_untracked(),
            };
            match api::post::<_, LeadDetail>(auth, path, &body).await {
                Ok(detail) => shown.set(Some(Ok(detail))),
                Err(error) => refused(error, errors, failure),
            }
        });
    };
    let product = item.kind == CatalogKind::Product;
    let steps: Vec<(String, Vec<serde_json::Value>)> = item.form["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|step| {
            let fields = step["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| !matches!(f["type"].as_str(), Some("file" | "ssn")))
                .cloned()
                .collect();
            (
                step["title"].as_str().unwrap_or_default().to_string(),
                fields,
            )
        })
        .collect();
    view! {
        <section class="card" aria-labelledby="proxy-title">
            <h2 id="proxy-title">"Application form"</h2>
            <p class="muted">"Filled in for the member: each answer is saved when you leave the field, and marked as entered by you."</p>
            {move || failure.get().map(|m| view! { <p class="state state-error" role="alert">{m}</p> })}
            {steps.into_iter().map(|(title, fields)| view! {
                <h3>{title}</h3>
                <div class="apply-fields">
                    {fields
                        .into_iter()
                        .map(|field| form_field(field, answers.clone(), errors, save))
                        .collect_view()}
                </div>
            }).collect_view()}
            {product.then(|| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || consent.get()
                        on:change=move |ev| consent.set(event_target_checked(&ev))/>
                    "The member consents to a credit pull"
                </label>
                {move || errors.with(|e| e.contains_key("consent.credit_pull")).then(|| view! {
                    <span class="field-error" role="alert">"The member's consent is needed to submit."</span>
                })}
            })}
            <div class="apply-nav">
                <button type="button" class="button button-primary" on:click=submit>"Submit for the member"</button>
            </div>
        </section>
    }
    .into_any()
}

fn refused(
    error: ApiError,
    errors: RwSignal<BTreeMap<String, String>>,
    failure: RwSignal<Option<String>>,
) {
    match &error {
        ApiError::Problem(problem) if !problem.errors.is_empty() => {
            errors.update(|e| {
                for found in &problem.errors {
                    e.insert(found.field.clone(), found.reason.clone());
                }
            });
            failure.set(Some(
                "Some answers are missing or not valid; they are marked.".into(),
            ));
        }
        _ => failure.set(Some(error.message())),
    }
}
