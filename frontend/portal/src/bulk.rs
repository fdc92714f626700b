//! Bulk work on the leads table: the rows chosen, or every lead the filter matches, and
//! the bar that assigns or archives them.

use leads_domain::wire::{BulkResult, LeadPage, StaffUser};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::format;
use crate::session::Auth;

/// The leads chosen for a bulk action: some by hand, or every lead the filter matches.
#[derive(Clone, Copy)]
pub struct Selection {
    pub ids: RwSignal<Vec<i64>>,
    pub all_matching: RwSignal<bool>,
}

impl Selection {
    pub fn clear(&self) {
        self.ids.set(Vec::new());
        self.all_matching.set(false);
    }

    pub fn holds(&self, id: i64) -> bool {
        self.all_matching.get() || self.ids.with(|s| s.contains(&id))
    }

    pub fn holds_all(&self, ids: &[i64]) -> bool {
        !ids.is_empty() && self.ids.with(|s| ids.iter().all(|i| s.contains(i)))
    }

    pub fn toggle(&self, id: i64, on: bool) {
        self.all_matching.set(false);
        self.ids.update(|ids| {
            ids.retain(|i| *i != id);
            if on {
                ids.push(id);
            }
        });
    }
}

/// Assign or archive the chosen leads, or every lead the filter matches.
#[component]
pub fn BulkBar(
    selection: Selection,
    fetched: RwSignal<Option<(String, Result<LeadPage, ApiError>)>>,
    reload: RwSignal<u32>,
    query: Memo<String>,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let staff = RwSignal::new(Vec::<StaffUser>::new());
    spawn_local(async move {
        if let Ok(users) = api::get::<Vec<StaffUser>>(auth, "/api/v1/users".into()).await {
            staff.set(users);
        }
    });
    let assignee = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let total = move || {
        fetched.with(|f| match f {
            Some((_, Ok(page))) => Some((page.total, page.total_exact)),
            _ => None,
        })
    };
    let chosen = move || {
        if selection.all_matching.get() {
            match total() {
                Some((n, true)) => format!(
                    "All {} matching leads are selected.",
                    format::grouped(n as u64)
                ),
                _ => "All matching leads are selected.".to_string(),
            }
        } else {
            let n = selection.ids.with(Vec::len);
            if n == 1 {
                "1 lead selected.".into()
            } else {
                format!("{n} leads selected.")
            }
        }
    };
    let send = move |action: &'static str| {
        let mut body = serde_json::json!({ "action": action });
        if action == "assign" {
            body["assignee"] = assignee
                .get_untracked()
                .parse::<i64>()
                .map(serde_json::Value::from)
                .unwrap_or(serde_json::Value::Null);
        }
        if selection.all_matching.get_untracked() {
            let filter: serde_json::Map<String, serde_json::Value> = query
                .get_untracked()
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .filter(|(k, _)| *k != "cursor" && *k != "limit")
                .map(|(k, v)| {
                    let v = js_sys::decode_uri_component(v)
                        .map(String::from)
                        .unwrap_or_default();
                    (k.to_string(), serde_json::Value::String(v))
                })
                .collect();
            body["filter"] = serde_json::Value::Object(filter);
        } else {
            body["ids"] = serde_json::json!(selection.ids.get_untracked());
        }
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = api::post::<_, BulkResult>(auth, "/api/v1/leads/bulk".into(), &body).await;
            busy.set(false);
            confirming.set(false);
            outcome.set(Some(match result {
                Ok(result) => {
                    let mut text = format!("Changed {}.", result.changed.len());
                    if !result.skipped.is_empty() {
                        text.push_str(&format!(" Skipped {}:", result.skipped.len()));
                        for skip in result.skipped.iter().take(5) {
                            text.push_str(&format!(" lead {} ({})", skip.id.0, skip.reason));
                        }
                        if result.skipped.len() > 5 {
                            text.push_str(" …");
                        }
                    }
                    text
                }
                Err(error) => error.message(),
            }));
            reload.update(|n| *n += 1);
        });
    };

    view! {
        {move || outcome.get().map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <Show when=move || selection.all_matching.get() || selection.ids.with(|s| !s.is_empty())>
            <div class="bulk-bar" role="group" aria-label="Bulk actions">
                <span class="bulk-count">{chosen}</span>
                <Show when=move || !selection.all_matching.get()>
                    <button type="button" class="button button-quiet" on:click=move |_| selection.all_matching.set(true)>
                        {move || match total() {
                            Some((n, true)) => format!("Select all {} matching", format::grouped(n as u64)),
                            _ => "Select all matching".to_string(),
                        }}
                    </button>
                </Show>
                <label class="field inline">
                    <span class="sr-only">"Assign selected to"</span>
                    <select aria-label="Assign selected to" on:change=move |ev| assignee.set(event_target_value(&ev))>
                        <option value="">"Nobody"</option>
                        {move || staff.get().into_iter().map(|u| view! {
                            <option value=u.id.0.to_string()>{u.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" class="button" disabled=move || busy.get() on:click=move |_| send("assign")>
                    "Assign selected"
                </button>
                {move || if confirming.get() {
                    view! {
                        <button type="button" class="button button-danger" disabled=move || busy.get()
                            on:click=move |_| send("archive")>"Confirm archive"</button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="button" on:click=move |_| confirming.set(true)>"Archive selected"</button>
                    }.into_any()
                }}
                <button type="button" class="button button-quiet" on:click=move |_| selection.clear()>"Clear selection"</button>
            </div>
        </Show>
    }
}
