//! The leads table: filters, search, sort and pages, all kept in the address so that a
//! view can be bookmarked, shared, reloaded and walked back with the browser.

use leads_domain::permissions::Permission;
use leads_domain::status::{Channel, LeadStatus};
use leads_domain::wire::{CatalogItem, LeadPage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

use crate::api::{self, encode, ApiError};
use crate::app::LastTable;
use crate::bulk::{BulkBar, Selection};
use crate::format;
use crate::leads_rows::{count_text, cursor, page_ids, plausible_day, row, Fetched};
use crate::session::Auth;
use crate::summary::SummaryDialog;
use crate::timing;
use crate::views::SavedViews;
use crate::widgets::{Failure, Loading};

/// The address parameters the table passes on to the API, in a fixed order.
const KEYS: &[&str] = &[
    "status",
    "borrower",
    "kind",
    "item",
    "assignee",
    "channel",
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
    "archived",
    "q",
    "sort",
    "limit",
    "cursor",
];

/// The statuses offered as filters, in the lead's order of life.
const STATUSES: &[LeadStatus] = &[
    LeadStatus::InProgress,
    LeadStatus::Submitted,
    LeadStatus::Approved,
    LeadStatus::Declined,
    LeadStatus::Converted,
    LeadStatus::Closed,
];

fn query_string(map: &ParamsMap) -> String {
    KEYS.iter()
        .filter_map(|key| {
            map.get(key)
                .filter(|v| !v.is_empty())
                .map(|v| format!("{key}={}", encode(&v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn address(query: &str) -> String {
    if query.is_empty() {
        "/".into()
    } else {
        format!("/?{query}")
    }
}

#[component]
pub fn LeadsPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let last = expect_context::<LastTable>();
    let query = use_query_map();
    let navigate = use_navigate();

    let api_query = Memo::new(move |_| query.with(query_string));
    let fetched = RwSignal::new(None::<(String, Result<LeadPage, ApiError>)>);
    let loading = RwSignal::new(true);
    // Bumped to load the same page again after a bulk change.
    let reload = RwSignal::new(0_u32);
    let summary_of = RwSignal::new(None::<i64>);
    let selection = Selection {
        ids: RwSignal::new(Vec::new()),
        all_matching: RwSignal::new(false),
    };
    Effect::new(move |_| {
        let wanted = api_query.get();
        reload.track();
        selection.clear();
        last.0.set(address(&wanted));
        loading.set(true);
        timing::mark("leads:request");
        spawn_local(async move {
            let result = api::get::<LeadPage>(auth, format!("/api/v1/leads?{wanted}")).await;
            // A slower answer to an older address must not replace a newer one.
            if api_query.get_untracked() == wanted {
                timing::mark("leads:data");
                fetched.set(Some((wanted, result)));
                loading.set(false);
                timing::mark_next_frame("leads:rendered");
            }
        });
    });

    let catalog = RwSignal::new(Vec::<CatalogItem>::new());
    spawn_local(async move {
        if let Ok(items) = api::get::<Vec<CatalogItem>>(auth, "/api/v1/catalog".into()).await {
            catalog.set(items);
        }
    });

    // Replaces some parameters and goes there; any change of filter starts at page one.
    let go = {
        let navigate = navigate.clone();
        move |changes: Vec<(&'static str, Option<String>)>| {
            let mut map = query.get_untracked();
            let paging = changes.iter().all(|(k, _)| *k == "cursor");
            for (key, value) in changes {
                match value.filter(|v| !v.is_empty()) {
                    Some(value) => map.replace(key, value),
                    None => {
                        map.remove(key);
                    }
                }
            }
            if !paging {
                map.remove("cursor");
            }
            navigate(&address(&query_string(&map)), NavigateOptions::default());
        }
    };
    let param = move |key: &'static str| move || query.with(|q| q.get(key).unwrap_or_default());

    let statuses = move || {
        query.with(|q| {
            q.get("status")
                .map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let toggle_status = {
        let go = go.clone();
        move |value: &'static str| {
            let mut chosen = statuses();
            if let Some(at) = chosen.iter().position(|s| s == value) {
                chosen.remove(at);
            } else {
                chosen.push(value.to_string());
            }
            go(vec![("status", Some(chosen.join(",")))]);
        }
    };

    let search = RwSignal::new(query.get_untracked().get("q").unwrap_or_default());
    Effect::new(move |_| search.set(query.with(|q| q.get("q").unwrap_or_default())));
    let submit_search = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            go(vec![("q", Some(search.get_untracked().trim().to_string()))]);
        }
    };

    let select = {
        let go = go.clone();
        move |key: &'static str| {
            let go = go.clone();
            move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                // A date being typed is applied once it is a whole, plausible date.
                let date = key.ends_with("_from") || key.ends_with("_to");
                if date && !value.is_empty() && !plausible_day(&value) {
                    return;
                }
                go(vec![(key, Some(value))])
            }
        }
    };

    let clear = {
        let navigate = navigate.clone();
        move |_| navigate("/", NavigateOptions::default())
    };

    let sort = move || query.with(|q| q.get("sort").unwrap_or_else(|| "-updated_at".into()));
    let sort_by = {
        let go = go.clone();
        move |key: &'static str| {
            let current = sort();
            let next = if current.trim_start_matches('-') == key {
                if current.starts_with('-') {
                    key.to_string()
                } else {
                    format!("-{key}")
                }
            } else if matches!(key, "name" | "submitted_at" | "waiting_since") {
                // Names from A, ages from the oldest.
                key.to_string()
            } else {
                format!("-{key}")
            };
            go(vec![("sort", Some(next))]);
        }
    };
    let header = move |key: &'static str, label: &'static str| {
        let sort_by = sort_by.clone();
        let direction = move || {
            let current = sort();
            if current.trim_start_matches('-') != key {
                "none"
            } else if current.starts_with('-') {
                "descending"
            } else {
                "ascending"
            }
        };
        view! {
            <th scope="col" aria-sort=direction>
                <button type="button" class="sort" on:click=move |_| sort_by(key)>
                    {label}
                    <span class="sort-mark" aria-hidden="true">
                        {move || match direction() {
                            "descending" => "▼",
                            "ascending" => "▲",
                            _ => "↕",
                        }}
                    </span>
                </button>
            </th>
        }
    };

    let page_to = {
        let go = go.clone();
        move |cursor: Option<String>| go(vec![("cursor", cursor)])
    };

    let items = move || catalog.get();
    let can_start = move || auth.can(Permission::LeadsProxy);
    let can_export = move || auth.can(Permission::LeadsExport);
    let exporting = RwSignal::new(false);
    let export_failure = RwSignal::new(None::<String>);
    let export = move |_| {
        let filter = query.with_untracked(|q| {
            let mut q = q.clone();
            q.remove("cursor");
            q.remove("limit");
            query_string(&q)
        });
        exporting.set(true);
        export_failure.set(None);
        spawn_local(async move {
            let path = format!("/api/v1/leads/export.csv?{filter}");
            let name = format!("leads-{}.csv", format::today());
            let saved = match api::download(auth, path).await {
                Ok(bytes) => api::save_file(&bytes, &name, "text/csv"),
                Err(error) => Err(error.message()),
            };
            exporting.set(false);
            if let Err(message) = saved {
                export_failure.set(Some(message));
            }
        });
    };

    view! {
        <section class="page page-wide" aria-labelledby="leads-title">
            <div class="page-head">
                <h1 id="leads-title">"Leads"</h1>
                <div class="page-actions">
                    {move || can_export().then(|| view! {
                        <button type="button" class="button" disabled=move || exporting.get() on:click=export>
                            {move || if exporting.get() { "Exporting…" } else { "Export CSV" }}
                        </button>
                    })}
                    {move || can_start().then(|| view! {
                        <a class="button button-primary" href="/leads/new">"New lead"</a>
                    })}
                </div>
            </div>

            {move || export_failure.get().map(|message| view! {
                <p class="state state-error" role="alert">{message}</p>
            })}
            <SavedViews current=Signal::derive(move || query.with(|q| {
                let mut q = q.clone();
                q.remove("cursor");
                query_string(&q)
            }))/>
            {move || summary_of.get().map(|id| view! {
                <SummaryDialog id closed=Callback::new(move |_| {
                    summary_of.set(None);
                    reload.update(|n| *n += 1);
                })/>
            })}
            <form class="searchbar" role="search" on:submit=submit_search>
                <input
                    type="search"
                    aria-label="Search"
                    placeholder="Search name, email, phone or reference"
                    maxlength="200"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
                <button type="submit" class="button">"Find"</button>
            </form>

            <div class="filters" aria-label="Filters" role="group">
                <fieldset class="filter filter-status" aria-label="Status">
                    <legend>"Status"</legend>
                    {STATUSES.iter().map(|status| {
                        let value = format::status_param(*status);
                        let toggle = toggle_status.clone();
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    prop:checked=move || statuses().iter().any(|s| s == value)
                                    on:change=move |_| toggle(value)
                                />
                                {format::status_label(*status)}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label class="filter">
                    <span>"Borrower"</span>
                    <select aria-label="Borrower" on:change=select("borrower")
                        prop:value=move || { let v = param("borrower")(); if v.is_empty() { "registered".into() } else { v } }>
                        <option value="registered">"Registered"</option>
                        <option value="unregistered">"Unregistered"</option>
                        <option value="all">"All"</option>
                    </select>
                </label>
                <label class="filter">
                    <span>"Product or service"</span>
                    <select aria-label="Product or service" on:change=select("item") prop:value=param("item")>
                        <option value="">"All"</option>
                        {move || items().into_iter().map(|item| view! {
                            <option value=item.slug.clone() selected=param("item")() == item.slug>{item.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="filter">
                    <span>"Assigned to"</span>
                    <select aria-label="Assigned to" on:change=select("assignee") prop:value=param("assignee")>
                        <option value="">"Anyone"</option>
                        <option value="me">"Me"</option>
                        <option value="none">"Unassigned"</option>
                    </select>
                </label>
                <label class="filter">
                    <span>"Channel"</span>
                    <select aria-label="Channel" on:change=select("channel") prop:value=param("channel")>
                        <option value="">"All"</option>
                        {Channel::ALL.iter().map(|c| view! {
                            <option value=c.as_str()>{format::channel_label(*c)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="filter">
                    <span>"Started from"</span>
                    <input type="date" min="1900-01-01" max="2999-12-31" aria-label="Started from" prop:value=param("created_from") on:change=select("created_from")/>
                </label>
                <label class="filter">
                    <span>"Started to"</span>
                    <input type="date" min="1900-01-01" max="2999-12-31" aria-label="Started to" prop:value=param("created_to") on:change=select("created_to")/>
                </label>
                <label class="filter">
                    <span>"Updated from"</span>
                    <input type="date" min="1900-01-01" max="2999-12-31" aria-label="Updated from" prop:value=param("updated_from") on:change=select("updated_from")/>
                </label>
                <label class="filter">
                    <span>"Updated to"</span>
                    <input type="date" min="1900-01-01" max="2999-12-31" aria-label="Updated to" prop:value=param("updated_to") on:change=select("updated_to")/>
                </label>
                <label class="filter">
                    <span>"Archived"</span>
                    <select aria-label="Archived" on:change=select("archived") prop:value=param("archived")>
                        <option value="">"Hidden"</option>
                        <option value="include">"Shown too"</option>
                        <option value="only">"Only archived"</option>
                    </select>
                </label>
                <button type="button" class="button button-quiet filter-clear" on:click=clear>"Clear filters"</button>
            </div>

            {move || auth.can(Permission::LeadsWork).then(|| view! {
                <BulkBar selection fetched reload query=api_query/>
            })}
            <div class="table-bar">
                <p class="count" aria-live="polite">
                    {move || fetched.with(|f| match f {
                        Some((_, Ok(page))) => count_text(page),
                        _ => String::new(),
                    })}
                </p>
                <label class="page-size">
                    <span>"Order"</span>
                    <select aria-label="Order" on:change=select("sort")
                        prop:value=sort>
                        <option value="-updated_at">"Last updated"</option>
                        <option value="-created_at">"Newest started"</option>
                        <option value="created_at">"Oldest started"</option>
                        <option value="name">"Name"</option>
                        <option value="-amount">"Largest amount"</option>
                        <option value="submitted_at">"Longest since submission"</option>
                        <option value="waiting_since">"Longest waiting on applicant"</option>
                    </select>
                </label>
                <label class="page-size">
                    <span>"Rows per page"</span>
                    <select aria-label="Rows per page" on:change=select("limit")
                        prop:value=move || { let v = param("limit")(); if v.is_empty() { "50".into() } else { v } }>
                        <option value="25">"25"</option>
                        <option value="50">"50"</option>
                        <option value="100">"100"</option>
                        <option value="200">"200"</option>
                    </select>
                </label>
            </div>

            <div class="table-wrap" aria-busy=move || loading.get().to_string()>
                <table class="table leads-table" aria-label="Leads">
                    <thead>
                        <tr>
                            {move || auth.can(Permission::LeadsWork).then(|| {
                                let on_page = move || page_ids(&fetched);
                                view! {
                                    <th scope="col" class="select">
                                        <input type="checkbox" aria-label="Select all on this page"
                                            prop:checked=move || selection.holds_all(&on_page())
                                            on:change=move |ev| {
                                                if event_target_checked(&ev) {
                                                    selection.ids.set(on_page())
                                                } else {
                                                    selection.clear()
                                                }
                                            }/>
                                    </th>
                                }
                            })}
                            {header("name", "Member")}
                            <th scope="col">"Product or service"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Channel"</th>
                            {header("amount", "Amount")}
                            <th scope="col">"Progress"</th>
                            {header("created_at", "Started")}
                            {header("updated_at", "Last updated")}
                            <th scope="col">"Assigned to"</th>

                        </tr>
                    </thead>
                    <tbody>
                        {move || fetched.with(|f| match f {
                            Some((_, Ok(page))) => {
                                let choice = auth.can(Permission::LeadsWork).then_some(selection);
                                page.items
                                    .iter()
                                    .map(|l| row(l, choice, summary_of))
                                    .collect_view()
                                    .into_any()
                            }
                            _ => ().into_any(),
                        })}
                    </tbody>
                </table>
                {move || {
                    let state: Fetched = fetched.get();
                    match state {
                        None => view! { <Loading what="leads"/> }.into_any(),
                        Some((_, Err(error))) => view! { <Failure error/> }.into_any(),
                        Some((_, Ok(page))) if page.items.is_empty() => view! {
                            <div class="state state-empty">
                                <p><strong>"No leads match."</strong></p>
                                <p class="muted">"Try other filters, or clear them to see every lead."</p>
                            </div>
                        }.into_any(),
                        Some(_) => ().into_any(),
                    }
                }}
            </div>

            <nav class="pager" aria-label="Pages">
                {
                    let back = page_to.clone();
                    let forward = page_to.clone();
                    let prev = move || cursor(&fetched, |p| p.prev_cursor.clone());
                    let next = move || cursor(&fetched, |p| p.next_cursor.clone());
                    view! {
                        <button type="button" class="button" disabled=move || prev().is_none()
                            on:click=move |_| if let Some(c) = prev() { back(Some(c)) }>
                            "← Previous"
                        </button>
                        <button type="button" class="button" disabled=move || next().is_none()
                            on:click=move |_| if let Some(c) = next() { forward(Some(c)) }>
                            "Next →"
                        </button>
                    }
                }
            </nav>
        </section>
    }
}
