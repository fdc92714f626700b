//! The fields of an application form as the borrower's pages and the lender portal
//! draw them: each answer saved when its field is left, refusals marked at the field.

#![cfg_attr(not(feature = "borrower"), allow(dead_code))]

use std::collections::BTreeMap;

use leads_domain::wire::{ApplicantContact, ApplicationUpdate, PublicApplication};
use leptos::prelude::*;
use serde_json::{json, Value};

pub(crate) fn about_fields(
    contact: &ApplicantContact,
    errors: RwSignal<BTreeMap<String, String>>,
    save: impl Fn(ApplicationUpdate, Option<Box<dyn FnOnce()>>) + Copy + 'static,
) -> impl IntoView {
    let part = move |key: &'static str,
                     label: &'static str,
                     kind: &'static str,
                     value: Option<String>| {
        let required = key != "phone";
        let field = format!("applicant.{key}");
        let error_key = field.clone();
        view! {
            <label class="field">
                <span>{label}{required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}</span>
                <input type=kind prop:value=value.unwrap_or_default()
                    aria-invalid=move || errors.with(|e| e.contains_key(&error_key)).to_string()
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let mut contact = ApplicantContact::default();
                        match key {
                            "name" => contact.name = Some(text),
                            "email" => contact.email = Some(text),
                            _ => contact.phone = Some(text),
                        }
                        let update = ApplicationUpdate {
                            applicant: Some(contact),
                            ..ApplicationUpdate::default()
                        };
                        save(update, None);
                    }/>
                {move || errors.with(|e| e.get(&field).cloned()).map(|reason| view! {
                    <span class="field-error" role="alert">{format!("This {reason}.")}</span>
                })}
            </label>
        }
    };
    view! {
        {part("name", "Full name", "text", contact.name.clone())}
        {part("email", "Email", "email", contact.email.clone())}
        {part("phone", "Phone", "tel", contact.phone.clone())}
    }
}

pub(crate) fn form_field(
    field: Value,
    answers: BTreeMap<String, Value>,
    errors: RwSignal<BTreeMap<String, String>>,
    save: impl Fn(ApplicationUpdate, Option<Box<dyn FnOnce()>>) + Copy + 'static,
) -> impl IntoView {
    let key = field["key"].as_str().unwrap_or_default().to_string();
    let label = field["label"].as_str().unwrap_or(&key).to_string();
    let kind = field["type"].as_str().unwrap_or("text").to_string();
    let required = field["required"].as_bool().unwrap_or(false);
    let help = field["help"].as_str().map(str::to_string);
    let current = answers.get(&key).cloned().unwrap_or(Value::Null);
    let error_key = format!("answers.{key}");
    let id = format!("field-{key}");
    let store = {
        let key = key.clone();
        move |value: Value| {
            let mut update = ApplicationUpdate::default();
            update.answers.insert(key.clone(), value);
            save(update, None);
        }
    };
    let shown_error = {
        let error_key = error_key.clone();
        move || {
            errors.with(|e| e.get(&error_key).cloned()).map(|reason| {
                view! {
                    <span class="field-error" role="alert">{format!("This {reason}.")}</span>
                }
            })
        }
    };
    let invalid = {
        let error_key = error_key.clone();
        move || errors.with(|e| e.contains_key(&error_key)).to_string()
    };
    let text_of = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        _ => String::new(),
    };
    let control = match kind.as_str() {
        "select" => {
            let options: Vec<String> = field["options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o.as_str().map(str::to_string))
                .collect();
            let chosen = text_of(&current);
            view! {
                <select id=id.clone() aria-invalid=invalid on:change=move |ev| {
                    let value = event_target_value(&ev);
                    store(if value.is_empty() { Value::Null } else { json!(value) });
                }>
                    <option value="">"Choose…"</option>
                    {options.into_iter().map(|o| {
                        let selected = o == chosen;
                        view! { <option value=o.clone() selected=selected>{words(&o)}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        "checkbox" => view! {
            <input type="checkbox" id=id.clone() prop:checked=current.as_bool().unwrap_or(false)
                on:change=move |ev| store(json!(event_target_checked(&ev)))/>
        }
        .into_any(),
        "address" => {
            let parts = current.as_object().cloned().unwrap_or_default();
            let value = RwSignal::new(parts);
            let line = move |part: &'static str, label: &'static str| {
                let store = store.clone();
                view! {
                    <label class="field sub-field">
                        <span>{label}</span>
                        <input type="text" prop:value=value.with_untracked(|v| v.get(part).and_then(Value::as_str).unwrap_or_default().to_string())
                            on:change=move |ev| {
                                let text = event_target_value(&ev);
                                value.update(|v| {
                                    if text.trim().is_empty() {
                                        v.remove(part);
                                    } else {
                                        v.insert(part.into(), json!(text));
                                    }
                                });
                                let whole = value.get_untracked();
                                let complete = ["line1", "city", "state", "postal_code"].iter().all(|p| whole.contains_key(*p));
                                if complete { store(Value::Object(whole)); }
                            }/>
                    </label>
                }
            };
            view! {
                <div class="address-fields">
                    {line("line1", "Street")}
                    {line("line2", "Apartment or unit")}
                    {line("city", "City")}
                    {line("state", "State")}
                    {line("postal_code", "ZIP code")}
                </div>
            }
            .into_any()
        }
        other => {
            let input_type = match other {
                "number" | "money" => "number",
                "date" => "date",
                "email" => "email",
                "phone" => "tel",
                _ => "text",
            };
            let numeric = matches!(other, "number" | "money");
            view! {
                <input type=input_type id=id.clone() prop:value=text_of(&current) step=if other == "money" { "0.01" } else { "1" }
                    aria-invalid=invalid
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let value = if text.trim().is_empty() {
                            Value::Null
                        } else if numeric {
                            number(text.trim()).unwrap_or(json!(text))
                        } else {
                            json!(text)
                        };
                        store(value);
                    }/>
            }.into_any()
        }
    };
    let marker = required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> });
    let labelled = if kind == "address" {
        view! {
            <fieldset class="field address">
                <legend>{label}{marker}</legend>
                {control}
            </fieldset>
        }
        .into_any()
    } else {
        view! {
            <div class="field">
                <label for=id>{label}{marker}</label>
                {control}
            </div>
        }
        .into_any()
    };
    view! {
        <div class="apply-field">
            {labelled}
            {help.map(|h| view! { <span class="muted">{h}</span> })}
            {shown_error}
        </div>
    }
}

/// The last step's closing part: the payment protection offer, when the item makes one,
/// and, for products, the consent to a credit pull and to the disclosures.
pub(crate) fn closing(
    application: &PublicApplication,
    newest: &PublicApplication,
    agreed: RwSignal<bool>,
    errors: RwSignal<BTreeMap<String, String>>,
    save: impl Fn(ApplicationUpdate, Option<Box<dyn FnOnce()>>) + Copy + 'static,
) -> impl IntoView {
    let offer = application.item.form["protection"].clone();
    let interested = newest
        .answers
        .get("payment_protection_interest")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let product = application.item.kind == leads_domain::CatalogKind::Product;
    let institution = application.institution.name.clone();
    view! {
        {offer.is_object().then(|| view! {
            <div class="protection card-inset">
                <strong>{format!(
                    "{} from {}",
                    offer["title"].as_str().unwrap_or("Payment protection"),
                    offer["provider"].as_str().unwrap_or_default()
                )}</strong>
                <p class="muted">{offer["description"].as_str().unwrap_or_default().to_string()}</p>
                <label class="check">
                    <input type="checkbox" prop:checked=interested on:change=move |ev| {
                        let update = ApplicationUpdate {
                            protection_interest: Some(event_target_checked(&ev)),
                            ..ApplicationUpdate::default()
                        };
                        save(update, None);
                    }/>
                    "I would like to hear about payment protection"
                </label>
            </div>
        })}
        {product.then(|| view! {
            <div class="consent">
                <label class="check">
                    <input type="checkbox" prop:checked=move || agreed.get()
                        on:change=move |ev| agreed.set(event_target_checked(&ev))/>
                    {format!(
                        "I authorize {institution} to obtain my credit report, and I have read the privacy notice and agree to receive documents electronically"
                    )}
                </label>
                {move || errors.with(|e| e.get("consent.credit_pull").cloned()).map(|_| view! {
                    <span class="field-error" role="alert">"Please give your consent to continue."</span>
                })}
            </div>
        })}
    }
}

/// A typed number as JSON: whole numbers stay whole.
fn number(text: &str) -> Option<Value> {
    if let Ok(whole) = text.parse::<i64>() {
        return Some(json!(whole));
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(|f| json!(f))
}

/// An option's code in words: `own` → `Own`.
fn words(code: &str) -> String {
    let spaced = code.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
